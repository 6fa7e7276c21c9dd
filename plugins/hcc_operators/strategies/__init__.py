"""Custom maintenance strategies: the interface, the registry, the runner, the built-ins.

See docs/extending.md for writing and registering a strategy.
"""

from __future__ import annotations

from hcc_operators.strategies.base import (
    BaseStrategy,
    Strategy,
    StrategyParams,
    StrategyResult,
)
from hcc_operators.strategies.registry import StrategyRegistry, load_registry
from hcc_operators.strategies.runner import StrategyRun, run_strategy

__all__ = [
    "BaseStrategy",
    "Strategy",
    "StrategyParams",
    "StrategyRegistry",
    "StrategyResult",
    "StrategyRun",
    "load_registry",
    "run_strategy",
]

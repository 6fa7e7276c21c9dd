"""CUSTOM: a named maintenance strategy (strategies/) with its own parameters."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from hcc_operators.core.actions.base import ActionParams, ActionSpec
from hcc_operators.core.errors import PolicyError
from hcc_operators.core.models import Action, ActionKind

STRATEGY_NAME = r"^[A-Za-z_][A-Za-z0-9_.]{0,127}$"


class CustomParams(ActionParams):
    """A named strategy; ``params`` are validated by the strategy itself when it is looked up."""

    kind: ClassVar[ActionKind] = ActionKind.CUSTOM
    type: Literal["CUSTOM"] = "CUSTOM"
    strategy: str = Field(pattern=STRATEGY_NAME, description="registered strategy name")
    params: dict[str, Any] = Field(
        default_factory=dict, description="the strategy's own parameters"
    )


def render(action: Action, version: tuple[int, ...]) -> list[str]:
    raise PolicyError(
        f"{action.ref.label}: CUSTOM actions carry their own statements; "
        "core.ddl renders only the built-in action kinds"
    )


SPEC = ActionSpec(
    kind=ActionKind.CUSTOM,
    description="Run a registered maintenance strategy (include/config/strategies.yaml or the "
    "hcc_operators.strategies entry point) on the partition.",
    params=CustomParams,
    render=render,
    # A strategy's effect is its own; its operation log records what it did.
    applied=None,
    default_mib_per_s=5.0,
)

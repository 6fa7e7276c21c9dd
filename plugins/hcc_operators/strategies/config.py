"""include/config/strategies.yaml: custom strategies registered by dotted path.

The file is optional; without it only the built-in strategies and those installed through the
``hcc_operators.strategies`` entry point group exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from hcc_operators.core.actions.custom import STRATEGY_NAME
from hcc_operators.core.config_model import ConfigModel
from hcc_operators.core.config_yaml import load_config_file
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.paths import config_dir

STRATEGIES_FILE = "strategies.yaml"
# pydantic matches patterns with Rust's regex, where ^...$ spans the whole text.
DOTTED_PATH_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"

#: The same spelling policies.yaml accepts in ``action.strategy`` (one pattern for both).
StrategyName = Annotated[str, Field(pattern=STRATEGY_NAME)]
DottedPath = Annotated[str, Field(pattern=DOTTED_PATH_PATTERN)]


class StrategiesFile(ConfigModel):
    """Custom maintenance strategies, by the name policies use in ``action.strategy``."""

    strategies: dict[StrategyName, DottedPath] = Field(
        default_factory=dict,
        description="strategy name -> 'package.module:Class' of a class implementing the "
        "strategy interface (docs/extending.md); the module must be importable by the "
        "Airflow workers (e.g. under plugins/)",
    )


def strategies_path(directory: Path | None = None) -> Path:
    return (directory or config_dir()) / STRATEGIES_FILE


def load_strategies_file(path: Path | None = None) -> StrategiesFile:
    """Read strategies.yaml; a missing file means no custom strategies."""
    file = path or strategies_path()
    source = str(file)
    data = load_config_file(file, optional=True)
    if data is None:
        return StrategiesFile()
    if not isinstance(data, dict):
        raise ConfigError(
            f"expected a mapping with 'strategies' at the top level, got {type(data).__name__}",
            source=source,
        )
    try:
        return StrategiesFile.model_validate(data)
    except ValidationError as exc:
        raise _config_error(exc.errors()[0], source) from None


def _config_error(error: dict, source: str) -> ConfigError:
    loc = [str(p) for p in error["loc"]]
    is_key = loc[-1:] == ["[key]"]
    where = ".".join(p for p in loc if p != "[key]")
    message = str(error["msg"])
    if error["type"] == "string_pattern_mismatch":
        message = (
            f"{error['input']!r} is not a valid strategy name (letters, digits, _ and .)"
            if is_key
            else f"{error['input']!r} is not of the form 'package.module:Class'"
        )
    elif error["type"] == "extra_forbidden":
        message = "unknown field; the file holds only 'strategies'"
    return ConfigError(message, source=source, field=where)

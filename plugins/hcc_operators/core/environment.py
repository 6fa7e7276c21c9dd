"""Settings read from environment variables, parsed strictly.

DAG files read some settings from the environment (an Airflow Variable would touch the
metadata DB at parse). A typo there must stop the parse with the variable's name and what it
accepts: ``int("abc")`` would say neither, and a negative retry count is accepted by Airflow
without a word.
"""

from __future__ import annotations

import math
import os

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.int_bounds import whole_number


def _source(name: str) -> str:
    return f"environment variable {name}"


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    """Whole number from ``$name`` (``default`` when unset or blank), within the bounds."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return whole_number(text, minimum, maximum)
    except ValueError as err:
        raise ConfigError(str(err), source=_source(name)) from None


def env_seconds(name: str, default: float, *, minimum: float, maximum: float) -> float:
    """A number of seconds from ``$name`` (``default`` when unset or blank), finite and bounded."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text) if text.isascii() else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ConfigError(
            f"{text!r} is not a number of seconds from {minimum:g} to {maximum:g}",
            source=_source(name),
        )
    if not minimum <= value <= maximum:
        raise ConfigError(
            f"{value:g} is out of range; use a number of seconds from {minimum:g} to {maximum:g}",
            source=_source(name),
        )
    return value

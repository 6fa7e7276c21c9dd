"""DAG run Params as operators receive them: one strict parser for every operator.

Every DAG renders templates as native objects, so a Param arrives as the JSON type the UI
validated (a bool, an int, None). Values that still arrive as text (a run triggered through the
CLI with a string, an old DAG version) are accepted only in their exact spellings; anything
else is refused with the Param's name, never guessed: "yes", "1" or "None" is not a boolean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from hcc_operators.core.errors import ConfigError

_TRUE, _FALSE = "true", "false"


def _fail(name: str, value: Any, expected: str) -> ConfigError:
    return ConfigError(f"{value!r} is not {expected}", source="Param", field=name)


def _none(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in ("", "null"))


def as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (_TRUE, _FALSE):
        return value.strip().lower() == _TRUE
    raise _fail(name, value, "true or false")


def as_int(
    value: Any,
    name: str,
    *,
    optional: bool = False,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    if _none(value):
        if optional:
            return None
        raise _fail(name, value, "a whole number (the Param is required)")
    if isinstance(value, bool):
        raise _fail(name, value, "a whole number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit():
            raise _fail(name, value, "a whole number")
        value = int(text)
    if not isinstance(value, int):
        raise _fail(name, value, "a whole number")
    _bounds(name, value, minimum, maximum)
    return value


def as_float(
    value: Any,
    name: str,
    *,
    optional: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float | None:
    if _none(value):
        if optional:
            return None
        raise _fail(name, value, "a number (the Param is required)")
    if isinstance(value, bool):
        raise _fail(name, value, "a number")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _fail(name, value, "a number") from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(name, value, "a finite number")
    _bounds(name, value, minimum, maximum)
    return float(value)


def as_str_list(value: Any, name: str) -> list[str]:
    """A list of strings; one string is a list of one, None or [] is empty."""
    if _none(value):
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise _fail(name, value, "a list of strings")


def as_str(value: Any, name: str, *, optional: bool = False) -> str | None:
    if _none(value):
        if optional:
            return None
        raise _fail(name, value, "a string (the Param is required)")
    if not isinstance(value, str):
        raise _fail(name, value, "a string")
    return value.strip()


def _bounds(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ConfigError(f"{value} is below the minimum {minimum}", source="Param", field=name)
    if maximum is not None and value > maximum:
        raise ConfigError(f"{value} is above the maximum {maximum}", source="Param", field=name)

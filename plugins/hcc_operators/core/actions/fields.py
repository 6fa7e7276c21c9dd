"""Field types shared by the action parameter models: validated once, named in errors."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from hcc_operators.core.errors import IdentifierError
from hcc_operators.core.identifiers import normalise
from hcc_operators.core.models import CompressionType

_SUFFIX = re.compile(r"[A-Za-z0-9_$#]{1,30}")  # always fullmatch
#: What a policy may ask a segment to be compressed to (BASIC and NONE are never targets).
TARGET_LEVELS = tuple(
    c for c in CompressionType if c not in (CompressionType.NONE, CompressionType.BASIC)
)


def _level(value: Any) -> CompressionType:
    if isinstance(value, CompressionType):
        level = value
    else:
        try:
            level = CompressionType.parse(value)
        except (ValueError, TypeError):
            level = None
    if level not in TARGET_LEVELS:
        raise PydanticCustomError(
            "compression_level",
            "{value} is not a compression level a policy can target; use one of {levels}",
            {"value": repr(value), "levels": ", ".join(c.value for c in TARGET_LEVELS)},
        )
    return level


def _tablespace(value: Any) -> str:
    # The one identifier rule of the package, so "users" means USERS as in SQL*Plus.
    try:
        return normalise(value, kind="tablespace")
    except IdentifierError as exc:
        raise PydanticCustomError("identifier", str(exc)) from None


def _suffix(value: Any) -> str:
    if not isinstance(value, str) or not _SUFFIX.fullmatch(value):
        raise PydanticCustomError(
            "identifier",
            "{value} is not a valid table name suffix (letters, digits, _ $ #, 1-30 characters)",
            {"value": repr(value)},
        )
    return value.upper()


Level = Annotated[CompressionType, BeforeValidator(_level)]
Tablespace = Annotated[str, BeforeValidator(_tablespace)]
TableSuffix = Annotated[str, BeforeValidator(_suffix)]

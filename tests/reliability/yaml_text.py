"""YAML text from Python data, for mutation corpora: flow style (JSON-like), with the YAML
spellings JSON lacks (.inf, .nan), and with one way to write a key twice, which no YAML
library's dumper would produce."""

from __future__ import annotations

import json
import math
from typing import Any


class Duplicate:
    """A mapping written with ``key`` twice: the original value, then ``value`` again."""

    def __init__(self, mapping: dict, key: Any):
        self.mapping = mapping
        self.key = key


def dump(value: Any) -> str:
    if isinstance(value, Duplicate):
        items = [*value.mapping.items(), (value.key, value.mapping[value.key])]
        return "{" + ", ".join(f"{_key(k)}: {dump(v)}" for k, v in items) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(dump(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a YAML double-quoted scalar
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _key(key: Any) -> str:
    return json.dumps(key) if isinstance(key, str) else dump(key)

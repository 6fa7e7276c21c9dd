"""Turn a pydantic ValidationError on policies.yaml into a ConfigError a person can act on.

pydantic locates an error by list index (``policies.3.action.COMPRESS.level``); people know a
policy by its name, so the field path names the policy and drops the union tag pydantic adds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from hcc_operators.core.errors import ConfigError

_TAG = re.compile(r"[A-Z][A-Z_]*")  # always fullmatch
_MAX_LISTED = 5


def _policy_name(data: Mapping[str, Any], index: int) -> str:
    policies = data.get("policies")
    if isinstance(policies, Sequence) and 0 <= index < len(policies):
        entry = policies[index]
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            return entry["name"]
    return f"#{index + 1}"


def _path(parts: Sequence[int | str]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def field_path(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> str:
    parts = list(loc)
    # The discriminated union adds the tag (COMPRESS, MOVE...) after "action"; fields are
    # lower case, so an upper-case element there is always the tag.
    for i in range(len(parts) - 1):
        if parts[i] == "action" and isinstance(parts[i + 1], str) and _TAG.fullmatch(parts[i + 1]):
            del parts[i + 1]
            break
    if len(parts) >= 2 and parts[0] == "policies" and isinstance(parts[1], int):
        head = f"policies[{_policy_name(data, parts[1])}]"
        rest = _path(parts[2:])
        return f"{head}.{rest}" if rest else head
    return _path(parts)


def _message(error: Mapping[str, Any], action_types: Sequence[str]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "union_tag_invalid":
        return f"unknown action type {ctx.get('tag')!r}; expected one of {', '.join(action_types)}"
    if kind == "union_tag_not_found":
        return f"the action needs a 'type': one of {', '.join(action_types)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if (
        isinstance(value, str | int | float)
        and not isinstance(value, bool)
        and (repr(value) not in message)
    ):
        message += f" (got {value!r})"
    return message


def translate(
    exc: ValidationError,
    data: Mapping[str, Any],
    source: str | None,
    *,
    action_types: Sequence[str] = (),
) -> ConfigError:
    """One ConfigError: the first problem as field/message, the others listed after it."""
    problems = []
    for error in exc.errors():
        ctx = error.get("ctx") or {}
        if "policy" in ctx and "field" in ctx:
            where = f"policies[{ctx['policy']}].{ctx['field']}"
        else:
            where = field_path(tuple(error["loc"]), data)
        problems.append((where, _message(error, action_types)))
    field, message = problems[0]
    others = problems[1:]
    if others:
        listed = "; ".join(f"{f}: {m}" for f, m in others[:_MAX_LISTED])
        more = len(others) - _MAX_LISTED
        message += f" (also {listed}" + (f"; and {more} more" if more > 0 else "") + ")"
    return ConfigError(message, source=source, field=field)

"""The action kinds: one module per kind, each declaring one ``ActionSpec`` (see base.py).

Every module of this package that defines ``SPEC`` is a kind; the tables other layers need
(the parameter models a policy may name, DDL renderers, applied-state checks, throughputs,
descriptions) are read from the specs here, never written out again elsewhere.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from functools import cache
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from hcc_operators.core.actions.base import ActionParams, ActionSpec, Live
from hcc_operators.core.models import ActionKind

__all__ = [
    "ActionParams",
    "ActionSpec",
    "Live",
    "dump_params",
    "parse_params",
    "policy_kinds",
    "policy_params_type",
    "spec",
    "specs",
]


@cache
def _discovered() -> dict[ActionKind, ActionSpec]:
    found: dict[ActionKind, ActionSpec] = {}
    for module in pkgutil.iter_modules(__path__):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        declared = getattr(loaded, "SPEC", None)
        if isinstance(declared, ActionSpec):
            if declared.kind in found:
                raise RuntimeError(f"action kind {declared.kind} is declared twice")
            found[declared.kind] = declared
    return found


def specs() -> tuple[ActionSpec, ...]:
    """Every declared kind, in ActionKind order."""
    found = _discovered()
    return tuple(found[k] for k in ActionKind if k in found)


def spec(kind: ActionKind | str) -> ActionSpec:
    try:
        return _discovered()[ActionKind(kind)]
    except (KeyError, ValueError):
        raise KeyError(f"no action kind {kind!r} is declared in core.actions") from None


def policy_kinds() -> tuple[str, ...]:
    """The ``type`` values policies.yaml accepts."""
    return tuple(s.kind.value for s in specs() if s.policy)


@cache
def policy_params_type() -> Any:
    """The tagged union of the parameter models a policy may name (pydantic field type)."""
    models = tuple(s.params for s in specs() if s.policy)
    return Annotated[Union[models], Field(discriminator="type")]  # noqa: UP007


@cache
def _all_params() -> TypeAdapter:
    models = tuple(s.params for s in specs())
    return TypeAdapter(Annotated[Union[models], Field(discriminator="type")])  # noqa: UP007


def parse_params(data: str | dict | None, kind: ActionKind | str | None = None) -> ActionParams:
    """A queue item's parameters back into their model (JSON text or a dict). ``kind`` fills
    in the tag for rows written before the tag was stored."""
    if data is None or data == "":
        data = {}
    adapter = _all_params()
    if isinstance(data, str):
        data = json.loads(data)
    if "type" not in data and kind is not None:
        data = {**data, "type": ActionKind(kind).value}
    return adapter.validate_python(data)


def dump_params(params: ActionParams) -> str:
    """The JSON a queue row stores: the tag, and every field that differs from its default."""
    data = params.model_dump(mode="json", exclude_defaults=True)
    data["type"] = params.kind.value
    return json.dumps(data, sort_keys=True, separators=(",", ":"))

"""TRUNCATE: remove a partition's rows and release its space, keeping the partition."""

from __future__ import annotations

from typing import ClassVar, Literal

from hcc_operators.core import ddl, identifiers
from hcc_operators.core.actions.base import ActionParams, ActionSpec, Live
from hcc_operators.core.models import Action, ActionKind


class TruncateParams(ActionParams):
    kind: ClassVar[ActionKind] = ActionKind.TRUNCATE
    type: Literal["TRUNCATE"] = "TRUNCATE"


def render(action: Action, version: tuple[int, ...]) -> list[str]:
    ddl.require_segment(action, "TRUNCATE")
    size = identifiers.max_identifier_bytes(version)
    ref = action.ref
    return [
        ddl.join(
            f"ALTER TABLE {ddl.table_name(ref, size)} TRUNCATE {ddl.segment_clause(ref, size)} "
            "DROP STORAGE",
            ddl.global_indexes_clause(action),
        )
    ]


def applied(action: Action, live: Live) -> bool:
    return live.target is not None and live.target.num_rows == 0


SPEC = ActionSpec(
    kind=ActionKind.TRUNCATE,
    description="Remove every row of the partition and release its space "
    "(ALTER TABLE ... TRUNCATE PARTITION ... DROP STORAGE UPDATE GLOBAL INDEXES).",
    params=TruncateParams,
    render=render,
    applied=applied,
    default_mib_per_s=200.0,
    destructive=True,
)

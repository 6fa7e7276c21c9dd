"""READ_ONLY: make a partition (and its subpartitions) read-only, a dictionary change."""

from __future__ import annotations

from typing import ClassVar, Literal

from hcc_operators.core import ddl, identifiers
from hcc_operators.core.actions.base import ActionParams, ActionSpec, Live
from hcc_operators.core.expr import eq, fact
from hcc_operators.core.models import Action, ActionKind, ObjectKind
from hcc_operators.core.oracle_features import Feature, require


class ReadOnlyParams(ActionParams):
    kind: ClassVar[ActionKind] = ActionKind.READ_ONLY
    type: Literal["READ_ONLY"] = "READ_ONLY"

    def target_reached(self):
        return eq(fact("read_only"), True)

    def target_reached_text(self, state):
        return "already read-only", ()


def render(action: Action, version: tuple[int, ...]) -> list[str]:
    ref = action.ref
    size = identifiers.max_identifier_bytes(version)
    if ref.kind is ObjectKind.TABLE:
        require(Feature.TABLE_READ_ONLY, version)
        return [f"ALTER TABLE {ddl.table_name(ref, size)} READ ONLY"]
    require(
        Feature.PARTITION_READ_ONLY,
        version,
        hint="move the partition to a read-only tablespace instead",
    )
    return [
        f"ALTER TABLE {ddl.table_name(ref, size)} MODIFY {ddl.segment_clause(ref, size)} READ ONLY"
    ]


def applied(action: Action, live: Live) -> bool:
    return live.target is not None and live.target.read_only


SPEC = ActionSpec(
    kind=ActionKind.READ_ONLY,
    description="Make the partition read-only (ALTER TABLE ... MODIFY PARTITION ... READ ONLY); "
    "no data moves.",
    params=ReadOnlyParams,
    render=render,
    applied=applied,
    default_mib_per_s=2000.0,
)

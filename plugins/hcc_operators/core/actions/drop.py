"""DROP: remove a partition, optionally exchanging its rows into an archive table first."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from hcc_operators.core import ddl, identifiers
from hcc_operators.core.actions.base import ActionParams, ActionSpec, Live
from hcc_operators.core.actions.fields import TableSuffix
from hcc_operators.core.expr import eq, fact
from hcc_operators.core.models import Action, ActionKind


class DropParams(ActionParams):
    """Drop a partition; with ``archive`` its rows are first exchanged into OWNER.TABLE+suffix."""

    kind: ClassVar[ActionKind] = ActionKind.DROP
    type: Literal["DROP"] = "DROP"
    archive: bool = Field(
        False, description="exchange the rows into a per-partition archive table before the drop"
    )
    archive_table_suffix: TableSuffix = Field(
        "_ARCH", description="archive table name: TABLE + suffix + _ + PARTITION"
    )

    def unsupported(self):
        # EXCHANGE swaps a partition with a non-partitioned table; a composite partition
        # would need a partitioned archive table (docs/oracle-rules.md EXCHANGE-*).
        return eq(fact("has_subpartitions"), True) if self.archive else None

    def unsupported_text(self, state):
        return (
            "archive before drop is not supported for a composite partition (its "
            "subpartitions cannot be exchanged with one archive table)",
            (),
        )


def render(action: Action, version: tuple[int, ...]) -> list[str]:
    ddl.require_segment(action, "DROP")
    size = identifiers.max_identifier_bytes(version)
    ref = action.ref
    return [
        ddl.join(
            f"ALTER TABLE {ddl.table_name(ref, size)} DROP {ddl.segment_clause(ref, size)}",
            ddl.global_indexes_clause(action),
        )
    ]


def applied(action: Action, live: Live) -> bool:
    return live.target is None


SPEC = ActionSpec(
    kind=ActionKind.DROP,
    description="Drop the partition (ALTER TABLE ... DROP PARTITION ... UPDATE GLOBAL INDEXES), "
    "optionally after exchanging its rows into an archive table.",
    params=DropParams,
    render=render,
    applied=applied,
    default_mib_per_s=200.0,
    destructive=True,
    structural=True,
)

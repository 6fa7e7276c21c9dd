"""GATHER_STATS: optimizer statistics for a partition a rewrite just produced.

Offered as a follow-up of COMPRESS, MOVE and MERGE (``gather_stats: true`` on the policy's
action): a rewrite leaves the partition's statistics invalid (MOVE-09), and the optimizer
should not plan against them. The PL/SQL (include/sql/oracle/stats/gather_partition_stats)
follows the table's INCREMENTAL preference; every value is bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from hcc_operators.core import ddl, identifiers
from hcc_operators.core.actions.base import ActionParams, ActionSpec, Live
from hcc_operators.core.instants import as_utc
from hcc_operators.core.models import Action, ActionKind, ObjectKind, ObjectRef, SegmentInfo

SQL_NAME = "stats/gather_partition_stats"


class GatherStatsParams(ActionParams):
    kind: ClassVar[ActionKind] = ActionKind.GATHER_STATS
    type: Literal["GATHER_STATS"] = "GATHER_STATS"
    granularity: Literal["APPROX_GLOBAL AND PARTITION", "PARTITION", "GLOBAL AND PARTITION"] = (
        Field(
            "APPROX_GLOBAL AND PARTITION",
            description="DBMS_STATS granularity when the table does not use incremental "
            "statistics (with INCREMENTAL TRUE it is always AUTO)",
        )
    )
    degree: int | None = Field(None, ge=1, le=256, description="DBMS_STATS degree; none: default")
    after: datetime | None = Field(
        None, description="statistics gathered after this instant are current (set by the queue)"
    )

    def to_action(
        self,
        ref: ObjectRef,
        *,
        table: Sequence[SegmentInfo] = (),
        upper_bound: datetime | None = None,
    ) -> Action:
        return Action(ActionKind.GATHER_STATS, ref, parallel=self.degree, stats=self)


def render(action: Action, version: tuple[int, ...]) -> list[ddl.Statement]:
    ref = action.ref
    ddl.require_kind(ref, ObjectKind.PARTITION, "GATHER_STATS")
    size = identifiers.max_identifier_bytes(version)
    for name, kind in ((ref.owner, "owner"), (ref.table, "table"), (ref.partition, "partition")):
        identifiers.quote(name or "", kind=kind, max_bytes=size)  # the names must exist as such
    params = action.stats or GatherStatsParams()
    return [
        ddl.SqlCall(
            SQL_NAME,
            (
                ("ownname", ref.owner),
                ("tabname", ref.table),
                ("partname", ref.partition),
                ("granularity", params.granularity),
                ("degree", params.degree),
            ),
        )
    ]


def applied(action: Action, live: Live) -> bool:
    """Current when the partition was analyzed after the rewrite that queued this."""
    seg = live.target
    if seg is None or seg.last_analyzed is None:
        return False
    after = action.stats.after if action.stats else None
    return after is None or as_utc(seg.last_analyzed) >= as_utc(after)


SPEC = ActionSpec(
    kind=ActionKind.GATHER_STATS,
    description="Gather optimizer statistics on the partition after a rewrite "
    "(DBMS_STATS.GATHER_TABLE_STATS, incremental-statistics aware).",
    params=GatherStatsParams,
    render=render,
    applied=applied,
    default_mib_per_s=100.0,
    policy=False,
    follows=(ActionKind.COMPRESS, ActionKind.MOVE, ActionKind.MERGE),
)

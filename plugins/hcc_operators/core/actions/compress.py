"""COMPRESS: rewrite a partition (or table) in place with a denser compression level."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from hcc_operators.core.actions import rewrite
from hcc_operators.core.actions.base import ActionSpec
from hcc_operators.core.actions.fields import Level
from hcc_operators.core.expr import eq, fact, gt
from hcc_operators.core.models import Action, ActionKind, ObjectRef, SegmentInfo


class CompressParams(rewrite.RewriteParams):
    kind: ClassVar[ActionKind] = ActionKind.COMPRESS
    type: Literal["COMPRESS"] = "COMPRESS"
    level: Level = Field(description="target compression level")
    pctfree: int | None = Field(None, ge=0, le=99, description="PCTFREE of the new segment")

    def target_reached(self):
        return eq(fact("compression"), self.level.value)

    def target_reached_text(self, state):
        return "already compressed {}", (self.level.value,)

    def lower_than_current(self):
        return gt(fact("compression_rank"), self.level.rank)

    def lower_text(self, state):
        return "target {} is lower than current {}", (self.level.value, state.compression.value)

    def target_compression(self):
        return self.level

    def to_action(
        self,
        ref: ObjectRef,
        *,
        table: Sequence[SegmentInfo] = (),
        upper_bound: datetime | None = None,
    ) -> Action:
        action = Action(
            ActionKind.COMPRESS,
            ref,
            compression=self.level,
            pctfree=self.pctfree,
            online=self.online,
            parallel=self.parallel,
        )
        return rewrite.resolve_segments(action, table)


SPEC = ActionSpec(
    kind=ActionKind.COMPRESS,
    description="Rewrite the partition in its own tablespace with a denser compression level "
    "(ALTER TABLE ... MOVE PARTITION ... COMPRESS ...; a composite partition subpartition by "
    "subpartition).",
    params=CompressParams,
    render=rewrite.render,
    applied=rewrite.applied,
    note=rewrite.note,
    # With no level given a compression is assumed to run at the slowest level's rate.
    default_mib_per_s=5.0,
    rewrites_segment=True,
)

"""MOVE: rewrite a partition into another tablespace, optionally with a new compression."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from hcc_operators.core.actions import rewrite
from hcc_operators.core.actions.base import ActionSpec
from hcc_operators.core.actions.fields import Level, Tablespace
from hcc_operators.core.expr import all_of, eq, fact, gt
from hcc_operators.core.models import Action, ActionKind, ObjectRef, SegmentInfo


class MoveParams(rewrite.RewriteParams):
    """Move to another tablespace; without ``compression`` the partition keeps its own."""

    kind: ClassVar[ActionKind] = ActionKind.MOVE
    type: Literal["MOVE"] = "MOVE"
    tablespace: Tablespace = Field(description="target tablespace")
    compression: Level | None = Field(None, description="new compression level; none: keep")
    pctfree: int | None = Field(None, ge=0, le=99, description="PCTFREE of the new segment")
    consolidate: Literal["off", "quarterly", "yearly"] = Field(
        "off",
        description="Once every partition of a closed quarter or year is in the target "
        "tablespace, queue one MERGE of that period into a partition named for it "
        "(P_2019 / P_2019_Q3). off: never merge after a move",
    )

    def target_reached(self):
        in_place = eq(fact("tablespace"), self.tablespace)
        if self.compression is None:
            return in_place
        return all_of(in_place, eq(fact("compression"), self.compression.value))

    def target_reached_text(self, state):
        return "already in tablespace {} with {}", (self.tablespace, state.compression.value)

    def lower_than_current(self):
        return (
            None
            if self.compression is None
            else gt(fact("compression_rank"), self.compression.rank)
        )

    def lower_text(self, state):
        target = self.compression.value if self.compression else state.compression.value
        return "target {} is lower than current {}", (target, state.compression.value)

    def target_tablespace(self) -> str:
        return self.tablespace

    def target_compression(self):
        return self.compression

    def to_action(
        self,
        ref: ObjectRef,
        *,
        table: Sequence[SegmentInfo] = (),
        upper_bound: datetime | None = None,
    ) -> Action:
        action = Action(
            ActionKind.MOVE,
            ref,
            compression=self.compression,
            tablespace=self.tablespace,
            pctfree=self.pctfree,
            online=self.online,
            parallel=self.parallel,
        )
        return rewrite.resolve_segments(action, table)

    def follow_ups(self):
        found = super().follow_ups()
        if self.consolidate != "off":
            from hcc_operators.core.actions.merge import MergeParams

            found.append(
                MergeParams(
                    period=self.consolidate,
                    tablespace=self.tablespace,
                    compression=self.compression,
                    require_tablespace=self.tablespace,
                    online=self.online,
                    parallel=self.parallel,
                    gather_stats=self.gather_stats,
                )
            )
        return found


SPEC = ActionSpec(
    kind=ActionKind.MOVE,
    description="Move the partition to another tablespace, optionally with a new compression "
    "level (ALTER TABLE ... MOVE PARTITION ... TABLESPACE ...); optionally consolidates a "
    "closed period afterwards.",
    params=MoveParams,
    render=rewrite.render,
    applied=rewrite.applied,
    note=rewrite.note,
    default_mib_per_s=30.0,
    rewrites_segment=True,
)

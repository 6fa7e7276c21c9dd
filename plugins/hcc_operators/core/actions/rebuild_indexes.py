"""REBUILD_INDEXES: rebuild the unusable local index partitions of one partition.

A composite partition's local index partitions live at the subpartition level, and Oracle
refuses ``MODIFY PARTITION ... REBUILD UNUSABLE LOCAL INDEXES`` for it (ORA-14270,
docs/oracle-rules.md IDX-03/IDX-04): its subpartitions are rebuilt one by one instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import ClassVar, Literal

from hcc_operators.core import ddl
from hcc_operators.core.actions.base import ActionParams, ActionSpec
from hcc_operators.core.actions.rewrite import resolve_segments
from hcc_operators.core.models import Action, ActionKind, ObjectRef, SegmentInfo


class RebuildIndexesParams(ActionParams):
    kind: ClassVar[ActionKind] = ActionKind.REBUILD_INDEXES
    type: Literal["REBUILD_INDEXES"] = "REBUILD_INDEXES"

    def to_action(
        self,
        ref: ObjectRef,
        *,
        table: Sequence[SegmentInfo] = (),
        upper_bound: datetime | None = None,
    ) -> Action:
        return resolve_segments(Action(self.kind, ref), table)


def render(action: Action, version: tuple[int, ...]) -> list[str]:
    if action.subpartitions:
        return [
            ddl.render_rebuild_unusable_local(replace(action.ref, subpartition=s), version=version)
            for s in action.subpartitions
        ]
    return [ddl.render_rebuild_unusable_local(action.ref, version=version)]


SPEC = ActionSpec(
    kind=ActionKind.REBUILD_INDEXES,
    description="Rebuild the partition's unusable local index partitions "
    "(ALTER TABLE ... MODIFY PARTITION ... REBUILD UNUSABLE LOCAL INDEXES; per subpartition "
    "for a composite partition).",
    params=RebuildIndexesParams,
    render=render,
    # Index status is not part of the partition's storage facts.
    applied=None,
    default_mib_per_s=30.0,
    policy=False,
)

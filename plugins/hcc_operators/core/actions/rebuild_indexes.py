"""REBUILD_INDEXES: rebuild the unusable local index partitions of one partition."""

from __future__ import annotations

from typing import ClassVar, Literal

from hcc_operators.core import ddl
from hcc_operators.core.actions.base import ActionParams, ActionSpec
from hcc_operators.core.models import Action, ActionKind


class RebuildIndexesParams(ActionParams):
    kind: ClassVar[ActionKind] = ActionKind.REBUILD_INDEXES
    type: Literal["REBUILD_INDEXES"] = "REBUILD_INDEXES"


def render(action: Action, version: tuple[int, ...]) -> list[str]:
    return [ddl.render_rebuild_unusable_local(action.ref, version=version)]


SPEC = ActionSpec(
    kind=ActionKind.REBUILD_INDEXES,
    description="Rebuild the partition's unusable local index partitions "
    "(ALTER TABLE ... MODIFY PARTITION ... REBUILD UNUSABLE LOCAL INDEXES).",
    params=RebuildIndexesParams,
    render=render,
    # Index status is not part of the partition's storage facts.
    applied=None,
    default_mib_per_s=30.0,
    policy=False,
)

from __future__ import annotations

from hcc_operators.core.models import (
    Action,
    ActionKind,
    ActionStatus,
    ApplyResult,
    CompressionType,
    IndexInfo,
    ObjectRef,
)
from hcc_operators.strategies.rebuild_unusable_indexes import RebuildUnusableIndexes

STRATEGY = RebuildUnusableIndexes()


def _unusable(wh, ref):
    return [
        i
        for i in wh.indexes(ref.owner, ref.table)
        if i.status == "UNUSABLE" and (i.partition in (None, ref.partition))
    ]


def _old_partition(wh):
    segs = wh.list_segments(["SALES"], [ObjectRef("SALES", "ORDERS_FACT")])
    return next(s.ref for s in segs if s.ref.partition and s.compression.value == "NONE")


def test_rebuilds_after_a_move_without_update_indexes(demo_warehouse):
    wh = demo_warehouse
    ref = _old_partition(wh)
    wh.apply(
        Action(ActionKind.COMPRESS, ref, compression=CompressionType.ADVANCED, update_indexes=False)
    )
    assert _unusable(wh, ref), "the rewrite should have left unusable indexes"

    local_only = {"include_global": False}
    result = STRATEGY.execute(wh, ref, STRATEGY.validate(ref, local_only))

    assert result.status is ActionStatus.SUCCESS, result.message
    assert result.details["rebuilt_partitions"] == [ref.partition]
    assert any("REBUILD UNUSABLE LOCAL INDEXES" in s for s in result.statements)
    again = STRATEGY.execute(wh, ref, STRATEGY.validate(ref, local_only))
    assert again.status is ActionStatus.SKIPPED
    # IDX-03: the partition rebuild repairs local index partitions only; the global primary
    # key the rewrite left unusable is reported with the statement a DBA runs.
    left = STRATEGY.execute(wh, ref, STRATEGY.validate(ref, {}))
    assert left.status is ActionStatus.FAILED
    assert 'ALTER INDEX "SALES"."ORDERS_FACT_PK" REBUILD ONLINE' in left.message


def test_skipped_when_everything_is_usable(demo_warehouse):
    ref = _old_partition(demo_warehouse)
    result = STRATEGY.execute(demo_warehouse, ref, STRATEGY.validate(ref, {}))
    assert result.status is ActionStatus.SKIPPED
    assert "no unusable index" in result.message


class _OracleLikeWarehouse:
    """Rebuilding a partition's local indexes leaves global indexes unusable, as on Oracle."""

    backend = "fake"

    def __init__(self):
        self.local = "UNUSABLE"
        self.applied: list[Action] = []

    def version(self):
        return (19, 0)

    def indexes(self, owner, table):
        return [
            IndexInfo("S", "T_PK", "S", "T", "GLOBAL", "UNUSABLE"),
            IndexInfo("S", "T_LIX", "S", "T", "LOCAL", self.local, "P1"),
        ]

    def apply(self, action, *, ddl_lock_timeout_s=30):
        self.applied.append(action)
        self.local = "USABLE"
        return ApplyResult(("ALTER TABLE ... REBUILD UNUSABLE LOCAL INDEXES",), 1.0)


def test_global_index_left_unusable_is_failed_with_the_statement_to_run():
    wh = _OracleLikeWarehouse()
    ref = ObjectRef("S", "T", "P1")
    result = STRATEGY.execute(wh, ref, STRATEGY.validate(ref, {}))
    assert [a.kind for a in wh.applied] == [ActionKind.REBUILD_INDEXES]
    assert result.status is ActionStatus.FAILED
    assert result.error_code == "INDEX_STILL_UNUSABLE"
    assert result.details["manual_statements"] == ['ALTER INDEX "S"."T_PK" REBUILD ONLINE']


def test_global_indexes_can_be_left_out():
    wh = _OracleLikeWarehouse()
    ref = ObjectRef("S", "T", "P1")
    params = STRATEGY.validate(ref, {"include_global": False})
    assert STRATEGY.execute(wh, ref, params).status is ActionStatus.SUCCESS

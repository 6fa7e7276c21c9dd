"""A *-hash subpartitioned table in the embedded warehouse: only TABLESPACE of a partition's
default attributes can be changed (docs/oracle-rules.md COMPOSITE-05), so a rewrite of one of
its partitions changes that default alone and rewrites the subpartitions one by one."""

from __future__ import annotations

import pytest

from hcc_operators.core.actions.compress import CompressParams
from hcc_operators.core.actions.move import MoveParams
from hcc_operators.core.errors import Transience, WarehouseError
from hcc_operators.core.models import ActionStatus, CompressionType, ObjectRef
from hcc_operators.services.action_runner import run_action, table_segments

C = CompressionType
TABLE = ObjectRef("SALES", "SALES_BY_REGION")
PART = ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03")
DEFAULTS = (
    'ALTER TABLE "SALES"."SALES_BY_REGION" MODIFY DEFAULT ATTRIBUTES FOR PARTITION "P_2024_03"'
)


def hash_subpartitioned(warehouse) -> None:
    """What SUBPARTITION BY HASH would have left in the dictionary (the simulation has no
    CREATE TABLE ... PARTITION BY; the demo's composite table is range-list)."""
    with warehouse._conn as conn:
        conn.execute(
            "UPDATE sim_tables SET subpartitioning_type = 'HASH' WHERE owner = ? AND table_name = ?",
            (TABLE.owner, TABLE.table),
        )


def subpartitions(warehouse) -> list:
    return [
        s
        for s in table_segments(warehouse, PART)
        if s.ref.partition == PART.partition and s.ref.subpartition
    ]


def test_the_dictionary_gives_a_composite_partition_its_subpartitioning_type(warehouse):
    assert warehouse.segment(PART).subpartitioning_type == "LIST"
    hash_subpartitioned(warehouse)
    listed = {s.ref: s for s in warehouse.list_segments(["SALES"], [TABLE])}
    assert listed[PART].subpartitioning_type == "HASH"
    assert warehouse.segment(PART).subpartitioning_type == "HASH"
    # Only the composite partition carries it (as ALL_PART_TABLES is joined for partitions).
    assert {s.subpartitioning_type for s in listed.values() if s.ref.subpartition} == {None}


@pytest.mark.parametrize(
    "change",
    ["COLUMN STORE COMPRESS FOR QUERY HIGH", "PCTFREE 10", 'TABLESPACE "SALES_ARCH" NOCOMPRESS'],
)
def test_composite_05_only_tablespace_changes_in_a_hash_partitions_defaults(warehouse, change):
    hash_subpartitioned(warehouse)
    with pytest.raises(WarehouseError, match="only TABLESPACE can be changed") as err:
        warehouse.run_statements([f"{DEFAULTS} {change}"])
    # Oracle documents the rule, not its code (COMPOSITE-05): refused without one, for good.
    assert err.value.code is None
    assert err.value.transience is Transience.PERMANENT
    warehouse.run_statements([f'{DEFAULTS} TABLESPACE "SALES_ARCH"'])
    assert warehouse.segment(PART).tablespace == "SALES_ARCH"


def test_composite_05_a_list_partitions_defaults_take_compression(warehouse):
    warehouse.run_statements([f"{DEFAULTS} PCTFREE 10 COLUMN STORE COMPRESS FOR QUERY HIGH"])
    assert warehouse.segment(PART).compression is C.QUERY_HIGH


def test_composite_05_a_hash_partition_moves_with_its_tablespace_default_only(warehouse):
    hash_subpartitioned(warehouse)
    before = warehouse.segment(PART)
    action = MoveParams(tablespace="SALES_ARCH", compression="query high", online=False).to_action(
        PART, table=table_segments(warehouse, PART)
    )
    outcome = run_action(warehouse, action)
    assert outcome.status is ActionStatus.SUCCESS, outcome.message
    assert outcome.statements[0] == f'{DEFAULTS} TABLESPACE "SALES_ARCH"'
    assert [s.split(" MOVE ")[1].split(" ")[1] for s in outcome.statements[1:]] == [
        f'"P_2024_03_{r}"' for r in ("EAST", "WEST", "NORTH", "SOUTH")
    ]
    assert "compression default of hash subpartitions cannot be changed per partition" in (
        outcome.message
    )
    subs = subpartitions(warehouse)
    assert {(s.tablespace, s.compression) for s in subs} == {("SALES_ARCH", C.QUERY_HIGH)}
    after = warehouse.segment(PART)
    # The partition's defaults: the tablespace moved, the compression stayed (COMPOSITE-08).
    assert after.tablespace == "SALES_ARCH" and after.compression is before.compression


def test_composite_05_a_hash_partition_compress_sends_no_default_change(warehouse):
    hash_subpartitioned(warehouse)
    action = CompressParams(level="query high", online=False).to_action(
        PART, table=table_segments(warehouse, PART)
    )
    outcome = run_action(warehouse, action)
    assert outcome.status is ActionStatus.SUCCESS, outcome.message
    assert not any("DEFAULT ATTRIBUTES" in s for s in outcome.statements)
    assert len(outcome.statements) == 4
    assert "its default attributes were not changed" in outcome.message
    assert {s.compression for s in subpartitions(warehouse)} == {C.QUERY_HIGH}

"""Local indexes of a composite-partitioned table in the embedded warehouse: their status is
per index subpartition (IDX-10), a subpartition's rewrite makes only its own unusable
(IDX-11), and they are rebuilt one subpartition at a time: ALTER INDEX ... REBUILD PARTITION
of them is ORA-14287 (IDX-02), MODIFY PARTITION ... REBUILD UNUSABLE LOCAL INDEXES ORA-14270
(IDX-04)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.actions.compress import CompressParams
from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import Action, ActionKind, ActionStatus, CompressionType, ObjectRef
from hcc_operators.services.action_runner import table_segments
from hcc_operators.strategies.rebuild_unusable_indexes import RebuildUnusableIndexes
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, schema

C = CompressionType
REGION = ObjectRef("SALES", "SALES_BY_REGION")
PART = ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03")
EAST = ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03", "P_2024_03_EAST")
LIX = '"SALES"."SALES_BY_REGION_LIX"'
STRATEGY = RebuildUnusableIndexes()


def refused(warehouse, text: str) -> str | None:
    with pytest.raises(WarehouseError) as err:
        warehouse.run_statements([text])
    return err.value.code


def local(warehouse, table=REGION, partition="P_2024_03"):
    return [
        i
        for i in warehouse.indexes(table.owner, table.table)
        if i.locality == "LOCAL" and i.partition == partition
    ]


def test_idx_10_a_composite_local_index_is_listed_by_subpartition(warehouse):
    found = local(warehouse)
    assert [(i.index, i.subpartition, i.status) for i in found] == [
        ("SALES_BY_REGION_LIX", f"P_2024_03_{r}", "USABLE")
        for r in ("EAST", "WEST", "NORTH", "SOUTH")
    ]
    # A simple partition's local index has no subpartitions.
    plain = local(warehouse, ObjectRef("SALES", "ORDERS_FACT"), "P_2024_03")
    assert [(i.subpartition, i.status) for i in plain] == [(None, "USABLE")]


def test_idx_11_a_subpartition_move_makes_only_its_index_subpartition_unusable(warehouse):
    warehouse.apply(Action(ActionKind.COMPRESS, EAST, C.QUERY_HIGH, update_indexes=False))
    status = {i.subpartition: i.status for i in local(warehouse)}
    assert status == {
        "P_2024_03_EAST": "UNUSABLE",
        "P_2024_03_WEST": "USABLE",
        "P_2024_03_NORTH": "USABLE",
        "P_2024_03_SOUTH": "USABLE",
    }
    # MODIFY SUBPARTITION ... REBUILD UNUSABLE LOCAL INDEXES repairs it (IDX-03).
    warehouse.apply(Action(ActionKind.REBUILD_INDEXES, EAST))
    assert {i.status for i in local(warehouse)} == {"USABLE"}


def test_ora_14287_rebuilding_a_partition_of_a_composite_index(warehouse):  # IDX-02
    assert refused(warehouse, f'ALTER INDEX {LIX} REBUILD PARTITION "P_2024_03"') == "ORA-14287"


def test_ora_14288_rebuilding_a_subpartition_of_an_index_that_is_not_composite(warehouse):
    # IDX-09
    text = 'ALTER INDEX "SALES"."ORDERS_FACT_LIX" REBUILD SUBPARTITION "P_2024_03" ONLINE'
    assert refused(warehouse, text) == "ORA-14288"


def test_ora_14086_rebuilding_a_partitioned_index_as_a_whole(warehouse):  # IDX-01
    assert refused(warehouse, f"ALTER INDEX {LIX} REBUILD ONLINE") == "ORA-14086"


def test_ora_01418_rebuilding_an_index_that_does_not_exist(warehouse):  # OBJ-08
    assert refused(warehouse, 'ALTER INDEX "SALES"."NO_SUCH_IX" REBUILD') == "ORA-01418"


def test_missing_index_pieces_are_refused_like_missing_table_pieces(warehouse):
    assert refused(warehouse, f'ALTER INDEX {LIX} REBUILD SUBPARTITION "NOPE"') == "ORA-14251"
    text = 'ALTER INDEX "SALES"."ORDERS_FACT_LIX" REBUILD PARTITION "NOPE"'
    assert refused(warehouse, text) == "ORA-02149"
    text = 'ALTER INDEX "SALES"."ORDERS_FACT_PK" REBUILD PARTITION "P_2024_03"'
    assert refused(warehouse, text) == "ORA-14501"


def test_the_rebuild_statements_the_package_renders_are_accepted(warehouse):
    warehouse.apply(Action(ActionKind.COMPRESS, EAST, C.QUERY_HIGH, update_indexes=False))
    orders = ObjectRef("SALES", "ORDERS_FACT", "P_2024_03")
    warehouse.apply(Action(ActionKind.COMPRESS, orders, C.QUERY_HIGH, update_indexes=False))
    broken = [
        i
        for t in (REGION, orders)
        for i in warehouse.indexes(t.owner, t.table)
        if i.status == "UNUSABLE"
    ]
    statements = [ddl.render_index_rebuild(i) for i in broken]
    assert f'ALTER INDEX {LIX} REBUILD SUBPARTITION "P_2024_03_EAST" ONLINE' in statements
    assert 'ALTER INDEX "SALES"."ORDERS_FACT_PK" REBUILD ONLINE' in statements
    warehouse.run_statements(statements)
    for t in (REGION, orders):
        assert {i.status for i in warehouse.indexes(t.owner, t.table)} <= {"USABLE", "VALID"}


def test_the_strategy_rebuilds_a_composite_partition_subpartition_by_subpartition(warehouse):
    action = CompressParams(level="query high", online=False).to_action(
        PART, table=table_segments(warehouse, PART)
    )
    warehouse.apply(replace(action, update_indexes=False))
    assert {i.status for i in local(warehouse)} == {"UNUSABLE"}

    result = STRATEGY.execute(warehouse, PART, STRATEGY.validate(PART, {}))

    assert result.status is ActionStatus.SUCCESS, result.message
    assert result.details["rebuilt_partitions"] == ["P_2024_03"]
    assert result.statements == tuple(
        f'ALTER TABLE "SALES"."SALES_BY_REGION" MODIFY SUBPARTITION "P_2024_03_{r}" '
        "REBUILD UNUSABLE LOCAL INDEXES"
        for r in ("EAST", "WEST", "NORTH", "SOUTH")
    )
    assert {i.status for i in local(warehouse)} == {"USABLE"}


def test_the_strategy_on_one_subpartition_rebuilds_that_subpartition(warehouse):
    warehouse.apply(Action(ActionKind.COMPRESS, EAST, C.QUERY_HIGH, update_indexes=False))
    result = STRATEGY.execute(warehouse, EAST, STRATEGY.validate(EAST, {}))
    assert result.status is ActionStatus.SUCCESS, result.message
    assert result.statements == (
        'ALTER TABLE "SALES"."SALES_BY_REGION" MODIFY SUBPARTITION "P_2024_03_EAST" '
        "REBUILD UNUSABLE LOCAL INDEXES",
    )


def test_alter_index_on_another_schema_needs_alter_any_index(warehouse):  # PRIV-13
    warehouse.revoke_privilege("ALTER ANY INDEX")
    text = f'ALTER INDEX {LIX} REBUILD SUBPARTITION "P_2024_03_EAST"'
    assert refused(warehouse, text) == "ORA-01031"
    warehouse.grant_privilege("ALTER ANY INDEX")
    warehouse.run_statements([text])


def test_a_file_built_before_index_subpartitions_is_upgraded_on_open(warehouse):
    path = warehouse.path
    with warehouse._conn as conn:
        # What schema 2 kept: one status per local index partition, composite or not.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ALTER TABLE sim_index_partitions RENAME TO v3")
        conn.execute(
            "CREATE TABLE sim_index_partitions (owner TEXT NOT NULL, index_name TEXT NOT NULL,"
            " partition_name TEXT NOT NULL, status TEXT NOT NULL,"
            " PRIMARY KEY (owner, index_name, partition_name))"
        )
        conn.execute(
            "INSERT OR IGNORE INTO sim_index_partitions SELECT owner, index_name,"
            " partition_name, CASE WHEN partition_name = 'P_2024_03' THEN 'UNUSABLE'"
            " ELSE status END FROM v3"
        )
        conn.execute("DROP TABLE v3")
        conn.execute("COMMIT")
    warehouse.close()
    reopened = EmbeddedWarehouse(path)
    try:
        assert {(i.subpartition, i.status) for i in local(reopened)} == {
            (f"P_2024_03_{r}", "UNUSABLE") for r in ("EAST", "WEST", "NORTH", "SOUTH")
        }
        plain = local(reopened, ObjectRef("SALES", "ORDERS_FACT"), "P_2024_02")
        assert [(i.subpartition, i.status) for i in plain] == [(None, "USABLE")]
        meta = dict(reopened._conn.execute("SELECT key, value FROM sim_meta").fetchall())
        assert meta["schema_version"] == schema.SCHEMA_VERSION
    finally:
        reopened.close()
    # A second open finds nothing to do.
    conn = sqlite3.connect(path)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(sim_index_partitions)")]
    conn.close()
    assert "subpartition_name" in columns

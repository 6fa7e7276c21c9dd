from __future__ import annotations

import pytest

from hcc_operators.core import high_value
from hcc_operators.core.errors import ConfigError, ObjectNotFound
from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.warehouse.base import Warehouse
from hcc_operators.warehouse.embedded import EmbeddedWarehouse


def test_satisfies_the_warehouse_protocol(warehouse):
    assert isinstance(warehouse, Warehouse)
    assert warehouse.backend == "embedded"
    assert warehouse.version() == (19, 21, 0)


def test_oracle_maintained_schemas_are_excluded_by_default(warehouse):
    assert warehouse.list_schemas() == ["AUDIT", "FINANCE", "LOGISTICS", "SALES"]
    assert {"SYS", "SYSTEM", "AUDSYS"} <= set(
        warehouse.list_schemas(include_oracle_maintained=True)
    )


def test_list_tables_excludes_temporary_nested_and_oracle_maintained(warehouse):
    names = {(t.owner, t.table) for t in warehouse.list_tables(["SALES", "SYS", "AUDSYS"])}
    assert ("SALES", "ORDERS_FACT") in names
    assert ("SALES", "TMP_ORDER_STAGE") not in names
    assert ("SALES", "ORDER_NOTES_NT") not in names
    assert not any(owner in ("SYS", "AUDSYS") for owner, _ in names)


def test_owners_as_a_string_is_a_clear_error(warehouse):
    with pytest.raises(ConfigError, match="list of schema names"):
        warehouse.list_tables("SALES")


def test_table_kinds(warehouse):
    tables = {t.table: t for t in warehouse.list_tables(["SALES"])}
    assert not tables["CUSTOMERS"].partitioned
    assert tables["ORDERS_FACT"].partitioning_type == "RANGE"
    assert tables["WEB_CLICKS"].interval == "NUMTOYMINTERVAL(1,'MONTH')"
    assert tables["SALES_BY_REGION"].subpartitioning_type == "LIST"


def test_high_values_are_stored_as_oracle_keeps_them(warehouse):
    orders = warehouse.list_segments(["SALES"], [ObjectRef("SALES", "ORDERS_FACT")])
    first = orders[0]
    assert first.ref.partition == "P_2018_01" and first.position == 1
    assert first.high_value == (
        "TO_DATE(' 2018-02-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', 'NLS_CALENDAR=GREGORIAN')"
    )
    assert [s.position for s in orders] == list(range(1, len(orders) + 1))
    clicks = warehouse.list_segments(["SALES"], [ObjectRef("SALES", "WEB_CLICKS")])
    assert clicks[-1].high_value == "TIMESTAMP' 2026-12-01 00:00:00'"
    assert clicks[-1].interval and not clicks[0].interval
    for seg in orders + clicks:
        assert high_value.parse(seg.high_value).kind is high_value.HighValueKind.DATE


def test_composite_partition_carries_the_sum_of_its_subpartitions(warehouse):
    segs = warehouse.list_segments(["SALES"], [ObjectRef("SALES", "SALES_BY_REGION")])
    parent = segs[0]
    subs = [s for s in segs if s.ref.partition == parent.ref.partition and s.ref.subpartition]
    assert parent.has_subpartitions and len(subs) == 4
    assert parent.bytes == sum(s.bytes for s in subs)
    assert parent.num_rows == sum(s.num_rows for s in subs)
    assert warehouse.row_count(parent.ref) == parent.num_rows


def test_segments_have_blocks_of_8k_and_realistic_sizes(warehouse):
    segs = warehouse.list_segments(warehouse.list_schemas())
    assert len(segs) > 2000
    assert all(s.blocks * 8192 == s.bytes for s in segs)
    assert max(s.bytes for s in segs) > 10 * 2**30
    assert min(s.bytes for s in segs if s.num_rows) >= 64 * 1024


def test_generated_state_mix(warehouse):
    segs = warehouse.list_segments(warehouse.list_schemas())
    kinds = {s.compression for s in segs}
    assert {CompressionType.NONE, CompressionType.ADVANCED, CompressionType.QUERY_HIGH} <= kinds
    assert 0 < sum(s.read_only for s in segs) < len(segs) / 10
    spaces = warehouse.tablespaces()
    assert any(ts.free_bytes < 8 * 2**20 for ts in spaces.values())
    assert any(85 < ts.used_percent < 99 for ts in spaces.values())
    assert {ts.hcc_supported for ts in spaces.values()} == {True, False}


def test_recent_partitions_are_hot_and_old_ones_cold(warehouse):
    ref_new = ObjectRef("SALES", "ORDERS_FACT", "P_2026_11")
    ref_old = ObjectRef("SALES", "ORDERS_FACT", "P_2018_03")
    dml = warehouse.dml_stats(["SALES"])
    access = warehouse.access_stats(["SALES"])
    assert dml[ref_new].inserts > 0
    assert access[ref_new].logical_reads > 100 * access[ref_old].logical_reads
    # The demo connection declares the Advanced Compression Option: Heat Map is readable.
    assert access[ref_new].source == "HEATMAP"
    table_total = dml[ObjectRef("SALES", "ORDERS_FACT")]
    assert table_total.inserts == sum(
        v.inserts
        for k, v in dml.items()
        if k.table == "ORDERS_FACT" and k.partition and not k.subpartition
    )


def test_indexes_local_per_partition_and_global(warehouse):
    idx = warehouse.indexes("SALES", "ORDERS_FACT")
    local = [i for i in idx if i.locality == "LOCAL"]
    assert len(local) == len(
        warehouse.list_segments(["SALES"], [ObjectRef("SALES", "ORDERS_FACT")])
    )
    assert all(i.status == "USABLE" for i in local)
    assert [i.status for i in idx if i.locality == "GLOBAL"] == ["VALID"]
    with pytest.raises(ObjectNotFound) as err:
        warehouse.indexes("SALES", "NO_SUCH")
    assert err.value.code == "ORA-00942"


def test_segment_and_row_count_of_missing_objects(warehouse):
    assert warehouse.segment(ObjectRef("SALES", "ORDERS_FACT", "P_1999_01")) is None
    with pytest.raises(ObjectNotFound) as err:
        warehouse.row_count(ObjectRef("SALES", "ORDERS_FACT", "P_1999_01"))
    assert err.value.code == "ORA-02149"
    with pytest.raises(ObjectNotFound) as err:
        warehouse.row_count(ObjectRef("SALES", "NOPE"))
    assert err.value.code == "ORA-00942"


def test_opening_a_missing_file_names_the_path(tmp_path):
    from hcc_operators.core.errors import WarehouseError

    with pytest.raises(WarehouseError, match="no embedded warehouse at"):
        EmbeddedWarehouse(tmp_path / "missing.db")


def test_session_info_is_recorded(warehouse):
    import sqlite3

    warehouse.set_session_info("hcc_compress", "compress SALES.ORDERS_FACT:P_2019_01")
    row = (
        sqlite3.connect(warehouse.path)
        .execute("SELECT module, action FROM sim_sessions")
        .fetchone()
    )
    assert row == ("hcc_compress", "compress SALES.ORDERS_FACT:P_2019_01")


def test_repository_engine_shares_the_file_in_wal_mode(warehouse):
    from sqlalchemy import text

    with warehouse.repository_engine().connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("SELECT count(*) FROM sim_tables")).scalar() > 20


def test_an_unknown_compression_value_skips_that_object_only(warehouse):
    # A 23ai database may report a COMPRESS_FOR this package does not know (CMP-05): that one
    # object is left out and reported, every other object of the owner is still read.
    from hcc_operators.core.models import CompressionType

    odd = ObjectRef("SALES", "ORDERS_FACT", "P_2020_01")
    locking = ObjectRef("SALES", "ORDERS_FACT", "P_2020_02")
    with warehouse._writing() as conn:
        conn.execute(
            "UPDATE sim_segments SET compression = 'QUERY MEDIUM' WHERE partition_name = ?"
            " AND table_name = 'ORDERS_FACT'",
            (odd.partition,),
        )
        conn.execute(
            "UPDATE sim_segments SET compression = 'QUERY HIGH ROW LEVEL LOCKING'"
            " WHERE partition_name = ? AND table_name = 'ORDERS_FACT'",
            (locking.partition,),
        )
    segs = {s.ref: s for s in warehouse.list_segments(["SALES"])}
    assert odd not in segs and segs[locking].compression is CompressionType.QUERY_HIGH
    assert len(segs) > 100
    assert warehouse.unreadable() == {
        odd: "COMPRESS_FOR 'QUERY MEDIUM' is not a value this package knows"
    }


def test_access_tracking_is_read_only_where_the_connection_licenses_it(tmp_path):
    from conftest import TODAY
    from hcc_operators.core.licences import Licences
    from hcc_operators.warehouse.embedded import build_warehouse

    path = tmp_path / "plain.db"
    build_warehouse(path, seed=7, today=TODAY).close()
    # LIC-04 / LIC-01: no option, no Heat Map and no AWR; modifications come from DML
    # monitoring (ALL_TAB_MODIFICATIONS), which needs no licence.
    with EmbeddedWarehouse(path, licences=Licences()) as plain:
        assert plain.access_stats(["SALES"]) == {}
        assert plain.dml_stats(["SALES"])
    with EmbeddedWarehouse(path, licences=Licences(diagnostics_pack=True)) as awr:
        assert {a.source for a in awr.access_stats(["SALES"]).values()} == {"AWR"}

from __future__ import annotations

from datetime import datetime

import oracledb
import pytest
from recording_connection import DriverError, RecordingConnection

from hcc_operators.core import ddl
from hcc_operators.core.actions.move import MoveParams
from hcc_operators.core.errors import (
    ConfigError,
    IdentifierError,
    ObjectNotFound,
    PolicyError,
    Transience,
    WarehouseError,
)
from hcc_operators.core.licences import Licences
from hcc_operators.core.models import (
    AccessStats,
    Action,
    ActionKind,
    ActionStatus,
    CompressionType,
    DmlStats,
    IndexInfo,
    ObjectRef,
    SegmentInfo,
    TableInfo,
)
from hcc_operators.warehouse import sql_files
from hcc_operators.warehouse.base import Warehouse
from hcc_operators.warehouse.oracle import OracleWarehouse, oracle_warehouse_from_dsn

CT = CompressionType
PART = ObjectRef("SALES", "ORDERS", "P_2024_01")
SUB = ObjectRef("SALES", "ORDERS", "P_2024_01", "P_2024_01_EU")
HIGH = "TO_DATE(' 2024-02-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', 'NLS_CALENDAR=GREGORIAN')"


def make(version: str = "19.0.0.0.0", **options) -> tuple[OracleWarehouse, RecordingConnection]:
    conn = RecordingConnection().on("dictionary/version", [{"version": version}])
    return OracleWarehouse(connection_factory=lambda: conn, **options), conn


def after_version(conn: RecordingConnection) -> list:
    assert conn.calls[0].sql == sql_files.load("dictionary/version")
    return conn.calls[1:]


def test_it_is_a_warehouse() -> None:
    warehouse, _ = make()
    assert isinstance(warehouse, Warehouse)
    assert warehouse.backend == "oracle"


def test_version_is_read_once() -> None:
    warehouse, conn = make("19.0.0.0.0")
    assert warehouse.version() == (19, 0, 0, 0, 0)
    assert warehouse.version() == (19, 0, 0, 0, 0)
    assert len(conn.calls) == 1


def test_constructor_needs_exactly_one_source() -> None:
    with pytest.raises(ConfigError, match="exactly one of hook or connection_factory"):
        OracleWarehouse()
    with pytest.raises(ConfigError, match="exactly one"):
        OracleWarehouse(hook=object(), connection_factory=lambda: None)
    with pytest.raises(ConfigError, match="access_window_days 0 must be at least 1"):
        OracleWarehouse(connection_factory=lambda: None, access_window_days=0)


@pytest.mark.parametrize("include", [False, True])
def test_list_schemas(include: bool) -> None:
    warehouse, conn = make()
    conn.on("dictionary/schemas", [{"owner": "HR"}, {"owner": "SALES"}])
    assert warehouse.list_schemas(include_oracle_maintained=include) == ["HR", "SALES"]
    (call,) = after_version(conn)
    assert call.sql == sql_files.load("dictionary/schemas")
    assert call.binds == {"include_maintained": 1 if include else 0}


def test_dictionary_queries_refuse_databases_before_12_2() -> None:
    warehouse, conn = make("12.1.0.2.0")
    with pytest.raises(WarehouseError, match=r"Oracle 12\.1\.0\.2\.0 is not supported.*12\.2"):
        warehouse.list_schemas()
    assert len(conn.calls) == 1


def test_list_tables_one_query_per_distinct_owner() -> None:
    warehouse, conn = make()
    conn.on(
        "dictionary/tables",
        [
            {
                "owner": "SALES",
                "table_name": "ORDERS",
                "partitioned": "YES",
                "partitioning_type": "RANGE",
                "subpartitioning_type": "NONE",
                "interval_expr": "NUMTOYMINTERVAL(1,'MONTH')",
                "temporary": "N",
                "nested": "NO",
                "iot_type": None,
                "tablespace_name": "USERS",
                "compress_for": None,
                "compression": "DISABLED",
                "num_rows": 1000,
                "last_analyzed": datetime(2024, 3, 1),
            }
        ],
        [],
    )
    tables = warehouse.list_tables(["SALES", "HR", "SALES"])
    calls = after_version(conn)
    assert [c.binds for c in calls] == [{"owner": "SALES"}, {"owner": "HR"}]
    assert all(c.sql == sql_files.load("dictionary/tables") for c in calls)
    assert tables == [
        TableInfo(
            owner="SALES",
            table="ORDERS",
            partitioned=True,
            partitioning_type="RANGE",
            subpartitioning_type=None,
            interval="NUMTOYMINTERVAL(1,'MONTH')",
            tablespace="USERS",
            compression=CT.NONE,
            num_rows=1000,
            last_analyzed=datetime(2024, 3, 1),
        )
    ]


def test_owner_names_are_validated_before_binding() -> None:
    warehouse, _ = make()
    with pytest.raises(IdentifierError, match="owner name"):
        warehouse.list_tables(['BAD"OWNER'])
    with pytest.raises(ConfigError, match="not the string"):
        warehouse.list_tables("SALES")


PARTITION_ROW = {
    "table_owner": "SALES",
    "table_name": "ORDERS",
    "partition_name": "P_2024_01",
    "partition_position": 3,
    "high_value": HIGH,
    "tablespace_name": "USERS",
    "compression": "ENABLED",
    "compress_for": "QUERY HIGH",
    "num_rows": 500,
    "last_analyzed": None,
    "is_interval": "YES",
    "read_only": "NO",
    "composite": "YES",
    "subpartitioning_type": "LIST",
    "bytes": 8388608,
    "blocks": 1024,
}
SUB_ROW = {
    "table_owner": "SALES",
    "table_name": "ORDERS",
    "partition_name": "P_2024_01",
    "subpartition_name": "P_2024_01_EU",
    "subpartition_position": 1,
    "high_value": "'EU'",
    "tablespace_name": "USERS",
    "compression": "ENABLED",
    "compress_for": "QUERY HIGH",
    "num_rows": 500,
    "last_analyzed": None,
    "is_interval": "NO",
    "read_only": "YES",
    "bytes": 8388608,
    "blocks": 1024,
}
TABLE_ROW = {
    "owner": "SALES",
    "table_name": "CUSTOMERS",
    "tablespace_name": "USERS",
    "compression": "ENABLED",
    "compress_for": "OLTP",
    "num_rows": 10,
    "last_analyzed": None,
    "read_only": "NO",
    "bytes": 65536,
    "blocks": 8,
}


def test_list_segments_for_owners() -> None:
    warehouse, conn = make()
    conn.on("dictionary/table_segments", [TABLE_ROW])
    conn.on("dictionary/partitions", [PARTITION_ROW])
    conn.on("dictionary/subpartitions", [SUB_ROW])
    segments = warehouse.list_segments(["SALES"])
    calls = after_version(conn)
    assert [c.sql for c in calls] == [
        sql_files.load("dictionary/table_segments"),
        sql_files.load("dictionary/partitions"),
        sql_files.load("dictionary/subpartitions"),
    ]
    assert [c.binds for c in calls] == [
        {"owner": "SALES", "table_name": None},
        {"owner": "SALES", "table_name": None, "partition_name": None},
        {
            "owner": "SALES",
            "table_name": None,
            "partition_name": None,
            "subpartition_name": None,
        },
    ]
    assert segments == [
        SegmentInfo(
            ref=ObjectRef("SALES", "CUSTOMERS"),
            tablespace="USERS",
            compression=CT.ADVANCED,
            bytes=65536,
            blocks=8,
            num_rows=10,
        ),
        SegmentInfo(
            ref=PART,
            tablespace="USERS",
            compression=CT.QUERY_HIGH,
            bytes=8388608,
            blocks=1024,
            num_rows=500,
            high_value=HIGH,
            position=3,
            interval=True,
            has_subpartitions=True,
            subpartitioning_type="LIST",
        ),
        SegmentInfo(
            ref=SUB,
            tablespace="USERS",
            compression=CT.QUERY_HIGH,
            bytes=8388608,
            blocks=1024,
            num_rows=500,
            read_only=True,
            high_value="'EU'",
            position=1,
        ),
    ]


def test_list_segments_narrowed_to_tables_of_the_owners() -> None:
    warehouse, conn = make()
    conn.on("dictionary/table_segments", [])
    conn.on("dictionary/partitions", [])
    conn.on("dictionary/subpartitions", [])
    tables = [ObjectRef("SALES", "ORDERS"), ObjectRef("HR", "EMP"), ObjectRef("SALES", "ORDERS")]
    assert warehouse.list_segments(["SALES"], tables) == []
    assert {c.binds["table_name"] for c in after_version(conn)} == {"ORDERS"}
    assert len(after_version(conn)) == 3


def test_segment_reads_only_the_object_asked_for() -> None:
    warehouse, conn = make()
    conn.on("dictionary/partitions", [PARTITION_ROW], [])
    assert warehouse.segment(PART).ref == PART
    assert warehouse.segment(PART) is None
    calls = after_version(conn)
    assert [c.binds for c in calls] == [
        {"owner": "SALES", "table_name": "ORDERS", "partition_name": "P_2024_01"}
    ] * 2

    conn.on("dictionary/subpartitions", [SUB_ROW])
    assert warehouse.segment(SUB).read_only is True
    assert conn.calls[-1].binds == {
        "owner": "SALES",
        "table_name": "ORDERS",
        "partition_name": "P_2024_01",
        "subpartition_name": "P_2024_01_EU",
    }


def test_row_count_uses_the_partition_extended_name() -> None:
    warehouse, conn = make()
    target = '"SALES"."ORDERS" PARTITION ("P_2024_01")'
    conn.on("stats/row_count", [{"row_count": 42}], target=target)
    assert warehouse.row_count(PART) == 42
    (call,) = after_version(conn)
    assert call.sql == f"SELECT COUNT(*) AS row_count\nFROM {target}"
    assert call.binds == {}


def test_row_count_of_a_missing_partition_is_object_not_found() -> None:
    warehouse, conn = make()
    conn.on(
        "stats/row_count",
        DriverError("ORA-02149", "Specified partition does not exist"),
        target=ddl.segment_target(PART),
    )
    with pytest.raises(ObjectNotFound) as info:
        warehouse.row_count(PART)
    assert info.value.code == "ORA-02149"
    assert "running stats/row_count" in str(info.value)


MOD_ROW = {
    "table_owner": "SALES",
    "table_name": "ORDERS",
    "partition_name": "P_2024_01",
    "subpartition_name": None,
    "inserts": 10,
    "updates": 2,
    "deletes": 1,
    "truncated": "NO",
    "modified_at": datetime(2024, 5, 1),
}


def test_dml_stats_flushes_then_reads_per_owner() -> None:
    warehouse, conn = make()
    conn.on("stats/flush_monitoring")
    conn.on("stats/modifications", [MOD_ROW])
    stats = warehouse.dml_stats(["SALES"])
    calls = after_version(conn)
    assert [c.sql for c in calls] == [
        sql_files.load("stats/flush_monitoring"),
        sql_files.load("stats/modifications"),
    ]
    assert calls[1].binds == {"owner": "SALES"}
    assert stats == {PART: DmlStats(10, 2, 1, False, datetime(2024, 5, 1))}


@pytest.mark.parametrize("code", ["ORA-20000", "ORA-01031"])
def test_dml_stats_without_flush_privilege_still_reads(code: str, caplog) -> None:
    warehouse, conn = make()
    conn.on("stats/flush_monitoring", DriverError(code, "insufficient privileges"))
    conn.on("stats/modifications", [MOD_ROW])
    assert PART in warehouse.dml_stats(["SALES"])
    assert "Grant ANALYZE ANY" in caplog.text


def test_dml_stats_other_flush_errors_are_raised_with_transience() -> None:
    warehouse, conn = make()
    conn.on("stats/flush_monitoring", DriverError("ORA-00054", "resource busy"))
    with pytest.raises(WarehouseError) as info:
        warehouse.dml_stats(["SALES"])
    assert info.value.code == "ORA-00054"
    assert info.value.transience is Transience.TRANSIENT


HEAT_ROW = {
    "owner": "SALES",
    "object_name": "ORDERS",
    "partition_name": "P_2024_01",
    "subpartition_name": None,
    "segment_write_time": datetime(2024, 4, 1),
    "segment_read_time": datetime(2024, 4, 3),
    "full_scan": datetime(2024, 4, 5),
    "lookup_scan": None,
}
AWR_ROW = {
    "owner": "SALES",
    "object_name": "ORDERS",
    "partition_name": "P_2024_01",
    "subpartition_name": "P_2024_01_EU",
    "logical_reads": 900,
    "physical_reads": 30,
    "last_read": datetime(2024, 4, 6),
    "last_change": None,
}


ALL = Licences(advanced_compression=True, diagnostics_pack=True)


def test_access_stats_prefers_heat_map() -> None:
    warehouse, conn = make(licences=ALL)
    conn.on("stats/heat_map", [HEAT_ROW])
    stats = warehouse.access_stats(["SALES"])
    assert stats == {
        PART: AccessStats(
            last_access=datetime(2024, 4, 5),
            last_modification=datetime(2024, 4, 1),
            source="HEATMAP",
        )
    }
    assert warehouse.access_source == "HEATMAP"
    assert [c.binds for c in after_version(conn)] == [{"owner": "SALES"}]


def test_access_stats_falls_back_to_awr_only_when_licensed() -> None:
    warehouse, conn = make(licences=ALL, access_window_days=14)
    conn.on("stats/heat_map", DriverError("ORA-00942", "table or view does not exist"))
    conn.on("stats/awr_segment_reads", [AWR_ROW])
    stats = warehouse.access_stats(["SALES"])
    assert stats == {
        SUB: AccessStats(900, 30, datetime(2024, 4, 6), None, source="AWR"),
    }
    assert after_version(conn)[-1].binds == {"owner": "SALES", "days": 14}
    assert warehouse.access_source == "AWR"


def test_access_stats_without_heat_map_or_awr_licence_is_empty() -> None:
    warehouse, conn = make(licences=Licences(advanced_compression=True))
    conn.on("stats/heat_map", [])
    assert warehouse.access_stats(["SALES", "HR"]) == {}
    assert warehouse.access_source == "NONE"
    assert {c.sql for c in after_version(conn)} == {sql_files.load("stats/heat_map")}


def test_nothing_licensed_reads_neither_heat_map_nor_awr() -> None:
    # LIC-01/LIC-04: without the options declared, their views are not even queried.
    warehouse, conn = make()
    assert warehouse.access_stats(["SALES"]) == {}
    assert after_version(conn) == []


def test_tablespaces() -> None:
    warehouse, conn = make(hcc_tablespaces=["ARCH"])
    conn.on(
        "dictionary/tablespaces",
        [
            {"tablespace_name": "ARCH", "status": "ONLINE", "total_bytes": 100, "used_bytes": 40},
            {"tablespace_name": "OLD", "status": "READ ONLY", "total_bytes": 10, "used_bytes": 10},
        ],
    )
    spaces = warehouse.tablespaces()
    assert spaces["ARCH"].hcc_supported and spaces["ARCH"].free_bytes == 60
    assert not spaces["OLD"].hcc_supported and spaces["OLD"].read_only
    assert conn.calls[0].binds == {}


def test_indexes() -> None:
    warehouse, conn = make()
    conn.on(
        "dictionary/indexes",
        [
            {
                "owner": "SALES",
                "index_name": "ORDERS_IX",
                "table_owner": "SALES",
                "table_name": "ORDERS",
                "locality": "LOCAL",
                "status": "UNUSABLE",
                "partition_name": "P_2024_01",
            }
        ],
    )
    conn.on("dictionary/index_subpartitions", [])
    assert warehouse.indexes("SALES", "ORDERS") == [
        IndexInfo("SALES", "ORDERS_IX", "SALES", "ORDERS", "LOCAL", "UNUSABLE", "P_2024_01")
    ]
    calls = after_version(conn)
    assert [c.sql for c in calls] == [
        sql_files.load("dictionary/indexes"),
        sql_files.load("dictionary/index_subpartitions"),
    ]
    assert [c.binds for c in calls] == [{"owner": "SALES", "table_name": "ORDERS"}] * 2


def test_ora_14287_a_composite_index_is_read_and_rebuilt_by_subpartition() -> None:
    # IDX-02/IDX-10: a composite index's partitions have no status of their own (left out of
    # dictionary/indexes); its subpartitions come from ALL_IND_SUBPARTITIONS, and the
    # statement a DBA gets names the subpartition, never REBUILD PARTITION (ORA-14287).
    assert "ip.composite = 'NO'" in sql_files.load("dictionary/indexes")
    assert "all_ind_subpartitions" in sql_files.load("dictionary/index_subpartitions")
    warehouse, conn = make()
    conn.on("dictionary/indexes", [])
    conn.on(
        "dictionary/index_subpartitions",
        [
            {
                "owner": "SALES",
                "index_name": "ORDERS_IX",
                "table_owner": "SALES",
                "table_name": "ORDERS",
                "locality": "LOCAL",
                "status": status,
                "partition_name": "P_2024_01",
                "subpartition_name": name,
            }
            for name, status in (("P_2024_01_EU", "UNUSABLE"), ("P_2024_01_US", "USABLE"))
        ],
    )
    found = warehouse.indexes("SALES", "ORDERS")
    assert found[0] == IndexInfo(
        "SALES", "ORDERS_IX", "SALES", "ORDERS", "LOCAL", "UNUSABLE", "P_2024_01", "P_2024_01_EU"
    )
    assert [ddl.render_index_rebuild(i) for i in found] == [
        'ALTER INDEX "SALES"."ORDERS_IX" REBUILD SUBPARTITION "P_2024_01_EU" ONLINE',
        'ALTER INDEX "SALES"."ORDERS_IX" REBUILD SUBPARTITION "P_2024_01_US" ONLINE',
    ]
    assert after_version(conn)[1].binds == {"owner": "SALES", "table_name": "ORDERS"}


@pytest.mark.parametrize(
    ("ctype", "constant"),
    [
        (CT.ADVANCED, 2),
        (CT.QUERY_HIGH, 4),
        (CT.QUERY_LOW, 8),
        (CT.ARCHIVE_HIGH, 16),
        (CT.ARCHIVE_LOW, 32),
        (CT.BASIC, 4096),
    ],
)
def test_estimate_ratio_binds(ctype: CompressionType, constant: int) -> None:
    warehouse, conn = make()

    def run(binds):
        binds["ratio"].setvalue(0, 7.5)
        binds["comptype_str"].setvalue(0, "Compress Query High")

    conn.on("compression/ratio", run)
    ratio = warehouse.estimate_ratio(SUB, ctype, sample_rows=1_000_000, scratch_tablespace="SCR")
    assert ratio == 7.5
    (call,) = conn.calls
    assert call.sql == sql_files.load("compression/ratio")
    scalar = {k: v for k, v in call.binds.items() if k not in ("ratio", "comptype_str")}
    assert scalar == {
        "scratch_tablespace": "SCR",
        "owner": "SALES",
        "table_name": "ORDERS",
        "subobject_name": "P_2024_01_EU",
        "comptype": constant,
        "sample_rows": 1_000_000,
    }
    assert call.binds["ratio"].type is oracledb.DB_TYPE_NUMBER


def test_estimate_ratio_of_no_compression_sends_nothing() -> None:
    warehouse, conn = make()
    assert warehouse.estimate_ratio(PART, CT.NONE, sample_rows=100) == 1.0
    assert conn.calls == []


def test_estimate_ratio_errors() -> None:
    warehouse, conn = make()
    conn.on(
        "compression/ratio",
        DriverError("ORA-20000", "Compression Advisor tablespace does not exist"),
        lambda binds: None,
    )
    with pytest.raises(WarehouseError) as info:
        warehouse.estimate_ratio(PART, CT.QUERY_HIGH, sample_rows=1000)
    assert info.value.code == "ORA-20000"
    assert info.value.transience is Transience.PERMANENT
    assert "estimating QUERY HIGH for SALES.ORDERS:P_2024_01" in str(info.value)
    with pytest.raises(WarehouseError, match="returned no usable ratio"):
        warehouse.estimate_ratio(PART, CT.QUERY_HIGH, sample_rows=1000)
    with pytest.raises(ConfigError, match="sample_rows must be .*, got 0"):
        warehouse.estimate_ratio(PART, CT.QUERY_HIGH, sample_rows=0)
    with pytest.raises(IdentifierError, match="tablespace name"):
        warehouse.estimate_ratio(PART, CT.QUERY_HIGH, sample_rows=10, scratch_tablespace='X"')


def test_the_rows_dbms_compression_sampled_are_not_claimed() -> None:
    warehouse, conn = make()
    # What was asked is not what was used: the package's call reads back no row count.
    assert warehouse.estimate_sample_rows(PART, sample_rows=1_000_000) is None
    assert warehouse.estimate_sample_rows(PART, sample_rows=-1) is None
    assert conn.calls == []
    with pytest.raises(ConfigError, match="sample_rows must be .*, got 0"):
        warehouse.estimate_sample_rows(PART, sample_rows=0)


def test_compression_sample() -> None:
    warehouse, conn = make()
    conn.on(
        "compression/row_types",
        [
            {"comp_type": 4, "row_count": 90},
            {"comp_type": 1, "row_count": 8},
            {"comp_type": 64, "row_count": 2},
            {"comp_type": 99999, "row_count": 5},
        ],
        target=ddl.segment_target(PART),
    )
    sample = warehouse.compression_sample(PART, sample_rows=105)
    assert sample.rows_by_type == {CT.QUERY_HIGH: 90, CT.NONE: 8, CT.BASIC: 2}
    assert after_version(conn)[0].binds == {
        "owner": "SALES",
        "table_name": "ORDERS",
        "subobject_name": "P_2024_01",
        "sample_rows": 105,
    }


SET_MODULE = sql_files.load("session/set_module")
COMPRESS = Action(ActionKind.COMPRESS, PART, compression=CT.QUERY_HIGH, tablespace="ARCH")


def script_apply(conn: RecordingConnection, action: Action, *ddl_outcomes, timeout: int = 30):
    statements = ddl.render(action)
    conn.on(ddl.render_ddl_lock_timeout(timeout)).on(SET_MODULE)
    for statement in statements:
        conn.on(statement, *ddl_outcomes)
    return statements


def test_composite_05_a_hash_partition_move_sends_only_its_tablespace_default() -> None:
    # ALL_PART_TABLES.SUBPARTITIONING_TYPE of the composite partition's table decides what
    # MODIFY DEFAULT ATTRIBUTES FOR PARTITION may change: TABLESPACE alone for HASH.
    warehouse, conn = make()
    conn.on("dictionary/table_segments", [])
    conn.on("dictionary/partitions", [{**PARTITION_ROW, "subpartitioning_type": "HASH"}])
    us = {**SUB_ROW, "subpartition_name": "P_2024_01_US", "subpartition_position": 2}
    conn.on("dictionary/subpartitions", [SUB_ROW, us])
    table = warehouse.list_segments(["SALES"], [ObjectRef("SALES", "ORDERS")])
    action = MoveParams(tablespace="ARCH", compression="archive high", online=False).to_action(
        PART, table=table
    )
    expected = [
        'ALTER TABLE "SALES"."ORDERS" MODIFY DEFAULT ATTRIBUTES FOR PARTITION "P_2024_01" '
        'TABLESPACE "ARCH"',
        'ALTER TABLE "SALES"."ORDERS" MOVE SUBPARTITION "P_2024_01_EU" TABLESPACE "ARCH" '
        "COLUMN STORE COMPRESS FOR ARCHIVE HIGH UPDATE INDEXES",
        'ALTER TABLE "SALES"."ORDERS" MOVE SUBPARTITION "P_2024_01_US" TABLESPACE "ARCH" '
        "COLUMN STORE COMPRESS FOR ARCHIVE HIGH UPDATE INDEXES",
    ]
    conn.on("ALTER SESSION SET DDL_LOCK_TIMEOUT = 30").on(SET_MODULE)
    for statement in expected:
        conn.on(statement)
    result = warehouse.apply(action)
    assert [c.sql for c in conn.calls[-3:]] == expected
    assert result.statements == tuple(expected)


def _index_sub(name: str, status: str) -> dict:
    return {
        "owner": "SALES",
        "index_name": "ORDERS_IX",
        "table_owner": "SALES",
        "table_name": "ORDERS",
        "locality": "LOCAL",
        "status": status,
        "partition_name": "P_2024_01",
        "subpartition_name": name,
    }


def test_rebuild_unusable_indexes_of_a_composite_partition_goes_by_subpartition() -> None:
    # IDX-04/IDX-02: the strategy's rebuild of a composite partition's local index is
    # MODIFY SUBPARTITION per table subpartition, never MODIFY PARTITION (ORA-14270).
    from hcc_operators.strategies.rebuild_unusable_indexes import RebuildUnusableIndexes

    warehouse, conn = make()
    conn.on("dictionary/indexes", [])
    conn.on(
        "dictionary/index_subpartitions",
        [_index_sub("P_2024_01_EU", "UNUSABLE"), _index_sub("P_2024_01_US", "USABLE")],
        [_index_sub("P_2024_01_EU", "USABLE"), _index_sub("P_2024_01_US", "USABLE")],
    )
    conn.on("dictionary/table_segments", [])
    conn.on("dictionary/partitions", [PARTITION_ROW])
    us = {**SUB_ROW, "subpartition_name": "P_2024_01_US", "subpartition_position": 2}
    conn.on("dictionary/subpartitions", [SUB_ROW, us])
    expected = [
        'ALTER TABLE "SALES"."ORDERS" MODIFY SUBPARTITION "P_2024_01_EU" '
        "REBUILD UNUSABLE LOCAL INDEXES",
        'ALTER TABLE "SALES"."ORDERS" MODIFY SUBPARTITION "P_2024_01_US" '
        "REBUILD UNUSABLE LOCAL INDEXES",
    ]
    conn.on("ALTER SESSION SET DDL_LOCK_TIMEOUT = 30").on(SET_MODULE)
    for statement in expected:
        conn.on(statement)
    strategy = RebuildUnusableIndexes()
    result = strategy.execute(warehouse, PART, strategy.validate(PART, {}))
    assert result.status is ActionStatus.SUCCESS, result.message
    assert [c.sql for c in conn.calls if c.sql.startswith("ALTER TABLE")] == expected
    assert result.details["unusable_before"] == ["SALES.ORDERS_IX:P_2024_01/P_2024_01_EU"]


def test_apply_sends_lock_timeout_session_tag_then_ddl() -> None:
    warehouse, conn = make()
    statements = script_apply(conn, COMPRESS, timeout=120)
    result = warehouse.apply(COMPRESS, ddl_lock_timeout_s=120)
    calls = after_version(conn)
    assert [c.sql for c in calls] == [
        "ALTER SESSION SET DDL_LOCK_TIMEOUT = 120",
        SET_MODULE,
        'ALTER TABLE "SALES"."ORDERS" MOVE PARTITION "P_2024_01" TABLESPACE "ARCH" '
        "COLUMN STORE COMPRESS FOR QUERY HIGH UPDATE INDEXES ONLINE",
    ]
    assert calls[1].binds == {
        "module_name": "hcc_operators",
        "action_name": "COMPRESS SALES.ORDERS:P_2024_01",
    }
    assert result.statements == tuple(statements)
    assert result.duration_s >= 0 and result.simulated is False


@pytest.mark.parametrize(
    ("code", "error_type", "transience", "committed"),
    [
        ("ORA-00054", WarehouseError, Transience.TRANSIENT, False),
        ("ORA-01688", WarehouseError, Transience.SKIP_FOR_NOW, False),
        ("ORA-64307", WarehouseError, Transience.PERMANENT, False),
        ("ORA-02149", ObjectNotFound, Transience.PERMANENT, False),
        ("ORA-03113", WarehouseError, Transience.TRANSIENT, True),
    ],
)
def test_apply_maps_ora_codes(code, error_type, transience, committed) -> None:
    warehouse, conn = make()
    script_apply(conn, COMPRESS, DriverError(code, "failed"))
    with pytest.raises(error_type) as info:
        warehouse.apply(COMPRESS)
    assert type(info.value) is error_type
    assert info.value.code == code
    assert info.value.transience is transience
    assert info.value.committed is committed
    assert f"COMPRESS of {PART.label}: {code}: failed" in str(info.value)


def test_apply_dead_session_is_transient_and_outcome_unknown() -> None:
    warehouse, conn = make()
    script_apply(conn, COMPRESS, DriverError("DPY-4011", "connection closed", session_dead=True))
    with pytest.raises(WarehouseError) as info:
        warehouse.apply(COMPRESS)
    assert info.value.code == "DPY-4011"
    assert info.value.transient and info.value.committed


@pytest.mark.parametrize(
    ("underlying", "code", "transient"),
    [
        ("ORA-00028: your session has been killed", "ORA-00028", False),
        ("ORA-00600: internal error code, arguments: [kdsgrp1]", "ORA-00600", False),
        ("ORA-03113: end-of-file on communication channel", "ORA-03113", True),
        ("", "DPY-4011", True),
    ],
)
def test_a_closed_connection_is_judged_by_the_ora_code_the_driver_hid(
    underlying, code, transient
) -> None:
    # DRV-06: python-oracledb rewrites these as DPY-4011 with the ORA text on the next line.
    # A killed session or an internal error must fail for a person, not be retried.
    warehouse, conn = make()
    message = "the database or network closed the connection" + (
        f"\n{underlying}" if underlying else ""
    )
    script_apply(conn, COMPRESS, DriverError("DPY-4011", message, session_dead=True))
    with pytest.raises(WarehouseError) as info:
        warehouse.apply(COMPRESS)
    assert info.value.code == code
    assert info.value.transient is transient
    assert info.value.committed  # the session died during DDL: re-read before anything else


def test_apply_refuses_unsupported_features_before_sending_ddl() -> None:
    warehouse, conn = make("12.1.0.2.0")
    with pytest.raises(PolicyError, match=r"Oracle 12\.1\.0\.2\.0 is not supported.*12\.2"):
        warehouse.apply(Action(ActionKind.READ_ONLY, PART))
    assert len(conn.calls) == 1  # the version query only
    current, conn = make()
    with pytest.raises(PolicyError, match="CUSTOM actions"):
        current.apply(Action(ActionKind.CUSTOM, PART))
    assert len(conn.calls) == 1


def test_apply_refuses_a_bad_lock_timeout_before_sending_anything() -> None:
    warehouse, conn = make()
    with pytest.raises(ConfigError, match="DDL lock timeout"):
        warehouse.apply(COMPRESS, ddl_lock_timeout_s=-5)
    assert len(conn.calls) == 1


def test_set_session_info_cuts_to_oracle_limits() -> None:
    warehouse, conn = make()
    conn.on(SET_MODULE)
    warehouse.set_session_info("m" * 60, "é" * 20)
    assert conn.calls[0].binds == {"module_name": "m" * 48, "action_name": "é" * 16}


def test_connect_errors_are_translated() -> None:
    def refuse():
        raise DriverError("DPY-6005", "cannot connect to database")

    warehouse = OracleWarehouse(connection_factory=refuse)
    with pytest.raises(WarehouseError) as info:
        warehouse.version()
    assert info.value.code == "DPY-6005" and info.value.transient
    assert "connecting to Oracle" in str(info.value)


class _Hook:
    def __init__(self, conn):
        self.conn = conn

    def get_conn(self):
        return self.conn

    def get_uri(self):  # the password would end up in a URI: never used
        raise AssertionError("get_uri must not be called")


def test_hook_repository_engine_and_close() -> None:
    conn = RecordingConnection().on("dictionary/version", [{"version": "23.0.0.0.0"}])
    warehouse = OracleWarehouse(hook=_Hook(conn))
    assert warehouse.version() == (23, 0, 0, 0, 0)
    engine = warehouse.repository_engine()
    assert engine.url.drivername == "oracle+oracledb"
    assert engine.url.password is None
    assert warehouse.repository_engine() is engine
    warehouse.close()
    assert conn.closed
    with OracleWarehouse(hook=_Hook(RecordingConnection())) as unused:
        assert unused.backend == "oracle"


def test_from_dsn_builds_without_connecting() -> None:
    warehouse = oracle_warehouse_from_dsn(
        "oracle+oracledb://hcc:secret@db.example:1522/?service_name=FREEPDB1"
    )
    assert warehouse.backend == "oracle"


@pytest.mark.parametrize(
    "dsn",
    [
        "oracle+oracledb://hcc:secret@db.example:1522/ORCL",
        "oracle+oracledb://hcc:secret@db.example:1522/",
        "postgresql://u:p@h/db",
        "not a url",
    ],
)
def test_from_dsn_refuses_unclear_dsns(dsn: str) -> None:
    with pytest.raises(ConfigError):
        oracle_warehouse_from_dsn(dsn)


def test_from_conn_id_reads_extras(monkeypatch) -> None:
    from hcc_operators.warehouse.oracle import oracle_warehouse_from_conn_id

    monkeypatch.setenv(
        "AIRFLOW_CONN_HCC_TEST_ORACLE",
        '{"conn_type": "oracle", "host": "db.example", "port": 1521, "login": "hcc", '
        '"password": "pw", "extra": {"service_name": "FREEPDB1", "hcc_awr_licensed": "true", '
        '"hcc_tablespaces": ["ARCH"], "thick_mode": false}}',
    )
    warehouse = oracle_warehouse_from_conn_id("hcc_test_oracle")
    assert warehouse.licences == Licences(advanced_compression=False, diagnostics_pack=True)
    assert warehouse._hcc_tablespaces == frozenset({"ARCH"})


def test_from_conn_id_leaves_thin_or_thick_mode_to_the_connection(monkeypatch) -> None:
    # DRV-05: an argument to the hook would override the connection's thick_mode extra.
    from airflow.providers.oracle.hooks import oracle as provider

    from hcc_operators.warehouse.oracle import oracle_warehouse_from_conn_id

    built = {}

    class Hook(provider.OracleHook):
        def __init__(self, **kwargs):
            built.update(kwargs)
            super().__init__(**kwargs)

    monkeypatch.setattr(provider, "OracleHook", Hook)
    monkeypatch.setenv(
        "AIRFLOW_CONN_HCC_TEST_ORACLE",
        '{"conn_type": "oracle", "host": "db", "extra": {"service_name": "X", '
        '"thick_mode": true, "thick_mode_lib_dir": "/opt/oracle/instantclient"}}',
    )
    oracle_warehouse_from_conn_id("hcc_test_oracle")
    assert built == {"oracle_conn_id": "hcc_test_oracle"}


@pytest.mark.parametrize("extra", ['"thick_mode": "maybe"', '"hcc_advanced_compression": "yes"'])
def test_from_conn_id_refuses_unclear_flags(monkeypatch, extra) -> None:
    from hcc_operators.warehouse.oracle import oracle_warehouse_from_conn_id

    monkeypatch.setenv(
        "AIRFLOW_CONN_HCC_TEST_ORACLE",
        '{"conn_type": "oracle", "host": "db", "extra": {"service_name": "X", ' + extra + "}}",
    )
    with pytest.raises(ConfigError, match="must be true or false"):
        oracle_warehouse_from_conn_id("hcc_test_oracle")


def test_a_partition_with_an_unknown_compress_for_is_skipped_not_fatal() -> None:
    warehouse, conn = make()
    odd = {**PARTITION_ROW, "partition_name": "P_2024_02", "compress_for": "QUERY MEDIUM"}
    locking = {**PARTITION_ROW, "compress_for": "QUERY HIGH ROW LEVEL LOCKING"}
    conn.on("dictionary/table_segments", [TABLE_ROW])
    conn.on("dictionary/partitions", [locking, odd])
    conn.on("dictionary/subpartitions", [SUB_ROW])
    segments = warehouse.list_segments(["SALES"])
    assert [s.ref.partition for s in segments] == [None, "P_2024_01", "P_2024_01"]
    assert segments[1].compression is CT.QUERY_HIGH
    assert warehouse.unreadable() == {
        ObjectRef("SALES", "ORDERS", "P_2024_02"): (
            "COMPRESS_FOR 'QUERY MEDIUM' is not a value this package knows"
        )
    }


def test_session_facts_for_the_preflight_are_read_with_the_shipped_statements() -> None:
    from hcc_operators.core.privileges import GRANTS

    warehouse, conn = make()
    conn.on("preflight/session_user", [{"username": "HCC_SVC", "default_tablespace": "HCC_REPO"}])
    conn.on(
        "preflight/session_privs", [{"privilege": "CREATE SESSION"}, {"privilege": "ANALYZE ANY"}]
    )
    views = sorted({g.on for g in GRANTS if g.on})
    conn.on(
        "preflight/sys_object",
        lambda b: (
            [] if b["object_name"] == "DBA_TS_QUOTAS" else [{"object_name": b["object_name"]}]
        ),
    )
    conn.on("preflight/user_quotas", [{"tablespace_name": "HCC_REPO", "max_bytes": -1}])
    conn.on("preflight/parameters", DriverError("ORA-00942", "table or view does not exist"))
    conn.on("preflight/owner_quotas", DriverError("ORA-00942", "table or view does not exist"))
    facts = warehouse.session_facts(["SALES"])
    assert facts.user == "HCC_SVC" and facts.default_tablespace == "HCC_REPO"
    assert facts.system_privileges == {"CREATE SESSION", "ANALYZE ANY"}
    assert facts.sys_objects == set(views) - {"DBA_TS_QUOTAS"}
    assert facts.quotas == {"HCC_REPO": None}
    # Views the account may lack are findings, not errors.
    assert facts.compatible is None and facts.heat_map is None and facts.owner_quotas is None
    assert facts.version == (19, 0, 0, 0, 0) and not facts.simulated
    sent = [(c.sql, c.binds) for c in conn.calls]
    assert (sql_files.load("preflight/sys_object"), {"object_name": "V_$PARAMETER"}) in sent
    assert (sql_files.load("preflight/owner_quotas"), {"owner": "SALES"}) in sent


def test_session_facts_read_owner_quotas_and_parameters_when_granted() -> None:
    warehouse, conn = make()
    conn.on("preflight/session_user", [{"username": "HCC_SVC", "default_tablespace": "USERS"}])
    conn.on("preflight/session_privs", [])
    conn.on("preflight/user_quotas", [{"tablespace_name": "USERS", "max_bytes": 1048576}])
    conn.on(
        "preflight/parameters",
        [{"name": "compatible", "value": "19.0.0"}, {"name": "heat_map", "value": "OFF"}],
    )
    conn.on("preflight/owner_quotas", [{"tablespace_name": "ARCH", "max_bytes": -1}])
    conn.on("preflight/sys_object", lambda binds: [])
    facts = warehouse.session_facts(["SALES"])
    assert facts.quotas == {"USERS": 1048576}
    assert (facts.compatible, facts.heat_map) == ("19.0.0", "OFF")
    assert facts.owner_quotas == {("SALES", "ARCH"): None}


def test_session_facts_do_not_hide_other_errors() -> None:
    warehouse, conn = make()
    conn.on("preflight/session_user", DriverError("ORA-03113", "end-of-file on channel"))
    with pytest.raises(WarehouseError):
        warehouse.session_facts()

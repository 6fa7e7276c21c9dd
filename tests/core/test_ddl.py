from __future__ import annotations

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.errors import ConfigError, IdentifierError, PolicyError
from hcc_operators.core.models import Action, ActionKind, CompressionType, IndexInfo, ObjectRef
from hcc_operators.core.oracle_features import SINCE, Feature, supports

CT = CompressionType
TABLE = ObjectRef("SALES", "ORDERS")
PART = ObjectRef("SALES", "ORDERS", "P_2024_01")
SUB = ObjectRef("SALES", "ORDERS", "P_2024_01", "P_2024_01_EU")
T = '"SALES"."ORDERS"'


def one(action: Action, version: tuple[int, ...] = (19,)) -> str:
    statements = ddl.render(action, version=version)
    assert len(statements) == 1
    return statements[0]


@pytest.mark.parametrize(
    ("ctype", "v19", "v11"),
    [
        (CT.NONE, "NOCOMPRESS", "NOCOMPRESS"),
        (CT.BASIC, "ROW STORE COMPRESS BASIC", "COMPRESS BASIC"),
        (CT.ADVANCED, "ROW STORE COMPRESS ADVANCED", "COMPRESS FOR OLTP"),
        (CT.QUERY_LOW, "COLUMN STORE COMPRESS FOR QUERY LOW", "COMPRESS FOR QUERY LOW"),
        (CT.QUERY_HIGH, "COLUMN STORE COMPRESS FOR QUERY HIGH", "COMPRESS FOR QUERY HIGH"),
        (CT.ARCHIVE_LOW, "COLUMN STORE COMPRESS FOR ARCHIVE LOW", "COMPRESS FOR ARCHIVE LOW"),
        (CT.ARCHIVE_HIGH, "COLUMN STORE COMPRESS FOR ARCHIVE HIGH", "COMPRESS FOR ARCHIVE HIGH"),
    ],
)
def test_compression_clause_per_version(ctype: CompressionType, v19: str, v11: str) -> None:
    assert ddl.compression_clause(ctype, (19, 3)) == v19
    assert ddl.compression_clause(ctype, (12, 2)) == v19
    # The 11g spelling (v11) is still read from the dictionary but never rendered: the
    # package supports 12.2 and later.
    with pytest.raises(PolicyError, match=r"Oracle 12\.1 is not supported"):
        ddl.compression_clause(ctype, (12, 1))
    assert v11 != v19 or ctype is CT.NONE


def test_compress_partition_the_documented_example() -> None:
    action = Action(
        ActionKind.COMPRESS, PART, compression=CT.QUERY_HIGH, tablespace="ARCH", pctfree=0
    )
    assert one(action) == (
        f'ALTER TABLE {T} MOVE PARTITION "P_2024_01" TABLESPACE "ARCH" PCTFREE 0 '
        "COLUMN STORE COMPRESS FOR QUERY HIGH UPDATE INDEXES ONLINE"
    )


def test_compress_partition_in_place_offline_without_index_maintenance_in_parallel() -> None:
    action = Action(
        ActionKind.COMPRESS,
        PART,
        compression=CT.ADVANCED,
        online=False,
        update_indexes=False,
        parallel=4,
    )
    assert one(action) == (
        f'ALTER TABLE {T} MOVE PARTITION "P_2024_01" ROW STORE COMPRESS ADVANCED PARALLEL 4'
    )


def test_releases_before_12_2_are_refused_naming_both() -> None:
    action = Action(ActionKind.COMPRESS, PART, compression=CT.QUERY_HIGH, online=False)
    for old in ((11, 2, 0, 4), (12, 1, 0, 2)):
        with pytest.raises(PolicyError, match=r"is not supported; the partition DDL needs 12\.2"):
            ddl.render(action, version=old)
    assert one(action, (12, 2)).endswith("COLUMN STORE COMPRESS FOR QUERY HIGH UPDATE INDEXES")


def test_move_subpartition_has_no_pctfree() -> None:
    action = Action(
        ActionKind.MOVE,
        SUB,
        tablespace="ARCH",
        compression=CT.ARCHIVE_LOW,
        pctfree=0,
        parallel=2,
    )
    assert one(action) == (
        f'ALTER TABLE {T} MOVE SUBPARTITION "P_2024_01_EU" TABLESPACE "ARCH" '
        "COLUMN STORE COMPRESS FOR ARCHIVE LOW UPDATE INDEXES PARALLEL 2 ONLINE"
    )


def test_move_table_online_from_12_2() -> None:
    action = Action(ActionKind.MOVE, TABLE, tablespace="COLD", pctfree=5, parallel=8)
    expected = f'ALTER TABLE {T} MOVE ONLINE TABLESPACE "COLD" PCTFREE 5 PARALLEL 8 UPDATE INDEXES'
    assert one(action, (12, 2)) == expected
    assert one(action, (23, 4)) == expected


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (Action(ActionKind.COMPRESS, PART), "needs a target compression"),
        (Action(ActionKind.MOVE, PART, compression=CT.BASIC), "needs a target tablespace"),
        (Action(ActionKind.CUSTOM, PART), "CUSTOM actions carry their own statements"),
        (Action(ActionKind.DROP, TABLE), "DROP applies to a partition or subpartition"),
        (Action(ActionKind.TRUNCATE, TABLE), "TRUNCATE applies to a partition or subpartition"),
        (Action(ActionKind.MERGE, PART), "needs the partitions to merge"),
        (Action(ActionKind.MERGE, SUB, merge_sources=("X",)), "applies to a table partition"),
        (Action(ActionKind.EXCHANGE, PART), "needs exchange_table"),
        (Action(ActionKind.EXCHANGE, PART, exchange_table=PART), "the exchange table applies"),
        (Action(ActionKind.REBUILD_INDEXES, TABLE), "needs a partition or subpartition"),
    ],
)
def test_refusals_name_the_object_and_the_problem(action: Action, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        ddl.render(action)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pctfree", 100, "PCTFREE 100 is not a whole number 0..99"),
        ("pctfree", -1, "PCTFREE -1"),
        ("pctfree", True, "PCTFREE True"),
        ("parallel", 0, "PARALLEL 0 is not a whole number >= 1"),
        ("parallel", "4", "PARALLEL '4'"),
    ],
)
def test_numbers_are_range_checked_before_formatting(field: str, value, message: str) -> None:
    action = Action(ActionKind.COMPRESS, PART, compression=CT.BASIC, **{field: value})
    with pytest.raises(ConfigError, match=message):
        ddl.render(action)


def test_bad_identifiers_never_reach_the_text() -> None:
    with pytest.raises(IdentifierError, match="tablespace name"):
        ddl.render(Action(ActionKind.MOVE, PART, tablespace='X" PCTFREE 0 --'))
    with pytest.raises(IdentifierError, match="partition name"):
        ddl.render(Action(ActionKind.DROP, ObjectRef("S", "T", 'P"; DROP TABLE X; --')))


def test_identifier_length_follows_version() -> None:
    long_name = ObjectRef("SALES", "ORDERS", "P" * 31)
    action = Action(ActionKind.DROP, long_name)
    assert one(action, (12, 2)).startswith(f'ALTER TABLE {T} DROP PARTITION "{"P" * 31}"')
    with pytest.raises(IdentifierError, match="limit is 128 bytes"):
        ddl.render(Action(ActionKind.DROP, ObjectRef("SALES", "ORDERS", "P" * 129)))


def test_read_only() -> None:
    action = Action(ActionKind.READ_ONLY, PART)
    assert one(action, (12, 2)) == f'ALTER TABLE {T} MODIFY PARTITION "P_2024_01" READ ONLY'
    sub = Action(ActionKind.READ_ONLY, SUB)
    assert one(sub) == f'ALTER TABLE {T} MODIFY SUBPARTITION "P_2024_01_EU" READ ONLY'
    assert one(Action(ActionKind.READ_ONLY, TABLE)) == f"ALTER TABLE {T} READ ONLY"


def test_drop_and_truncate() -> None:
    assert one(Action(ActionKind.DROP, PART)) == (
        f'ALTER TABLE {T} DROP PARTITION "P_2024_01" UPDATE GLOBAL INDEXES'
    )
    assert one(Action(ActionKind.DROP, SUB, update_indexes=False)) == (
        f'ALTER TABLE {T} DROP SUBPARTITION "P_2024_01_EU"'
    )
    assert one(Action(ActionKind.TRUNCATE, PART)) == (
        f'ALTER TABLE {T} TRUNCATE PARTITION "P_2024_01" DROP STORAGE UPDATE GLOBAL INDEXES'
    )
    assert one(Action(ActionKind.TRUNCATE, SUB, update_indexes=False)) == (
        f'ALTER TABLE {T} TRUNCATE SUBPARTITION "P_2024_01_EU" DROP STORAGE'
    )


def test_exchange() -> None:
    other = ObjectRef("STAGE", "ORDERS_X")
    assert one(Action(ActionKind.EXCHANGE, PART, exchange_table=other)) == (
        f'ALTER TABLE {T} EXCHANGE PARTITION "P_2024_01" WITH TABLE "STAGE"."ORDERS_X" '
        "INCLUDING INDEXES WITHOUT VALIDATION UPDATE GLOBAL INDEXES"
    )


def test_rebuild_indexes_action_and_function() -> None:
    expected = f'ALTER TABLE {T} MODIFY PARTITION "P_2024_01" REBUILD UNUSABLE LOCAL INDEXES'
    assert one(Action(ActionKind.REBUILD_INDEXES, PART)) == expected
    assert ddl.render_rebuild_unusable_local(PART) == expected
    assert ddl.render_rebuild_unusable_local(SUB) == (
        f'ALTER TABLE {T} MODIFY SUBPARTITION "P_2024_01_EU" REBUILD UNUSABLE LOCAL INDEXES'
    )


def test_create_for_exchange() -> None:
    new = ObjectRef("SALES", "ORDERS_X")
    assert ddl.render_create_for_exchange(new, TABLE) == (
        f'CREATE TABLE "SALES"."ORDERS_X" FOR EXCHANGE WITH TABLE {T}'
    )
    with pytest.raises(PolicyError, match="applies to a table, not a table partition"):
        ddl.render_create_for_exchange(new, PART)


def test_index_rebuild() -> None:
    plain = IndexInfo("SALES", "ORDERS_PK", "SALES", "ORDERS", "GLOBAL", "UNUSABLE")
    assert ddl.render_index_rebuild(plain) == 'ALTER INDEX "SALES"."ORDERS_PK" REBUILD ONLINE'
    assert ddl.render_index_rebuild(plain, online=False) == (
        'ALTER INDEX "SALES"."ORDERS_PK" REBUILD'
    )
    local = IndexInfo("SALES", "ORDERS_IX", "SALES", "ORDERS", "LOCAL", "UNUSABLE", "P_2024_01")
    assert ddl.render_index_rebuild(local) == (
        'ALTER INDEX "SALES"."ORDERS_IX" REBUILD PARTITION "P_2024_01" ONLINE'
    )
    header = IndexInfo("SALES", "ORDERS_IX", "SALES", "ORDERS", "LOCAL", "N/A")
    with pytest.raises(PolicyError, match="is partitioned; rebuild it one partition at a time"):
        ddl.render_index_rebuild(header)


def test_index_rebuild_of_a_composite_index_names_the_subpartition() -> None:
    # IDX-02: REBUILD PARTITION of a composite-partitioned index is ORA-14287; its pieces are
    # rebuilt one subpartition at a time (rebuild_clause: REBUILD SUBPARTITION s, IDX-09).
    sub = IndexInfo(
        "SALES", "ORDERS_IX", "SALES", "ORDERS", "LOCAL", "UNUSABLE", "P_2024_01", "P_2024_01_EU"
    )
    assert ddl.render_index_rebuild(sub) == (
        'ALTER INDEX "SALES"."ORDERS_IX" REBUILD SUBPARTITION "P_2024_01_EU" ONLINE'
    )
    assert ddl.render_index_rebuild(sub, online=False) == (
        'ALTER INDEX "SALES"."ORDERS_IX" REBUILD SUBPARTITION "P_2024_01_EU"'
    )


@pytest.mark.parametrize("seconds", [0, 30, 1_000_000])
def test_ddl_lock_timeout(seconds: int) -> None:
    assert ddl.render_ddl_lock_timeout(seconds) == f"ALTER SESSION SET DDL_LOCK_TIMEOUT = {seconds}"


@pytest.mark.parametrize("seconds", [-1, 1_000_001, 1.5, "30", True, None])
def test_ddl_lock_timeout_refuses_anything_but_a_bounded_int(seconds) -> None:
    with pytest.raises(ConfigError, match="DDL lock timeout"):
        ddl.render_ddl_lock_timeout(seconds)


@pytest.mark.parametrize("version", [(), ("19",), (19.0,), None])
def test_version_must_be_a_tuple_of_ints(version) -> None:
    with pytest.raises(ConfigError, match="is not a tuple of integers"):
        ddl.render(Action(ActionKind.DROP, PART), version=version)


def test_feature_table() -> None:
    assert set(SINCE) == set(Feature)
    assert supports(Feature.ONLINE_MERGE, (18, 0))
    assert not supports(Feature.ONLINE_MERGE, (12, 2, 0, 1))
    assert supports(Feature.PARTITION_READ_ONLY, (12, 2))


def test_segment_target_for_queries() -> None:
    assert ddl.segment_target(TABLE) == T
    assert ddl.segment_target(PART) == f'{T} PARTITION ("P_2024_01")'
    assert ddl.segment_target(SUB) == f'{T} SUBPARTITION ("P_2024_01_EU")'
    with pytest.raises(IdentifierError, match="subpartition name"):
        ddl.segment_target(ObjectRef("S", "T", "P", 'X") --'))

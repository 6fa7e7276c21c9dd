"""MERGE and EXCHANGE as the embedded warehouse applies them: what Oracle accepts it does, what
Oracle refuses it refuses with the same code. Each refusal's test is named for its ORA code
and cites its rule (docs/oracle-rules.md)."""

from __future__ import annotations

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.errors import ObjectNotFound, WarehouseError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef

C = CompressionType
RETURNS = ObjectRef("SALES", "RETURNS")


def part(name: str, table: str = "RETURNS") -> ObjectRef:
    return ObjectRef("SALES", table, name)


def months(year: int, first: int = 1, last: int = 12) -> tuple[str, ...]:
    return tuple(f"P_{year}_{m:02d}" for m in range(first, last + 1))


def merge(result: str, sources, table: str = "RETURNS", **kw) -> Action:
    return Action(ActionKind.MERGE, part(result, table), merge_sources=tuple(sources), **kw)


def partitions(warehouse, table=RETURNS):
    return [s for s in warehouse.list_segments(["SALES"], [table]) if not s.ref.subpartition]


def test_a_year_of_months_becomes_one_partition_named_for_the_year(warehouse):
    before = {s.ref.partition: s for s in partitions(warehouse)}
    rows = sum(before[m].num_rows for m in months(2022))
    count = len(before)
    result = warehouse.apply(merge("P_2022", months(2022), compression=C.QUERY_HIGH))
    assert len(result.statements) == 1
    year = warehouse.segment(part("P_2022"))
    assert year.num_rows == rows == warehouse.row_count(part("P_2022"))
    # MERGE-05: the result has the highest bound of the merged partitions.
    assert year.high_value == before["P_2022_12"].high_value
    assert year.position == before["P_2022_01"].position
    assert year.compression is C.QUERY_HIGH
    assert len(partitions(warehouse)) == count - 11
    assert all(warehouse.segment(part(m)) is None for m in months(2022))


def test_the_highest_source_may_lend_its_name(warehouse):
    warehouse.apply(merge("P_2022_03", months(2022, 1, 3)))
    assert warehouse.segment(part("P_2022_03")).num_rows > 0
    assert warehouse.segment(part("P_2022_01")) is None


def test_ora_14275_the_lowest_source_cannot_lend_its_name(warehouse):
    # MERGE-01, checked on the statement text: the DDL builder never sends this form (it
    # merges into the highest source and renames), so the statement is applied directly.
    text = (
        'ALTER TABLE "SALES"."RETURNS" MERGE PARTITIONS "P_2022_01", "P_2022_02" '
        'INTO PARTITION "P_2022_01"'
    )
    with pytest.raises(WarehouseError) as err:
        warehouse.run_statements([text])
    assert err.value.code == "ORA-14275"
    assert warehouse.segment(part("P_2022_02")) is not None  # nothing changed


def test_ora_14272_a_middle_source_cannot_lend_its_name(warehouse):
    text = (
        'ALTER TABLE "SALES"."RETURNS" MERGE PARTITIONS "P_2022_01", "P_2022_02", "P_2022_03" '
        'INTO PARTITION "P_2022_02"'
    )
    with pytest.raises(WarehouseError) as err:
        warehouse.run_statements([text])
    assert err.value.code == "ORA-14272"  # MERGE-02


def test_a_result_named_like_the_lowest_source_is_merged_and_renamed(warehouse):
    # The period's name is held by the lowest source: merge into the highest, then RENAME.
    result = warehouse.apply(merge("P_2022_01", months(2022, 1, 3)))
    assert len(result.statements) == 2 and "RENAME PARTITION" in result.statements[1]
    assert warehouse.segment(part("P_2022_01")).num_rows > 0
    assert warehouse.segment(part("P_2022_03")) is None


def test_ora_14273_sources_out_of_bound_order(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(merge("P_X", ("P_2022_02", "P_2022_01")))
    assert err.value.code == "ORA-14273"  # MERGE-03


def test_ora_14274_sources_not_adjacent(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(merge("P_X", ("P_2022_01", "P_2022_03")))
    assert err.value.code == "ORA-14274"  # MERGE-04


def test_ora_02149_a_missing_source(warehouse):
    with pytest.raises(ObjectNotFound) as err:
        warehouse.apply(merge("P_X", ("P_1999", "P_2022_01")))
    assert err.value.code == "ORA-02149"  # OBJ-02 (unverified)


def test_ora_14012_a_new_name_that_another_partition_has(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(merge("P_2021", months(2022, 1, 2)))
    assert err.value.code == "ORA-14012"  # MERGE-17


def test_ora_14082_and_14081_rename_to_a_taken_or_the_same_name(warehouse):
    rename = 'ALTER TABLE "SALES"."RETURNS" RENAME PARTITION "P_2022_01" TO "{}"'
    with pytest.raises(WarehouseError) as err:
        warehouse.run_statements([rename.format("P_2022_02")])
    assert err.value.code == "ORA-14082"  # MERGE-18
    with pytest.raises(WarehouseError) as err:
        warehouse.run_statements([rename.format("P_2022_01")])
    assert err.value.code == "ORA-14081"
    warehouse.run_statements([rename.format("P_2022_JAN")])
    assert warehouse.segment(part("P_2022_JAN")).num_rows > 0


def test_merged_composite_partitions_keep_no_source_subpartition(warehouse):
    # MERGE-10: without a subpartition template the result holds one DEFAULT subpartition.
    table = ObjectRef("SALES", "SALES_BY_REGION")
    rows = sum(
        s.num_rows
        for s in partitions(warehouse, table)
        if s.ref.partition in ("P_2020_01", "P_2020_02")
    )
    warehouse.apply(merge("P_2020_JF", ("P_2020_01", "P_2020_02"), "SALES_BY_REGION"))
    segs = [
        s for s in warehouse.list_segments(["SALES"], [table]) if s.ref.partition == "P_2020_JF"
    ]
    parent, subs = segs[0], segs[1:]
    assert len(subs) == 1 and subs[0].ref.subpartition.startswith("SYS_SUBP")
    assert parent.num_rows == subs[0].num_rows == rows


def _status(warehouse, table, partition):
    idx = warehouse.indexes("SALES", table)
    local = {i.status for i in idx if i.locality == "LOCAL" and i.partition == partition}
    glob = {i.status for i in idx if i.locality == "GLOBAL"}
    return local, glob


def test_index_status_after_move_with_and_without_update_indexes(warehouse):
    ref = ObjectRef("SALES", "ORDERS_FACT", "P_2024_05")
    warehouse.apply(
        Action(ActionKind.MOVE, ref, C.QUERY_HIGH, tablespace="SALES_DATA", update_indexes=True)
    )
    assert _status(warehouse, "ORDERS_FACT", "P_2024_05") == ({"USABLE"}, {"VALID"})
    warehouse.apply(
        Action(ActionKind.MOVE, ref, C.QUERY_LOW, tablespace="SALES_DATA", update_indexes=False)
    )
    assert _status(warehouse, "ORDERS_FACT", "P_2024_05") == ({"UNUSABLE"}, {"UNUSABLE"})
    assert _status(warehouse, "ORDERS_FACT", "P_2024_06")[0] == {"USABLE"}
    # IDX-03: REBUILD UNUSABLE LOCAL INDEXES repairs the local partition, not global indexes.
    warehouse.apply(Action(ActionKind.REBUILD_INDEXES, ref))
    assert _status(warehouse, "ORDERS_FACT", "P_2024_05") == ({"USABLE"}, {"UNUSABLE"})


def test_drop_and_merge_without_update_indexes_invalidate_global_indexes(warehouse):
    warehouse.apply(
        Action(
            ActionKind.DROP, ObjectRef("SALES", "ORDERS_FACT", "P_2018_01"), update_indexes=False
        )
    )
    assert _status(warehouse, "ORDERS_FACT", "P_2018_02")[1] == {"UNUSABLE"}
    warehouse.apply(
        merge("P_2018_Q1", ("P_2018_02", "P_2018_03"), "ORDERS_FACT", update_indexes=False)
    )
    # MERGE-14: without UPDATE INDEXES the result's local index partition must be rebuilt.
    assert _status(warehouse, "ORDERS_FACT", "P_2018_Q1") == ({"UNUSABLE"}, {"UNUSABLE"})


def test_exchange_with_a_missing_table_is_ora_00942(warehouse):
    with pytest.raises(ObjectNotFound) as err:
        warehouse.apply(
            Action(
                ActionKind.EXCHANGE,
                part("P_2019"),
                exchange_table=ObjectRef("SALES", "RETURNS_2019_ARCH"),
            )
        )
    assert err.value.code == "ORA-00942"


def _for_exchange(warehouse, archive, like):
    warehouse.execute_ddl([ddl.render_create_for_exchange(archive, like)])


def test_ora_14098_including_indexes_needs_a_twin_of_each_local_index(warehouse):
    # EXCHANGE-02: CREATE TABLE ... FOR EXCHANGE copies no index (EXCHANGE-15).
    archive = ObjectRef("SALES", "RETURNS_2019_ARCH")
    _for_exchange(warehouse, archive, RETURNS)
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(Action(ActionKind.EXCHANGE, part("P_2019"), exchange_table=archive))
    assert err.value.code == "ORA-14098"
    local = [i for i in warehouse.index_definitions("SALES", "RETURNS") if i.locality == "LOCAL"]
    warehouse.execute_ddl(
        [
            ddl.render_create_index(ObjectRef("SALES", "RETURNS_2019_I1"), archive, i.columns)
            for i in local
        ]
    )
    before = warehouse.segment(part("P_2019"))
    warehouse.apply(Action(ActionKind.EXCHANGE, part("P_2019"), exchange_table=archive))
    assert warehouse.segment(archive).num_rows == before.num_rows
    assert warehouse.segment(part("P_2019")).num_rows == 0


def test_ora_00955_the_archive_name_is_taken(warehouse):
    archive = ObjectRef("SALES", "RETURNS_2019_ARCH")
    _for_exchange(warehouse, archive, RETURNS)
    with pytest.raises(WarehouseError) as err:
        _for_exchange(warehouse, archive, RETURNS)
    assert err.value.code == "ORA-00955"  # PRIV-11 (unverified)


AUD = ObjectRef("AUDIT", "AUD_TRAIL")


def _aud_partition(warehouse) -> ObjectRef:
    return next(s.ref for s in partitions_of(warehouse, AUD) if s.num_rows)


def partitions_of(warehouse, table):
    return [s for s in warehouse.list_segments([table.owner], [table]) if not s.ref.subpartition]


def _twins(warehouse, archive, *, key: bool):
    statements = []
    for n, index in enumerate(warehouse.index_definitions("AUDIT", "AUD_TRAIL")):
        statements.append(
            ddl.render_create_index(
                ObjectRef("AUDIT", f"AUD_ARCH_I{n}"), archive, index.columns, unique=index.unique
            )
        )
    if key:
        (pk,) = warehouse.key_constraints("AUDIT", "AUD_TRAIL")
        twin = next(
            f"AUD_ARCH_I{n}"
            for n, i in enumerate(warehouse.index_definitions("AUDIT", "AUD_TRAIL"))
            if i.name == pk.index_name
        )
        statements.append(
            ddl.render_add_key(archive, "AUD_ARCH_PK", "P", pk.columns, using_index=twin)
        )
    warehouse.execute_ddl(statements)


def test_ora_14131_a_primary_key_on_one_side_only(warehouse):
    # EXCHANGE-05: AUD_TRAIL has a primary key enforced by a local unique index.
    archive = ObjectRef("AUDIT", "AUD_ARCH")
    _for_exchange(warehouse, archive, AUD)
    _twins(warehouse, archive, key=False)
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(
            Action(ActionKind.EXCHANGE, _aud_partition(warehouse), exchange_table=archive)
        )
    assert err.value.code == "ORA-14131"


def test_ora_14290_primary_keys_on_different_columns(warehouse):
    archive = ObjectRef("AUDIT", "AUD_ARCH")
    _for_exchange(warehouse, archive, AUD)
    _twins(warehouse, archive, key=False)
    warehouse.execute_ddl([ddl.render_add_key(archive, "AUD_ARCH_PK", "P", ("ID",))])
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(
            Action(ActionKind.EXCHANGE, _aud_partition(warehouse), exchange_table=archive)
        )
    assert err.value.code == "ORA-14290"  # EXCHANGE-06


def test_ora_14129_excluding_indexes_with_a_primary_key(warehouse):
    archive = ObjectRef("AUDIT", "AUD_ARCH")
    _for_exchange(warehouse, archive, AUD)
    _twins(warehouse, archive, key=True)
    ref = _aud_partition(warehouse)
    text = (
        f'ALTER TABLE "AUDIT"."AUD_TRAIL" EXCHANGE PARTITION "{ref.partition}" WITH TABLE '
        '"AUDIT"."AUD_ARCH" EXCLUDING INDEXES WITHOUT VALIDATION'
    )
    with pytest.raises(WarehouseError) as err:
        warehouse.run_statements([text])
    assert err.value.code == "ORA-14129"  # EXCHANGE-04


def test_a_table_with_a_primary_key_and_local_indexes_exchanges_with_its_twins(warehouse):
    archive = ObjectRef("AUDIT", "AUD_ARCH")
    _for_exchange(warehouse, archive, AUD)
    _twins(warehouse, archive, key=True)
    ref = _aud_partition(warehouse)
    rows = warehouse.segment(ref).num_rows
    warehouse.apply(Action(ActionKind.EXCHANGE, ref, exchange_table=archive))
    assert warehouse.row_count(archive) == rows and warehouse.row_count(ref) == 0


def test_exchange_with_different_columns_is_ora_14097(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(
            Action(
                ActionKind.EXCHANGE, part("P_2019"), exchange_table=ObjectRef("SALES", "CUSTOMERS")
            )
        )
    assert err.value.code == "ORA-14097"  # EXCHANGE-08 (unverified)


def test_ora_14132_a_temporary_table_cannot_be_exchanged(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(
            Action(
                ActionKind.EXCHANGE,
                part("P_2019"),
                exchange_table=ObjectRef("SALES", "TMP_ORDER_STAGE"),
            )
        )
    assert err.value.code == "ORA-14132"  # EXCHANGE-11


def test_dml_decay_is_visible_in_compression_sample(warehouse):
    ref = ObjectRef("SALES", "ORDERS_FACT", "P_2025_01")
    warehouse.apply(Action(ActionKind.COMPRESS, ref, C.QUERY_HIGH))
    fresh = warehouse.compression_sample(ref, sample_rows=10_000)
    assert fresh.rows_by_type == {C.QUERY_HIGH: 10_000}
    rows = warehouse.row_count(ref)
    warehouse.simulate_dml(ref, updates=rows // 5)
    decayed = warehouse.compression_sample(ref, sample_rows=10_000)
    assert 0.15 < decayed.fraction(C.ADVANCED) < 0.2
    assert decayed.total == 10_000
    warehouse.simulate_dml(ref, updates=rows // 5)
    assert warehouse.compression_sample(ref, sample_rows=10_000).fraction(C.ADVANCED) > 0.3
    # A recompression puts every row back into compression units.
    warehouse.apply(Action(ActionKind.COMPRESS, ref, C.QUERY_HIGH))
    assert warehouse.compression_sample(ref, sample_rows=100).fraction(C.QUERY_HIGH) == 1.0


def test_generator_leaves_decayed_hcc_partitions(warehouse):
    decayed = []
    for seg in warehouse.list_segments(warehouse.list_schemas()):
        if seg.compression.is_hcc and seg.num_rows and not seg.has_subpartitions:
            sample = warehouse.compression_sample(seg.ref, sample_rows=1000)
            if sample.fraction(seg.compression) < 0.95:
                decayed.append(seg.ref)
    assert len(decayed) >= 5

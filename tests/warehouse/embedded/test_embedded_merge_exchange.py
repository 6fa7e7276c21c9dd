from __future__ import annotations

import pytest

from hcc_operators.core.errors import ObjectNotFound, WarehouseError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef

C = CompressionType


def part(name: str, table: str = "RETURNS") -> ObjectRef:
    return ObjectRef("SALES", table, name)


def test_merge_adjacent_keeps_higher_bound_and_name_merge_into(warehouse):
    low, high = warehouse.segment(part("P_2022_01")), warehouse.segment(part("P_2022_02"))
    count = len(warehouse.list_segments(["SALES"], [ObjectRef("SALES", "RETURNS")]))
    warehouse.apply(Action(ActionKind.MERGE, low.ref, C.QUERY_HIGH, merge_into="P_2022_02"))
    merged = warehouse.segment(part("P_2022_02"))
    assert warehouse.segment(low.ref) is None
    assert merged.high_value == high.high_value
    assert merged.position == low.position
    assert merged.num_rows == low.num_rows + high.num_rows
    assert merged.compression is C.QUERY_HIGH
    assert len(warehouse.list_segments(["SALES"], [ObjectRef("SALES", "RETURNS")])) == count - 1


def test_monthly_partitions_merge_into_a_yearly_one(warehouse):
    previous = "P_2022_01"
    for month in range(2, 13):
        name = f"P_2022_{month:02d}"
        warehouse.apply(Action(ActionKind.MERGE, part(previous), C.QUERY_HIGH, merge_into=name))
        previous = name
    year = warehouse.segment(part("P_2022_12"))
    assert "2023-01-01" in year.high_value
    assert warehouse.segment(part("P_2021")).position + 1 == year.position


def test_merge_of_non_adjacent_partitions_fails_with_ora_14274(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(Action(ActionKind.MERGE, part("P_2022_01"), merge_into="P_2022_03"))
    assert err.value.code == "ORA-14274"
    with pytest.raises(ObjectNotFound) as err:
        warehouse.apply(Action(ActionKind.MERGE, part("P_2022_01"), merge_into="P_1999"))
    assert err.value.code == "ORA-02149"


def test_merge_composite_partitions_merges_matching_subpartitions(warehouse):
    table = ObjectRef("SALES", "SALES_BY_REGION")
    warehouse.apply(
        Action(
            ActionKind.MERGE,
            part("P_2020_01", "SALES_BY_REGION"),
            C.ADVANCED,
            merge_into="P_2020_02",
        )
    )
    segs = [
        s for s in warehouse.list_segments(["SALES"], [table]) if s.ref.partition == "P_2020_02"
    ]
    parent, subs = segs[0], segs[1:]
    assert {s.ref.subpartition for s in subs} == {
        f"P_2020_02_{r}" for r in ("EAST", "WEST", "NORTH", "SOUTH")
    }
    assert parent.bytes == sum(s.bytes for s in subs)


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
    warehouse.apply(Action(ActionKind.REBUILD_INDEXES, ref))
    assert _status(warehouse, "ORDERS_FACT", "P_2024_05") == ({"USABLE"}, {"VALID"})


def test_drop_and_merge_without_update_indexes_invalidate_global_indexes(warehouse):
    warehouse.apply(
        Action(
            ActionKind.DROP, ObjectRef("SALES", "ORDERS_FACT", "P_2018_01"), update_indexes=False
        )
    )
    assert _status(warehouse, "ORDERS_FACT", "P_2018_02")[1] == {"UNUSABLE"}
    warehouse.apply(
        Action(ActionKind.REBUILD_INDEXES, ObjectRef("SALES", "ORDERS_FACT", "P_2018_02"))
    )
    warehouse.apply(
        Action(
            ActionKind.MERGE,
            ObjectRef("SALES", "ORDERS_FACT", "P_2018_02"),
            merge_into="P_2018_03",
            update_indexes=False,
        )
    )
    assert _status(warehouse, "ORDERS_FACT", "P_2018_03") == ({"UNUSABLE"}, {"UNUSABLE"})


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


def test_archive_before_drop_through_exchange(warehouse):
    source = part("P_2019")
    archive = ObjectRef("SALES", "RETURNS_2019_ARCH")
    before = warehouse.segment(source)
    created = warehouse.create_table_for_exchange(archive, ObjectRef("SALES", "RETURNS"))
    assert created.num_rows == 0 and created.bytes == 0
    with pytest.raises(WarehouseError) as err:
        warehouse.create_table_for_exchange(archive, ObjectRef("SALES", "RETURNS"))
    assert err.value.code == "ORA-00955"
    warehouse.apply(Action(ActionKind.EXCHANGE, source, exchange_table=archive))
    swapped = warehouse.segment(archive)
    assert swapped.num_rows == before.num_rows and swapped.bytes == before.bytes
    assert warehouse.segment(source).num_rows == 0
    warehouse.apply(Action(ActionKind.DROP, source))
    assert warehouse.row_count(archive) == before.num_rows


def test_exchange_with_different_columns_is_ora_14097(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(
            Action(
                ActionKind.EXCHANGE, part("P_2019"), exchange_table=ObjectRef("SALES", "CUSTOMERS")
            )
        )
    assert err.value.code == "ORA-14097"


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

from __future__ import annotations

import pytest
from test_embedded_sampling import rewrite_ratio

from hcc_operators.core.errors import ObjectNotFound, WarehouseError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef

C = CompressionType
ORDERS = ObjectRef("SALES", "ORDERS_FACT")


def part(name: str, table: str = "ORDERS_FACT", owner: str = "SALES") -> ObjectRef:
    return ObjectRef(owner, table, name)


def _code(excinfo) -> str | None:
    return excinfo.value.code


def test_compress_rewrites_the_segment_with_its_measured_ratio(warehouse):
    ref = part("P_2026_08")
    before = warehouse.segment(ref)
    spaces = warehouse.tablespaces()
    result = warehouse.apply(
        Action(ActionKind.COMPRESS, ref, C.QUERY_HIGH, tablespace="SALES_ARCH")
    )
    after = warehouse.segment(ref)
    assert result.simulated and result.duration_s > 0
    assert after.num_rows == before.num_rows == warehouse.row_count(ref)
    assert after.compression is C.QUERY_HIGH and after.tablespace == "SALES_ARCH"
    # Uncompressed size / the ratio measured on the segment's rows, in whole blocks
    # (test_embedded_sampling.py checks that ratio against a fresh measurement).
    assert before.compression is C.NONE
    assert after.bytes == pytest.approx(before.bytes / rewrite_ratio(warehouse, ref), rel=0.001)
    now = warehouse.tablespaces()
    assert now["SALES_DATA"].used_bytes == spaces["SALES_DATA"].used_bytes - before.bytes
    assert now["SALES_ARCH"].used_bytes == spaces["SALES_ARCH"].used_bytes + after.bytes


def test_compress_to_none_restores_the_uncompressed_size(warehouse):
    ref = part("P_2026_08")
    original = warehouse.segment(ref).bytes
    warehouse.apply(Action(ActionKind.COMPRESS, ref, C.ARCHIVE_HIGH))
    assert warehouse.segment(ref).bytes < original / 3
    warehouse.apply(Action(ActionKind.MOVE, ref, C.NONE, tablespace="SALES_DATA"))
    assert warehouse.segment(ref).bytes == original


def test_total_used_space_changes_by_the_segment_delta(warehouse):
    ref = part("P_2024_02")
    total_before = sum(ts.used_bytes for ts in warehouse.tablespaces().values())
    seg_before = warehouse.segment(ref).bytes
    warehouse.apply(Action(ActionKind.COMPRESS, ref, C.QUERY_LOW))
    total_after = sum(ts.used_bytes for ts in warehouse.tablespaces().values())
    assert total_before - total_after == seg_before - warehouse.segment(ref).bytes


def test_subpartition_move_updates_the_composite_parent(warehouse):
    ref = ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03", "P_2024_03_EAST")
    warehouse.apply(Action(ActionKind.COMPRESS, ref, C.QUERY_HIGH))
    parent = warehouse.segment(ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03"))
    subs = [
        s
        for s in warehouse.list_segments(["SALES"], [ObjectRef("SALES", "SALES_BY_REGION")])
        if s.ref.partition == "P_2024_03" and s.ref.subpartition
    ]
    assert parent.bytes == sum(s.bytes for s in subs)
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(Action(ActionKind.MOVE, parent.ref, C.QUERY_HIGH, tablespace="SALES_DATA"))
    assert _code(err) == "ORA-14257"


def test_hcc_on_storage_without_hcc_fails_with_ora_64307(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(
            Action(ActionKind.COMPRESS, part("P_2020_01", "GL_JOURNAL", "FINANCE"), C.QUERY_HIGH)
        )
    assert _code(err) == "ORA-64307"


def test_full_tablespace_fails_with_ora_01688_and_changes_nothing(warehouse):
    ref = part("P_2019_01")
    before = warehouse.segment(ref)
    spaces = warehouse.tablespaces()
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(Action(ActionKind.MOVE, ref, C.QUERY_HIGH, tablespace="ARCHIVE_FULL"))
    assert _code(err) == "ORA-01688" and "ARCHIVE_FULL" in str(err.value)
    assert err.value.transience.value == "SKIP_FOR_NOW"
    assert warehouse.segment(ref) == before and warehouse.tablespaces() == spaces


def test_full_tablespace_for_a_table_is_ora_01653(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(
            Action(ActionKind.MOVE, ObjectRef("SALES", "CUSTOMERS"), tablespace="ARCHIVE_FULL")
        )
    assert _code(err) == "ORA-01653"


def test_scratch_tablespace_without_space_is_ora_01652(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.estimate_ratio(
            part("P_2024_01"),
            C.QUERY_HIGH,
            sample_rows=1_000_000,
            scratch_tablespace="ARCHIVE_FULL",
        )
    assert _code(err) == "ORA-01652"


@pytest.mark.parametrize(
    ("ref", "code"),
    [
        (ObjectRef("SALES", "NO_SUCH_TABLE", "P_2020_01"), "ORA-00942"),
        (ObjectRef("SALES", "ORDERS_FACT", "P_1999_01"), "ORA-02149"),
        (ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03", "NOPE"), "ORA-14251"),
    ],
)
def test_missing_objects(warehouse, ref, code):
    with pytest.raises(ObjectNotFound) as err:
        warehouse.apply(Action(ActionKind.COMPRESS, ref, C.QUERY_HIGH))
    assert _code(err) == code


def test_other_oracle_errors(warehouse):
    cases = [
        (Action(ActionKind.MOVE, ORDERS, C.QUERY_HIGH, tablespace="SALES_DATA"), "ORA-14511"),
        (Action(ActionKind.MOVE, part("P_2020_01"), tablespace="NOWHERE"), "ORA-00959"),
        (Action(ActionKind.MOVE, part("P_2020_01"), tablespace="COLD_RO"), "ORA-01647"),
        (
            Action(
                ActionKind.MERGE, ObjectRef("SALES", "CUSTOMERS", "Y"), merge_sources=("X", "Y")
            ),
            "ORA-14501",
        ),
        (Action(ActionKind.TRUNCATE, part("P_2018", "RETENTION_ARCHIVE", "AUDIT")), "ORA-14466"),
        (Action(ActionKind.DROP, part("P_2021_01", "WEB_CLICKS")), "ORA-14758"),
        (
            Action(ActionKind.MOVE, ObjectRef("SALES", "TMP_ORDER_STAGE"), tablespace="USERS"),
            "ORA-14451",
        ),
    ]
    for action, code in cases:
        with pytest.raises(WarehouseError) as err:
            warehouse.apply(action)
        assert _code(err) == code, action


def test_read_only_partition(warehouse):
    ref = part("P_2020_01")
    warehouse.apply(Action(ActionKind.READ_ONLY, ref))
    assert warehouse.segment(ref).read_only
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(Action(ActionKind.DROP, ref))
    assert _code(err) == "ORA-14466"


def test_truncate_keeps_the_initial_extent_and_frees_the_rest(warehouse):
    ref = part("P_2019_02")
    before, used = warehouse.segment(ref), warehouse.tablespaces()["SALES_ARCH"].used_bytes
    warehouse.apply(Action(ActionKind.TRUNCATE, ref))
    after = warehouse.segment(ref)
    assert after.num_rows == 0 and after.bytes == 8 * 2**20
    assert warehouse.tablespaces()["SALES_ARCH"].used_bytes == used - before.bytes + after.bytes
    assert warehouse.dml_stats(["SALES"])[ref].truncated


def test_drop_partition_frees_space_and_renumbers(warehouse):
    ref = part("P_2018_01")
    before = warehouse.segment(ref)
    used = warehouse.tablespaces()[before.tablespace].used_bytes
    warehouse.apply(Action(ActionKind.DROP, ref))
    assert warehouse.segment(ref) is None
    assert warehouse.tablespaces()[before.tablespace].used_bytes == used - before.bytes
    assert warehouse.segment(part("P_2018_02")).position == 1
    assert all(i.partition != "P_2018_01" for i in warehouse.indexes("SALES", "ORDERS_FACT"))


def test_drop_only_partition_and_only_subpartition(warehouse):
    table = ObjectRef("SALES", "PROMOTIONS")
    parts = [s.ref for s in warehouse.list_segments(["SALES"], [table])]
    for ref in parts[:-1]:
        warehouse.apply(Action(ActionKind.DROP, ref))
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(Action(ActionKind.DROP, parts[-1]))
    assert _code(err) == "ORA-14083"
    subs = [
        ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03", f"P_2024_03_{r}")
        for r in ("EAST", "WEST", "NORTH", "SOUTH")
    ]
    for ref in subs[:-1]:
        warehouse.apply(Action(ActionKind.DROP, ref))
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(Action(ActionKind.DROP, subs[-1]))
    assert _code(err) == "ORA-14629"


def test_apply_records_statements_from_core_ddl_or_nothing_yet(warehouse):
    result = warehouse.apply(Action(ActionKind.READ_ONLY, part("P_2020_01")))
    assert isinstance(result.statements, tuple)
    assert all(isinstance(s, str) for s in result.statements)

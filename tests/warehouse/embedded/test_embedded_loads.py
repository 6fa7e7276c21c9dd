"""Simulated loads (loads.py): rows of a day go to the partition holding it; an interval table
grows the partition for a new month (LOAD-01); a range table without one refuses (LOAD-02)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import CompressionType, ObjectRef

CLICKS = ObjectRef("SALES", "WEB_CLICKS")


def partitions(warehouse, table: ObjectRef):
    segs = [
        s
        for s in warehouse.list_segments([table.owner], [table])
        if s.ref.partition and not s.ref.subpartition
    ]
    return sorted(segs, key=lambda s: s.position)


def test_a_load_into_a_month_with_a_partition_adds_its_rows_there(warehouse):
    before = warehouse.segment(ObjectRef("SALES", "ORDERS_FACT", "P_2026_11"))
    ref = warehouse.simulate_load("SALES", "ORDERS_FACT", day=date(2026, 11, 20), rows=5000)
    assert ref.partition == "P_2026_11"
    after = warehouse.segment(ref)
    assert after.num_rows == before.num_rows + 5000 and after.bytes > before.bytes
    assert warehouse.dml_stats(["SALES"])[ref].inserts >= 5000


def test_an_interval_table_gets_the_partition_for_a_new_month_and_only_that_one(warehouse):
    before = partitions(warehouse, CLICKS)
    last = upper_bound_date(before[-1].high_value).date()
    assert last == date(2026, 12, 1)  # the demo is built for 2026-11-22
    ref = warehouse.simulate_load("SALES", "WEB_CLICKS", day=date(2027, 1, 15), rows=1000)
    after = partitions(warehouse, CLICKS)
    assert [s.ref for s in after[:-1]] == [s.ref for s in before]
    new = after[-1]
    assert new.ref == ref and ref.partition.startswith("SYS_P") and new.interval
    # January 2027, not December: the skipped month gets no partition (LOAD-01).
    assert upper_bound_date(new.high_value).date() == date(2027, 2, 1)
    assert new.num_rows == 1000 and new.tablespace == "CLICK_DATA"
    assert new.compression is CompressionType.NONE
    # Local indexes get their partition; a second load of the month goes to the same one.
    assert any(i.partition == ref.partition for i in warehouse.indexes("SALES", "WEB_CLICKS"))
    again = warehouse.simulate_load("SALES", "WEB_CLICKS", day=date(2027, 1, 16), rows=10)
    assert again == ref and warehouse.segment(ref).num_rows == 1010
    # The loaded days are the partition's rows: its ratios are measured on them.
    assert warehouse.estimate_ratio(ref, CompressionType.QUERY_HIGH, sample_rows=1000) > 1.5


def test_ora_14400_a_range_table_without_a_partition_for_the_day(warehouse):
    with pytest.raises(WarehouseError) as err:
        warehouse.simulate_load("SALES", "ORDERS_FACT", day=date(2027, 3, 1), rows=10)
    assert err.value.code == "ORA-14400"  # LOAD-02


def test_dml_is_stamped_with_the_package_clock(warehouse, monkeypatch):
    monkeypatch.setenv("HCC_NOW", "2026-11-25T23:30:00+00:00")
    ref = warehouse.simulate_load("SALES", "ORDERS_FACT", day=date(2026, 11, 25), rows=10)
    stamp = warehouse.dml_stats(["SALES"])[ref].timestamp
    assert stamp.replace(tzinfo=UTC) == datetime(2026, 11, 25, 23, 30, tzinfo=UTC)

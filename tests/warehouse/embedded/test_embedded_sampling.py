"""What the simulation samples (issue 17, items 5 and 6): an estimate reports the rows it really
compressed, and a rewrite is sized from a larger, separate sample of the segment's rows, so the
ratio it achieves is measured, not copied from the estimate."""

from __future__ import annotations

from datetime import datetime

import pytest

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import Action, ActionKind, ObjectRef
from hcc_operators.core.models import CompressionType as C
from hcc_operators.warehouse.embedded import datagen, samples
from hcc_operators.warehouse.embedded.estimator import measure
from hcc_operators.warehouse.embedded.storage_format import encode_rows


def rewrite_ratio(warehouse, ref: ObjectRef, ctype: C = C.QUERY_HIGH) -> float:
    """The ratio a rewrite of ``ref`` should achieve, measured from scratch (no cache): the
    segment's rows, REWRITE_SAMPLE_ROWS of them, compressed at ``ctype``."""
    seg = warehouse._conn.execute(
        "SELECT s.data_seed, s.num_rows, s.data_from, s.data_to, t.profile FROM sim_segments s"
        " JOIN sim_tables t USING (owner, table_name)"
        " WHERE s.owner = ? AND s.table_name = ? AND s.partition_name = ?"
        " AND s.subpartition_name = ?",
        (ref.owner, ref.table, ref.partition or "", ref.subpartition or ""),
    ).fetchone()
    rows = datagen.sample_rows(
        seg["profile"],
        seg["data_seed"],
        min(seg["num_rows"], samples.REWRITE_SAMPLE_ROWS),
        datetime.fromisoformat(seg["data_from"]),
        datetime.fromisoformat(seg["data_to"]),
    )
    return measure(encode_rows(rows, datagen.profile(seg["profile"]).columns), ctype).ratio


def part(name: str, table: str = "ORDERS_FACT") -> ObjectRef:
    return ObjectRef("SALES", table, name)


def test_a_rewrite_achieves_the_ratio_measured_on_a_larger_sample_not_the_estimate(warehouse):
    ref = part("P_2026_08")
    before = warehouse.segment(ref)
    assert before.compression is C.NONE and before.num_rows > samples.REWRITE_SAMPLE_ROWS
    estimate = warehouse.estimate_ratio(ref, C.QUERY_HIGH, sample_rows=1_000_000)
    assert warehouse.estimate_sample_rows(ref, sample_rows=1_000_000) == samples.MAX_SAMPLE_ROWS
    warehouse.apply(Action(ActionKind.COMPRESS, ref, C.QUERY_HIGH, online=False))
    after = warehouse.segment(ref)
    achieved = before.bytes / after.bytes
    measured = rewrite_ratio(warehouse, ref)
    # Sized from the segment's own rows (whole 8 KB blocks), twice as many as the estimate's.
    assert achieved == pytest.approx(measured, rel=0.001)
    # Another sample, so another figure: close to the estimate, not equal to it.
    assert achieved != pytest.approx(estimate, rel=0.001)
    assert achieved == pytest.approx(estimate, rel=0.15)


def test_estimate_and_rewrite_agree_when_the_estimate_already_saw_every_row(warehouse):
    ref = part("P_2025_02")
    rows = warehouse.segment(ref).num_rows
    warehouse.simulate_dml(ref, deletes=rows - 1200)  # a segment smaller than one sample
    assert warehouse.estimate_sample_rows(ref, sample_rows=-1) == 1200
    estimate = warehouse.estimate_ratio(ref, C.QUERY_LOW, sample_rows=-1)
    seg = warehouse._conn.execute(
        "SELECT * FROM sim_segments WHERE owner = 'SALES' AND table_name = 'ORDERS_FACT'"
        " AND partition_name = 'P_2025_02'"
    ).fetchone()
    # Both compress all 1,200 rows: the same rows, the same ratio (the size of such a small
    # segment is then the partition's initial extent, whatever the ratio).
    assert warehouse._segment_ratio(seg, "sales", C.QUERY_LOW) == pytest.approx(estimate, rel=1e-12)
    assert rewrite_ratio(warehouse, ref, C.QUERY_LOW) == pytest.approx(estimate, rel=1e-12)


def test_the_estimate_reports_the_rows_it_compressed(warehouse):
    one = part("P_2026_08")
    rows = warehouse.segment(one).num_rows
    assert rows > samples.MAX_SAMPLE_ROWS
    assert warehouse.estimate_sample_rows(one, sample_rows=1_000_000) == samples.MAX_SAMPLE_ROWS
    assert warehouse.estimate_sample_rows(one, sample_rows=700) == 700
    assert warehouse.estimate_sample_rows(one, sample_rows=-1) == samples.MAX_SAMPLE_ROWS
    # A partitioned table is estimated from a spread of at most four of its segments.
    table = ObjectRef("SALES", "ORDERS_FACT")
    assert warehouse.estimate_sample_rows(table, sample_rows=1_000_000) == 4 * 2500
    assert warehouse.estimate_sample_rows(table, sample_rows=100) == 4 * 100
    # -1 (DBMS_COMPRESSION's COMP_RATIO_ALLROWS) is a valid request: every row, up to the cap.
    assert warehouse.estimate_ratio(one, C.QUERY_HIGH, sample_rows=-1) == pytest.approx(
        warehouse.estimate_ratio(one, C.QUERY_HIGH, sample_rows=1_000_000)
    )
    with pytest.raises(ConfigError, match="whole number from 1 to .*, or -1 for all rows"):
        warehouse.estimate_sample_rows(one, sample_rows=0)

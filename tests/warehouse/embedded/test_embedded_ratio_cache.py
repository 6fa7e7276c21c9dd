"""Measured ratios are shared between levels and cached, never served for data that changed."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

import pytest

from hcc_operators.core.models import Action, ActionKind, ObjectRef
from hcc_operators.core.models import CompressionType as C
from hcc_operators.warehouse.embedded import datagen, samples
from hcc_operators.warehouse.embedded.estimator import PreparedSample, measure
from hcc_operators.warehouse.embedded.storage_format import (
    _decimal_number,
    _number,
    encode_rows,
    row_piece_bytes,
    row_piece_costs,
)

ADVISOR_LEVELS = (C.ADVANCED, C.QUERY_LOW, C.QUERY_HIGH, C.ARCHIVE_LOW, C.ARCHIVE_HIGH)


@pytest.fixture(autouse=True)
def _cold_caches():
    samples.clear_caches()
    yield
    samples.clear_caches()


def part(name: str, table: str = "RETURNS") -> ObjectRef:
    return ObjectRef("SALES", table, name)


def _fresh_ratios(warehouse, ref: ObjectRef, rows: int | None = None) -> dict[C, float]:
    """The segment's ratios measured from scratch, bypassing every cache."""
    seg = warehouse._conn.execute(
        "SELECT s.data_seed, s.num_rows, s.data_from, s.data_to, t.profile FROM sim_segments s"
        " JOIN sim_tables t USING (owner, table_name)"
        " WHERE s.owner = ? AND s.table_name = ? AND s.partition_name = ?"
        " AND s.subpartition_name = ''",
        (ref.owner, ref.table, ref.partition),
    ).fetchone()
    n = samples.sample_size(rows or samples.MAX_SAMPLE_ROWS, seg["num_rows"])
    generated = datagen.sample_rows(
        seg["profile"],
        seg["data_seed"],
        n,
        datetime.fromisoformat(seg["data_from"]),
        datetime.fromisoformat(seg["data_to"]),
    )
    encoded = encode_rows(generated, datagen.profile(seg["profile"]).columns)
    return {ct: measure(encoded, ct).ratio for ct in ADVISOR_LEVELS}


# estimate_ratio weights its sampled segments (plain / sum(plain / ratio)), which may differ
# from the measured ratio in the last bit even for one segment.
def _estimates(warehouse, ref: ObjectRef, sample_rows: int = 1_000_000) -> dict[C, float]:
    return {ct: warehouse.estimate_ratio(ref, ct, sample_rows=sample_rows) for ct in ADVISOR_LEVELS}


def test_five_levels_share_one_sample_and_equal_a_fresh_measurement(warehouse, monkeypatch):
    calls = []
    real = datagen.sample_rows
    monkeypatch.setattr(datagen, "sample_rows", lambda *a: calls.append(a) or real(*a))
    ref = part("P_2024_05")
    estimates = _estimates(warehouse, ref)
    assert len(calls) == 1  # generated once for all five levels
    monkeypatch.setattr(datagen, "sample_rows", real)
    assert estimates == pytest.approx(_fresh_ratios(warehouse, ref), rel=1e-12)


def test_a_smaller_sample_rows_argument_is_respected(warehouse):
    ref = part("P_2024_05")
    small = _estimates(warehouse, ref, sample_rows=300)
    assert small == pytest.approx(_fresh_ratios(warehouse, ref, rows=300), rel=1e-12)
    assert small != _estimates(warehouse, ref)


def test_merge_gets_new_ratios_not_the_cached_ones(warehouse):
    low, high = part("P_2022_01"), part("P_2022_02")
    before = _estimates(warehouse, high)
    _estimates(warehouse, low)
    merged = Action(
        ActionKind.MERGE, high, C.QUERY_HIGH, merge_sources=(low.partition, high.partition)
    )
    warehouse.apply(merged)
    after = _estimates(warehouse, high)
    # Same partition name, other rows: the cache must not answer with the old sample.
    assert after != before
    assert after == pytest.approx(_fresh_ratios(warehouse, high), rel=1e-12)


def test_dml_that_shrinks_the_sample_gets_new_ratios(warehouse):
    ref = part("P_2024_03")
    before = _estimates(warehouse, ref)
    rows = warehouse.segment(ref).num_rows
    assert rows > samples.MAX_SAMPLE_ROWS
    warehouse.simulate_dml(ref, deletes=rows - 400)
    after = _estimates(warehouse, ref)
    assert after != before
    assert after == pytest.approx(_fresh_ratios(warehouse, ref), rel=1e-12)


@pytest.mark.parametrize("table", ["ORDERS_FACT", "RETURNS"])
def test_demo_ratios_rise_and_archive_units_still_pay_off(warehouse, table):
    seg = next(
        s
        for s in warehouse.list_segments(["SALES"], [ObjectRef("SALES", table)])
        if s.num_rows > samples.MAX_SAMPLE_ROWS and not s.has_subpartitions
    )
    r = _estimates(warehouse, seg.ref)
    hcc = [r[C.QUERY_LOW], r[C.QUERY_HIGH], r[C.ARCHIVE_LOW], r[C.ARCHIVE_HIGH]]
    assert r[C.ADVANCED] < hcc[0] and hcc == sorted(hcc) and len(set(hcc)) == 4, r
    # ARCHIVE LOW differs from QUERY HIGH mostly by its larger compression units; a sample
    # cap at or below one QUERY HIGH unit (1,000 rows) would erase that and this gap.
    assert r[C.ARCHIVE_LOW] > 1.02 * r[C.QUERY_HIGH], r


def test_lru_keeps_the_most_recently_used():
    cache = samples._Lru(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2


def test_prepared_sample_measures_like_fresh_rows_for_every_type():
    generated = datagen.sample_rows("audit", 9, 1500, datetime(2025, 1, 1), datetime(2025, 2, 1))
    rows = encode_rows(generated, datagen.profile("audit").columns)
    shared = PreparedSample(rows)
    for ct in C:  # in one order on the shared sample, each on its own fresh one
        assert shared.measure(ct) == PreparedSample(list(rows)).measure(ct)


def test_column_wise_row_costs_equal_row_piece_bytes():
    rows = [(b"ab", None, b"c" * 300), (None, None, None), (b"x", b"", None), (b"q", None, b"")]
    assert row_piece_costs(rows) == [row_piece_bytes(r) for r in rows]
    generated = datagen.sample_rows("ledger", 2, 500, datetime(2025, 1, 1), datetime(2025, 2, 1))
    encoded = encode_rows(generated, datagen.profile("ledger").columns)
    assert row_piece_costs(encoded) == [row_piece_bytes(r) for r in encoded]


@pytest.mark.parametrize(
    ("value", "dump"),
    [
        (1, [193, 2]),
        (100, [194, 2]),
        (123.45, [194, 2, 24, 46]),
        (0.5, [192, 51]),
        (-1, [62, 100, 102]),
        (-123.45, [61, 100, 78, 56, 102]),
        (0, [128]),
        (1e-05, [190, 11]),
    ],
)
def test_numbers_encode_as_oracle_dump_shows_them(value, dump):
    assert list(_number(value)) == dump
    assert list(_decimal_number(value)) == dump


def test_fast_number_path_equals_the_decimal_path():
    rng = random.Random(4)
    values = [rng.randint(-(10**15), 10**15) for _ in range(3000)]
    values += [round(rng.uniform(-1e6, 1e6), rng.randint(0, 6)) for _ in range(3000)]
    values += [rng.lognormvariate(0, 9) for _ in range(1000)] + [10**30 + 7, Decimal("1.50")]
    for value in values:
        assert _number(value) == _decimal_number(value), value

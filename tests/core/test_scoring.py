from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcc_operators.core.models import (
    AccessStats,
    CompressionType,
    DmlStats,
    ObjectRef,
    SegmentInfo,
)
from hcc_operators.core.scoring import (
    DML_SCALE,
    DML_WEIGHT,
    READ_WEIGHT,
    RECENCY_HALF_LIFE_DAYS,
    RECENCY_WEIGHT,
    hotness,
    score_hotness,
)

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def _segment(rows=1_000_000, blocks=10_000, nbytes=None):
    return SegmentInfo(
        ref=ObjectRef("DW", "SALES", "P1"),
        tablespace="DATA",
        compression=CompressionType.NONE,
        bytes=blocks * 8192 if nbytes is None else nbytes,
        blocks=blocks,
        num_rows=rows,
    )


def _score(dml=None, access=None, segment=None, days=30):
    return score_hotness(
        segment or _segment(),
        dml or DmlStats(),
        access or AccessStats(),
        observation_days=days,
        now=NOW,
    )


def test_idle_object_scores_zero():
    result = _score()
    assert result.score == 0
    assert result.idle_days is None


def test_components_follow_the_documented_formula():
    # 30,000 changes over 30 days on 1M rows = 0.1% per day; 600,000 block reads over 30 days on
    # 10,000 blocks = 2 full reads per day; last touched 7 days ago = one half-life.
    result = _score(
        DmlStats(inserts=10_000, updates=15_000, deletes=5_000),
        AccessStats(logical_reads=500_000, physical_reads=100_000, last_access=NOW - timedelta(7)),
    )
    assert result.dml_rate == pytest.approx(0.001)
    assert result.scans_per_day == pytest.approx(2.0)
    assert result.idle_days == pytest.approx(RECENCY_HALF_LIFE_DAYS)
    expected = 100 * (
        DML_WEIGHT * (1 - math.exp(-0.001 / DML_SCALE))
        + READ_WEIGHT * (1 - math.exp(-2.0))
        + RECENCY_WEIGHT * 0.5
    )
    assert result.score == pytest.approx(expected)


def test_heavy_dml_is_hot_and_reads_alone_are_at_most_forty():
    busy = _score(DmlStats(updates=10_000_000), AccessStats(last_access=NOW))
    assert busy.score > 75
    read_only = _score(access=AccessStats(logical_reads=10**12, last_access=NOW))
    assert read_only.score == pytest.approx(100 * (READ_WEIGHT + RECENCY_WEIGHT))
    assert read_only.score <= 40


def test_truncate_counts_as_a_full_turnover():
    result = _score(DmlStats(truncated=True), days=30)
    assert result.dml_rate == pytest.approx(1 / 30)
    # A truncate never lowers a higher measured rate.
    heavy = _score(DmlStats(updates=5_000_000, truncated=True), days=30)
    assert heavy.dml_rate == pytest.approx(5 / 30)


def test_blocks_fall_back_to_bytes_and_empty_segments_do_not_divide_by_zero():
    by_bytes = _score(
        access=AccessStats(logical_reads=300_000), segment=_segment(blocks=0, nbytes=81920000)
    )
    assert by_bytes.scans_per_day == pytest.approx(1.0)
    empty = _score(
        DmlStats(inserts=10),
        AccessStats(logical_reads=10),
        segment=_segment(rows=0, blocks=0, nbytes=0),
    )
    assert 0 <= empty.score <= 100


def test_later_of_access_and_modification_counts():
    result = _score(
        access=AccessStats(
            last_access=NOW - timedelta(days=20), last_modification=NOW - timedelta(days=2)
        )
    )
    assert result.idle_days == pytest.approx(2)


def test_naive_timestamps_are_read_as_utc_and_future_ones_clamp():
    naive = _score(access=AccessStats(last_access=datetime(2025, 5, 31, 12)))
    assert naive.idle_days == pytest.approx(1)
    future = _score(access=AccessStats(last_access=NOW + timedelta(hours=3)))
    assert future.idle_days == 0
    assert future.score == pytest.approx(100 * RECENCY_WEIGHT)


@pytest.mark.parametrize("days", [0, -1])
def test_observation_days_must_be_positive(days):
    with pytest.raises(ValueError, match="observation_days"):
        _score(days=days)


def test_negative_counts_are_rejected_naming_the_object():
    with pytest.raises(ValueError, match=r"DW\.SALES:P1: updates is negative"):
        _score(DmlStats(updates=-1))


def test_hotness_is_the_score():
    dml, access = DmlStats(inserts=5000), AccessStats(logical_reads=1000, last_access=NOW)
    assert (
        hotness(_segment(), dml, access, observation_days=30, now=NOW) == _score(dml, access).score
    )


counts = st.integers(min_value=0, max_value=10**12)


@given(
    ins=counts,
    upd=counts,
    dele=counts,
    lr=counts,
    pr=counts,
    extra=counts,
    which=st.sampled_from(["ins", "upd", "dele", "lr", "pr"]),
    truncated=st.booleans(),
    idle=st.one_of(st.none(), st.floats(min_value=0, max_value=3650)),
    rows=st.integers(min_value=0, max_value=10**10),
    blocks=st.integers(min_value=0, max_value=10**9),
)
def test_more_activity_never_lowers_the_score(
    ins, upd, dele, lr, pr, extra, which, truncated, idle, rows, blocks
):
    last = None if idle is None else NOW - timedelta(days=idle)
    segment = _segment(rows=rows, blocks=blocks)

    def score(values):
        return _score(
            DmlStats(values["ins"], values["upd"], values["dele"], truncated=truncated),
            AccessStats(values["lr"], values["pr"], last_access=last),
            segment=segment,
        ).score

    base = {"ins": ins, "upd": upd, "dele": dele, "lr": lr, "pr": pr}
    before = score(base)
    after = score({**base, which: base[which] + extra})
    assert 0 <= before <= 100
    assert after >= before


@given(
    older=st.floats(min_value=0, max_value=3650),
    newer_by=st.floats(min_value=0, max_value=3650),
)
def test_a_more_recent_access_never_lowers_the_score(older, newer_by):
    newer = max(older - newer_by, 0)
    old = _score(access=AccessStats(last_access=NOW - timedelta(days=older))).score
    new = _score(access=AccessStats(last_access=NOW - timedelta(days=newer))).score
    assert new >= old

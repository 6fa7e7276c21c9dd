from __future__ import annotations

import math

import pytest

from hcc_operators.core.models import ActionKind, ActionStatus, CompressionType
from hcc_operators.core.throughput import (
    DEFAULT_REWRITE_MIBPS,
    MIB,
    MIN_SECONDS,
    ExecutionSample,
    ThroughputModel,
    default_rate,
    percentile,
    predict_seconds,
)

A, C = ActionKind, CompressionType
GIB = 1024 * MIB


def _runs(action, compression, rates, nbytes=10 * GIB, status=ActionStatus.SUCCESS):
    return [
        ExecutionSample(action, compression, nbytes, nbytes / MIB / rate, status) for rate in rates
    ]


def test_no_history_uses_the_default_table():
    seconds = predict_seconds(A.COMPRESS, C.ARCHIVE_HIGH, 10 * GIB, [])
    assert seconds == pytest.approx(10 * 1024 / DEFAULT_REWRITE_MIBPS[C.ARCHIVE_HIGH])
    assert ThroughputModel([]).rate(A.COMPRESS, C.ARCHIVE_HIGH).source == "default"


def test_history_of_the_same_kind_and_level_wins():
    history = _runs(A.COMPRESS, C.QUERY_HIGH, [40, 50, 60, 70, 80]) + _runs(
        A.COMPRESS, C.QUERY_LOW, [500, 500, 500]
    )
    rate = ThroughputModel(history).rate(A.COMPRESS, C.QUERY_HIGH)
    assert rate.source == "history:COMPRESS/QUERY HIGH"
    assert rate.samples == 5
    assert rate.mib_per_s == pytest.approx(50)  # 25th percentile of 40..80
    seconds = predict_seconds(A.COMPRESS, C.QUERY_HIGH, 5 * GIB, history)
    assert seconds == pytest.approx(5 * 1024 / 50)


def test_falls_back_to_the_action_kind_then_the_default():
    history = _runs(A.COMPRESS, C.QUERY_LOW, [100, 100]) + _runs(A.COMPRESS, C.ARCHIVE_LOW, [20])
    model = ThroughputModel(history)
    rate = model.rate(A.COMPRESS, C.QUERY_LOW)
    assert rate.source == "history:COMPRESS"
    assert rate.samples == 3
    assert rate.mib_per_s == pytest.approx(percentile([20, 100, 100], 0.25))
    assert model.rate(A.MOVE, C.QUERY_LOW).source == "default"


def test_low_percentile_is_conservative_against_a_fast_outlier():
    history = _runs(A.MOVE, C.NONE, [30, 32, 35, 900])
    mean = sum([30, 32, 35, 900]) / 4
    rate = ThroughputModel(history).rate(A.MOVE, C.NONE).mib_per_s
    assert rate < 35 < mean


def test_only_successful_runs_with_real_work_count():
    history = (
        _runs(A.COMPRESS, C.QUERY_HIGH, [10_000] * 5, status=ActionStatus.SKIPPED)
        + _runs(A.COMPRESS, C.QUERY_HIGH, [10_000] * 5, status=ActionStatus.FAILED)
        + [ExecutionSample(A.COMPRESS, C.QUERY_HIGH, 0, 1.0)] * 5
        + [ExecutionSample(A.COMPRESS, C.QUERY_HIGH, GIB, 0.0)] * 5
        + [ExecutionSample(A.COMPRESS, C.QUERY_HIGH, GIB, math.nan)] * 5
    )
    assert ThroughputModel(history).rate(A.COMPRESS, C.QUERY_HIGH).source == "default"


def test_strings_are_accepted_for_kind_and_level():
    history = _runs(A.COMPRESS, C.QUERY_HIGH, [40, 40, 40])
    assert predict_seconds("COMPRESS", "query high", 40 * MIB, history) == pytest.approx(1.0)


def test_minimum_duration_and_negative_size():
    assert predict_seconds(A.READ_ONLY, None, 0, []) == MIN_SECONDS
    with pytest.raises(ValueError, match="size_bytes must not be negative"):
        predict_seconds(A.MOVE, None, -1, [])


def test_default_table_rules():
    assert default_rate(A.READ_ONLY, C.ARCHIVE_HIGH) == A.READ_ONLY.spec.default_mib_per_s
    assert default_rate(A.COMPRESS, None) == min(DEFAULT_REWRITE_MIBPS.values())
    assert default_rate(A.COMPRESS, C.QUERY_LOW) == DEFAULT_REWRITE_MIBPS[C.QUERY_LOW]
    assert default_rate(A.MERGE, C.NONE) == min(
        DEFAULT_REWRITE_MIBPS[C.NONE], A.MERGE.spec.default_mib_per_s
    )
    assert all(default_rate(kind, None) > 0 for kind in ActionKind)


def test_denser_levels_are_never_predicted_faster_by_default():
    levels = [C.QUERY_LOW, C.QUERY_HIGH, C.ARCHIVE_LOW, C.ARCHIVE_HIGH]
    seconds = [predict_seconds(A.COMPRESS, level, GIB, []) for level in levels]
    assert seconds == sorted(seconds)


def test_percentile():
    assert percentile([5.0], 0.25) == 5.0
    assert percentile([0.0, 10.0], 0.25) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == 3.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_unknown_action_kind_is_an_error():
    with pytest.raises(ValueError):
        predict_seconds("SHRINK", None, GIB, [])

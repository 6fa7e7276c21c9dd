"""Predict how long an action takes, from how fast the same kind of action ran before.

A throughput in MiB/s is chosen by the most specific source that has enough samples:

1. history of the same action kind and compression level (at least ``MIN_SAMPLES``),
2. history of the same action kind, any level,
3. the default table below, deliberately slow (a first window under-filled is cheap; an
   overrun into business hours is not).

From history the rate is the 25th percentile (linear interpolation) of the per-execution
rates, not the mean or the median: one fast run on a cached or nearly empty segment must not
make the packer promise more than the window holds, and a quarter of past runs being slower
than predicted is absorbed by the window's safety margin. Only SUCCESS executions with
positive bytes and duration count: a SKIPPED or failed action did not do the work.

``seconds = max(size / rate, MIN_SECONDS)``: even a metadata-only DDL takes a lock and a
dictionary update.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hcc_operators.core.models import ActionKind, ActionStatus, CompressionType

MIB = 1024 * 1024
MIN_SAMPLES = 3
PERCENTILE = 0.25
MIN_SECONDS = 1.0

#: Rewrites by target level: HCC ARCHIVE HIGH is CPU-bound and by far the slowest.
DEFAULT_REWRITE_MIBPS = {
    CompressionType.NONE: 60.0,
    CompressionType.BASIC: 40.0,
    CompressionType.ADVANCED: 30.0,
    CompressionType.QUERY_LOW: 40.0,
    CompressionType.QUERY_HIGH: 20.0,
    CompressionType.ARCHIVE_LOW: 12.0,
    CompressionType.ARCHIVE_HIGH: 5.0,
}


def default_kind_rate(kind: ActionKind) -> float:
    """The rate of a kind when the level is unknown or irrelevant, as its spec declares it
    (dictionary-only kinds are fast but not free: UPDATE INDEXES on a DROP maintains global
    indexes row by row)."""
    return kind.spec.default_mib_per_s


@dataclass(frozen=True)
class ExecutionSample:
    """One past execution, as the execution log holds it."""

    action: ActionKind
    compression: CompressionType | None
    bytes: int
    duration_s: float
    status: ActionStatus = ActionStatus.SUCCESS

    @property
    def usable(self) -> bool:
        return (
            self.status is ActionStatus.SUCCESS
            and self.bytes > 0
            and math.isfinite(self.duration_s)
            and self.duration_s > 0
        )

    @property
    def mib_per_s(self) -> float:
        return self.bytes / MIB / self.duration_s


@dataclass(frozen=True)
class Rate:
    mib_per_s: float
    source: str  # "history:COMPRESS/QUERY HIGH", "history:COMPRESS", "default"
    samples: int


class ThroughputModel:
    """Rates computed once from a history, for predicting a whole backlog."""

    def __init__(self, history: Iterable[ExecutionSample]):
        by_level: dict[tuple[ActionKind, CompressionType | None], list[float]] = defaultdict(list)
        by_kind: dict[ActionKind, list[float]] = defaultdict(list)
        for sample in history:
            if not sample.usable:
                continue
            kind = ActionKind(sample.action)
            by_level[(kind, _level(sample.compression))].append(sample.mib_per_s)
            by_kind[kind].append(sample.mib_per_s)
        self._by_level = {k: sorted(v) for k, v in by_level.items()}
        self._by_kind = {k: sorted(v) for k, v in by_kind.items()}

    def rate(self, action: ActionKind | str, compression: CompressionType | str | None) -> Rate:
        kind = ActionKind(action)
        level = _level(compression)
        rates = self._by_level.get((kind, level), [])
        if len(rates) >= MIN_SAMPLES:
            label = f"{kind.value}/{level.value}" if level else kind.value
            return Rate(percentile(rates, PERCENTILE), f"history:{label}", len(rates))
        rates = self._by_kind.get(kind, [])
        if len(rates) >= MIN_SAMPLES:
            return Rate(percentile(rates, PERCENTILE), f"history:{kind.value}", len(rates))
        return Rate(default_rate(kind, level), "default", 0)

    def predict_seconds(
        self,
        action: ActionKind | str,
        compression: CompressionType | str | None,
        size_bytes: int,
    ) -> float:
        if size_bytes < 0:
            raise ValueError(f"size_bytes must not be negative, got {size_bytes}")
        rate = self.rate(action, compression).mib_per_s
        return max(size_bytes / MIB / rate, MIN_SECONDS)


def predict_seconds(
    action_kind: ActionKind | str,
    compression: CompressionType | str | None,
    size_bytes: int,
    history: Iterable[ExecutionSample],
) -> float:
    """Predicted duration of one action (module doc); build a ThroughputModel for many."""
    return ThroughputModel(history).predict_seconds(action_kind, compression, size_bytes)


def default_rate(kind: ActionKind, level: CompressionType | None) -> float:
    """The table rate: a rewrite to a known level runs at that level's rate, never faster
    than its kind allows (a MERGE reads two segments); COMPRESS is governed by the level alone
    and, with no level given, assumes the slowest one."""
    if not kind.rewrites_segment or level is None:
        return default_kind_rate(kind)
    if kind is ActionKind.COMPRESS:
        return DEFAULT_REWRITE_MIBPS[level]
    return min(DEFAULT_REWRITE_MIBPS[level], default_kind_rate(kind))


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-quantile of an ascending list, interpolating linearly between neighbours."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction


def _level(compression: CompressionType | str | None) -> CompressionType | None:
    if compression is None or isinstance(compression, CompressionType):
        return compression
    return CompressionType.parse(compression)

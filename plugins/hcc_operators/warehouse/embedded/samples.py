"""Sample rows of one segment and their measured compression, cached per process.

A segment's rows are a pure function of (profile, data_seed, row count, date range), so a
sample, and the ratio measured on it, are the same in every process. An estimate compresses up
to MAX_SAMPLE_ROWS of them; a rewrite is sized from up to REWRITE_SAMPLE_ROWS, a larger sample
drawn separately, so the ratio a rewrite achieves is measured on other rows than the estimate
the advisor saw and differs from it as Oracle's does (a segment with no more rows than an
estimate samples is measured whole by both, and both agree).

That same tuple is the cache key. Anything that changes a segment's data changes it (a merge or
split gets a new seed and date range, DML changes the row count, an exchange swaps them), so a
cached measurement can never belong to data the segment no longer has; nothing needs to be
invalidated.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Generic, TypeVar

from hcc_operators.core.models import CompressionType
from hcc_operators.warehouse.embedded import datagen
from hcc_operators.warehouse.embedded.estimator import Measurement, PreparedSample
from hcc_operators.warehouse.embedded.storage_format import EncodedRow, encode_rows

#: DBMS_COMPRESSION samples up to a million rows; a few thousand rows already fill several
#: compression units. Not lower: at 1,000 rows every level sees a single unit, so ARCHIVE LOW
#: loses its larger units (it measured within 1% of QUERY HIGH) and ARCHIVE HIGH read ~15%
#: below its 5,000-row ratio; at 2,500 rows every level stays within ~6% of it.
MAX_SAMPLE_ROWS = 2500

#: The types the advisor asks for, one after the other, for each object: measured together on
#: the first request so the sample is prepared once and can be dropped afterwards.
MEASURED_TOGETHER = (
    CompressionType.ADVANCED,
    CompressionType.QUERY_LOW,
    CompressionType.QUERY_HIGH,
    CompressionType.ARCHIVE_LOW,
    CompressionType.ARCHIVE_HIGH,
)

# A prepared sample of 2,500 rows holds about 2 MB of Python objects, and once its advisor
# levels are measured only a BASIC or NONE request needs it again: keep a few, enough for the
# segments one partitioned table is estimated from (MAX_SAMPLED_SEGMENTS in warehouse.py).
# Measurements are a few hundred bytes each: keep one per level for every segment of a large
# demo warehouse (about 15 MB at most).
PREPARED_CACHE_SIZE = 8
MEASUREMENT_CACHE_SIZE = 50_000

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A bounded least-recently-used map, safe to share between threads."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        value = self.get(key)
        if value is None:
            # Built outside the lock: two threads may both build it, with the same result.
            value = make()
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


SampleKey = tuple[str, int, int, str, str]

_prepared: _Lru[SampleKey, PreparedSample] = _Lru(PREPARED_CACHE_SIZE)
_measured: _Lru[tuple[SampleKey, CompressionType], Measurement] = _Lru(MEASUREMENT_CACHE_SIZE)


#: Rows a rewrite is sized from: twice an estimate's sample, so more compression units.
REWRITE_SAMPLE_ROWS = 2 * MAX_SAMPLE_ROWS


def sample_size(requested: int, num_rows: int) -> int:
    return max(0, min(requested, num_rows, MAX_SAMPLE_ROWS))


def rewrite_sample_size(num_rows: int) -> int:
    """Rows of a segment a rewrite measures. datagen draws a sample column after column, so
    a draw of another size from the same seed pairs other values: other rows of the same
    data, not the estimate's rows plus some."""
    return max(0, min(num_rows, REWRITE_SAMPLE_ROWS))


def encoded_sample(
    profile: str, seed: int, rows: int, start: str, end: str
) -> tuple[EncodedRow, ...]:
    generated = datagen.sample_rows(
        profile, seed, rows, datetime.fromisoformat(start), datetime.fromisoformat(end)
    )
    return tuple(encode_rows(generated, datagen.profile(profile).columns))


def prepared_sample(profile: str, seed: int, rows: int, start: str, end: str) -> PreparedSample:
    return _prepared.get_or_make(
        (profile, seed, rows, start, end),
        lambda: PreparedSample(encoded_sample(profile, seed, rows, start, end)),
    )


def measured(
    profile: str,
    seed: int,
    rows: int,
    start: str,
    end: str,
    ctype: CompressionType,
    *,
    together: bool = True,
) -> Measurement:
    """``ctype`` measured on the segment's sample, by really compressing it. ``together``:
    measure the advisor's levels with it (an estimate); False for one level only (a rewrite,
    which needs just its target's)."""
    key: SampleKey = (profile, seed, rows, start, end)
    cached = _measured.get((key, ctype))
    if cached is not None:
        return cached
    sample = prepared_sample(*key)
    wanted = MEASURED_TOGETHER if together and ctype in MEASURED_TOGETHER else (ctype,)
    for each in wanted:
        if _measured.get((key, each)) is None:
            _measured.put((key, each), sample.measure(each))
    result = _measured.get((key, ctype))
    # Only evicted in between if the cache were smaller than one segment's measurements.
    return result if result is not None else sample.measure(ctype)


def clear_caches() -> None:
    """Forget every sample and measurement (tests; a long-lived process short of memory)."""
    _prepared.clear()
    _measured.clear()

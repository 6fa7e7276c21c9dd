"""Sample rows of one segment and their measured compression, cached per process.

A segment's rows are a pure function of (profile, data_seed, date range), so the sample, and
the ratio measured on it, are the same in every process: the estimate the advisor saw is the
ratio apply() uses to size the rewritten segment.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from hcc_operators.core.models import CompressionType
from hcc_operators.warehouse.embedded import datagen
from hcc_operators.warehouse.embedded.estimator import Measurement, measure
from hcc_operators.warehouse.embedded.storage_format import EncodedRow, encode_rows

#: DBMS_COMPRESSION samples up to a million rows; a few thousand rows already fill several
#: compression units, and keep one estimate in the tens of milliseconds.
MAX_SAMPLE_ROWS = 2500


def sample_size(requested: int, num_rows: int) -> int:
    return max(0, min(requested, num_rows, MAX_SAMPLE_ROWS))


@lru_cache(maxsize=128)
def encoded_sample(
    profile: str, seed: int, rows: int, start: str, end: str
) -> tuple[EncodedRow, ...]:
    generated = datagen.sample_rows(
        profile, seed, rows, datetime.fromisoformat(start), datetime.fromisoformat(end)
    )
    return tuple(encode_rows(generated, datagen.profile(profile).columns))


@lru_cache(maxsize=4096)
def measured(
    profile: str, seed: int, rows: int, start: str, end: str, ctype: CompressionType
) -> Measurement:
    return measure(encoded_sample(profile, seed, rows, start, end), ctype)

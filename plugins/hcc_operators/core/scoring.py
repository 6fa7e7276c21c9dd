"""Hotness: how actively an object is changed and read, as a score in [0, 100].

The score is a weighted sum of three saturating components, each in [0, 1]::

    dml_rate  = (inserts + updates + deletes) / max(num_rows, 1) / days   (changes per row per day)
                (a truncate counts as at least one full turnover: dml_rate >= 1 / days)
    dml       = 1 - exp(-dml_rate / DML_SCALE)

    scans     = (logical_reads + physical_reads) / days / segment_blocks  (full reads per day)
                (segment_blocks = SegmentInfo.blocks, or bytes / 8 KiB when blocks is unknown)
    reads     = 1 - exp(-scans / READ_SCALE)

    idle_days = days from the last access or modification (the later one) to ``now``, >= 0
    recency   = 0.5 ** (idle_days / RECENCY_HALF_LIFE_DAYS), or 0 when neither is known

    hotness   = 100 * (DML_WEIGHT * dml + READ_WEIGHT * reads + RECENCY_WEIGHT * recency)

DML dominates because DML is what HCC handles badly (updated rows leave the compression unit
and lock a whole unit); reads alone, however frequent, reach at most 40 because scans are what
HCC serves well. Each component is non-decreasing in its counts, so more DML or more reads
never lower the score; a more recent access never lowers it either.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime

from hcc_operators.core.instants import as_utc
from hcc_operators.core.models import AccessStats, DmlStats, SegmentInfo

DML_WEIGHT = 0.6
READ_WEIGHT = 0.2
RECENCY_WEIGHT = 0.2
#: 1% of the rows changed per day gives dml = 0.63: a table that busy is not archive data.
DML_SCALE = 0.01
#: One whole-segment read per day gives reads = 0.63.
READ_SCALE = 1.0
RECENCY_HALF_LIFE_DAYS = 7.0
DEFAULT_BLOCK_SIZE = 8192


@dataclass(frozen=True)
class Hotness:
    """The score and the figures it came from, so a reason can quote them."""

    score: float
    dml_rate: float
    scans_per_day: float
    idle_days: float | None

    def to_dict(self) -> dict:
        return asdict(self)


def score_hotness(
    segment: SegmentInfo,
    dml: DmlStats,
    access: AccessStats,
    *,
    observation_days: float,
    now: datetime,
) -> Hotness:
    """Hotness of ``segment`` over the last ``observation_days`` as of ``now`` (module doc)."""
    if not observation_days > 0:
        raise ValueError(f"observation_days must be positive, got {observation_days!r}")
    label = segment.ref.label
    for name, value in (
        ("inserts", dml.inserts),
        ("updates", dml.updates),
        ("deletes", dml.deletes),
        ("logical_reads", access.logical_reads),
        ("physical_reads", access.physical_reads),
    ):
        if value < 0:
            raise ValueError(f"{label}: {name} is negative ({value})")

    dml_rate = dml.total / max(segment.num_rows, 1) / observation_days
    if dml.truncated:
        dml_rate = max(dml_rate, 1.0 / observation_days)
    dml_part = 1.0 - math.exp(-dml_rate / DML_SCALE)

    blocks = segment.blocks if segment.blocks > 0 else segment.bytes / DEFAULT_BLOCK_SIZE
    reads = access.logical_reads + access.physical_reads
    scans = reads / observation_days / max(blocks, 1.0)
    read_part = 1.0 - math.exp(-scans / READ_SCALE)

    idle = _idle_days(access, now)
    recency_part = 0.0 if idle is None else 0.5 ** (idle / RECENCY_HALF_LIFE_DAYS)

    score = 100.0 * (
        DML_WEIGHT * dml_part + READ_WEIGHT * read_part + RECENCY_WEIGHT * recency_part
    )
    return Hotness(
        score=min(max(score, 0.0), 100.0),
        dml_rate=dml_rate,
        scans_per_day=scans,
        idle_days=idle,
    )


def hotness(
    segment: SegmentInfo,
    dml: DmlStats,
    access: AccessStats,
    *,
    observation_days: float,
    now: datetime,
) -> float:
    """Just the score of ``score_hotness``."""
    return score_hotness(segment, dml, access, observation_days=observation_days, now=now).score


def _idle_days(access: AccessStats, now: datetime) -> float | None:
    touched = [t for t in (access.last_access, access.last_modification) if t is not None]
    if not touched:
        return None
    latest = max(as_utc(t) for t in touched)
    # A clock skew between the database and the scheduler must not push recency above 1.
    return max((as_utc(now) - latest).total_seconds() / 86400.0, 0.0)

"""Reference compression of each data profile, measured once when the warehouse is built.

Used where no per-segment sample is taken: the sizes of partitions that the generator creates
already compressed, and every rewrite on a warehouse built ``metadata_only``. Still measured
on real rows of the profile, so ratios differ by data shape.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from hcc_operators.core.models import CompressionType
from hcc_operators.warehouse.embedded import datagen, samples

REFERENCE_ROWS = 1000


def measure_all(seed: int, today: date) -> dict[tuple[str, CompressionType], tuple[float, float]]:
    """(profile, type) -> (ratio, uncompressed bytes per row)."""
    start = datetime(today.year, today.month, 1)
    end = datetime(today.year + (today.month == 12), today.month % 12 + 1, 1)
    result = {}
    for name in sorted(datagen.PROFILES):
        for ctype in CompressionType:
            m = samples.measured(
                name, seed, REFERENCE_ROWS, start.isoformat(), end.isoformat(), ctype
            )
            result[(name, ctype)] = (m.ratio, m.bytes_per_row)
    return result


def store(
    conn: sqlite3.Connection, ratios: dict[tuple[str, CompressionType], tuple[float, float]]
) -> None:
    conn.executemany(
        "INSERT INTO sim_profile_ratios (profile, compression, ratio, bytes_per_row)"
        " VALUES (?, ?, ?, ?)",
        [(p, c.value, r, b) for (p, c), (r, b) in ratios.items()],
    )


def load(conn: sqlite3.Connection, profile: str, ctype: CompressionType) -> float:
    row = conn.execute(
        "SELECT ratio FROM sim_profile_ratios WHERE profile = ? AND compression = ?",
        (profile, ctype.value),
    ).fetchone()
    if row is None:
        raise ValueError(f"no reference ratio for profile {profile!r} and {ctype.value}")
    return float(row[0])

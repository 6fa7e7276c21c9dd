"""Simulated DML on a segment: what it does to statistics, size and HCC decay.

Rows updated after an HCC load migrate out of their compression unit into row-format blocks,
and conventional inserts into an HCC segment never enter one; both raise the segment's decayed
fraction. Deletes leave the fraction as it is and, as in Oracle, release no space.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import datetime

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.warehouse.embedded import lookup
from hcc_operators.warehouse.embedded import oracle_errors as ora


def decayed_after(fraction: float, rows: int, *, inserts: int, updates: int) -> float:
    """Decayed-row fraction after random updates and conventional inserts."""
    if rows <= 0:
        return 1.0 if inserts else fraction
    remaining_in_cu = (1.0 - fraction) * math.exp(-updates / rows)
    decayed = 1.0 - remaining_in_cu
    return (decayed * rows + inserts) / (rows + inserts)


def apply_dml(
    conn: sqlite3.Connection,
    ref: ObjectRef,
    now: datetime,
    *,
    inserts: int,
    updates: int,
    deletes: int,
    empty_row_bytes: float = 100.0,
) -> None:
    """``empty_row_bytes``: the width of a row inserted into a segment that has none yet."""
    for name, value in (("inserts", inserts), ("updates", updates), ("deletes", deletes)):
        if not isinstance(value, int) or value < 0:
            raise ConfigError(f"{name} must be a non-negative integer, got {value!r}", field=name)
    table = lookup.table_row(conn, ref.owner, ref.table)
    seg = lookup.segment_row(conn, ref)
    if seg["has_subpartitions"]:
        raise ConfigError(
            f"{ref.label} has subpartitions; simulate DML on a subpartition", field="ref"
        )
    if table["read_only"]:
        raise ora.read_only_table(ref.owner, ref.table)
    if seg["read_only"]:
        raise ora.read_only_partition(ref)
    rows = seg["num_rows"]
    per_row = seg["uncompressed_bytes"] / rows if rows else empty_row_bytes
    growth = int(inserts * per_row)
    ts = lookup.tablespace_row(conn, seg["tablespace"])
    if ts["total_bytes"] - ts["used_bytes"] < growth:
        raise ora.unable_to_extend(ref, growth, seg["tablespace"])
    deletes = min(deletes, rows + inserts)
    fraction = seg["decayed_fraction"]
    if CompressionType.parse(seg["compression"]).is_hcc:
        fraction = decayed_after(fraction, rows, inserts=inserts, updates=updates)
    new_rows = rows + inserts - deletes
    stamp = now.isoformat(sep=" ", timespec="seconds")
    conn.execute(
        "UPDATE sim_segments SET num_rows = ?, uncompressed_bytes = ?, bytes = bytes + ?,"
        " decayed_fraction = ?, inserts = inserts + ?, updates = updates + ?,"
        " deletes = deletes + ?, dml_timestamp = ?, last_modification = ? WHERE seg_id = ?",
        (
            new_rows,
            int(new_rows * per_row),
            growth,
            fraction,
            inserts,
            updates,
            deletes,
            stamp,
            stamp,
            seg["seg_id"],
        ),
    )
    conn.execute(
        "UPDATE sim_tablespaces SET used_bytes = used_bytes + ? WHERE name = ?",
        (growth, seg["tablespace"]),
    )

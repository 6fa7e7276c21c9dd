"""Simulated loads: the rows of one day arriving in a range-partitioned table.

The rows go to the partition whose range holds the day, as an INSERT does. Beyond the last
partition, an interval-partitioned table gets the interval partition for that day created,
and only that one (LOAD-01); a range table without a partition for the day refuses the rows
with ORA-14400 (LOAD-02). A load also extends the range of days the partition's sample rows
cover, so a partition that was empty has rows to measure once it has been loaded.
"""

from __future__ import annotations

import sqlite3
import zlib
from datetime import date, datetime, timedelta

from hcc_operators.core.errors import ConfigError, WarehouseError
from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.warehouse.embedded import dml, indexes, lookup, sizing
from hcc_operators.warehouse.embedded import oracle_errors as ora
from hcc_operators.warehouse.embedded.highvalues import range_bound
from hcc_operators.warehouse.embedded.periods import add_months, month_start

#: The only interval the demo and benchmark layouts use.
MONTHLY_INTERVAL = "NUMTOYMINTERVAL(1,'MONTH')"


def load_day(
    conn: sqlite3.Connection, owner: str, table: str, day: date, rows: int, now: datetime
) -> ObjectRef:
    """Insert ``rows`` rows dated ``day``; returns the partition that holds them."""
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise ConfigError(f"rows must be a positive integer, got {rows!r}", field="rows")
    spec = lookup.table_row(conn, owner, table)
    if not spec["partitioned"] or spec["partitioning_type"] != "RANGE":
        raise ConfigError(f"{owner}.{table} is not range-partitioned", field="table")
    target = conn.execute(
        "SELECT * FROM sim_segments WHERE owner = ? AND table_name = ? AND partition_name <> ''"
        " AND subpartition_name = '' AND bound_key > ? ORDER BY bound_key LIMIT 1",
        (owner, table, day.isoformat()),
    ).fetchone()
    if target is None:
        if spec["interval_expr"] != MONTHLY_INTERVAL:
            raise WarehouseError(  # LOAD-02
                f"inserted partition key does not map to any partition: {owner}.{table} has "
                f"no partition for {day.isoformat()}",
                code="ORA-14400",
            )
        target = _new_interval_partition(conn, spec, day)
    if target["has_subpartitions"]:
        raise ConfigError(
            f"{owner}.{table}:{target['partition_name']} has subpartitions; load a simple table",
            field="table",
        )
    ref = ObjectRef(owner, table, target["partition_name"])
    _cover(conn, target, day)
    dml.apply_dml(
        conn,
        ref,
        now,
        inserts=rows,
        updates=0,
        deletes=0,
        empty_row_bytes=_row_bytes(conn, spec["profile"]),
    )
    return ref


def _cover(conn: sqlite3.Connection, seg: sqlite3.Row, day: date) -> None:
    """Extend the days the segment's rows cover to ``day``."""
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    if seg["num_rows"] and seg["data_from"] and seg["data_to"] > seg["data_from"]:
        start, end = min(seg["data_from"], start), max(seg["data_to"], end)
    conn.execute(
        "UPDATE sim_segments SET data_from = ?, data_to = ? WHERE seg_id = ?",
        (start, end, seg["seg_id"]),
    )


def _row_bytes(conn: sqlite3.Connection, profile: str) -> float:
    """The uncompressed width of one of the profile's rows (measured when it was built)."""
    return conn.execute(
        "SELECT bytes_per_row FROM sim_profile_ratios WHERE profile = ? AND compression = ?",
        (profile, CompressionType.NONE.value),
    ).fetchone()[0]


def _new_interval_partition(conn: sqlite3.Connection, spec: sqlite3.Row, day: date) -> sqlite3.Row:
    """The interval partition for ``day``'s month, created as the insert needs it."""
    owner, table = spec["owner"], spec["table_name"]
    upper = add_months(month_start(day), 1)
    high_value, key = range_bound(spec["key_type"], upper)
    taken = {
        r[0]
        for r in conn.execute(
            "SELECT partition_name FROM sim_segments WHERE owner = ? AND table_name = ?",
            (owner, table),
        )
    }
    # A system-generated name, as Oracle gives interval partitions (SYS_Pn, LOAD-01).
    number = 1 + max(
        (int(n[5:]) for n in taken if n.startswith("SYS_P") and n[5:].isdigit()), default=0
    )
    name = f"SYS_P{number}"
    last = conn.execute(
        "SELECT max(position) FROM sim_segments WHERE owner = ? AND table_name = ?"
        " AND subpartition_name = ''",
        (owner, table),
    ).fetchone()[0]
    tablespace = spec["tablespace"]
    initial = sizing.initial_extent(True)
    ts = lookup.tablespace_row(conn, tablespace)
    if ts["total_bytes"] - ts["used_bytes"] < initial:
        raise ora.unable_to_extend(ObjectRef(owner, table, name), initial, tablespace)
    seed = zlib.crc32(f"{owner}.{table}:{name}".encode()) & 0x7FFFFFFF
    conn.execute(
        "INSERT INTO sim_segments (owner, table_name, partition_name, subpartition_name,"
        " position, high_value, bound_key, is_interval, has_subpartitions, tablespace,"
        " compression, bytes, uncompressed_bytes, num_rows, read_only, data_seed, data_from,"
        " data_to) VALUES (?, ?, ?, '', ?, ?, ?, 1, 0, ?, ?, ?, 0, 0, 0, ?, ?, ?)",
        (
            owner,
            table,
            name,
            (last or 0) + 1,
            high_value,
            key,
            tablespace,
            spec["compression"],
            initial,
            seed,
            day.isoformat(),
            day.isoformat(),
        ),
    )
    conn.execute(
        "UPDATE sim_tablespaces SET used_bytes = used_bytes + ? WHERE name = ?",
        (initial, tablespace),
    )
    indexes.add_local(conn, owner, table, name, "USABLE")
    return lookup.segment_row(conn, ObjectRef(owner, table, name))

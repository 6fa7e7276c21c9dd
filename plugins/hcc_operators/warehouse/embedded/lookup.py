"""Finding the dictionary rows an action or a read names, with Oracle's errors when absent."""

from __future__ import annotations

import sqlite3

from hcc_operators.core.models import ObjectRef
from hcc_operators.warehouse.embedded import oracle_errors as ora


def table_row(conn: sqlite3.Connection, owner: str, table: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT * FROM sim_tables WHERE owner = ? AND table_name = ?", (owner, table)
    ).fetchone()
    if row is None:
        raise ora.table_not_found(owner, table)
    return row


def find_segment(conn: sqlite3.Connection, ref: ObjectRef) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM sim_segments WHERE owner = ? AND table_name = ? AND partition_name = ?"
        " AND subpartition_name = ?",
        (ref.owner, ref.table, ref.partition or "", ref.subpartition or ""),
    ).fetchone()


def segment_row(conn: sqlite3.Connection, ref: ObjectRef) -> sqlite3.Row:
    """The segment row of a non-partitioned table, a partition or a subpartition."""
    table = table_row(conn, ref.owner, ref.table)
    if ref.subpartition and not ref.partition:
        raise ora.subpartition_not_found(ref)
    if ref.partition and not table["partitioned"]:
        raise ora.not_partitioned(ref.owner, ref.table)
    row = find_segment(conn, ref)
    if row is not None:
        return row
    if ref.subpartition:
        if find_segment(conn, ObjectRef(ref.owner, ref.table, ref.partition)) is None:
            raise ora.partition_not_found(ref)
        raise ora.subpartition_not_found(ref)
    if ref.partition:
        raise ora.partition_not_found(ref)
    if table["partitioned"]:
        raise ora.partitioned_object(ref)
    raise ora.table_not_found(ref.owner, ref.table)


def leaf_rows(conn: sqlite3.Connection, ref: ObjectRef) -> list[sqlite3.Row]:
    """The storage segments under ``ref``: itself, or its partitions / subpartitions."""
    table_row(conn, ref.owner, ref.table)
    if ref.partition:
        row = segment_row(conn, ref)
        if not row["has_subpartitions"]:
            return [row]
        return conn.execute(
            "SELECT * FROM sim_segments WHERE owner = ? AND table_name = ? AND partition_name = ?"
            " AND subpartition_name <> '' ORDER BY position",
            (ref.owner, ref.table, ref.partition),
        ).fetchall()
    return conn.execute(
        "SELECT * FROM sim_segments WHERE owner = ? AND table_name = ? AND has_subpartitions = 0",
        (ref.owner, ref.table),
    ).fetchall()


def tablespace_row(conn: sqlite3.Connection, name: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM sim_tablespaces WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise ora.tablespace_not_found(name)
    return row

"""Read-only queries on the simulated dictionary (the ALL_* views of the simulation)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import (
    AccessStats,
    CompressionType,
    DmlStats,
    IndexDefinition,
    IndexInfo,
    KeyConstraint,
    ObjectRef,
    SegmentInfo,
    TableInfo,
    TablespaceInfo,
    UnknownCompression,
)
from hcc_operators.warehouse.embedded import lookup, records
from hcc_operators.warehouse.embedded.sizing import blocks


def _owners(owners: Sequence[str]) -> list[str]:
    if isinstance(owners, str):
        raise ConfigError(
            f"owners must be a list of schema names, got the string {owners!r}", field="owners"
        )
    return [str(o) for o in owners]


def _in(values: Sequence) -> str:
    return ", ".join("?" * len(values))


# A table the product may manage: not temporary, not nested, not Oracle-maintained.
_MANAGED = (
    "t.temporary = 0 AND t.nested = 0 AND t.owner IN"
    " (SELECT owner FROM sim_schemas WHERE oracle_maintained = 0)"
)


def list_schemas(conn: sqlite3.Connection, include_oracle_maintained: bool) -> list[str]:
    sql = (
        "SELECT DISTINCT s.owner FROM sim_schemas s JOIN sim_tables t ON t.owner = s.owner"
        " WHERE t.temporary = 0 AND t.nested = 0"
    )
    if not include_oracle_maintained:
        sql += " AND s.oracle_maintained = 0"
    return [r[0] for r in conn.execute(sql + " ORDER BY s.owner")]


def list_tables(conn: sqlite3.Connection, owners: Sequence[str]) -> list[TableInfo]:
    names = _owners(owners)
    if not names:
        return []
    rows = conn.execute(
        f"SELECT t.*, (SELECT sum(num_rows) FROM sim_segments s WHERE s.owner = t.owner"
        f" AND s.table_name = t.table_name AND s.has_subpartitions = 0) AS total_rows"
        f" FROM sim_tables t WHERE t.owner IN ({_in(names)}) AND {_MANAGED}"
        f" ORDER BY t.owner, t.table_name",
        names,
    ).fetchall()
    return [records.table_info(r, r["total_rows"]) for r in rows]


def _segment_rows(
    conn: sqlite3.Connection,
    owners: Sequence[str],
    tables: Sequence[ObjectRef] | None,
    columns: str = "s.*",
) -> list[sqlite3.Row]:
    names = _owners(owners)
    if not names or (tables is not None and not tables):
        return []
    sql = (
        f"SELECT {columns}, t.read_only AS table_read_only,"
        " t.subpartitioning_type AS table_subpartitioning_type FROM sim_segments s"
        " JOIN sim_tables t ON t.owner = s.owner AND t.table_name = s.table_name"
        " LEFT JOIN sim_segments p ON s.subpartition_name <> '' AND p.owner = s.owner"
        " AND p.table_name = s.table_name AND p.partition_name = s.partition_name"
        " AND p.subpartition_name = ''"
        f" WHERE s.owner IN ({_in(names)}) AND {_MANAGED}"
    )
    params: list = list(names)
    if tables is not None:
        sql += f" AND (s.owner, s.table_name) IN (VALUES {', '.join(['(?, ?)'] * len(tables))})"
        for ref in tables:
            params += [ref.owner, ref.table]
    sql += (
        " ORDER BY s.owner, s.table_name, coalesce(p.position, s.position),"
        " s.subpartition_name <> '', s.position"
    )
    return conn.execute(sql, params).fetchall()


def list_segments(
    conn: sqlite3.Connection,
    owners: Sequence[str],
    tables: Sequence[ObjectRef] | None,
    unreadable: dict[ObjectRef, str] | None = None,
) -> list[SegmentInfo]:
    """The segments; a row whose compression value is unknown is left out and recorded in
    ``unreadable`` (as the Oracle backend does), never aborting the read."""
    found = []
    for r in _segment_rows(conn, owners, tables):
        try:
            found.append(
                records.segment_info(
                    r,
                    table_read_only=bool(r["table_read_only"]),
                    subpartitioning_type=r["table_subpartitioning_type"],
                )
            )
        except UnknownCompression as err:
            if unreadable is not None:
                unreadable[records.ref_of(r)] = (
                    f"COMPRESS_FOR {err.raw!r} is not a value this package knows"
                )
    return found


def segment(conn: sqlite3.Connection, ref: ObjectRef) -> SegmentInfo | None:
    table = conn.execute(
        "SELECT * FROM sim_tables WHERE owner = ? AND table_name = ?", (ref.owner, ref.table)
    ).fetchone()
    if table is None:
        return None
    row = lookup.find_segment(conn, ref)
    if row is not None:
        return records.segment_info(
            row,
            table_read_only=bool(table["read_only"]),
            subpartitioning_type=table["subpartitioning_type"],
        )
    if ref.partition or not table["partitioned"]:
        return None
    # A partitioned table has no segment of its own; report the sum of its partitions.
    total = conn.execute(
        "SELECT coalesce(sum(bytes), 0), coalesce(sum(num_rows), 0) FROM sim_segments"
        " WHERE owner = ? AND table_name = ? AND has_subpartitions = 0",
        (ref.owner, ref.table),
    ).fetchone()
    return SegmentInfo(
        ref=ObjectRef(ref.owner, ref.table),
        tablespace=table["tablespace"],
        compression=CompressionType.parse(table["compression"]),
        bytes=total[0],
        blocks=blocks(total[0]),
        num_rows=total[1],
        read_only=bool(table["read_only"]),
        last_analyzed=records.when(table["last_analyzed"]),
    )


def row_count(conn: sqlite3.Connection, ref: ObjectRef) -> int:
    table = lookup.table_row(conn, ref.owner, ref.table)
    if table["temporary"]:
        return 0  # another session's rows of a temporary table are invisible
    return sum(r["num_rows"] for r in lookup.leaf_rows(conn, ref))


def dml_stats(conn: sqlite3.Connection, owners: Sequence[str]) -> dict[ObjectRef, DmlStats]:
    """Per modified segment, plus one table-level row per partitioned table (as
    ALL_TAB_MODIFICATIONS has): the sum over its partitions."""
    result: dict[ObjectRef, DmlStats] = {}
    totals: dict[ObjectRef, list] = {}
    for row in _segment_rows(conn, owners, None):
        if not (row["inserts"] or row["updates"] or row["deletes"] or row["truncated"]):
            continue
        ref = records.ref_of(row)
        result[ref] = records.dml_stats(row)
        if ref.partition and not ref.subpartition:
            total = totals.setdefault(ObjectRef(ref.owner, ref.table), [0, 0, 0, False, None])
            total[0] += row["inserts"]
            total[1] += row["updates"]
            total[2] += row["deletes"]
            total[3] = total[3] or bool(row["truncated"])
            stamp = records.when(row["dml_timestamp"])
            if stamp and (total[4] is None or stamp > total[4]):
                total[4] = stamp
    for ref, (ins, upd, dele, trunc, stamp) in totals.items():
        result[ref] = DmlStats(ins, upd, dele, trunc, stamp)
    return result


def access_stats(
    conn: sqlite3.Connection, owners: Sequence[str], source: str
) -> dict[ObjectRef, AccessStats]:
    return {
        records.ref_of(r): records.access_stats(r, source)
        for r in _segment_rows(conn, owners, None)
    }


def tablespaces(conn: sqlite3.Connection) -> dict[str, TablespaceInfo]:
    return {
        r["name"]: records.tablespace_info(r)
        for r in conn.execute("SELECT * FROM sim_tablespaces ORDER BY name")
    }


def indexes(conn: sqlite3.Connection, owner: str, table: str) -> list[IndexInfo]:
    lookup.table_row(conn, owner, table)
    # As the Oracle backend reads them: a composite index by its subpartitions (IDX-10).
    rows = conn.execute(
        "SELECT i.owner, i.index_name, i.table_owner, i.table_name, i.locality,"
        " coalesce(ip.status, i.status) AS status, ip.partition_name, ip.subpartition_name"
        " FROM sim_indexes i"
        " LEFT JOIN sim_index_partitions ip ON ip.owner = i.owner"
        "  AND ip.index_name = i.index_name"
        " LEFT JOIN sim_segments s ON s.owner = i.table_owner AND s.table_name = i.table_name"
        "  AND s.partition_name = ip.partition_name AND s.subpartition_name = ''"
        " LEFT JOIN sim_segments ss ON ss.owner = i.table_owner"
        "  AND ss.table_name = i.table_name AND ss.partition_name = ip.partition_name"
        "  AND ss.subpartition_name = ip.subpartition_name AND ip.subpartition_name <> ''"
        " WHERE i.table_owner = ? AND i.table_name = ?"
        " ORDER BY i.locality, i.index_name, s.position, ss.position",
        (owner, table),
    ).fetchall()
    return [
        records.index_info(r)
        for r in rows
        if r["locality"] == "GLOBAL" or r["partition_name"] is not None
    ]


def index_definitions(conn: sqlite3.Connection, owner: str, table: str) -> list[IndexDefinition]:
    lookup.table_row(conn, owner, table)
    return [
        IndexDefinition(
            owner=r["owner"],
            name=r["index_name"],
            locality=r["locality"],
            unique=r["uniqueness"] == "UNIQUE",
            columns=tuple(c for c in r["columns"].split(",") if c),
        )
        for r in conn.execute(
            "SELECT * FROM sim_indexes WHERE table_owner = ? AND table_name = ?"
            " ORDER BY owner, index_name",
            (owner, table),
        )
    ]


def key_constraints(conn: sqlite3.Connection, owner: str, table: str) -> list[KeyConstraint]:
    lookup.table_row(conn, owner, table)
    return [
        KeyConstraint(
            owner=r["owner"],
            name=r["constraint_name"],
            kind=r["constraint_type"],
            columns=tuple(r["columns"].split(",")),
            index_name=r["index_name"],
        )
        for r in conn.execute(
            "SELECT * FROM sim_constraints WHERE owner = ? AND table_name = ?"
            " AND status = 'ENABLED' ORDER BY constraint_name",
            (owner, table),
        )
    ]

"""Index status changes that partition maintenance causes, as Oracle applies them.

Without UPDATE INDEXES, a rewritten partition's local index partition becomes UNUSABLE (its
rowids changed) and every global index of the table becomes UNUSABLE (it points at rowids of
the old segment). With UPDATE INDEXES Oracle maintains them and they stay usable.

A local index of a composite-partitioned table keeps its status per index subpartition
(``sim_index_partitions.subpartition_name``, IDX-10): a subpartition's rewrite or rebuild
changes its own index subpartition, an operation on the whole partition all of them.
"""

from __future__ import annotations

import sqlite3


def global_indexes(conn: sqlite3.Connection, owner: str, table: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM sim_indexes WHERE table_owner = ? AND table_name = ?"
        " AND locality = 'GLOBAL'",
        (owner, table),
    ).fetchall()


def local_indexes(conn: sqlite3.Connection, owner: str, table: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM sim_indexes WHERE table_owner = ? AND table_name = ? AND locality = 'LOCAL'",
        (owner, table),
    ).fetchall()


def invalidate_global(conn: sqlite3.Connection, owner: str, table: str) -> None:
    conn.execute(
        "UPDATE sim_indexes SET status = 'UNUSABLE' WHERE table_owner = ? AND table_name = ?"
        " AND locality = 'GLOBAL'",
        (owner, table),
    )


def _where(partition: str | None, subpartition: str | None, alias: str = "") -> tuple[str, tuple]:
    """The index pieces of ``partition`` (all its subpartitions' too), or of one subpartition."""
    sql, params = "", ()
    if partition:
        sql, params = f" AND {alias}partition_name = ?", (partition,)
    if subpartition:
        sql, params = sql + f" AND {alias}subpartition_name = ?", (*params, subpartition)
    return sql, params


def set_local(
    conn: sqlite3.Connection,
    owner: str,
    table: str,
    partition: str,
    status: str,
    subpartition: str | None = None,
) -> None:
    where, params = _where(partition, subpartition)
    for index in local_indexes(conn, owner, table):
        conn.execute(
            "UPDATE sim_index_partitions SET status = ? WHERE owner = ? AND index_name = ?" + where,
            (status, index["owner"], index["index_name"], *params),
        )


def drop_local(conn: sqlite3.Connection, owner: str, table: str, partition: str) -> None:
    for index in local_indexes(conn, owner, table):
        conn.execute(
            "DELETE FROM sim_index_partitions WHERE owner = ? AND index_name = ?"
            " AND partition_name = ?",
            (index["owner"], index["index_name"], partition),
        )


def add_local(
    conn: sqlite3.Connection, owner: str, table: str, partition: str, status: str
) -> None:
    """The local index pieces of a partition that now exists: one per index, or for a
    composite partition one per subpartition (read from the partition's segments)."""
    subs = [
        r[0]
        for r in conn.execute(
            "SELECT subpartition_name FROM sim_segments WHERE owner = ? AND table_name = ?"
            " AND partition_name = ? AND subpartition_name <> '' ORDER BY position",
            (owner, table, partition),
        )
    ] or [""]
    for index in local_indexes(conn, owner, table):
        conn.executemany(
            "INSERT OR REPLACE INTO sim_index_partitions (owner, index_name, partition_name,"
            " subpartition_name, status) VALUES (?, ?, ?, ?, ?)",
            [(index["owner"], index["index_name"], partition, sub, status) for sub in subs],
        )


def after_rewrite(
    conn: sqlite3.Connection,
    owner: str,
    table: str,
    partition: str | None,
    *,
    update_indexes: bool,
    subpartition: str | None = None,
) -> None:
    """MOVE-06: the matching local index partition (subpartition, for a subpartition's
    rewrite, IDX-11) and every global index become UNUSABLE without UPDATE INDEXES."""
    if update_indexes:
        return
    if partition:
        set_local(conn, owner, table, partition, "UNUSABLE", subpartition)
    invalidate_global(conn, owner, table)


def unusable_count(
    conn: sqlite3.Connection,
    owner: str,
    table: str,
    partition: str | None,
    subpartition: str | None = None,
) -> tuple[int, int]:
    """(unusable local index pieces of ``partition`` (or of one subpartition, or of the
    table), unusable globals)."""
    where, params = _where(partition, subpartition, "ip.")
    local = conn.execute(
        "SELECT count(*) FROM sim_index_partitions ip JOIN sim_indexes i"
        " ON i.owner = ip.owner AND i.index_name = ip.index_name"
        " WHERE i.table_owner = ? AND i.table_name = ? AND ip.status = 'UNUSABLE'" + where,
        (owner, table, *params),
    ).fetchone()[0]
    globals_ = conn.execute(
        "SELECT count(*) FROM sim_indexes WHERE table_owner = ? AND table_name = ?"
        " AND locality = 'GLOBAL' AND status = 'UNUSABLE'",
        (owner, table),
    ).fetchone()[0]
    return local, globals_


def rebuild(conn: sqlite3.Connection, owner: str, table: str, partition: str | None) -> None:
    """Make usable what REBUILD of the object's indexes repairs: its local partitions and the
    table's global indexes (the whole table's local partitions when ``partition`` is None)."""
    where, params = _where(partition, None)
    for index in local_indexes(conn, owner, table):
        conn.execute(
            "UPDATE sim_index_partitions SET status = 'USABLE' WHERE owner = ? AND index_name = ?"
            + where,
            (index["owner"], index["index_name"], *params),
        )
    conn.execute(
        "UPDATE sim_indexes SET status = 'VALID' WHERE table_owner = ? AND table_name = ?"
        " AND locality = 'GLOBAL'",
        (owner, table),
    )


def rebuild_local(
    conn: sqlite3.Connection,
    owner: str,
    table: str,
    partition: str | None,
    subpartition: str | None = None,
) -> None:
    """REBUILD UNUSABLE LOCAL INDEXES (IDX-03): the unusable local index pieces of
    ``partition`` (or of one subpartition) become usable; global indexes are not touched."""
    where, params = _where(partition, subpartition)
    for index in local_indexes(conn, owner, table):
        conn.execute(
            "UPDATE sim_index_partitions SET status = 'USABLE' WHERE owner = ? AND index_name = ?"
            " AND status = 'UNUSABLE'" + where,
            (index["owner"], index["index_name"], *params),
        )


def index_row(conn: sqlite3.Connection, owner: str, name: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM sim_indexes WHERE owner = ? AND index_name = ?", (owner, name)
    ).fetchone()


def pieces(
    conn: sqlite3.Connection,
    owner: str,
    name: str,
    partition: str | None = None,
    subpartition: str | None = None,
) -> list[sqlite3.Row]:
    """The index's partitions or subpartitions named (all when neither is given)."""
    where, params = _where(partition, subpartition)
    return conn.execute(
        "SELECT * FROM sim_index_partitions WHERE owner = ? AND index_name = ?" + where,
        (owner, name, *params),
    ).fetchall()


def rebuild_pieces(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> None:
    """ALTER INDEX ... REBUILD PARTITION | SUBPARTITION: unconditionally usable again."""
    conn.executemany(
        "UPDATE sim_index_partitions SET status = 'USABLE' WHERE owner = ? AND index_name = ?"
        " AND partition_name = ? AND subpartition_name = ?",
        [(r["owner"], r["index_name"], r["partition_name"], r["subpartition_name"]) for r in rows],
    )

"""Index status changes that partition maintenance causes, as Oracle applies them.

Without UPDATE INDEXES, a rewritten partition's local index partition becomes UNUSABLE (its
rowids changed) and every global index of the table becomes UNUSABLE (it points at rowids of
the old segment). With UPDATE INDEXES Oracle maintains them and they stay usable.
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


def set_local(
    conn: sqlite3.Connection, owner: str, table: str, partition: str, status: str
) -> None:
    for index in local_indexes(conn, owner, table):
        conn.execute(
            "UPDATE sim_index_partitions SET status = ? WHERE owner = ? AND index_name = ?"
            " AND partition_name = ?",
            (status, index["owner"], index["index_name"], partition),
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
    for index in local_indexes(conn, owner, table):
        conn.execute(
            "INSERT OR REPLACE INTO sim_index_partitions VALUES (?, ?, ?, ?)",
            (index["owner"], index["index_name"], partition, status),
        )


def after_rewrite(
    conn: sqlite3.Connection, owner: str, table: str, partition: str | None, *, update_indexes: bool
) -> None:
    if update_indexes:
        return
    if partition:
        set_local(conn, owner, table, partition, "UNUSABLE")
    invalidate_global(conn, owner, table)


def unusable_count(
    conn: sqlite3.Connection, owner: str, table: str, partition: str | None
) -> tuple[int, int]:
    """(unusable local index partitions of ``partition`` or of the table, unusable globals)."""
    params: tuple = (owner, table)
    local_sql = (
        "SELECT count(*) FROM sim_index_partitions ip JOIN sim_indexes i"
        " ON i.owner = ip.owner AND i.index_name = ip.index_name"
        " WHERE i.table_owner = ? AND i.table_name = ? AND ip.status = 'UNUSABLE'"
    )
    if partition:
        local_sql += " AND ip.partition_name = ?"
        params = (owner, table, partition)
    local = conn.execute(local_sql, params).fetchone()[0]
    globals_ = conn.execute(
        "SELECT count(*) FROM sim_indexes WHERE table_owner = ? AND table_name = ?"
        " AND locality = 'GLOBAL' AND status = 'UNUSABLE'",
        (owner, table),
    ).fetchone()[0]
    return local, globals_


def rebuild(conn: sqlite3.Connection, owner: str, table: str, partition: str | None) -> None:
    """Make usable what REBUILD of the object's indexes repairs: its local partitions and the
    table's global indexes (the whole table's local partitions when ``partition`` is None)."""
    for index in local_indexes(conn, owner, table):
        sql = "UPDATE sim_index_partitions SET status = 'USABLE' WHERE owner = ? AND index_name = ?"
        params: tuple = (index["owner"], index["index_name"])
        if partition:
            sql += " AND partition_name = ?"
            params += (partition,)
        conn.execute(sql, params)
    conn.execute(
        "UPDATE sim_indexes SET status = 'VALID' WHERE table_owner = ? AND table_name = ?"
        " AND locality = 'GLOBAL'",
        (owner, table),
    )


def rebuild_local(conn: sqlite3.Connection, owner: str, table: str, partition: str | None) -> None:
    """REBUILD UNUSABLE LOCAL INDEXES (IDX-03): the unusable local index partitions of
    ``partition`` become usable; global indexes are not touched."""
    for index in local_indexes(conn, owner, table):
        sql = (
            "UPDATE sim_index_partitions SET status = 'USABLE' WHERE owner = ? AND index_name = ?"
            " AND status = 'UNUSABLE'"
        )
        params: tuple = (index["owner"], index["index_name"])
        if partition:
            sql += " AND partition_name = ?"
            params += (partition,)
        conn.execute(sql, params)

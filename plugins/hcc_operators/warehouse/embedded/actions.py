"""What each DDL statement does to the simulated dictionary, and what Oracle refuses.

apply() renders an Action with core.ddl, parses every statement (ddl_parser) and runs the
handler of the statement's form here, each in its own transaction as Oracle commits each DDL.
The handlers check what the statement *says* against the rule book (docs/oracle-rules.md,
rows cited by ID), in the order Oracle makes the checks: the object must exist, then the
statement must be legal for it, then space must suffice. A handler either changes every
affected row (segments, tablespace usage, index status) or raises before changing anything.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from hcc_operators.core.errors import Transience, WarehouseError
from hcc_operators.core.models import ActionKind, CompressionType, ObjectRef
from hcc_operators.warehouse.embedded import account, durations, indexes, lookup, sizing
from hcc_operators.warehouse.embedded import ddl_parser as p
from hcc_operators.warehouse.embedded import oracle_errors as ora

#: (segment row, table profile, target type) -> ratio measured for that segment
RatioFn = Callable[[sqlite3.Row, str, CompressionType], float]


@dataclass(frozen=True)
class Context:
    conn: sqlite3.Connection
    version: tuple[int, ...]
    ratio: RatioFn
    now: datetime


def _now_text(ctx: Context) -> str:
    return ctx.now.isoformat(sep=" ", timespec="seconds")


def _resolve(ctx: Context, table: ObjectRef, target: p.Segment) -> ObjectRef:
    """The full ref of a statement's target (a subpartition's partition is looked up)."""
    if target.kind == "SUBPARTITION":
        row = ctx.conn.execute(
            "SELECT partition_name FROM sim_segments WHERE owner = ? AND table_name = ?"
            " AND subpartition_name = ?",
            (table.owner, table.table, target.name),
        ).fetchone()
        if row is None:
            raise ora.subpartition_not_found(ObjectRef(table.owner, table.table, "?", target.name))
        return ObjectRef(table.owner, table.table, row["partition_name"], target.name)
    if target.kind == "PARTITION":
        return ObjectRef(table.owner, table.table, target.name)
    return table


def _usable_table(ctx: Context, ref: ObjectRef) -> sqlite3.Row:
    table = lookup.table_row(ctx.conn, ref.owner, ref.table)
    if table["temporary"]:
        raise WarehouseError(  # OBJ-06 (unverified)
            f"unsupported feature with temporary table: {ref.label}", code="ORA-14451"
        )
    if table["nested"]:
        raise WarehouseError(  # OBJ-07
            f"cannot reference nested table column's storage table: {ref.label}",
            code="ORA-22812",
        )
    return table


def _add_used(conn: sqlite3.Connection, tablespace: str | None, delta: int) -> None:
    if tablespace and delta:
        conn.execute(
            "UPDATE sim_tablespaces SET used_bytes = max(used_bytes + ?, 0) WHERE name = ?",
            (delta, tablespace),
        )


def _check_target(
    conn: sqlite3.Connection, name: str, ctype: CompressionType, ref: ObjectRef, needed: int
) -> None:
    ts = lookup.tablespace_row(conn, name)  # SPACE-09
    if ts["read_only"]:
        raise ora.tablespace_read_only(name)  # MOVE-13
    if ctype.is_hcc and not ts["hcc_supported"]:
        raise ora.hcc_not_supported(name)  # HCC-01
    if ts["total_bytes"] - ts["used_bytes"] < needed:
        raise ora.unable_to_extend(ref, needed, name)  # SPACE-01..03


def _rewritten_bytes(
    ctx: Context, table: sqlite3.Row, seg: sqlite3.Row, ctype: CompressionType
) -> int:
    is_partition = bool(seg["partition_name"])
    if not seg["num_rows"]:
        return sizing.initial_extent(is_partition) if seg["bytes"] else 0
    ratio = ctx.ratio(seg, table["profile"], ctype)
    return sizing.segment_bytes(seg["uncompressed_bytes"], ratio, is_partition=is_partition)


def refresh_parent(conn: sqlite3.Connection, owner: str, table: str, partition: str) -> None:
    """A composite partition's size and rows are the sums of its subpartitions."""
    conn.execute(
        "UPDATE sim_segments SET"
        " bytes = (SELECT coalesce(sum(bytes), 0) FROM sim_segments s WHERE s.owner = ?"
        "   AND s.table_name = ? AND s.partition_name = ? AND s.subpartition_name <> ''),"
        " uncompressed_bytes = (SELECT coalesce(sum(uncompressed_bytes), 0) FROM sim_segments s"
        "   WHERE s.owner = ? AND s.table_name = ? AND s.partition_name = ?"
        "   AND s.subpartition_name <> ''),"
        " num_rows = (SELECT coalesce(sum(num_rows), 0) FROM sim_segments s WHERE s.owner = ?"
        "   AND s.table_name = ? AND s.partition_name = ? AND s.subpartition_name <> '')"
        " WHERE owner = ? AND table_name = ? AND partition_name = ? AND subpartition_name = ''",
        (owner, table, partition) * 4,
    )


def _renumber(conn: sqlite3.Connection, owner: str, table: str) -> None:
    rows = conn.execute(
        "SELECT seg_id FROM sim_segments WHERE owner = ? AND table_name = ?"
        " AND subpartition_name = '' AND partition_name <> '' ORDER BY bound_key",
        (owner, table),
    ).fetchall()
    conn.executemany(
        "UPDATE sim_segments SET position = ? WHERE seg_id = ?",
        [(i, r["seg_id"]) for i, r in enumerate(rows, start=1)],
    )


def _global_count(ctx: Context, ref: ObjectRef) -> int:
    return len(indexes.global_indexes(ctx.conn, ref.owner, ref.table))


def _partitions(conn: sqlite3.Connection, owner: str, table: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM sim_segments WHERE owner = ? AND table_name = ?"
        " AND subpartition_name = '' AND partition_name <> '' ORDER BY position",
        (owner, table),
    ).fetchall()


# --- MOVE: ALTER TABLE t MOVE [PARTITION p | SUBPARTITION s] ... ---------------------------


def move(ctx: Context, st: p.MoveStmt) -> float:
    ref = _resolve(ctx, st.table, st.target)
    conn = ctx.conn
    table = _usable_table(ctx, ref)
    if st.target.kind is None and table["partitioned"]:
        raise ora.partitioned_object(ref)  # OBJ-05
    seg = lookup.segment_row(conn, ref)
    if seg["has_subpartitions"]:
        raise ora.composite_partition_move(ref)  # COMPOSITE-01
    if st.storage.pctfree is not None and st.target.kind == "SUBPARTITION":
        raise p.Syntax("PCTFREE on a subpartition move", code="ORA-14160")  # SYNTAX-04
    target = st.storage.compression or CompressionType.parse(seg["compression"])
    tablespace = st.storage.tablespace or seg["tablespace"]
    new_bytes = _rewritten_bytes(ctx, table, seg, target)
    # The new segment is built before the old one is dropped, even in the same tablespace.
    _check_target(conn, tablespace, target, ref, new_bytes)
    _add_used(conn, seg["tablespace"], -seg["bytes"])
    _add_used(conn, tablespace, new_bytes)
    conn.execute(
        "UPDATE sim_segments SET tablespace = ?, compression = ?, bytes = ?,"
        " decayed_fraction = 0, last_analyzed = NULL WHERE seg_id = ?",
        (tablespace, target.value, new_bytes, seg["seg_id"]),
    )
    if ref.subpartition:
        refresh_parent(conn, ref.owner, ref.table, ref.partition or "")
    # IDX-06/MOVE-06: only non-empty index partitions are marked unusable, a subpartition's
    # own index subpartition (IDX-11) (MOVE-09 statistics of the moved segment are invalid:
    # LAST_ANALYZED cleared above).
    if seg["num_rows"]:
        indexes.after_rewrite(
            conn,
            ref.owner,
            ref.table,
            ref.partition,
            update_indexes=st.maintenance.update_indexes,
            subpartition=ref.subpartition,
        )
    return durations.rewrite_s(
        seg["uncompressed_bytes"],
        target,
        online=st.maintenance.online,
        update_indexes=st.maintenance.update_indexes,
        global_indexes=_global_count(ctx, ref),
        parallel=st.maintenance.parallel,
    )


def modify_defaults(ctx: Context, st: p.ModifyDefaultsStmt) -> float:
    """COMPOSITE-04: new defaults for subpartitions created later; nothing moves. The
    dictionary shows a composite partition's defaults as its storage (COMPOSITE-08)."""
    conn = ctx.conn
    table = _usable_table(ctx, st.table)
    if st.partition is None:
        if st.storage.tablespace:
            lookup.tablespace_row(conn, st.storage.tablespace)
        conn.execute(
            "UPDATE sim_tables SET tablespace = coalesce(?, tablespace),"
            " compression = coalesce(?, compression) WHERE owner = ? AND table_name = ?",
            (
                st.storage.tablespace,
                st.storage.compression.value if st.storage.compression else None,
                st.table.owner,
                st.table.table,
            ),
        )
        return durations.metadata_only_s(ActionKind.READ_ONLY)
    ref = ObjectRef(st.table.owner, st.table.table, st.partition)
    seg = lookup.segment_row(conn, ref)
    if table["subpartitioning_type"] == "HASH" and (
        st.storage.compression is not None or st.storage.pctfree is not None
    ):
        raise ora.hash_subpartition_defaults(ref)  # COMPOSITE-05 (code unverified)
    if st.storage.tablespace:
        lookup.tablespace_row(conn, st.storage.tablespace)
    if seg["has_subpartitions"]:
        conn.execute(
            "UPDATE sim_segments SET tablespace = coalesce(?, tablespace),"
            " compression = coalesce(?, compression) WHERE seg_id = ?",
            (
                st.storage.tablespace,
                st.storage.compression.value if st.storage.compression else None,
                seg["seg_id"],
            ),
        )
    return durations.metadata_only_s(ActionKind.READ_ONLY)


# --- READ ONLY ------------------------------------------------------------------------------


def read_only(ctx: Context, st: p.ReadOnlyStmt) -> float:
    conn = ctx.conn
    ref = _resolve(ctx, st.table, st.target)
    table = _usable_table(ctx, ref)
    if st.target.kind is None:
        if table["read_only"]:
            raise ora.already_read_only(ref.owner, ref.table)  # RO-04
        conn.execute(
            "UPDATE sim_tables SET read_only = 1 WHERE owner = ? AND table_name = ?",
            (ref.owner, ref.table),
        )
        conn.execute(
            "UPDATE sim_segments SET read_only = 1 WHERE owner = ? AND table_name = ?",
            (ref.owner, ref.table),
        )
        return durations.metadata_only_s(ActionKind.READ_ONLY)
    seg = lookup.segment_row(conn, ref)
    conn.execute("UPDATE sim_segments SET read_only = 1 WHERE seg_id = ?", (seg["seg_id"],))
    if seg["has_subpartitions"]:
        conn.execute(
            "UPDATE sim_segments SET read_only = 1 WHERE owner = ? AND table_name = ?"
            " AND partition_name = ?",
            (ref.owner, ref.table, ref.partition),
        )
    return durations.metadata_only_s(ActionKind.READ_ONLY)


# --- TRUNCATE -------------------------------------------------------------------------------


def _check_writable(table: sqlite3.Row, leaves: list[sqlite3.Row], ref: ObjectRef) -> None:
    if table["read_only"]:
        raise ora.read_only_table(ref.owner, ref.table)  # RO-06 (unverified code)
    for leaf in leaves:
        if leaf["read_only"]:
            raise ora.read_only_partition(ref)  # RO-01, RO-05 (unverified which DDL)


def truncate(ctx: Context, st: p.TruncateStmt) -> float:
    ref = _resolve(ctx, st.table, st.target)
    conn = ctx.conn
    table = _usable_table(ctx, ref)
    leaves = lookup.leaf_rows(conn, ref)
    parent = [lookup.segment_row(conn, ref)] if ref.partition and not ref.subpartition else []
    _check_writable(table, [*parent, *leaves], ref)
    had_rows = any(leaf["num_rows"] for leaf in leaves)
    for leaf in leaves:
        kept = sizing.initial_extent(bool(leaf["partition_name"])) if leaf["bytes"] else 0
        _add_used(conn, leaf["tablespace"], kept - leaf["bytes"])
        conn.execute(
            "UPDATE sim_segments SET bytes = ?, uncompressed_bytes = 0, num_rows = 0,"
            " decayed_fraction = 0, truncated = 1, dml_timestamp = ?, last_modification = ?"
            " WHERE seg_id = ?",
            (kept, _now_text(ctx), _now_text(ctx), leaf["seg_id"]),
        )
    for partition in {leaf["partition_name"] for leaf in leaves if leaf["subpartition_name"]}:
        refresh_parent(conn, ref.owner, ref.table, partition)
        conn.execute(
            "UPDATE sim_segments SET truncated = 1, dml_timestamp = ? WHERE owner = ?"
            " AND table_name = ? AND partition_name = ? AND subpartition_name = ''",
            (_now_text(ctx), ref.owner, ref.table, partition),
        )
    # IDX-06: without UPDATE [GLOBAL] INDEXES, non-empty global indexes become unusable.
    if had_rows and not st.maintenance.update_indexes:
        indexes.invalidate_global(conn, ref.owner, ref.table)
    updated = _global_count(ctx, ref) if st.maintenance.update_indexes else 0
    return durations.metadata_only_s(ActionKind.TRUNCATE, global_indexes_updated=updated)


# --- DROP -----------------------------------------------------------------------------------


def drop(ctx: Context, st: p.DropStmt) -> float:
    ref = _resolve(ctx, st.table, st.target)
    conn = ctx.conn
    table = _usable_table(ctx, ref)
    seg = lookup.segment_row(conn, ref)
    leaves = lookup.leaf_rows(conn, ref)
    _check_writable(table, [seg, *leaves], ref)
    if ref.subpartition:
        siblings = conn.execute(
            "SELECT count(*) FROM sim_segments WHERE owner = ? AND table_name = ?"
            " AND partition_name = ? AND subpartition_name <> ''",
            (ref.owner, ref.table, ref.partition),
        ).fetchone()[0]
        if siblings <= 1:
            raise ora.only_subpartition(ref)  # DROP-03 (unverified)
    else:
        partitions = _partitions(conn, ref.owner, ref.table)
        if len(partitions) <= 1:
            raise ora.only_partition(ref)  # DROP-01
        if (
            table["interval_expr"]
            and not seg["is_interval"]
            and not any(
                not q["is_interval"] and q["position"] > seg["position"] for q in partitions
            )
        ):
            raise ora.last_range_partition(ref)  # DROP-02
    had_rows = any(leaf["num_rows"] for leaf in leaves)
    for leaf in leaves:
        _add_used(conn, leaf["tablespace"], -leaf["bytes"])
    if ref.subpartition:
        conn.execute("DELETE FROM sim_segments WHERE seg_id = ?", (seg["seg_id"],))
        refresh_parent(conn, ref.owner, ref.table, ref.partition or "")
    else:
        conn.execute(
            "DELETE FROM sim_segments WHERE owner = ? AND table_name = ? AND partition_name = ?",
            (ref.owner, ref.table, ref.partition),
        )
        indexes.drop_local(conn, ref.owner, ref.table, ref.partition or "")
        _renumber(conn, ref.owner, ref.table)
    if had_rows and not st.maintenance.update_indexes:
        indexes.invalidate_global(conn, ref.owner, ref.table)  # IDX-06
    updated = _global_count(ctx, ref) if st.maintenance.update_indexes and had_rows else 0
    return durations.metadata_only_s(ActionKind.DROP, global_indexes_updated=updated)


# --- MERGE PARTITIONS p1, ..., pn INTO PARTITION r -------------------------------------------


def _merged_values(
    ctx: Context, table: sqlite3.Row, parts: list[sqlite3.Row], target: CompressionType
) -> dict:
    """Size of the merged segment: each source's rows compressed at its own measured ratio."""
    rows = sum(q["num_rows"] for q in parts)
    raw = sum(
        q["uncompressed_bytes"] / ctx.ratio(q, table["profile"], target)
        for q in parts
        if q["num_rows"]
    )
    new_bytes = sizing.segment_bytes(int(raw), 1.0, is_partition=True) if rows else 0
    starts = [q["data_from"] for q in parts if q["num_rows"] and q["data_from"]]
    ends = [q["data_to"] for q in parts if q["num_rows"] and q["data_to"]]
    seed = zlib.crc32(",".join(str(q["data_seed"]) for q in parts).encode()) & 0x7FFFFFFF
    return {
        "bytes": new_bytes,
        "uncompressed_bytes": sum(q["uncompressed_bytes"] for q in parts),
        "num_rows": rows,
        "data_seed": seed,
        "data_from": min(starts) if starts else None,
        "data_to": max(ends) if ends else None,
        "read_only": int(any(q["read_only"] for q in parts)),  # RO-05 (unverified)
        "logical_reads": sum(q["logical_reads"] for q in parts),
        "physical_reads": sum(q["physical_reads"] for q in parts),
        "last_access": max((q["last_access"] for q in parts if q["last_access"]), default=None),
        "last_modification": max(
            (q["last_modification"] for q in parts if q["last_modification"]), default=None
        ),
    }


def _write_merged(conn: sqlite3.Connection, keep_id: int, values: dict, **extra) -> None:
    values = {
        **values,
        **extra,
        "decayed_fraction": 0,
        "inserts": 0,
        "updates": 0,
        "deletes": 0,
        "truncated": 0,
        "dml_timestamp": None,
        "last_analyzed": None,
    }
    assignments = ", ".join(f"{k} = ?" for k in values)
    conn.execute(
        f"UPDATE sim_segments SET {assignments} WHERE seg_id = ?", (*values.values(), keep_id)
    )


def merge(ctx: Context, st: p.MergeStmt) -> float:
    conn = ctx.conn
    ref = st.table
    table = _usable_table(ctx, ref)
    if not table["partitioned"]:
        raise ora.not_partitioned(ref.owner, ref.table)  # OBJ-04 (code unverified)
    if len(st.sources) > 2 and ctx.version < (12, 1):
        raise p.Syntax("more than two partitions in one MERGE before 12.1 (MERGE-06)")
    rows = [lookup.segment_row(conn, ObjectRef(ref.owner, ref.table, s)) for s in st.sources]
    positions = [r["position"] for r in rows]
    if positions != sorted(positions):
        raise ora.merge_out_of_order(ref)  # MERGE-03
    if any(b - a != 1 for a, b in zip(positions, positions[1:], strict=False)):
        gaps = zip(st.sources[1:], positions, positions[1:], strict=False)
        far = next((name for name, a, b in gaps if b - a != 1), st.sources[-1])
        raise ora.not_adjacent(ObjectRef(ref.owner, ref.table, st.sources[0]), far)  # MERGE-04
    if st.into in st.sources[:-1]:
        if st.into == st.sources[0]:
            raise ora.merge_reuses_lower(ref, st.into)  # MERGE-01
        raise ora.merge_reuses_non_highest(ref, st.into)  # MERGE-02
    result_ref = ObjectRef(ref.owner, ref.table, st.into)
    if st.into not in st.sources and lookup.find_segment(conn, result_ref) is not None:
        raise WarehouseError(  # MERGE-17
            f"resulting partition name conflicts with that of an existing partition: "
            f"{ref.label} {st.into}",
            code="ORA-14012",
        )
    # MERGE-09: what the statement does not say comes from the table's defaults.
    target = st.storage.compression or CompressionType.parse(table["compression"])
    tablespace = st.storage.tablespace or table["tablespace"]
    composite = any(r["has_subpartitions"] for r in rows)
    if composite:
        leaves = [
            leaf
            for r in rows
            for leaf in lookup.leaf_rows(conn, ObjectRef(ref.owner, ref.table, r["partition_name"]))
        ]
    else:
        leaves = rows
    values = _merged_values(ctx, table, leaves, target)
    _check_target(conn, tablespace, target, result_ref, values["bytes"])
    for leaf in leaves:
        _add_used(conn, leaf["tablespace"], -leaf["bytes"])
    _add_used(conn, tablespace, values["bytes"])
    highest = rows[-1]
    for r in rows[:-1]:
        conn.execute(
            "DELETE FROM sim_segments WHERE owner = ? AND table_name = ? AND partition_name = ?",
            (ref.owner, ref.table, r["partition_name"]),
        )
    extra = {"tablespace": tablespace, "compression": target.value, "is_interval": 0}
    if composite:
        # MERGE-10: the sources' subpartitions are not kept. Without a subpartition template
        # (the simulation keeps none) the result has one DEFAULT (list) / MAXVALUE (range)
        # subpartition holding every row.
        conn.execute(
            "DELETE FROM sim_segments WHERE owner = ? AND table_name = ? AND partition_name = ?"
            " AND subpartition_name <> ''",
            (ref.owner, ref.table, highest["partition_name"]),
        )
        sub_name = f"SYS_SUBP{zlib.crc32(f'{ref.label}:{st.into}'.encode()) % 100000}"
        conn.execute(
            "INSERT INTO sim_segments (owner, table_name, partition_name, subpartition_name,"
            " position, high_value, bound_key, tablespace, compression, data_seed)"
            " VALUES (?, ?, ?, ?, 1, 'DEFAULT', 'DEFAULT', ?, ?, ?)",
            (
                ref.owner,
                ref.table,
                st.into,
                sub_name,
                tablespace,
                target.value,
                values["data_seed"],
            ),
        )
        conn.execute(
            "UPDATE sim_segments SET partition_name = ? WHERE seg_id = ?",
            (st.into, highest["seg_id"]),
        )
        sub_id = conn.execute(
            "SELECT seg_id FROM sim_segments WHERE owner = ? AND table_name = ?"
            " AND partition_name = ? AND subpartition_name = ?",
            (ref.owner, ref.table, st.into, sub_name),
        ).fetchone()[0]
        _write_merged(conn, sub_id, values, **extra)
        refresh_parent(conn, ref.owner, ref.table, st.into)
        conn.execute(
            "UPDATE sim_segments SET tablespace = ?, compression = ?, is_interval = 0,"
            " last_analyzed = NULL WHERE seg_id = ?",
            (tablespace, target.value, highest["seg_id"]),
        )
    else:
        conn.execute(
            "UPDATE sim_segments SET partition_name = ? WHERE seg_id = ?",
            (st.into, highest["seg_id"]),
        )
        _write_merged(conn, highest["seg_id"], values, **extra)
    # MERGE-11: merging turns the partitions at and below the result into range partitions.
    conn.execute(
        "UPDATE sim_segments SET is_interval = 0 WHERE owner = ? AND table_name = ?"
        " AND bound_key <= ?",
        (ref.owner, ref.table, highest["bound_key"]),
    )
    for r in rows:
        indexes.drop_local(conn, ref.owner, ref.table, r["partition_name"])
    # MERGE-14: the result's local index partition is usable only with UPDATE INDEXES.
    indexes.add_local(
        conn,
        ref.owner,
        ref.table,
        st.into,
        "USABLE" if st.maintenance.update_indexes or not values["num_rows"] else "UNUSABLE",
    )
    if not st.maintenance.update_indexes and values["num_rows"]:
        indexes.invalidate_global(conn, ref.owner, ref.table)  # IDX-06
    _renumber(conn, ref.owner, ref.table)
    return durations.rewrite_s(
        sum(r["uncompressed_bytes"] for r in leaves),
        target,
        online=st.maintenance.online,
        update_indexes=st.maintenance.update_indexes,
        global_indexes=_global_count(ctx, ref),
        parallel=st.maintenance.parallel,
    )


def rename(ctx: Context, st: p.RenameStmt) -> float:
    """MERGE-16: a dictionary rename of the partition; its local index partitions keep
    pointing at it."""
    conn = ctx.conn
    _usable_table(ctx, st.table)
    old = lookup.segment_row(conn, ObjectRef(st.table.owner, st.table.table, st.old))
    if st.new == st.old:
        raise WarehouseError(  # MERGE-18
            f"new partition name must differ from the old partition name: {st.old}",
            code="ORA-14081",
        )
    taken = conn.execute(
        "SELECT 1 FROM sim_segments WHERE owner = ? AND table_name = ?"
        " AND (partition_name = ? OR subpartition_name = ?)",
        (st.table.owner, st.table.table, st.new, st.new),
    ).fetchone()
    if taken:
        raise WarehouseError(  # MERGE-18
            "New partition name must differ from that of any other partition or subpartition "
            f"of the object: {st.table.label} {st.new}",
            code="ORA-14082",
        )
    conn.execute(
        "UPDATE sim_segments SET partition_name = ? WHERE owner = ? AND table_name = ?"
        " AND partition_name = ?",
        (st.new, st.table.owner, st.table.table, old["partition_name"]),
    )
    conn.execute(
        "UPDATE sim_index_partitions SET partition_name = ? WHERE partition_name = ? AND"
        " (owner, index_name) IN (SELECT owner, index_name FROM sim_indexes"
        " WHERE table_owner = ? AND table_name = ? AND locality = 'LOCAL')",
        (st.new, st.old, st.table.owner, st.table.table),
    )
    return durations.metadata_only_s(ActionKind.READ_ONLY)


# --- EXCHANGE PARTITION p WITH TABLE x ------------------------------------------------------

_SWAPPED = (
    "tablespace",
    "compression",
    "bytes",
    "uncompressed_bytes",
    "num_rows",
    "data_seed",
    "data_from",
    "data_to",
    "decayed_fraction",
    "last_analyzed",
)


def _index_shapes(conn: sqlite3.Connection, owner: str, table: str, locality: str | None):
    sql = "SELECT columns, uniqueness FROM sim_indexes WHERE table_owner = ? AND table_name = ?"
    params: tuple = (owner, table)
    if locality:
        sql += " AND locality = ?"
        params += (locality,)
    return sorted((r["columns"], r["uniqueness"]) for r in conn.execute(sql, params))


def _keys(conn: sqlite3.Connection, owner: str, table: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM sim_constraints WHERE owner = ? AND table_name = ? AND status = 'ENABLED'",
        (owner, table),
    ).fetchall()


def exchange(ctx: Context, st: p.ExchangeStmt) -> float:
    conn = ctx.conn
    ref = _resolve(ctx, st.table, st.target)
    table = _usable_table(ctx, ref)
    if not table["partitioned"]:
        raise ora.not_partitioned(ref.owner, ref.table)
    seg = lookup.segment_row(conn, ref)
    if seg["has_subpartitions"]:
        raise ora.exchange_composite(ref)  # EXCHANGE-12
    other_ref = st.other
    other_table = lookup.table_row(conn, other_ref.owner, other_ref.table)
    if other_table["temporary"] or other_table["nested"] or other_table["iot"]:
        raise ora.table_cannot_exchange(other_ref)  # EXCHANGE-11
    if other_table["partitioned"]:
        raise ora.exchange_needs_plain_table(other_ref)  # EXCHANGE-10
    if other_table["profile"] != table["profile"]:
        raise ora.exchange_mismatch(ref, other_ref)  # EXCHANGE-08 (code unverified)
    mine, theirs = _keys(conn, ref.owner, ref.table), _keys(conn, other_ref.owner, other_ref.table)
    if bool(mine) != bool(theirs):
        raise ora.unique_on_one_side(ref, other_ref)  # EXCHANGE-05
    pk = sorted(k["columns"] for k in mine if k["constraint_type"] == "P")
    if pk != sorted(k["columns"] for k in theirs if k["constraint_type"] == "P"):
        raise ora.primary_key_mismatch(ref, other_ref)  # EXCHANGE-06
    if st.including_indexes:
        local = _index_shapes(conn, ref.owner, ref.table, "LOCAL")
        plain = _index_shapes(conn, other_ref.owner, other_ref.table, None)
        if local != plain:
            raise ora.index_mismatch(  # EXCHANGE-02
                ref,
                other_ref,
                f"{len(local)} local index(es) {local} against {len(plain)} {plain}",
            )
    elif mine:
        raise ora.including_indexes_required(ref)  # EXCHANGE-04
    parent = (
        [lookup.segment_row(conn, ObjectRef(ref.owner, ref.table, ref.partition))]
        if ref.subpartition
        else []
    )
    _check_writable(table, [seg, *parent], ref)
    if other_table["read_only"]:
        raise ora.read_only_table(other_ref.owner, other_ref.table)
    other = lookup.segment_row(conn, other_ref)
    assignments = ", ".join(f"{c} = ?" for c in _SWAPPED)
    conn.execute(
        f"UPDATE sim_segments SET {assignments} WHERE seg_id = ?",
        (*(other[c] for c in _SWAPPED), seg["seg_id"]),
    )
    conn.execute(
        f"UPDATE sim_segments SET {assignments} WHERE seg_id = ?",
        (*(seg[c] for c in _SWAPPED), other["seg_id"]),
    )
    if ref.subpartition:
        refresh_parent(conn, ref.owner, ref.table, ref.partition)
    if not st.including_indexes and (seg["num_rows"] or other["num_rows"]):
        # EXCHANGE-14 (unverified): the local index partition no longer matches the rows.
        indexes.set_local(conn, ref.owner, ref.table, ref.partition, "UNUSABLE", ref.subpartition)
    if not st.maintenance.update_indexes and (seg["num_rows"] or other["num_rows"]):
        indexes.invalidate_global(conn, ref.owner, ref.table)  # IDX-06
    return durations.metadata_only_s(ActionKind.EXCHANGE)


def create_for_exchange(ctx: Context, st: p.CreateForExchangeStmt) -> float:
    """EXCHANGE-15 (unverified): an empty non-partitioned table with the columns of the
    partitioned one; no indexes and no constraints are created."""
    conn = ctx.conn
    new, like = st.table, st.like
    source = lookup.table_row(conn, like.owner, like.table)
    if conn.execute("SELECT 1 FROM sim_schemas WHERE owner = ?", (new.owner,)).fetchone() is None:
        raise ora.user_not_found(new.owner)  # PRIV-10 (unverified)
    if conn.execute(
        "SELECT 1 FROM sim_tables WHERE owner = ? AND table_name = ?", (new.owner, new.table)
    ).fetchone():
        raise ora.name_in_use(new.owner, new.table)  # PRIV-11 (unverified)
    tablespace = source["tablespace"]
    if tablespace is None:
        raise WarehouseError(f"{like.label} has no default tablespace to create {new.label} in")
    conn.execute(
        "INSERT INTO sim_tables (owner, table_name, partitioned, tablespace, compression,"
        " last_analyzed, profile, key_type) VALUES (?, ?, 0, ?, ?, NULL, ?, ?)",
        (
            new.owner,
            new.table,
            tablespace,
            source["compression"],
            source["profile"],
            source["key_type"],
        ),
    )
    # Deferred segment creation: no bytes until rows arrive (here: by EXCHANGE).
    conn.execute(
        "INSERT INTO sim_segments (owner, table_name, tablespace, compression, data_seed)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            new.owner,
            new.table,
            tablespace,
            source["compression"],
            zlib.crc32(new.label.encode()) & 0x7FFFFFFF,
        ),
    )
    return durations.metadata_only_s(ActionKind.EXCHANGE)


def create_index(ctx: Context, st: p.CreateIndexStmt) -> float:
    conn = ctx.conn
    table = lookup.table_row(conn, st.table.owner, st.table.table)
    if conn.execute(
        "SELECT 1 FROM sim_indexes WHERE owner = ? AND index_name = ?",
        (st.index.owner, st.index.table),
    ).fetchone():
        raise ora.name_in_use(st.index.owner, st.index.table)
    if table["partitioned"]:
        raise WarehouseError(
            f"{st.table.label}: the simulation creates indexes on non-partitioned tables only"
        )
    conn.execute(
        "INSERT INTO sim_indexes VALUES (?, ?, ?, ?, 'GLOBAL', 'VALID', ?, ?)",
        (
            st.index.owner,
            st.index.table,
            st.table.owner,
            st.table.table,
            ",".join(st.columns),
            "UNIQUE" if st.unique else "NONUNIQUE",
        ),
    )
    return durations.STATEMENT_OVERHEAD_S


def add_key(ctx: Context, st: p.AddKeyStmt) -> float:
    conn = ctx.conn
    lookup.table_row(conn, st.table.owner, st.table.table)
    if st.using_index is not None:
        index = conn.execute(
            "SELECT * FROM sim_indexes WHERE owner = ? AND index_name = ?",
            (st.table.owner, st.using_index),
        ).fetchone()
        if index is None or index["columns"] != ",".join(st.columns):
            raise WarehouseError(
                f"index {st.using_index} cannot enforce {st.kind} ({', '.join(st.columns)})"
            )
    conn.execute(
        "INSERT INTO sim_constraints VALUES (?, ?, ?, ?, ?, ?, 'ENABLED')",
        (
            st.table.owner,
            st.constraint,
            st.table.table,
            "P" if st.kind == "PRIMARY KEY" else "U",
            ",".join(st.columns),
            st.using_index,
        ),
    )
    return durations.STATEMENT_OVERHEAD_S


# --- REBUILD UNUSABLE LOCAL INDEXES -----------------------------------------------------


def rebuild_local(ctx: Context, st: p.RebuildLocalStmt) -> float:
    """IDX-03: only the segment's unusable LOCAL index partitions (a subpartition's: its
    index subpartitions) are rebuilt."""
    conn = ctx.conn
    ref = _resolve(ctx, st.table, st.target)
    _usable_table(ctx, ref)
    seg = lookup.segment_row(conn, ref)
    if st.target.kind == "PARTITION" and seg["has_subpartitions"]:
        raise ora.not_simple_partition(ref)  # IDX-04
    local, _ = indexes.unusable_count(conn, ref.owner, ref.table, ref.partition, ref.subpartition)
    indexes.rebuild_local(conn, ref.owner, ref.table, ref.partition, ref.subpartition)
    return durations.rebuild_indexes_s(seg["bytes"], local, None)


# --- ALTER INDEX i REBUILD [PARTITION p | SUBPARTITION s] -----------------------------------


def rebuild_index(ctx: Context, st: p.RebuildIndexStmt) -> float:
    """ALTER INDEX ... REBUILD of a whole index, one index partition or one index
    subpartition, unconditionally (IDX-03). In the simulation a LOCAL index is partitioned
    like its table (composite when the table is) and a GLOBAL one is not partitioned."""
    conn = ctx.conn
    index = indexes.index_row(conn, st.index.owner, st.index.table)
    if index is None:
        raise ora.index_not_found(st.index)  # OBJ-08
    table = _usable_table(ctx, ObjectRef(index["table_owner"], index["table_name"]))
    partitioned = index["locality"] == "LOCAL"
    composite = partitioned and bool(table["subpartitioning_type"])
    if st.target.kind is None:
        if partitioned:
            raise ora.partitioned_index_rebuild(st.index)  # IDX-01
        conn.execute(
            "UPDATE sim_indexes SET status = 'VALID' WHERE owner = ? AND index_name = ?",
            (index["owner"], index["index_name"]),
        )
        size = conn.execute(
            "SELECT coalesce(sum(bytes), 0) FROM sim_segments WHERE owner = ?"
            " AND table_name = ? AND has_subpartitions = 0",
            (index["table_owner"], index["table_name"]),
        ).fetchone()[0]
        return durations.rebuild_indexes_s(size, 1, None)
    named = ObjectRef(st.index.owner, st.index.table, st.target.name)
    if not partitioned:
        raise ora.not_partitioned(st.index.owner, st.index.table)  # OBJ-04 (unverified)
    if st.target.kind == "PARTITION":
        if composite:
            raise ora.composite_index_partition_rebuild(named)  # IDX-02
        rows = indexes.pieces(conn, index["owner"], index["index_name"], st.target.name)
        if not rows:
            raise ora.partition_not_found(named)  # OBJ-02 (unverified)
    else:
        if not composite:
            raise ora.not_composite_index(named)  # IDX-09
        rows = indexes.pieces(conn, index["owner"], index["index_name"], None, st.target.name)
        if not rows:
            raise ora.subpartition_not_found(
                ObjectRef(st.index.owner, st.index.table, "?", st.target.name)
            )  # OBJ-03 (unverified)
    indexes.rebuild_pieces(conn, rows)
    piece = rows[0]
    size = conn.execute(
        "SELECT coalesce(sum(bytes), 0) FROM sim_segments WHERE owner = ? AND table_name = ?"
        " AND partition_name = ? AND subpartition_name = ?",
        (
            index["table_owner"],
            index["table_name"],
            piece["partition_name"],
            piece["subpartition_name"],
        ),
    ).fetchone()[0]
    return durations.rebuild_indexes_s(size, 1, None)


def session(ctx: Context, st: p.SessionStmt) -> float:
    return 0.0


HANDLERS: dict[type, Callable[[Context, object], float]] = {
    p.MoveStmt: move,
    p.ModifyDefaultsStmt: modify_defaults,
    p.ReadOnlyStmt: read_only,
    p.MergeStmt: merge,
    p.RenameStmt: rename,
    p.DropStmt: drop,
    p.TruncateStmt: truncate,
    p.ExchangeStmt: exchange,
    p.RebuildLocalStmt: rebuild_local,
    p.RebuildIndexStmt: rebuild_index,
    p.CreateForExchangeStmt: create_for_exchange,
    p.CreateIndexStmt: create_index,
    p.AddKeyStmt: add_key,
    p.SessionStmt: session,
}


#: The kind of each statement for the privilege Oracle checks on another schema's objects
#: (core/privileges.py ON_OTHER_SCHEMAS); a session setting needs none.
PRIVILEGE_VERBS: dict[type, str | None] = {
    p.MoveStmt: "ALTER TABLE",
    p.ModifyDefaultsStmt: "ALTER TABLE",
    p.ReadOnlyStmt: "ALTER TABLE",
    p.MergeStmt: "ALTER TABLE",
    p.RenameStmt: "ALTER TABLE",
    p.DropStmt: "DROP PARTITION",
    p.TruncateStmt: "TRUNCATE PARTITION",
    p.ExchangeStmt: "ALTER TABLE",
    p.RebuildLocalStmt: "ALTER TABLE",
    p.RebuildIndexStmt: "ALTER INDEX",
    p.CreateForExchangeStmt: "CREATE TABLE",
    p.CreateIndexStmt: "CREATE INDEX",
    p.AddKeyStmt: "ALTER TABLE",
    p.SessionStmt: None,
}


def run(ctx: Context, text: str) -> float:
    """Parse one statement, check the account may run it, apply it; the simulated seconds."""
    statement = p.parse(text)
    verb = PRIVILEGE_VERBS[type(statement)]
    if verb is not None:
        account.require(ctx.conn, verb, statement.table.owner)
    return HANDLERS[type(statement)](ctx, statement)


def custom_refused(label: str) -> WarehouseError:
    return WarehouseError(
        f"CUSTOM actions ({label}) carry no statement the embedded warehouse can simulate; "
        "run them against Oracle",
        transience=Transience.PERMANENT,
    )

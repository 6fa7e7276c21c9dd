"""State changes for apply(): what each ActionKind does to the simulated dictionary.

Every function runs inside the caller's BEGIN IMMEDIATE transaction and either changes all
affected rows (segments, tablespace usage, index status) or raises before changing anything
that the rollback would not undo. Checks follow the order Oracle makes them: the object must
exist, then the statement must be legal for it, then space must suffice.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from hcc_operators.core.errors import ConfigError, Transience, WarehouseError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef
from hcc_operators.warehouse.embedded import durations, indexes, lookup, sizing
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


def _usable_table(ctx: Context, ref: ObjectRef) -> sqlite3.Row:
    table = lookup.table_row(ctx.conn, ref.owner, ref.table)
    if table["temporary"]:
        raise WarehouseError(
            f"unsupported feature with temporary table: {ref.label}", code="ORA-14451"
        )
    if table["nested"]:
        raise WarehouseError(
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
    ts = lookup.tablespace_row(conn, name)
    if ts["read_only"]:
        raise ora.tablespace_read_only(name)
    if ctype.is_hcc and not ts["hcc_supported"]:
        raise ora.hcc_not_supported(name)
    if ts["total_bytes"] - ts["used_bytes"] < needed:
        raise ora.unable_to_extend(ref, needed, name)


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


# --- COMPRESS / MOVE ------------------------------------------------------------------------


def rewrite(ctx: Context, action: Action) -> float:
    ref, conn = action.ref, ctx.conn
    table = _usable_table(ctx, ref)
    if ref.partition is None and table["partitioned"]:
        raise ora.partitioned_object(ref)
    seg = lookup.segment_row(conn, ref)
    if seg["has_subpartitions"]:
        raise ora.composite_partition_move(ref)
    if action.kind is ActionKind.COMPRESS and action.compression is None:
        raise ConfigError(f"COMPRESS of {ref.label} needs a compression type", field="compression")
    target = action.compression or CompressionType.parse(seg["compression"])
    tablespace = action.tablespace or seg["tablespace"]
    new_bytes = _rewritten_bytes(ctx, table, seg, target)
    # The new segment is built before the old one is dropped, even in the same tablespace.
    _check_target(conn, tablespace, target, ref, new_bytes)
    _add_used(conn, seg["tablespace"], -seg["bytes"])
    _add_used(conn, tablespace, new_bytes)
    conn.execute(
        "UPDATE sim_segments SET tablespace = ?, compression = ?, bytes = ?,"
        " decayed_fraction = 0 WHERE seg_id = ?",
        (tablespace, target.value, new_bytes, seg["seg_id"]),
    )
    if ref.subpartition:
        refresh_parent(conn, ref.owner, ref.table, ref.partition or "")
    indexes.after_rewrite(
        conn, ref.owner, ref.table, ref.partition, update_indexes=action.update_indexes
    )
    return durations.rewrite_s(
        seg["uncompressed_bytes"],
        target,
        online=action.online,
        update_indexes=action.update_indexes,
        global_indexes=_global_count(ctx, ref),
        parallel=action.parallel,
    )


# --- READ ONLY ------------------------------------------------------------------------------


def read_only(ctx: Context, action: Action) -> float:
    ref, conn = action.ref, ctx.conn
    _usable_table(ctx, ref)
    if ref.partition is None:
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
        raise ora.read_only_table(ref.owner, ref.table)
    for leaf in leaves:
        if leaf["read_only"]:
            raise ora.read_only_partition(ref)


def truncate(ctx: Context, action: Action) -> float:
    ref, conn = action.ref, ctx.conn
    table = _usable_table(ctx, ref)
    leaves = lookup.leaf_rows(conn, ref)
    if ref.partition and not ref.subpartition:
        parent = lookup.segment_row(conn, ref)
        _check_writable(table, [parent, *leaves], ref)
    else:
        _check_writable(table, leaves, ref)
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
    # TRUNCATE TABLE truncates its indexes too; a partition truncate leaves global entries
    # pointing at the removed rows unless they are maintained.
    if ref.partition and had_rows and not action.update_indexes:
        indexes.invalidate_global(conn, ref.owner, ref.table)
    updated = _global_count(ctx, ref) if (ref.partition and action.update_indexes) else 0
    return durations.metadata_only_s(ActionKind.TRUNCATE, global_indexes_updated=updated)


# --- DROP -----------------------------------------------------------------------------------


def _drop_table(ctx: Context, ref: ObjectRef) -> float:
    conn = ctx.conn
    for leaf in lookup.leaf_rows(conn, ref):
        _add_used(conn, leaf["tablespace"], -leaf["bytes"])
    conn.execute(
        "DELETE FROM sim_segments WHERE owner = ? AND table_name = ?", (ref.owner, ref.table)
    )
    conn.execute(
        "DELETE FROM sim_index_partitions WHERE (owner, index_name) IN (SELECT owner,"
        " index_name FROM sim_indexes WHERE table_owner = ? AND table_name = ?)",
        (ref.owner, ref.table),
    )
    conn.execute(
        "DELETE FROM sim_indexes WHERE table_owner = ? AND table_name = ?", (ref.owner, ref.table)
    )
    conn.execute(
        "DELETE FROM sim_tables WHERE owner = ? AND table_name = ?", (ref.owner, ref.table)
    )
    return durations.metadata_only_s(ActionKind.DROP)


def drop(ctx: Context, action: Action) -> float:
    ref, conn = action.ref, ctx.conn
    table = _usable_table(ctx, ref)
    if ref.partition is None:
        return _drop_table(ctx, ref)
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
            raise ora.only_subpartition(ref)
    else:
        partitions = conn.execute(
            "SELECT * FROM sim_segments WHERE owner = ? AND table_name = ?"
            " AND subpartition_name = '' AND partition_name <> ''",
            (ref.owner, ref.table),
        ).fetchall()
        if len(partitions) <= 1:
            raise ora.only_partition(ref)
        if (
            table["interval_expr"]
            and not seg["is_interval"]
            and not any(
                not p["is_interval"] and p["position"] > seg["position"] for p in partitions
            )
        ):
            raise ora.last_range_partition(ref)
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
    if had_rows and not action.update_indexes:
        indexes.invalidate_global(conn, ref.owner, ref.table)
    updated = _global_count(ctx, ref) if action.update_indexes and had_rows else 0
    return durations.metadata_only_s(ActionKind.DROP, global_indexes_updated=updated)


# --- MERGE ----------------------------------------------------------------------------------


def _merged_values(
    ctx: Context, table: sqlite3.Row, parts: list[sqlite3.Row], target: CompressionType
) -> dict:
    """Size of the merged segment: each source's rows compressed at its own measured ratio."""
    rows = sum(p["num_rows"] for p in parts)
    raw = sum(
        p["uncompressed_bytes"] / ctx.ratio(p, table["profile"], target)
        for p in parts
        if p["num_rows"]
    )
    new_bytes = sizing.segment_bytes(int(raw), 1.0, is_partition=True) if rows else 0
    starts = [p["data_from"] for p in parts if p["num_rows"] and p["data_from"]]
    ends = [p["data_to"] for p in parts if p["num_rows"] and p["data_to"]]
    seed = zlib.crc32(",".join(str(p["data_seed"]) for p in parts).encode()) & 0x7FFFFFFF
    return {
        "bytes": new_bytes,
        "uncompressed_bytes": sum(p["uncompressed_bytes"] for p in parts),
        "num_rows": rows,
        "data_seed": seed,
        "data_from": min(starts) if starts else None,
        "data_to": max(ends) if ends else None,
        "read_only": int(any(p["read_only"] for p in parts)),
        "logical_reads": sum(p["logical_reads"] for p in parts),
        "physical_reads": sum(p["physical_reads"] for p in parts),
        "last_access": max((p["last_access"] for p in parts if p["last_access"]), default=None),
        "last_modification": max(
            (p["last_modification"] for p in parts if p["last_modification"]), default=None
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


def merge(ctx: Context, action: Action) -> float:
    ref, conn = action.ref, ctx.conn
    table = _usable_table(ctx, ref)
    if not table["partitioned"]:
        raise ora.not_partitioned(ref.owner, ref.table)
    if ref.subpartition or not ref.partition:
        raise ConfigError(
            f"MERGE of {ref.label}: name a partition in ref.partition and the partition to "
            "merge it with in merge_into (subpartition merges are not simulated)",
            field="ref",
        )
    if not action.merge_into:
        raise ConfigError(f"MERGE of {ref.label} needs merge_into", field="merge_into")
    if action.merge_into == ref.partition:
        raise ConfigError(f"cannot merge {ref.label} with itself", field="merge_into")
    first = lookup.segment_row(conn, ref)
    second = lookup.segment_row(conn, ObjectRef(ref.owner, ref.table, action.merge_into))
    if abs(first["position"] - second["position"]) != 1:
        raise ora.not_adjacent(ref, action.merge_into)
    lower, upper = sorted((first, second), key=lambda r: r["position"])
    target = action.compression or CompressionType.parse(table["compression"])
    tablespace = action.tablespace or table["tablespace"]
    new_name = action.merge_into
    result_ref = ObjectRef(ref.owner, ref.table, new_name)
    groups: list[tuple[list[sqlite3.Row], sqlite3.Row, str]] = []
    if upper["has_subpartitions"]:
        lower_subs = {
            r["bound_key"]: r
            for r in lookup.leaf_rows(
                conn, ObjectRef(ref.owner, ref.table, lower["partition_name"])
            )
        }
        for sub in lookup.leaf_rows(conn, ObjectRef(ref.owner, ref.table, upper["partition_name"])):
            parts = [sub] + (
                [lower_subs.pop(sub["bound_key"])] if sub["bound_key"] in lower_subs else []
            )
            groups.append((parts, sub, f"{new_name}_{sub['bound_key']}"))
        if lower_subs:
            raise WarehouseError(
                f"cannot merge {ref.label} with {new_name}: their subpartitions differ "
                f"({', '.join(sorted(lower_subs))} only in {lower['partition_name']})"
            )
    else:
        groups.append(([lower, upper], upper, ""))
    planned = [
        (_merged_values(ctx, table, parts, target), keep, sub_name)
        for parts, keep, sub_name in groups
    ]
    needed = sum(values["bytes"] for values, _, _ in planned)
    _check_target(conn, tablespace, target, result_ref, needed)
    sources = (
        [lower, upper]
        if not upper["has_subpartitions"]
        else [p for parts, _, _ in groups for p in parts]
    )
    for source in sources:
        _add_used(conn, source["tablespace"], -source["bytes"])
    _add_used(conn, tablespace, needed)
    # Delete the lower partition first so the name can pass to the surviving row.
    conn.execute(
        "DELETE FROM sim_segments WHERE owner = ? AND table_name = ? AND partition_name = ?",
        (ref.owner, ref.table, lower["partition_name"]),
    )
    conn.execute(
        "UPDATE sim_segments SET partition_name = ? WHERE owner = ? AND table_name = ?"
        " AND partition_name = ?",
        (new_name, ref.owner, ref.table, upper["partition_name"]),
    )
    for values, keep, sub_name in planned:
        extra = {"tablespace": tablespace, "compression": target.value, "is_interval": 0}
        if sub_name:
            extra["subpartition_name"] = sub_name
        _write_merged(conn, keep["seg_id"], values, **extra)
    if upper["has_subpartitions"]:
        refresh_parent(conn, ref.owner, ref.table, new_name)
        conn.execute(
            "UPDATE sim_segments SET tablespace = ?, compression = ?, is_interval = 0,"
            " last_analyzed = NULL WHERE seg_id = ?",
            (tablespace, target.value, upper["seg_id"]),
        )
    # Merging interval partitions turns them, and every partition below, into range partitions.
    conn.execute(
        "UPDATE sim_segments SET is_interval = 0 WHERE owner = ? AND table_name = ?"
        " AND bound_key <= ?",
        (ref.owner, ref.table, upper["bound_key"]),
    )
    indexes.drop_local(conn, ref.owner, ref.table, lower["partition_name"])
    indexes.drop_local(conn, ref.owner, ref.table, upper["partition_name"])
    indexes.add_local(
        conn, ref.owner, ref.table, new_name, "USABLE" if action.update_indexes else "UNUSABLE"
    )
    if not action.update_indexes and (lower["num_rows"] or upper["num_rows"]):
        indexes.invalidate_global(conn, ref.owner, ref.table)
    _renumber(conn, ref.owner, ref.table)
    return durations.rewrite_s(
        lower["uncompressed_bytes"] + upper["uncompressed_bytes"],
        target,
        online=action.online,
        update_indexes=action.update_indexes,
        global_indexes=_global_count(ctx, ref),
        parallel=action.parallel,
    )


# --- EXCHANGE -------------------------------------------------------------------------------

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


def exchange(ctx: Context, action: Action) -> float:
    ref, conn = action.ref, ctx.conn
    table = _usable_table(ctx, ref)
    if action.exchange_table is None:
        raise ConfigError(f"EXCHANGE of {ref.label} needs exchange_table", field="exchange_table")
    if not table["partitioned"]:
        raise ora.not_partitioned(ref.owner, ref.table)
    if not ref.partition:
        raise ConfigError(f"EXCHANGE of {ref.label} needs a partition or subpartition", field="ref")
    seg = lookup.segment_row(conn, ref)
    if seg["has_subpartitions"]:
        raise ora.exchange_composite(ref)
    other_ref = action.exchange_table
    if other_ref.partition:
        raise ora.exchange_needs_plain_table(other_ref)
    other_table = lookup.table_row(conn, other_ref.owner, other_ref.table)
    if other_table["partitioned"] or other_table["temporary"] or other_table["nested"]:
        raise ora.exchange_needs_plain_table(other_ref)
    if other_table["profile"] != table["profile"]:
        raise ora.exchange_mismatch(ref, other_ref)
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
    if not action.update_indexes:
        indexes.set_local(conn, ref.owner, ref.table, ref.partition, "UNUSABLE")
        if seg["num_rows"] or other["num_rows"]:
            indexes.invalidate_global(conn, ref.owner, ref.table)
    return durations.metadata_only_s(ActionKind.EXCHANGE)


def create_table_like(ctx: Context, new: ObjectRef, like: ObjectRef) -> None:
    """An empty non-partitioned table with the columns of ``like``, for EXCHANGE."""
    conn = ctx.conn
    if new.partition:
        raise ConfigError(f"{new.label}: a table to create cannot name a partition", field="ref")
    source = lookup.table_row(conn, like.owner, like.table)
    if conn.execute("SELECT 1 FROM sim_schemas WHERE owner = ?", (new.owner,)).fetchone() is None:
        raise ora.user_not_found(new.owner)
    if conn.execute(
        "SELECT 1 FROM sim_tables WHERE owner = ? AND table_name = ?", (new.owner, new.table)
    ).fetchone():
        raise ora.name_in_use(new.owner, new.table)
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


# --- REBUILD INDEXES ------------------------------------------------------------------------


def rebuild_indexes(ctx: Context, action: Action) -> float:
    ref, conn = action.ref, ctx.conn
    _usable_table(ctx, ref)
    if ref.partition:
        lookup.segment_row(conn, ref)
    local, global_ = indexes.unusable_count(conn, ref.owner, ref.table, ref.partition)
    leaves = lookup.leaf_rows(conn, ref)
    table_bytes = sum(r["bytes"] for r in lookup.leaf_rows(conn, ObjectRef(ref.owner, ref.table)))
    indexes.rebuild(conn, ref.owner, ref.table, ref.partition)
    return durations.rebuild_indexes_s(
        sum(r["bytes"] for r in leaves), local, action.parallel
    ) + durations.rebuild_indexes_s(table_bytes, global_, action.parallel)


def custom(ctx: Context, action: Action) -> float:
    raise WarehouseError(
        f"CUSTOM actions ({action.ref.label}) carry no statement the embedded warehouse can "
        "simulate; run them against Oracle",
        transience=Transience.PERMANENT,
    )


HANDLERS: dict[ActionKind, Callable[[Context, Action], float]] = {
    ActionKind.COMPRESS: rewrite,
    ActionKind.MOVE: rewrite,
    ActionKind.READ_ONLY: read_only,
    ActionKind.TRUNCATE: truncate,
    ActionKind.DROP: drop,
    ActionKind.MERGE: merge,
    ActionKind.EXCHANGE: exchange,
    ActionKind.REBUILD_INDEXES: rebuild_indexes,
    ActionKind.CUSTOM: custom,
}

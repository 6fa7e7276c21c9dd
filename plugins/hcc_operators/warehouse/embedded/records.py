"""Reading simulated dictionary rows into core.models records."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from hcc_operators.core.models import (
    AccessStats,
    CompressionType,
    DmlStats,
    IndexInfo,
    ObjectRef,
    SegmentInfo,
    TableInfo,
    TablespaceInfo,
)
from hcc_operators.warehouse.embedded.sizing import blocks

# CompressionType.parse normalises free text; stored values are already canonical, and this
# lookup keeps listing a million segments cheap.
_CTYPE = {c.value: c for c in CompressionType}


def ctype(text: str | None) -> CompressionType:
    return _CTYPE.get(text or "NONE") or CompressionType.parse(text)


def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def ref_of(row: sqlite3.Row) -> ObjectRef:
    return ObjectRef(
        row["owner"],
        row["table_name"],
        row["partition_name"] or None,
        row["subpartition_name"] or None,
    )


def table_info(row: sqlite3.Row, num_rows: int | None) -> TableInfo:
    return TableInfo(
        owner=row["owner"],
        table=row["table_name"],
        partitioned=bool(row["partitioned"]),
        partitioning_type=row["partitioning_type"],
        subpartitioning_type=row["subpartitioning_type"],
        interval=row["interval_expr"],
        temporary=bool(row["temporary"]),
        nested=bool(row["nested"]),
        iot=bool(row["iot"]),
        tablespace=row["tablespace"],
        compression=ctype(row["compression"]),
        num_rows=num_rows,
        last_analyzed=when(row["last_analyzed"]),
    )


def segment_info(
    row: sqlite3.Row, *, table_read_only: bool = False, subpartitioning_type: str | None = None
) -> SegmentInfo:
    """``subpartitioning_type``: the table's, kept on a composite partition's row only (as the
    Oracle backend reads it from ALL_PART_TABLES)."""
    composite = bool(row["has_subpartitions"])
    return SegmentInfo(
        ref=ref_of(row),
        tablespace=row["tablespace"],
        compression=ctype(row["compression"]),
        bytes=row["bytes"],
        blocks=blocks(row["bytes"]),
        num_rows=row["num_rows"],
        read_only=bool(row["read_only"]) or table_read_only,
        high_value=row["high_value"],
        position=row["position"],
        interval=bool(row["is_interval"]),
        has_subpartitions=composite,
        last_analyzed=when(row["last_analyzed"]),
        subpartitioning_type=subpartitioning_type if composite else None,
    )


def dml_stats(row: sqlite3.Row) -> DmlStats:
    return DmlStats(
        inserts=row["inserts"],
        updates=row["updates"],
        deletes=row["deletes"],
        truncated=bool(row["truncated"]),
        timestamp=when(row["dml_timestamp"]),
    )


def access_stats(row: sqlite3.Row, source: str) -> AccessStats:
    return AccessStats(
        logical_reads=row["logical_reads"],
        physical_reads=row["physical_reads"],
        last_access=when(row["last_access"]),
        last_modification=when(row["last_modification"]),
        source=source,
    )


def tablespace_info(row: sqlite3.Row) -> TablespaceInfo:
    return TablespaceInfo(
        name=row["name"],
        total_bytes=row["total_bytes"],
        used_bytes=row["used_bytes"],
        hcc_supported=bool(row["hcc_supported"]),
        read_only=bool(row["read_only"]),
    )


def index_info(row: sqlite3.Row) -> IndexInfo:
    return IndexInfo(
        owner=row["owner"],
        index=row["index_name"],
        table_owner=row["table_owner"],
        table=row["table_name"],
        locality=row["locality"],
        status=row["status"],
        partition=row["partition_name"],
        subpartition=row["subpartition_name"] or None,
    )

"""Dictionary rows (as dicts keyed by lower-case column name) -> core models.

Kept apart from the connection handling so every conversion is a plain function of a row.
Flags come back as the dictionary spells them ('YES'/'NO', 'Y'/'N', 'ENABLED'/'DISABLED').
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
)

Row = Mapping[str, Any]


def yes(value: object) -> bool:
    return str(value or "").strip().upper() in ("YES", "Y")


def as_int(value: object) -> int:
    return int(value) if value is not None else 0


def compression(row: Row) -> CompressionType:
    """COMPRESS_FOR is only meaningful when COMPRESSION says ENABLED."""
    if str(row.get("compression") or "").upper() not in ("ENABLED", ""):
        return CompressionType.NONE
    return CompressionType.parse(row.get("compress_for"))


def ref_of(row: Row) -> ObjectRef:
    """The object a dictionary row describes (any of the table/partition/subpartition rows)."""
    owner = row.get("table_owner") or row.get("owner")
    return ObjectRef(
        owner, row["table_name"], row.get("partition_name"), row.get("subpartition_name")
    )


def version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in str(text).strip().split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


def table_info(row: Row) -> TableInfo:
    partitioned = yes(row["partitioned"])
    subtype = row.get("subpartitioning_type")
    return TableInfo(
        owner=row["owner"],
        table=row["table_name"],
        partitioned=partitioned,
        partitioning_type=row.get("partitioning_type") if partitioned else None,
        subpartitioning_type=subtype if subtype and subtype != "NONE" else None,
        interval=row.get("interval_expr") or None,
        temporary=yes(row.get("temporary")),
        nested=yes(row.get("nested")),
        iot=row.get("iot_type") == "IOT",
        tablespace=row.get("tablespace_name"),
        compression=compression(row),
        num_rows=row.get("num_rows"),
        last_analyzed=row.get("last_analyzed"),
    )


def table_segment(row: Row) -> SegmentInfo:
    return SegmentInfo(
        ref=ObjectRef(row["owner"], row["table_name"]),
        tablespace=row.get("tablespace_name"),
        compression=compression(row),
        bytes=as_int(row.get("bytes")),
        blocks=as_int(row.get("blocks")),
        num_rows=as_int(row.get("num_rows")),
        read_only=yes(row.get("read_only")),
        last_analyzed=row.get("last_analyzed"),
    )


def partition_segment(row: Row) -> SegmentInfo:
    composite = yes(row.get("composite"))
    subtype = row.get("subpartitioning_type") if composite else None
    return SegmentInfo(
        ref=ObjectRef(row["table_owner"], row["table_name"], row["partition_name"]),
        tablespace=row.get("tablespace_name"),
        compression=compression(row),
        bytes=as_int(row.get("bytes")),
        blocks=as_int(row.get("blocks")),
        num_rows=as_int(row.get("num_rows")),
        read_only=yes(row.get("read_only")),
        high_value=row.get("high_value"),
        position=row.get("partition_position"),
        interval=yes(row.get("is_interval")),
        has_subpartitions=composite,
        last_analyzed=row.get("last_analyzed"),
        subpartitioning_type=subtype if subtype and subtype != "NONE" else None,
    )


def subpartition_segment(row: Row) -> SegmentInfo:
    return SegmentInfo(
        ref=ObjectRef(
            row["table_owner"], row["table_name"], row["partition_name"], row["subpartition_name"]
        ),
        tablespace=row.get("tablespace_name"),
        compression=compression(row),
        bytes=as_int(row.get("bytes")),
        blocks=as_int(row.get("blocks")),
        num_rows=as_int(row.get("num_rows")),
        read_only=yes(row.get("read_only")),
        high_value=row.get("high_value"),
        position=row.get("subpartition_position"),
        interval=yes(row.get("is_interval")),
        last_analyzed=row.get("last_analyzed"),
    )


def dml_entry(row: Row) -> tuple[ObjectRef, DmlStats]:
    ref = ObjectRef(
        row["table_owner"],
        row["table_name"],
        row.get("partition_name") or None,
        row.get("subpartition_name") or None,
    )
    return ref, DmlStats(
        inserts=as_int(row.get("inserts")),
        updates=as_int(row.get("updates")),
        deletes=as_int(row.get("deletes")),
        truncated=yes(row.get("truncated")),
        timestamp=row.get("modified_at"),
    )


def _ref(row: Row) -> ObjectRef:
    return ObjectRef(
        row["owner"],
        row["object_name"],
        row.get("partition_name") or None,
        row.get("subpartition_name") or None,
    )


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def heat_map_entry(row: Row) -> tuple[ObjectRef, AccessStats]:
    """Heat Map records times, not counts: reads stay 0 and only the dates are known."""
    return _ref(row), AccessStats(
        last_access=_latest(
            row.get("segment_read_time"), row.get("full_scan"), row.get("lookup_scan")
        ),
        last_modification=row.get("segment_write_time"),
        source="HEATMAP",
    )


def awr_entry(row: Row) -> tuple[ObjectRef, AccessStats]:
    return _ref(row), AccessStats(
        logical_reads=as_int(row.get("logical_reads")),
        physical_reads=as_int(row.get("physical_reads")),
        last_access=row.get("last_read"),
        last_modification=row.get("last_change"),
        source="AWR",
    )


def tablespace(row: Row, *, hcc_supported: bool) -> TablespaceInfo:
    return TablespaceInfo(
        name=row["tablespace_name"],
        total_bytes=as_int(row.get("total_bytes")),
        used_bytes=as_int(row.get("used_bytes")),
        hcc_supported=hcc_supported,
        read_only=str(row.get("status") or "").upper() == "READ ONLY",
    )


def index_info(row: Row) -> IndexInfo:
    return IndexInfo(
        owner=row["owner"],
        index=row["index_name"],
        table_owner=row["table_owner"],
        table=row["table_name"],
        locality=row["locality"],
        status=row["status"],
        partition=row.get("partition_name") or None,
        subpartition=row.get("subpartition_name") or None,
    )


def index_definitions(rows: list[Row]) -> list[IndexDefinition]:
    """One IndexDefinition per index from rows of dictionary/index_columns (one per column)."""
    grouped: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        grouped.setdefault((row["owner"], row["index_name"]), []).append(row)
    return [
        IndexDefinition(
            owner=owner,
            name=name,
            locality=str(cols[0]["locality"] or "GLOBAL").upper(),
            unique=str(cols[0]["uniqueness"]).upper() == "UNIQUE",
            bitmap=str(cols[0].get("index_type") or "").upper().startswith("BITMAP"),
            columns=tuple(
                c["column_name"] for c in sorted(cols, key=lambda c: c["column_position"])
            ),
        )
        for (owner, name), cols in grouped.items()
    ]


def key_constraints(rows: list[Row], owner: str) -> list[KeyConstraint]:
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row["constraint_name"], []).append(row)
    return [
        KeyConstraint(
            owner=owner,
            name=name,
            kind=cols[0]["constraint_type"],
            columns=tuple(c["column_name"] for c in sorted(cols, key=lambda c: c["position"])),
            index_name=cols[0]["index_name"],
        )
        for name, cols in grouped.items()
    ]

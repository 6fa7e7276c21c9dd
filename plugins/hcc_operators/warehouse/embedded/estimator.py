"""Measured compression: really compress a sample of rows and compare byte counts.

Ratio = bytes the sample takes uncompressed in 8 KB blocks (PCTFREE 10) / bytes it takes in
the target format. Nothing here is a constant per compression type: the ratio follows from
the bytes of the sample.

- BASIC / ADVANCED: row-major 8 KB blocks with a per-block symbol table, the mechanism of
  Oracle's block-level (OLTP) compression: a value repeated in a block is stored once and
  referenced. BASIC packs blocks full (PCTFREE 0), ADVANCED keeps PCTFREE 10.
- HCC levels: rows are grouped into compression units, each column of a unit is stored as
  one stream and compressed with the level's algorithm (QUERY LOW lz4, QUERY HIGH zlib level 6,
  ARCHIVE LOW zlib level 9, ARCHIVE HIGH bz2), archive levels using larger units as Oracle does.
"""

from __future__ import annotations

import bz2
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lz4.block

from hcc_operators.core.models import CompressionType
from hcc_operators.warehouse.embedded.storage_format import (
    BLOCK_OVERHEAD,
    BLOCK_SIZE,
    ROW_DIRECTORY_ENTRY,
    ROW_HEADER,
    EncodedRow,
    row_piece_bytes,
    usable_block_bytes,
)

DEFAULT_PCTFREE = 10
CU_HEADER_BYTES = 64
CU_COLUMN_HEADER_BYTES = 8
NULL_MARKER = b"\xff"

_HCC_CODECS: dict[CompressionType, tuple[Callable[[bytes], bytes], int]] = {
    # codec, rows per compression unit
    CompressionType.QUERY_LOW: (lambda b: lz4.block.compress(b, store_size=False), 1000),
    CompressionType.QUERY_HIGH: (lambda b: zlib.compress(b, 6), 1000),
    CompressionType.ARCHIVE_LOW: (lambda b: zlib.compress(b, 9), 4000),
    CompressionType.ARCHIVE_HIGH: (lambda b: bz2.compress(b, 9), 8000),
}


@dataclass(frozen=True)
class Measurement:
    rows: int
    uncompressed_bytes: float
    compressed_bytes: float

    @property
    def ratio(self) -> float:
        if not self.rows or not self.compressed_bytes:
            return 1.0
        return self.uncompressed_bytes / self.compressed_bytes

    @property
    def bytes_per_row(self) -> float:
        return self.uncompressed_bytes / self.rows if self.rows else 0.0


def _fill_blocks(row_costs: Sequence[int], usable: int) -> float:
    """Blocks needed for rows of the given sizes, the last block counted by its used share."""
    blocks, used = 0, 0
    for cost in row_costs:
        if used and used + cost > usable:
            blocks += 1
            used = 0
        used += cost
    return blocks + used / usable


def uncompressed_bytes(rows: Sequence[EncodedRow], pctfree: int = DEFAULT_PCTFREE) -> float:
    return _fill_blocks([row_piece_bytes(r) for r in rows], usable_block_bytes(pctfree)) * BLOCK_SIZE


def block_compressed_bytes(rows: Sequence[EncodedRow], pctfree: int) -> float:
    """Row-major blocks with a per-block symbol table of repeated column values."""
    usable = usable_block_bytes(pctfree)
    blocks, used = 0, 0
    seen: dict[tuple[int, bytes], int] = {}

    def cost_of(row: EncodedRow) -> int:
        cost = ROW_HEADER + ROW_DIRECTORY_ENTRY
        for i, value in enumerate(row):
            if value is None or len(value) <= 1:
                cost += 1 + (len(value) if value else 0)
                continue
            times = seen.get((i, value), 0)
            # First occurrence is stored inline; the second turns it into a symbol-table entry
            # (entry overhead + a reference); later ones are a one-byte reference.
            cost += 1 + len(value) if times == 0 else 3 if times == 1 else 1
        return cost

    def remember(row: EncodedRow) -> None:
        for i, value in enumerate(row):
            if value is not None and len(value) > 1:
                seen[(i, value)] = seen.get((i, value), 0) + 1

    for row in rows:
        cost = cost_of(row)
        if used and used + cost > usable:
            blocks += 1
            used = 0
            seen.clear()
            cost = cost_of(row)
        remember(row)
        used += cost
    return (blocks + used / usable) * BLOCK_SIZE


def _column_stream(rows: Sequence[EncodedRow], column: int) -> bytes:
    parts: list[bytes] = []
    for row in rows:
        value = row[column]
        if value is None:
            parts.append(NULL_MARKER)
        else:
            parts.append(bytes((min(len(value), 254),)) + value)
    return b"".join(parts)


def hcc_compressed_bytes(rows: Sequence[EncodedRow], ctype: CompressionType) -> float:
    """Column-major compression units; units span blocks, so block overhead is added."""
    codec, unit_rows = _HCC_CODECS[ctype]
    total = 0
    columns = len(rows[0]) if rows else 0
    for start in range(0, len(rows), unit_rows):
        unit = rows[start : start + unit_rows]
        total += CU_HEADER_BYTES + CU_COLUMN_HEADER_BYTES * columns
        total += sum(len(codec(_column_stream(unit, c))) for c in range(columns))
    return total * BLOCK_SIZE / (BLOCK_SIZE - BLOCK_OVERHEAD)


def measure(rows: Sequence[EncodedRow], ctype: CompressionType) -> Measurement:
    """Compress ``rows`` as ``ctype`` and report both sizes."""
    plain = uncompressed_bytes(rows)
    if not rows or ctype is CompressionType.NONE:
        compressed = plain
    elif ctype is CompressionType.BASIC:
        compressed = block_compressed_bytes(rows, pctfree=0)
    elif ctype is CompressionType.ADVANCED:
        compressed = block_compressed_bytes(rows, pctfree=DEFAULT_PCTFREE)
    else:
        compressed = hcc_compressed_bytes(rows, ctype)
    return Measurement(len(rows), plain, compressed)

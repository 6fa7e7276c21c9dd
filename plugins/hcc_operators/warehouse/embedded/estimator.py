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
    row_piece_costs,
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
    return _fill_blocks(row_piece_costs(rows), usable_block_bytes(pctfree)) * BLOCK_SIZE


@dataclass(frozen=True)
class _BlockRows:
    """The rows as the block format sees them, for costing any PCTFREE.

    ``fixed[r]``: what row r costs whatever the block holds (row header, NULLs and one-byte
    values, never worth a symbol). ``symbols[r]``: one id per column, the same id for the same
    (column, value), -1 where the value can never be a symbol; ``inline[id]`` is what the
    value costs stored inline. Ints instead of (column, value) keys, built column by column,
    make the per-block bookkeeping cheap.
    """

    fixed: list[int]
    symbols: list[tuple[int, ...]]
    inline: list[int]


def _block_rows(rows: Sequence[EncodedRow]) -> _BlockRows:
    inline: list[int] = []
    fixed_by_column: list[list[int]] = []
    ids_by_column: list[list[int]] = []
    for c in range(len(rows[0]) if rows else 0):
        column = [row[c] for row in rows]
        local: dict[bytes | None, int] = {}
        local_ids = [local.setdefault(v, len(local)) for v in column]
        ids, fixed = [], []
        for value in local:
            if value is None or len(value) <= 1:
                ids.append(-1)
                fixed.append(1 + (len(value) if value else 0))
            else:
                ids.append(len(inline))
                inline.append(1 + len(value))
                fixed.append(0)
        ids_by_column.append([ids[k] for k in local_ids])
        fixed_by_column.append([fixed[k] for k in local_ids])
    header = ROW_HEADER + ROW_DIRECTORY_ENTRY
    if not ids_by_column:
        return _BlockRows([header] * len(rows), [() for _ in rows], inline)
    fixed_rows = [header + sum(costs) for costs in zip(*fixed_by_column, strict=True)]
    return _BlockRows(fixed_rows, list(zip(*ids_by_column, strict=True)), inline)


def _block_bytes(layout: _BlockRows, pctfree: int) -> float:
    usable = usable_block_bytes(pctfree)
    inline = layout.inline
    blocks, used = 0, 0
    seen: dict[int, int] = {}
    for fixed, symbols in zip(layout.fixed, layout.symbols, strict=True):
        cost = fixed
        for symbol in symbols:
            if symbol < 0:
                continue
            times = seen.get(symbol, 0)
            # First occurrence is stored inline; the second turns it into a symbol-table entry
            # (entry overhead + a reference); later ones are a one-byte reference.
            cost += inline[symbol] if times == 0 else 3 if times == 1 else 1
            seen[symbol] = times + 1
        if used and used + cost > usable:
            # The row opens a new block, whose symbol table starts with this row alone.
            blocks += 1
            used = 0
            seen = {symbol: 1 for symbol in symbols if symbol >= 0}
            cost = fixed + sum(inline[symbol] for symbol in symbols if symbol >= 0)
        used += cost
    return (blocks + used / usable) * BLOCK_SIZE


def _stream_piece(value: bytes | None) -> bytes:
    return NULL_MARKER if value is None else bytes((min(len(value), 254),)) + value


def _stream_pieces(values: Sequence[bytes | None]) -> list[bytes]:
    # Columns repeat values, so each distinct value's piece is built once.
    pieces: dict[bytes | None, bytes] = {}
    return [pieces.get(v) or pieces.setdefault(v, _stream_piece(v)) for v in values]


class PreparedSample:
    """One sample's rows with what every compression type derives from them, built once.

    The advisor measures five types per segment; the uncompressed size, the block-format view
    of the rows and the per-column streams of each compression unit are the same for all of
    them, so they are computed on first use and shared. Only the codec runs per type.
    """

    def __init__(self, rows: Sequence[EncodedRow]):
        self.rows = tuple(rows)
        self.columns = len(self.rows[0]) if self.rows else 0
        self._plain: float | None = None
        self._block_rows: _BlockRows | None = None
        self._pieces: list[list[bytes]] | None = None
        self._units: dict[int, list[list[bytes]]] = {}

    @property
    def plain_bytes(self) -> float:
        if self._plain is None:
            self._plain = uncompressed_bytes(self.rows)
        return self._plain

    def _unit_streams(self, unit_rows: int) -> list[list[bytes]]:
        """Per compression unit, one stream per column."""
        # Unit sizes at or above the sample size all give one unit: share its streams.
        unit_rows = min(unit_rows, max(len(self.rows), 1))
        streams = self._units.get(unit_rows)
        if streams is None:
            if self._pieces is None:
                self._pieces = [
                    _stream_pieces([row[c] for row in self.rows]) for c in range(self.columns)
                ]
            streams = [
                [b"".join(pieces[start : start + unit_rows]) for pieces in self._pieces]
                for start in range(0, len(self.rows), unit_rows)
            ]
            self._units[unit_rows] = streams
        return streams

    def compressed_bytes(self, ctype: CompressionType) -> float:
        if not self.rows or ctype is CompressionType.NONE:
            return self.plain_bytes
        if ctype in (CompressionType.BASIC, CompressionType.ADVANCED):
            if self._block_rows is None:
                self._block_rows = _block_rows(self.rows)
            pctfree = 0 if ctype is CompressionType.BASIC else DEFAULT_PCTFREE
            return _block_bytes(self._block_rows, pctfree)
        codec, unit_rows = _HCC_CODECS[ctype]
        total = 0
        for unit in self._unit_streams(unit_rows):
            total += CU_HEADER_BYTES + CU_COLUMN_HEADER_BYTES * self.columns
            total += sum(len(codec(stream)) for stream in unit)
        return total * BLOCK_SIZE / (BLOCK_SIZE - BLOCK_OVERHEAD)

    def measure(self, ctype: CompressionType) -> Measurement:
        return Measurement(len(self.rows), self.plain_bytes, self.compressed_bytes(ctype))


def measure(rows: Sequence[EncodedRow], ctype: CompressionType) -> Measurement:
    """Compress ``rows`` as ``ctype`` and report both sizes."""
    return PreparedSample(rows).measure(ctype)

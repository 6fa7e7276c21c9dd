"""Segment sizes from logical (uncompressed) bytes and a compression ratio."""

from __future__ import annotations

import math

from hcc_operators.warehouse.embedded.storage_format import BLOCK_SIZE

#: Initial extent of a partition segment since 11.2.0.2 (_partition_large_extents) and of a
#: table segment; a segment never shrinks below it, which is what TRUNCATE leaves behind.
PARTITION_INITIAL_EXTENT = 8 * 1024 * 1024
TABLE_INITIAL_EXTENT = 64 * 1024


def initial_extent(is_partition: bool) -> int:
    return PARTITION_INITIAL_EXTENT if is_partition else TABLE_INITIAL_EXTENT


def segment_bytes(uncompressed_bytes: int, ratio: float, *, is_partition: bool) -> int:
    if ratio <= 0:
        raise ValueError(f"compression ratio must be positive, got {ratio}")
    blocks = math.ceil(uncompressed_bytes / ratio / BLOCK_SIZE)
    return max(blocks * BLOCK_SIZE, initial_extent(is_partition))


def blocks(byte_count: int) -> int:
    return byte_count // BLOCK_SIZE

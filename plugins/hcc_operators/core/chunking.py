"""Split objects into chunks for Airflow dynamic task mapping, balanced by bytes.

The number of chunks is ``ceil(len(items) / chunk_size)``, capped at ``max_chunks`` (Airflow's
``max_map_length``, 1024 by default: a larger expansion fails the run). Objects are assigned by
greedy LPT (longest processing time first): largest first, each to the chunk with the fewest
bytes so far, so the giants spread over different chunks instead of one chunk holding them all.
Each chunk also holds at most ``ceil(len(items) / number_of_chunks)`` objects, so chunk_size
stays an upper bound whenever the cap allows it; without that bound LPT would pile the many
small objects into the chunks that did not get a giant.

Deterministic: ties in size keep the input order, ties in load go to the lower chunk index.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

MAX_MAP_LENGTH = 1024


def chunk_count(n_items: int, *, chunk_size: int, max_chunks: int = MAX_MAP_LENGTH) -> int:
    _check(chunk_size, max_chunks)
    return min(math.ceil(n_items / chunk_size), max_chunks) if n_items > 0 else 0


def chunk_by_size(
    items: Sequence[T],
    *,
    size_of: Callable[[T], int],
    chunk_size: int,
    max_chunks: int = MAX_MAP_LENGTH,
) -> list[list[T]]:
    """Chunks of ``items`` (module doc); each chunk lists its objects largest first."""
    n_chunks = chunk_count(len(items), chunk_size=chunk_size, max_chunks=max_chunks)
    if n_chunks == 0:
        return []
    sizes = [size_of(item) for item in items]
    for item, size in zip(items, sizes, strict=True):
        if size < 0:
            raise ValueError(f"negative size {size} for {item!r}")
    capacity = math.ceil(len(items) / n_chunks)
    order = sorted(range(len(items)), key=lambda i: -sizes[i])  # stable: ties keep input order

    chunks: list[list[T]] = [[] for _ in range(n_chunks)]
    # (bytes so far, chunk index); full chunks are dropped from the heap, never re-pushed.
    open_chunks = [(0, index) for index in range(n_chunks)]
    heapq.heapify(open_chunks)
    for i in order:
        load, index = heapq.heappop(open_chunks)
        chunks[index].append(items[i])
        if len(chunks[index]) < capacity:
            heapq.heappush(open_chunks, (load + sizes[i], index))
    return chunks


def _check(chunk_size: int, max_chunks: int) -> None:
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    if max_chunks < 1:
        raise ValueError(f"max_chunks must be at least 1, got {max_chunks}")

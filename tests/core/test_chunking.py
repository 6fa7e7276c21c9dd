from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcc_operators.core.chunking import MAX_MAP_LENGTH, chunk_by_size, chunk_count


def _sizes(chunks):
    return [sum(chunk) for chunk in chunks]


def test_empty_input_gives_no_chunks():
    assert chunk_by_size([], size_of=int, chunk_size=10) == []
    assert chunk_count(0, chunk_size=10) == 0


def test_giants_are_spread_over_different_chunks():
    items = [1000, 900, 800, 700] + [1] * 36
    chunks = chunk_by_size(items, size_of=int, chunk_size=10)
    assert len(chunks) == 4
    assert sorted(max(chunk) for chunk in chunks) == [700, 800, 900, 1000]
    assert all(len(chunk) <= 10 for chunk in chunks)


def test_lpt_balances_bytes():
    items = [7, 6, 5, 4, 3, 2, 2, 1]
    chunks = chunk_by_size(items, size_of=int, chunk_size=4)
    # 7->A, 6->B, 5->B (11), 4->A (11), 3->A (14), 2->B (13), 2->B (15, full), 1->A (15).
    assert _sizes(chunks) == [15, 15]
    assert [len(c) for c in chunks] == [4, 4]


def test_each_chunk_lists_largest_first():
    rng = random.Random(1)
    items = [rng.randint(0, 10**6) for _ in range(100)]
    for chunk in chunk_by_size(items, size_of=int, chunk_size=7):
        assert chunk == sorted(chunk, reverse=True)


def test_chunk_count_is_capped_at_max_map_length():
    assert chunk_count(10_000, chunk_size=1) == MAX_MAP_LENGTH
    chunks = chunk_by_size(list(range(3000)), size_of=int, chunk_size=1, max_chunks=1024)
    assert len(chunks) == 1024
    assert max(len(c) for c in chunks) == math.ceil(3000 / 1024)


def test_deterministic_with_ties_in_input_order():
    items = [("a", 5), ("b", 5), ("c", 5), ("d", 5)]
    first = chunk_by_size(items, size_of=lambda x: x[1], chunk_size=2)
    assert first == chunk_by_size(items, size_of=lambda x: x[1], chunk_size=2)
    assert first == [[("a", 5), ("c", 5)], [("b", 5), ("d", 5)]]


@pytest.mark.parametrize(("chunk_size", "max_chunks"), [(0, 10), (5, 0)])
def test_bad_arguments(chunk_size, max_chunks):
    with pytest.raises(ValueError, match="must be at least 1"):
        chunk_by_size([1], size_of=int, chunk_size=chunk_size, max_chunks=max_chunks)


def test_negative_size_is_rejected():
    with pytest.raises(ValueError, match="negative size -3"):
        chunk_by_size([1, -3], size_of=int, chunk_size=1)


@given(
    items=st.lists(st.integers(min_value=0, max_value=10**9), max_size=300),
    chunk_size=st.integers(min_value=1, max_value=50),
    max_chunks=st.integers(min_value=1, max_value=40),
)
def test_partition_properties(items, chunk_size, max_chunks):
    chunks = chunk_by_size(items, size_of=int, chunk_size=chunk_size, max_chunks=max_chunks)
    assert sorted(x for c in chunks for x in c) == sorted(items)
    assert len(chunks) <= max_chunks
    assert all(chunks)
    if items:
        assert len(chunks) == min(math.ceil(len(items) / chunk_size), max_chunks)
        if len(chunks) < max_chunks:
            assert all(len(c) <= chunk_size for c in chunks)
        # The N largest objects (when they have any bytes) each open a different chunk.
        top = sorted(items, reverse=True)[: len(chunks)]
        if all(top):
            assert sorted((max(c) for c in chunks), reverse=True) == top


def test_better_balanced_than_round_robin_on_a_long_tail():
    rng = random.Random(7)
    items = sorted((int(rng.paretovariate(1.2) * 100) for _ in range(400)), reverse=True)
    lpt = _sizes(chunk_by_size(items, size_of=int, chunk_size=20))
    robin = _sizes([items[i::20] for i in range(20)])
    assert max(lpt) - min(lpt) < max(robin) - min(robin)

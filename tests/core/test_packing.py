from __future__ import annotations

import heapq
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcc_operators.core.packing import (
    BEYOND_MAX_ITEMS,
    DOES_NOT_FIT_BATCH,
    DOES_NOT_FIT_WINDOW,
    HELD_BACK,
    pack,
)


def _pack(seconds, **kwargs):
    items = list(enumerate(seconds))  # (priority position, seconds)
    kwargs.setdefault("slots", 2)
    kwargs.setdefault("window_left_s", 3600)
    return pack(items, seconds_of=lambda item: item[1], **kwargs)


def _fifo_useful_seconds(seconds, *, slots, budget, take=10):
    """The naive plan: start the first ``take`` items in order; count work done in the window."""
    free = [0.0] * slots
    useful, overrun = 0.0, False
    for s in seconds[:take]:
        start = heapq.heappop(free)
        finish = start + s
        heapq.heappush(free, finish)
        if finish <= budget:
            useful += s
        else:
            overrun = True
    return useful, overrun


def _check_plan(plan, items):
    assert {p.item for p in plan.chosen} | {lo.item for lo in plan.left_over} == set(items)
    assert len(plan.chosen) + len(plan.left_over) == len(items)
    for placement in plan.chosen:
        assert placement.finish_s <= plan.budget_s  # zero overrun
        assert placement.start_s >= 0
        assert 0 <= placement.slot < plan.slots
    for lane in plan.by_slot():
        for before, after in zip(lane, lane[1:], strict=False):
            assert after.start_s >= before.finish_s  # a slot runs one action at a time


def test_all_fit():
    plan = _pack([100, 200, 300])
    assert [p.item[0] for p in plan.chosen] == [0, 1, 2]
    assert plan.left_over == ()
    assert [(p.slot, p.start_s, p.finish_s) for p in plan.chosen] == [
        (0, 0, 100),
        (1, 0, 200),
        (0, 100, 400),
    ]
    assert plan.makespan_s == 400
    assert plan.busy_s == 600
    assert plan.fill_ratio == pytest.approx(600 / 7200)


def test_a_giant_is_skipped_and_smaller_later_items_still_run():
    plan = _pack([3000, 5000, 500, 600], slots=1)
    assert [p.item[0] for p in plan.chosen] == [0, 2]
    assert [(lo.item[0], lo.reason) for lo in plan.left_over] == [
        (1, DOES_NOT_FIT_WINDOW),
        (3, DOES_NOT_FIT_WINDOW),
    ]
    assert plan.left_over[0].seconds == 5000


def test_strict_order_stops_at_the_first_misfit():
    plan = _pack([3000, 5000, 500, 600], slots=1, strict_order=True)
    assert [p.item[0] for p in plan.chosen] == [0]
    assert [lo.reason for lo in plan.left_over] == [DOES_NOT_FIT_WINDOW, HELD_BACK, HELD_BACK]


def test_max_batch_duration_binds_when_shorter_than_the_window():
    plan = _pack([1000, 1000, 1000], slots=1, window_left_s=3600, max_batch_s=2500)
    assert plan.budget_s == 2500
    assert len(plan.chosen) == 2
    assert plan.left_over[0].reason == DOES_NOT_FIT_BATCH
    plan = _pack([1000, 3000], slots=1, window_left_s=3600, max_batch_s=7200)
    assert plan.budget_s == 3600
    assert plan.left_over[0].reason == DOES_NOT_FIT_WINDOW


def test_the_margin_keeps_the_window_free_for_slower_than_predicted_work():
    # 1000 + 2000 x 1.5 = 4000 > 3600: the second item waits; the small one still fits.
    plan = _pack([1000, 2000, 600], slots=1, window_left_s=3600, margin=1.5)
    assert [p.item[0] for p in plan.chosen] == [0, 2]
    assert [(lo.item[0], lo.reason) for lo in plan.left_over] == [(1, DOES_NOT_FIT_WINDOW)]
    assert plan.chosen[-1].finish_s == 1600  # placements keep the predicted durations
    # The margin is for the window's close only: a batch cap is soft (it delays the next run).
    plan = _pack([1000, 1000], slots=1, window_left_s=10_000, max_batch_s=2000, margin=1.5)
    assert len(plan.chosen) == 2


def test_max_items_caps_the_chosen_not_the_considered():
    # The giant does not fit; the cap counts only what runs, so two small ones still do.
    plan = _pack([5000, 100, 100, 100], slots=1, window_left_s=3600, max_items=2)
    assert [p.item[0] for p in plan.chosen] == [1, 2]
    assert [(lo.item[0], lo.reason) for lo in plan.left_over] == [
        (0, DOES_NOT_FIT_WINDOW),
        (3, BEYOND_MAX_ITEMS),
    ]
    assert _pack([1, 2], max_items=0).chosen == ()


def test_exact_fit_is_allowed_and_closed_window_takes_nothing():
    assert len(_pack([1800, 1800], slots=1).chosen) == 2
    closed = _pack([0, 1], slots=3, window_left_s=-5)
    assert closed.budget_s == 0
    assert [p.item[0] for p in closed.chosen] == [0]  # zero-length work still fits
    assert closed.fill_ratio == 0


def test_empty_backlog():
    plan = _pack([])
    assert plan.chosen == () and plan.left_over == ()
    assert plan.makespan_s == 0


@pytest.mark.parametrize(
    ("seconds", "kwargs", "message"),
    [
        ([10], {"slots": 0}, "slots must be at least 1"),
        ([10], {"max_batch_s": -1}, "max_batch_s must not be negative"),
        ([10], {"margin": 0.9}, "margin must be a finite number >= 1"),
        ([10], {"margin": math.nan}, "margin must be a finite number >= 1"),
        ([10], {"max_items": -1}, "max_items must be zero or more"),
        ([-1], {}, "finite number >= 0"),
        ([math.nan], {}, "finite number >= 0"),
        ([math.inf], {}, "finite number >= 0"),
    ],
)
def test_bad_input(seconds, kwargs, message):
    with pytest.raises(ValueError, match=message):
        _pack(seconds, **kwargs)


def test_fills_the_window_better_than_fifo_10_on_a_long_tail():
    # Two big items, one that cannot fit, then a tail of small ones: typical after a policy
    # change that makes a year of old partitions eligible at once.
    backlog = [3000, 3000, 2800] + [200] * 30
    budget, slots = 3600, 2
    plan = _pack(backlog, slots=slots, window_left_s=budget)
    fifo_useful, fifo_overran = _fifo_useful_seconds(backlog, slots=slots, budget=budget)
    assert fifo_overran
    assert plan.fill_ratio == pytest.approx(1.0)
    assert plan.fill_ratio > fifo_useful / (slots * budget)
    assert plan.makespan_s <= budget


def test_fills_better_than_fifo_10_on_a_random_long_tail():
    rng = random.Random(2024)
    backlog = [min(rng.paretovariate(1.1) * 120, 20_000) for _ in range(200)]
    budget, slots = 4 * 3600, 4
    plan = _pack(backlog, slots=slots, window_left_s=budget)
    fifo_useful, _ = _fifo_useful_seconds(backlog, slots=slots, budget=budget)
    _check_plan(plan, list(enumerate(backlog)))
    assert plan.fill_ratio > fifo_useful / (slots * budget)


durations = st.lists(
    st.one_of(st.floats(min_value=0, max_value=20_000), st.integers(0, 5000)), max_size=80
)


@given(
    seconds=durations,
    slots=st.integers(min_value=1, max_value=8),
    window=st.floats(min_value=-100, max_value=50_000),
    batch=st.one_of(st.none(), st.floats(min_value=0, max_value=50_000)),
    strict=st.booleans(),
    margin=st.floats(min_value=1, max_value=4),
    cap=st.one_of(st.none(), st.integers(0, 100)),
)
def test_zero_overrun_for_any_input(seconds, slots, window, batch, strict, margin, cap):
    items = list(enumerate(seconds))
    plan = pack(
        items,
        seconds_of=lambda item: item[1],
        window_left_s=window,
        max_batch_s=batch,
        slots=slots,
        strict_order=strict,
        margin=margin,
        max_items=cap,
    )
    _check_plan(plan, items)
    assert plan.budget_s <= max(window, 0)
    assert plan.fill_ratio <= 1 + 1e-9
    # even margin x slower than predicted, nothing runs past the window's close
    assert all(p.start_s + p.seconds * margin <= max(window, 0) for p in plan.chosen)
    assert cap is None or len(plan.chosen) <= cap


@given(seconds=durations, slots=st.integers(min_value=1, max_value=8))
def test_strict_order_starts_nothing_ahead_of_a_higher_priority_item(seconds, slots):
    plan = _pack(seconds, slots=slots, window_left_s=10_000, strict_order=True)
    chosen = [p.item[0] for p in plan.chosen]
    assert chosen == list(range(len(chosen)))  # a prefix of the queue
    starts = [p.start_s for p in plan.chosen]
    assert starts == sorted(starts)
    if plan.left_over:
        assert plan.left_over[0].reason == DOES_NOT_FIT_WINDOW
        assert all(lo.reason == HELD_BACK for lo in plan.left_over[1:])


@given(seconds=durations, slots=st.integers(min_value=1, max_value=8))
def test_relaxed_mode_never_fills_less_than_strict(seconds, slots):
    strict = _pack(seconds, slots=slots, window_left_s=10_000, strict_order=True)
    relaxed = _pack(seconds, slots=slots, window_left_s=10_000)
    # Relaxed takes the same prefix, then only adds work in the space left.
    assert [p for p in relaxed.chosen[: len(strict.chosen)]] == list(strict.chosen)
    assert relaxed.busy_s >= strict.busy_s


# --- groups: one table's items never overlap (one ILM action per table at a time) ----------


def _grouped(spec, **kwargs):
    """``spec``: (group, seconds) per item in priority order."""
    kwargs.setdefault("slots", 4)
    kwargs.setdefault("window_left_s", 10_000)
    return pack(list(spec), seconds_of=lambda it: it[1], group_of=lambda it: it[0], **kwargs)


def test_items_of_one_group_run_one_after_another():
    plan = _grouped([("T", 100), ("T", 50), ("T", 10)])
    starts = [(p.start_s, p.finish_s) for p in plan.chosen]
    assert starts == [(0, 100), (100, 150), (150, 160)]


def test_other_groups_fill_the_slots_while_a_group_is_busy():
    plan = _grouped([("T", 100), ("T", 100), ("U", 30), ("V", 30)])
    by_item = {(p.item, p.start_s): p.slot for p in plan.chosen}
    assert [(p.item[0], p.start_s) for p in plan.chosen] == [
        ("T", 0),
        ("T", 100),
        ("U", 0),
        ("V", 0),
    ]
    # the busy group's second item waits on the slot its first one frees, leaving the other
    # slots free for U and V at 0
    assert by_item[(("T", 100), 0)] == by_item[(("T", 100), 100)]
    assert len(set(by_item.values())) == 3


def test_a_busy_group_waits_on_the_slot_free_latest_by_then():
    plan = _grouped([("A", 40), ("B", 90), ("A", 10), ("C", 5)], slots=2)
    placed = {p.item: p for p in plan.chosen}
    # A's second item waits for A (until 40) on slot 0, free at 40; C then takes the earliest
    # free slot: slot 0 at 50 (slot 1 is busy with B until 90)
    assert (placed[("A", 10)].start_s, placed[("A", 10)].slot) == (40, 0)
    assert (placed[("C", 5)].start_s, placed[("C", 5)].slot) == (50, 0)


def test_a_group_item_that_waits_past_the_window_is_left_over():
    plan = _grouped([("T", 60), ("T", 60)], window_left_s=100)
    assert len(plan.chosen) == 1 and plan.left_over[0].reason == DOES_NOT_FIT_WINDOW


@given(
    st.lists(
        st.tuples(st.sampled_from("ABC"), st.floats(min_value=1, max_value=500)),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=1, max_value=4),
)
def test_no_two_items_of_a_group_overlap_and_no_slot_runs_two(spec, slots):
    plan = _grouped(spec, slots=slots, window_left_s=2_000)
    for key in ("group", "slot"):
        spans: dict = {}
        for p in plan.chosen:
            spans.setdefault(p.item[0] if key == "group" else p.slot, []).append(
                (p.start_s, p.finish_s)
            )
        for intervals in spans.values():
            intervals.sort()
            for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
                assert start >= end - 1e-9


def test_without_groups_the_plan_is_unchanged():
    spec = [("T", s) for s in (30, 20, 10, 40, 5)]
    grouped = pack(spec, seconds_of=lambda it: it[1], window_left_s=1000, slots=2)
    plain = pack([s for _, s in spec], seconds_of=float, window_left_s=1000, slots=2)
    assert [(p.start_s, p.slot) for p in grouped.chosen] == [
        (p.start_s, p.slot) for p in plain.chosen
    ]

"""Choose which queued actions to start in a maintenance window so none overruns it.

List scheduling on ``slots`` parallel slots (the DDL pool size), in the given priority order:
each item goes to the slot that becomes free first, starting when that slot is free; it is
chosen only if

- it fits the window: ``start + seconds x margin <= window_left_s``. ``margin`` (>= 1) is the
  safety factor the executor's re-check applies before it starts an item (services.ilm_execute),
  so the plan holds what the re-check will let start: with ``margin`` = 1.5, an item planned
  last still ends before the window closes when it runs 50% longer than predicted;
- it fits the batch: ``start + seconds <= max_batch_s`` when a maximum batch duration is set
  (a soft limit: running past it only delays the next batch, so no margin applies);
- fewer than ``max_items`` items are chosen so far (the cap on one batch's operations).

Every chosen item is therefore predicted to finish before the window closes, even ``margin``
times slower than predicted: zero overrun. The earliest-free slot is the only one worth trying,
since no other slot could start it sooner.

Items of one group never overlap (``group_of``; the ILM planner groups by table because the
executor runs one action per table at a time, services/table_lock.py). An item whose group is
still busy starts when the group's last item ends, on the slot that is free latest by then, so
the slots free earlier stay free for other groups' items.

When an item does not fit:

- default (``strict_order=False``): it is left for the next window and the later, smaller items
  are still tried. This trades strict priority for window fill: a lower-priority item may run
  in this window while a higher-priority giant waits for a longer one. Without it one giant at
  the head of the queue would leave the window idle.
- ``strict_order=True``: packing stops there; no item starts ahead of one with a higher
  priority, at the cost of an emptier window.

Once ``max_items`` items are chosen, every later item is left over as beyond the cap.

The predicted offsets match what an Airflow pool does with the same tasks when their
priority_weight follows this order: a freed pool slot goes to the highest-priority waiting task.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DOES_NOT_FIT_WINDOW = "does not fit before the window closes"
DOES_NOT_FIT_BATCH = "does not fit in the batch's maximum duration"
HELD_BACK = "held back behind a higher-priority item that does not fit (strict order)"
BEYOND_MAX_ITEMS = "beyond max_operations for one batch"


@dataclass(frozen=True)
class Placement(Generic[T]):
    item: T
    slot: int
    start_s: float  # offset from the batch start
    finish_s: float

    @property
    def seconds(self) -> float:
        return self.finish_s - self.start_s


@dataclass(frozen=True)
class LeftOver(Generic[T]):
    item: T
    seconds: float
    reason: str


@dataclass(frozen=True)
class PackPlan(Generic[T]):
    chosen: tuple[Placement[T], ...]
    left_over: tuple[LeftOver[T], ...]
    budget_s: float
    slots: int

    @property
    def makespan_s(self) -> float:
        return max((p.finish_s for p in self.chosen), default=0.0)

    @property
    def busy_s(self) -> float:
        return sum(p.seconds for p in self.chosen)

    @property
    def fill_ratio(self) -> float:
        """Share of the slot-seconds in the budget that chosen work is predicted to use."""
        capacity = self.slots * self.budget_s
        return self.busy_s / capacity if capacity > 0 else 0.0

    def has_room(
        self, *, window_left_s: float, max_batch_s: float | None, margin: float, min_s: float
    ) -> bool:
        """Whether an item of ``min_s`` seconds (the shortest any prediction gives) would still
        be chosen after these: when not, every later item is left over, and a caller streaming
        a long queue can stop reading it."""
        finish = [0.0] * self.slots
        for placement in self.chosen:
            finish[placement.slot] = max(finish[placement.slot], placement.finish_s)
        start = min(finish)
        fits_batch = max_batch_s is None or start + min_s <= max_batch_s
        return start + min_s * margin <= max(window_left_s, 0.0) and fits_batch

    def by_slot(self) -> list[list[Placement[T]]]:
        lanes: list[list[Placement[T]]] = [[] for _ in range(self.slots)]
        for placement in self.chosen:
            lanes[placement.slot].append(placement)
        return lanes


def pack(
    items: Sequence[T],
    *,
    seconds_of: Callable[[T], float],
    window_left_s: float,
    slots: int,
    max_batch_s: float | None = None,
    strict_order: bool = False,
    margin: float = 1.0,
    max_items: int | None = None,
    group_of: Callable[[T], Hashable] | None = None,
) -> PackPlan[T]:
    """Plan ``items`` (highest priority first) into the window (module doc)."""
    if slots < 1:
        raise ValueError(f"slots must be at least 1, got {slots}")
    if max_batch_s is not None and max_batch_s < 0:
        raise ValueError(f"max_batch_s must not be negative, got {max_batch_s}")
    if not (math.isfinite(margin) and margin >= 1.0):
        raise ValueError(f"margin must be a finite number >= 1, got {margin}")
    if max_items is not None and max_items < 0:
        raise ValueError(f"max_items must be zero or more, got {max_items}")
    window = max(window_left_s, 0.0)
    batch = math.inf if max_batch_s is None else float(max_batch_s)
    budget = min(window, batch)

    durations = [float(seconds_of(item)) for item in items]
    for item, seconds in zip(items, durations, strict=True):
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(
                f"predicted seconds must be a finite number >= 0, got {seconds} for {item!r}"
            )

    free_at = [0.0] * slots  # when each slot is free
    group_free: dict[Hashable, float] = {}  # when each group's last item ends
    chosen: list[Placement[T]] = []
    left_over: list[LeftOver[T]] = []
    blocked = False
    for item, seconds in zip(items, durations, strict=True):
        if max_items is not None and len(chosen) >= max_items:
            left_over.append(LeftOver(item, seconds, BEYOND_MAX_ITEMS))
            continue
        if blocked:
            left_over.append(LeftOver(item, seconds, HELD_BACK))
            continue
        group = group_of(item) if group_of is not None else None
        start, slot = _slot_for(free_at, group_free.get(group, 0.0) if group_of else 0.0)
        finish = start + seconds
        misfit = (
            DOES_NOT_FIT_WINDOW
            if start + seconds * margin > window
            else DOES_NOT_FIT_BATCH
            if finish > batch
            else None
        )
        if misfit is not None:
            left_over.append(LeftOver(item, seconds, misfit))
            blocked = strict_order
            continue
        free_at[slot] = finish
        if group_of is not None:
            group_free[group] = finish
        chosen.append(Placement(item, slot, start, finish))
    return PackPlan(tuple(chosen), tuple(left_over), budget, slots)


def _slot_for(free_at: list[float], group_free: float) -> tuple[float, int]:
    """(start, slot) of the next item: the earliest-free slot, unless the item's group is busy
    beyond it; then the slot free latest by the time the group is (module doc)."""
    earliest = min(free_at)
    if group_free <= earliest:
        return earliest, free_at.index(earliest)
    ready = [s for s, free in enumerate(free_at) if free <= group_free]
    return group_free, max(ready, key=lambda s: (free_at[s], -s))

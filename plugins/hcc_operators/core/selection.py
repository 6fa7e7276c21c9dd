"""Which queued ILM operations run in the next batch.

Order: items carried over from an INTERRUPTED batch first (they were already chosen once and
may have left work half done), then by *effective* priority, then FIFO by enqueue time, then
the oldest partition first (one evaluation enqueues many items at the same instant), then
queue_id so equal items always come out in the same order.

Fairness: a strict priority order starves a low-priority policy whenever higher-priority work
keeps arriving. Waiting therefore earns a boost:

    effective_priority = priority - floor(waiting_hours / boost_every_hours)

so with the default of 24 hours an item at priority 50 that has waited 3 days competes as if it
had priority 47. Lower numbers run first, and the boost is unbounded, so every item eventually
reaches the front. ``boost_every_hours=None`` turns the boost off.

One object is touched by at most one operation per batch: two DDL statements on the same
partition at once would block each other, so a later item for an object already in the batch
waits for the next one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from hcc_operators.core.models import ActionKind, ObjectRef

DEFAULT_BOOST_EVERY_HOURS = 24.0


@dataclass(frozen=True, slots=True)
class QueueItem:
    queue_id: int
    policy: str
    priority: int
    enqueued_at: datetime
    size_bytes: int
    action: ActionKind
    ref: ObjectRef | None = None
    interrupted: bool = False
    age_days: int | None = None  # the partition's age when enqueued: older runs first


def effective_priority(
    item: QueueItem, now: datetime, boost_every_hours: float | None = DEFAULT_BOOST_EVERY_HOURS
) -> int:
    if boost_every_hours is None:
        return item.priority
    if boost_every_hours <= 0:
        raise ValueError(f"boost_every_hours must be positive or None, got {boost_every_hours}")
    waiting_hours = max((now - item.enqueued_at).total_seconds(), 0.0) / 3600.0
    return item.priority - math.floor(waiting_hours / boost_every_hours)


def order_queue(
    items: Iterable[QueueItem],
    *,
    now: datetime,
    boost_every_hours: float | None = DEFAULT_BOOST_EVERY_HOURS,
) -> list[QueueItem]:
    """All items in the order they would be picked."""
    if boost_every_hours is not None and boost_every_hours <= 0:
        raise ValueError(f"boost_every_hours must be positive or None, got {boost_every_hours}")

    def key(item: QueueItem) -> tuple:
        return (
            not item.interrupted,
            effective_priority(item, now, boost_every_hours),
            item.enqueued_at,
            -(item.age_days or 0),
            item.queue_id,
        )

    return sorted(items, key=key)


def select_batch(
    items: Iterable[QueueItem],
    *,
    now: datetime,
    max_operations: int,
    boost_every_hours: float | None = DEFAULT_BOOST_EVERY_HOURS,
) -> list[QueueItem]:
    """Up to ``max_operations`` items for the next batch, in execution order."""
    if max_operations < 0:
        raise ValueError(f"max_operations must be zero or more, got {max_operations}")
    chosen: list[QueueItem] = []
    for item in first_per_object(order_queue(items, now=now, boost_every_hours=boost_every_hours)):
        if len(chosen) >= max_operations:
            break
        chosen.append(item)
    return chosen


def first_per_object(
    ordered: Iterable[QueueItem], seen: set[ObjectRef] | None = None
) -> Iterator[QueueItem]:
    """The first item per object of an ordered stream (``seen`` carries over between calls)."""
    seen = set() if seen is None else seen
    for item in ordered:
        if item.ref is not None:
            if item.ref in seen:
                continue
            seen.add(item.ref)
        yield item

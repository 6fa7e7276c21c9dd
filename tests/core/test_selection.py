from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from hcc_operators.core.models import ActionKind, ObjectRef
from hcc_operators.core.selection import (
    QueueItem,
    effective_priority,
    order_queue,
    select_batch,
)

NOW = datetime(2024, 6, 1, 12, 0)


def item(queue_id, priority=10, waited_hours=0.0, **fields) -> QueueItem:
    return QueueItem(
        queue_id=queue_id,
        policy=fields.pop("policy", f"policy{priority}"),
        priority=priority,
        enqueued_at=NOW - timedelta(hours=waited_hours),
        size_bytes=fields.pop("size_bytes", 1),
        action=fields.pop("action", ActionKind.COMPRESS),
        **fields,
    )


def ids(items):
    return [i.queue_id for i in items]


def test_priority_first_then_fifo_then_queue_id():
    items = [
        item(1, priority=20, waited_hours=5),
        item(2, priority=10, waited_hours=1),
        item(3, priority=10, waited_hours=3),
        item(4, priority=10, waited_hours=3),
    ]
    assert ids(order_queue(items, now=NOW)) == [3, 4, 2, 1]


def test_items_enqueued_together_run_oldest_partition_first():
    items = [
        item(1, age_days=30),
        item(2, age_days=400),
        item(3),  # age unknown (enqueued before the column existed): counts as 0
        item(4, age_days=400),
        item(5, priority=5, age_days=1),
    ]
    assert ids(order_queue(items, now=NOW)) == [5, 2, 4, 1, 3]


def test_order_does_not_depend_on_input_order():
    items = [item(i, priority=i % 3, waited_hours=i % 5) for i in range(30)]
    expected = ids(order_queue(items, now=NOW))
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    assert ids(order_queue(shuffled, now=NOW)) == expected


@pytest.mark.parametrize(
    ("waited_hours", "boost", "expected"),
    [(0, 24, 50), (23.9, 24, 50), (24, 24, 49), (72, 24, 47), (71.9, 24, 48), (500, None, 50)],
)
def test_effective_priority_boost(waited_hours, boost, expected):
    assert effective_priority(item(1, priority=50, waited_hours=waited_hours), NOW, boost) == (
        expected
    )


def test_items_enqueued_in_the_future_get_no_boost():
    assert effective_priority(item(1, priority=5, waited_hours=-30), NOW, 24) == 5


def test_long_waiting_low_priority_item_overtakes_fresh_high_priority_work():
    starving = item(1, priority=30, waited_hours=24 * 21)  # three weeks: 30 - 21 = 9
    fresh = [item(i, priority=10) for i in range(2, 6)]
    assert ids(select_batch(fresh + [starving], now=NOW, max_operations=2)) == [1, 2]


def test_without_boost_strict_priority():
    starving = item(1, priority=30, waited_hours=24 * 21)
    fresh = [item(i, priority=10) for i in range(2, 6)]
    batch = select_batch(fresh + [starving], now=NOW, max_operations=2, boost_every_hours=None)
    assert ids(batch) == [2, 3]


def test_equal_effective_priority_falls_back_to_fifo():
    # 12 waiting 48h is boosted to 10 and was enqueued earlier than the fresh priority-10 item.
    assert ids(
        order_queue([item(1, priority=10), item(2, priority=12, waited_hours=48)], now=NOW)
    ) == [2, 1]


def test_interrupted_items_go_first_whatever_their_priority():
    items = [
        item(1, priority=1),
        item(2, priority=99, interrupted=True),
        item(3, priority=50, interrupted=True, waited_hours=1),
    ]
    assert ids(select_batch(items, now=NOW, max_operations=10)) == [3, 2, 1]


def test_max_operations_caps_the_batch():
    items = [item(i) for i in range(10)]
    assert len(select_batch(items, now=NOW, max_operations=3)) == 3
    assert select_batch(items, now=NOW, max_operations=0) == []


def test_one_operation_per_object_per_batch():
    ref = ObjectRef("SALES", "ORDERS", "P2020_01")
    items = [
        item(1, priority=1, ref=ref),
        item(2, priority=2, ref=ref, action=ActionKind.READ_ONLY),
        item(3, priority=3, ref=ObjectRef("SALES", "ORDERS", "P2020_02")),
        item(4, priority=4),
    ]
    assert ids(select_batch(items, now=NOW, max_operations=3)) == [1, 3, 4]


@pytest.mark.parametrize("boost", [0, -1])
def test_bad_boost_is_refused(boost):
    with pytest.raises(ValueError, match="boost_every_hours"):
        order_queue([item(1)], now=NOW, boost_every_hours=boost)


def test_negative_max_operations_is_refused():
    with pytest.raises(ValueError, match="max_operations"):
        select_batch([item(1)], now=NOW, max_operations=-1)

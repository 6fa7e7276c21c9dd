"""The PENDING queue in core.selection's order, read a chunk at a time.

A million partitions and 20 policies can leave millions of items PENDING, and one batch starts
at most 1024 of them. So the planner does not load the queue: it reads it in execution order
and stops once the batch is full. The order comes from SQL without date arithmetic: the
items of one evaluation share (carried_over, priority, enqueued_at), so these groups are few.
They are ordered in Python by core.selection's own key, then each group's rows are streamed
oldest partition first, which is how core.selection breaks ties inside a group.

Only PENDING items are candidates: an item an operator put on HELD (core.queue_control) is
never read here, so no batch plans it until it is released.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Row

from hcc_operators.core.models import ActionKind, ObjectRef
from hcc_operators.core.selection import DEFAULT_BOOST_EVERY_HOURS, QueueItem, order_queue
from hcc_operators.repository.tables import ilm_queue

FETCH_ROWS = 5000


def as_item(row: Row) -> QueueItem:
    return QueueItem(
        row.queue_id,
        row.policy_name,
        row.priority,
        row.enqueued_at,
        row.size_bytes or 0,
        ActionKind(row.action),
        ObjectRef(row.owner, row.table_name, row.partition_name),
        interrupted=bool(row.carried_over),
        age_days=row.age_days,
    )


def pending_in_order(
    conn: Connection,
    now: datetime,
    *,
    boost_every_hours: float | None = DEFAULT_BOOST_EVERY_HOURS,
) -> Iterator[Row]:
    """PENDING rows in the order core.selection.order_queue puts them."""
    q = ilm_queue.c
    pending = q.status == "PENDING"
    groups = [
        QueueItem(
            queue_id=n,
            policy="",
            priority=priority,
            enqueued_at=enqueued_at,
            size_bytes=0,
            action=ActionKind.COMPRESS,
            interrupted=bool(carried_over),
        )
        for n, (carried_over, priority, enqueued_at) in enumerate(
            conn.execute(
                select(q.carried_over, q.priority, q.enqueued_at).where(pending).distinct()
            )
        )
    ]
    for group in order_queue(groups, now=now, boost_every_hours=boost_every_hours):
        yield from conn.execute(
            select(ilm_queue)
            .where(
                pending,
                q.carried_over == group.interrupted,
                q.priority == group.priority,
                q.enqueued_at == group.enqueued_at,
            )
            .order_by(func.coalesce(q.age_days, 0).desc(), q.queue_id)
            .execution_options(yield_per=FETCH_ROWS)
        )


def count_pending(conn: Connection) -> int:
    pending = ilm_queue.c.status == "PENDING"
    return conn.scalar(select(func.count()).select_from(ilm_queue).where(pending))

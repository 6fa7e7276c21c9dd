"""Follow-ups: work an action's success queues on its result (statistics after a rewrite, the
consolidation of a period once a MOVE completed it).

A follow-up is an ordinary queue item (PENDING, naming its parent in ``parent_queue_id``):
it is planned into the next batch (ahead of new work), shows in the queue and the task list,
can be retried by clearing it, and is re-planned after a crash because the parent's retry
queues it again. It is never queued twice: not by a retry of its parent (one follow-up of a kind
per parent) and not beside an active item for the same partition and kind.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from hcc_operators.core.actions import ActionParams, dump_params
from hcc_operators.core.errors import HccError, NothingToDo
from hcc_operators.core.models import ActionKind, ObjectRef
from hcc_operators.core.queue_control import ACTIVE as ACTIVE_STATUSES
from hcc_operators.repository.tables import ilm_queue
from hcc_operators.services.action_runner import table_segments
from hcc_operators.warehouse.base import Warehouse

# A HELD item is active too: an operator's hold is not undone by queueing the work anew.
ACTIVE = tuple(s.value for s in ACTIVE_STATUSES)


def queue_follow_ups(
    warehouse: Warehouse,
    engine: Engine,
    row,
    params: ActionParams,
    result: ObjectRef,
    *,
    now: datetime,
) -> list[str]:
    """Queue the follow-ups of ``row``'s action, done on ``result``; returns one line per
    follow-up saying what was queued or why not."""
    wanted = params.follow_ups()
    if not wanted:
        return []
    said: list[str] = []
    table = None
    for follow in wanted:
        target = result
        if "after" in type(follow).model_fields:
            # Statistics gathered from now on are the rewritten segment's.
            follow = follow.model_copy(update={"after": now})
        if follow.kind is ActionKind.MERGE:
            table = table if table is not None else table_segments(warehouse, result)
            try:
                merge = follow.to_action(result, table=table, upper_bound=row.upper_bound)
            except NothingToDo as why:
                said.append(f"{follow.kind.value} not queued: {why}")
                continue
            except HccError as err:
                said.append(f"{follow.kind.value} not queued: {err}")
                continue
            if len(merge.merge_sources) < 2 and merge.merge_sources[:1] == (merge.ref.partition,):
                said.append(f"{follow.kind.value} not queued: {merge.ref.label} is already one")
                continue
            # Queued on the period's last partition, like a MERGE policy's own items.
            target = ObjectRef(result.owner, result.table, merge.merge_sources[-1])
        said.append(_enqueue(engine, row, follow, target, now))
    return said


def _enqueue(engine: Engine, row, follow: ActionParams, target: ObjectRef, now: datetime) -> str:
    q = ilm_queue.c
    with engine.begin() as conn:
        earlier = conn.execute(
            select(q.queue_id, q.status).where(
                q.parent_queue_id == row.queue_id, q.action == follow.kind.value
            )
        ).first()
        if earlier is not None:
            # A cleared or retried parent: its follow-up was queued by the first success.
            return (
                f"{follow.kind.value} already queued by this item (item {earlier.queue_id}, "
                f"{earlier.status})"
            )
        active = conn.execute(
            select(q.queue_id).where(
                q.owner == target.owner,
                q.table_name == target.table,
                q.partition_name == target.partition,
                q.action == follow.kind.value,
                q.status.in_(ACTIVE),
            )
        ).first()
        if active is not None:
            return f"{follow.kind.value} on {target.label} already queued (item {active.queue_id})"
        queue_id = conn.execute(
            insert(ilm_queue).values(
                policy_name=row.policy_name,
                policy_version=row.policy_version,
                priority=row.priority,
                owner=target.owner,
                table_name=target.table,
                partition_name=target.partition,
                action=follow.kind.value,
                action_params=dump_params(follow),
                size_bytes=row.size_bytes,
                age_days=row.age_days,
                upper_bound=row.upper_bound,
                status="PENDING",
                attempts=0,
                # Carried-over items are planned first: the follow-up runs in the next batch.
                carried_over=True,
                parent_queue_id=row.queue_id,
                enqueued_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
    return f"{follow.kind.value} on {target.label} queued (item {queue_id})"

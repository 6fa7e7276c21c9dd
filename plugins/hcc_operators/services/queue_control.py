"""An operator's change to one queue item, applied atomically and recorded.

The change and its audit row (hcc_ilm_queue_changes) are written in one transaction, and the
UPDATE is guarded by the status (and priority) the decision was made on: if a batch claims the
item between the read and the write, nothing changes and the caller gets a QueueConflict
instead of a hold on a RUNNING item. Which command applies to which status is core's table
(core.queue_control.TRANSITIONS); the REST API and `hcc queue` both call ``apply_command``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine, Row

from hcc_operators.core.errors import HccError
from hcc_operators.core.queue_control import (
    ACTIVE,
    Actor,
    ChangedField,
    QueueCommand,
    QueueConflict,
    check_priority,
    check_reason,
    check_transition,
)
from hcc_operators.repository.tables import ilm_queue, queue_changes


class QueueItemNotFound(HccError):
    """No queue item has this id (HTTP 404, CLI exit 1)."""


@dataclass(frozen=True)
class QueueChange:
    change_id: int
    queue_id: int
    command: str
    field: str
    old_value: str
    new_value: str
    changed_by: str
    changed_via: str
    reason: str | None
    changed_at: datetime

    def to_dict(self) -> dict:
        return asdict(self)


def apply_command(
    engine: Engine,
    queue_id: int,
    command: QueueCommand | str,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
    priority: int | None = None,
) -> QueueChange:
    """Apply ``command`` to the item and record who did it; ValueError for a bad priority or
    reason, QueueItemNotFound, IllegalTransition or QueueConflict otherwise."""
    command = QueueCommand(command)
    reason = check_reason(reason)
    if command is QueueCommand.PRIORITY:
        if priority is None:
            raise ValueError("priority: give the new priority")
        check_priority(priority)
    elif priority is not None:
        raise ValueError(f"priority is only given to the priority command, not to {command}")
    q = ilm_queue.c
    with engine.begin() as conn:
        row = conn.execute(select(ilm_queue).where(q.queue_id == queue_id)).first()
        if row is None:
            raise QueueItemNotFound(f"queue item {queue_id} not found")
        transition = check_transition(command, row.status, queue_id)
        guard = [q.queue_id == queue_id, q.status == row.status]
        if command is QueueCommand.PRIORITY:
            if priority == row.priority:
                raise QueueConflict(f"queue item {queue_id} already has priority {priority}")
            field, old, new = ChangedField.PRIORITY, str(row.priority), str(priority)
            values: dict = {"priority": priority}
            guard.append(q.priority == row.priority)
        else:
            field, old, new = ChangedField.STATUS, row.status, transition.to.value
            values = {"status": new}
        if command is QueueCommand.REQUEUE:
            _refuse_duplicate(conn, row)
            # A fresh start: not carried over, in no batch, no worker's lease on it.
            values.update(carried_over=False, batch_id=None, lease_holder=None)
            values.update(lease_expires_at=None)
        changed = conn.execute(
            update(ilm_queue).where(*guard).values(**values, updated_at=now)
        ).rowcount
        if not changed:
            now_status = conn.scalar(select(q.status).where(q.queue_id == queue_id))
            raise QueueConflict(
                f"queue item {queue_id} changed while this {command.value} was applied (it "
                f"is {now_status} now); look at it again and retry"
            )
        change = {
            "queue_id": queue_id,
            "command": command.value,
            "field": field.value,
            "old_value": old,
            "new_value": new,
            "changed_by": actor.name,
            "changed_via": actor.via,
            "reason": reason,
            "changed_at": now,
        }
        change_id = conn.execute(insert(queue_changes).values(**change)).inserted_primary_key[0]
    return QueueChange(change_id=change_id, **change)


def _refuse_duplicate(conn: Connection, row: Row) -> None:
    """Back to PENDING only if no other item stands for the same partition and policy (the
    evaluation queued a new one after this one failed, say): two would run the action twice."""
    q = ilm_queue.c
    other = conn.execute(
        select(q.queue_id, q.status).where(
            q.queue_id != row.queue_id,
            q.policy_name == row.policy_name,
            q.owner == row.owner,
            q.table_name == row.table_name,
            q.partition_name == row.partition_name,
            q.status.in_(ACTIVE),
        )
    ).first()
    if other is not None:
        raise QueueConflict(
            f"cannot requeue queue item {row.queue_id}: item {other.queue_id} ({other.status}) "
            f"already stands for {row.owner}.{row.table_name}:{row.partition_name} under policy "
            f"{row.policy_name}"
        )


def history(engine: Engine, queue_id: int) -> list[QueueChange]:
    """Every recorded change of the item, oldest first; QueueItemNotFound when the item and its
    history are unknown (retention deletes both together)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(queue_changes)
            .where(queue_changes.c.queue_id == queue_id)
            .order_by(queue_changes.c.change_id)
        ).all()
        if not rows:
            exists = conn.scalar(
                select(ilm_queue.c.queue_id).where(ilm_queue.c.queue_id == queue_id)
            )
            if exists is None:
                raise QueueItemNotFound(f"queue item {queue_id} not found")
    return [_change(r) for r in rows]


def latest_changes(engine: Engine, queue_ids: Sequence[int]) -> dict[int, QueueChange]:
    """The most recent change of each of these items that has one (for queue listings)."""
    if not queue_ids:
        return {}
    c = queue_changes.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(queue_changes).where(c.queue_id.in_(list(queue_ids))).order_by(c.change_id)
        ).all()
    return {r.queue_id: _change(r) for r in rows}  # later rows overwrite earlier ones


def _change(row: Row) -> QueueChange:
    return QueueChange(**{f: getattr(row, f) for f in QueueChange.__dataclass_fields__})

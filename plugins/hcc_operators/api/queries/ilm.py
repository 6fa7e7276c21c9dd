"""ILM state: batches and their actions, the queue, its backlog, and why a partition is queued."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine, Row

from hcc_operators.api.links import Links
from hcc_operators.api.models import (
    ActionLogOut,
    BacklogOut,
    BatchDetailOut,
    BatchOut,
    EvaluationOut,
    Page,
    PartitionEvaluationsOut,
    QueueChangeOut,
    QueueItemOut,
)
from hcc_operators.api.queries.rows import json_or_none, label, paged
from hcc_operators.core.batch_outcome import describe_batch
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.names import Dag
from hcc_operators.repository.evaluation_reads import partition_decisions
from hcc_operators.repository.tables import (
    execution_log,
    ilm_batches,
    ilm_queue,
)
from hcc_operators.services.queue_control import QueueChange, latest_changes

_BATCH_FIELDS = (
    "batch_id",
    "dag_run_id",
    "run_type",
    "window_start",
    "window_end",
    "status",
    "planned",
    "succeeded",
    "skipped",
    "failed",
    "left_pending",
    "reason",
    "started_at",
    "finished_at",
)
_LOG_FIELDS = (
    "log_id",
    "queue_id",
    "batch_id",
    "policy_name",
    "action",
    "status",
    "attempt",
    "dag_run_id",
    "map_index",
    "compression_before",
    "compression_after",
    "tablespace_before",
    "tablespace_after",
    "bytes_before",
    "bytes_after",
    "ratio",
    "duration_s",
    "error_code",
    "error_message",
    "note",
    "started_at",
    "finished_at",
)
_QUEUE_FIELDS = (
    "queue_id",
    "policy_name",
    "policy_version",
    "priority",
    "action",
    "size_bytes",
    "status",
    "attempts",
    "batch_id",
    "predicted_s",
    "last_error",
    "enqueued_at",
    "updated_at",
)


def batch_out(row: Row, links: Links) -> BatchOut:
    return BatchOut(
        **{k: getattr(row, k) for k in _BATCH_FIELDS},
        forced=bool(row.forced),
        ui_url=links.dag_run(Dag.ILM_EXECUTE, row.dag_run_id),
        warehouse=links.warehouse,
        outcome=describe_batch(
            row.batch_id,
            row.status,
            planned=row.planned,
            succeeded=row.succeeded,
            skipped=row.skipped,
            failed=row.failed,
            left_pending=row.left_pending,
            reason=row.reason,
        ),
    )


def action_out(row: Row, links: Links) -> ActionLogOut:
    return ActionLogOut(
        **{k: getattr(row, k) for k in _LOG_FIELDS},
        object=label(row),
        simulated=bool(row.simulated),
        ui_url=links.ilm_action(row.dag_run_id, row.map_index),
    )


def list_batches(
    engine: Engine, *, status: str | None, limit: int, offset: int, links: Links
) -> Page[BatchOut]:
    stmt = select(ilm_batches).order_by(ilm_batches.c.batch_id.desc())
    if status:
        stmt = stmt.where(ilm_batches.c.status == status)
    with engine.connect() as conn:
        rows, total = paged(conn, stmt, limit, offset)
    return Page[BatchOut](
        items=[batch_out(r, links) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
        warehouse=links.warehouse,
    )


def get_batch(engine: Engine, batch_id: int, *, links: Links) -> BatchDetailOut | None:
    with engine.connect() as conn:
        row = conn.execute(select(ilm_batches).where(ilm_batches.c.batch_id == batch_id)).first()
        if row is None:
            return None
        actions = conn.execute(
            select(execution_log)
            .where(execution_log.c.batch_id == batch_id)
            .order_by(execution_log.c.log_id)
        ).all()
    return BatchDetailOut(
        **batch_out(row, links).model_dump(), actions=[action_out(a, links) for a in actions]
    )


def queue_out(row: Row, warehouse: str, last_change: QueueChange | None = None) -> QueueItemOut:
    return QueueItemOut(
        **{k: getattr(row, k) for k in _QUEUE_FIELDS},
        object=label(row),
        action_params=json_or_none(row.action_params),
        carried_over=bool(row.carried_over),
        last_change=QueueChangeOut(**last_change.to_dict()) if last_change else None,
        warehouse=warehouse,
    )


def get_queue_item(engine: Engine, queue_id: int, *, warehouse: str) -> QueueItemOut | None:
    with engine.connect() as conn:
        row = conn.execute(select(ilm_queue).where(ilm_queue.c.queue_id == queue_id)).first()
    if row is None:
        return None
    return queue_out(row, warehouse, latest_changes(engine, [queue_id]).get(queue_id))


def list_queue(
    engine: Engine,
    *,
    status: str | None,
    policy: str | None,
    limit: int,
    offset: int,
    warehouse: str,
) -> Page[QueueItemOut]:
    q = ilm_queue.c
    stmt = select(ilm_queue).order_by(q.priority, q.enqueued_at, q.queue_id)
    if status:
        stmt = stmt.where(q.status == status)
    if policy:
        stmt = stmt.where(q.policy_name == policy)
    with engine.connect() as conn:
        rows, total = paged(conn, stmt, limit, offset)
    changes = latest_changes(engine, [r.queue_id for r in rows])
    return Page[QueueItemOut](
        items=[queue_out(r, warehouse, changes.get(r.queue_id)) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
        warehouse=warehouse,
    )


def backlog(engine: Engine, *, now: datetime, warehouse: str) -> BacklogOut:
    q = ilm_queue.c
    pending = q.status == "PENDING"
    with engine.connect() as conn:
        by_status = dict(conn.execute(select(q.status, func.count()).group_by(q.status)).all())
        by_policy = dict(
            conn.execute(
                select(q.policy_name, func.count()).where(pending).group_by(q.policy_name)
            ).all()
        )
        pending_bytes = conn.scalar(select(func.coalesce(func.sum(q.size_bytes), 0)).where(pending))
        # min() over the column loses the UTC type on SQLite; order by and read the row instead.
        oldest = conn.scalar(select(q.enqueued_at).where(pending).order_by(q.enqueued_at).limit(1))
    return BacklogOut(
        warehouse=warehouse,
        by_status=by_status,
        pending_by_policy=by_policy,
        pending_bytes=int(pending_bytes or 0),
        oldest_pending_enqueued_at=oldest,
        oldest_pending_age_s=round((now - oldest).total_seconds(), 1) if oldest else None,
    )


def partition_evaluations(engine: Engine, ref: ObjectRef) -> PartitionEvaluationsOut:
    with engine.connect() as conn:
        decisions = partition_decisions(conn, ref)
    return PartitionEvaluationsOut(
        object=ref.label,
        evaluations=[
            EvaluationOut(
                policy_name=d.policy_name,
                policy_version=d.policy_version,
                eligible=d.eligible,
                reason=d.reason.value,
                reason_text=d.text,
                evaluation_id=d.evaluation_id,
                evaluated_at=d.evaluated_at,
            )
            for d in decisions
        ],
    )

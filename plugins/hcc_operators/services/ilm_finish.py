"""ILM stage 3c: count what a batch did, record its status, release the lease."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.queue_control import WAITING
from hcc_operators.repository import leases
from hcc_operators.repository.tables import execution_log, ilm_batches, ilm_queue
from hcc_operators.services.ilm_plan import LEASE
from hcc_operators.warehouse.base import Warehouse


def finish_batch(warehouse: Warehouse, engine: Engine, batch_id: int, *, now: datetime) -> dict:
    with engine.connect() as conn:
        batch = conn.execute(select(ilm_batches).where(ilm_batches.c.batch_id == batch_id)).one()
        counts = dict(
            conn.execute(
                select(execution_log.c.status, func.count())
                .where(execution_log.c.batch_id == batch_id)
                .where(execution_log.c.log_id.in_(_latest_attempts(batch_id)))
                .group_by(execution_log.c.status)
            ).all()
        )
        planned_left = conn.execute(
            select(func.count())
            .select_from(ilm_queue)
            # An item held after planning did not run either: it waits like a deferred one.
            .where(
                and_(
                    ilm_queue.c.batch_id == batch_id,
                    ilm_queue.c.status.in_([s.value for s in WAITING]),
                )
            )
        ).scalar()
    if batch.status in ("SKIPPED", "FAILED"):
        # The plan itself did not run (outside the window, lease held): nothing to count.
        # COMPLETED/INTERRUPTED batches are recounted, because clearing a failed task and then
        # finish_batch re-runs them with the retried item's latest attempt.
        leases.release(engine, LEASE, batch.dag_run_id)
        return {
            "batch_id": batch_id,
            "status": batch.status,
            "planned": batch.planned,
            "reason": batch.reason,
        }
    left = (batch.left_pending or 0) + planned_left
    status = "INTERRUPTED" if left else "COMPLETED"
    summary = {
        "succeeded": counts.get("SUCCESS", 0),
        "skipped": counts.get("SKIPPED", 0),
        "failed": counts.get("FAILED", 0),
        "left_pending": left,
    }
    with engine.begin() as conn:
        conn.execute(
            update(ilm_batches)
            .where(ilm_batches.c.batch_id == batch_id)
            .values(status=status, finished_at=now, **summary)
        )
    leases.release(engine, LEASE, batch.dag_run_id)
    return {"batch_id": batch_id, "status": status, "planned": batch.planned, **summary}


def _latest_attempts(batch_id: int):
    return (
        select(func.max(execution_log.c.log_id))
        .where(execution_log.c.batch_id == batch_id)
        .group_by(execution_log.c.queue_id)
    )

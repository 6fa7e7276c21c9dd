"""ILM stage 3c: count what a batch did, record its status, release the lease.

A batch with a failed item is FAILED, never COMPLETED (services/batch_status.py); the counts
say how much else succeeded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from hcc_operators.repository import leases
from hcc_operators.repository.tables import ilm_batches
from hcc_operators.services.batch_status import count_batch, describe
from hcc_operators.services.ilm_plan import LEASE
from hcc_operators.warehouse.base import Warehouse


def finish_batch(warehouse: Warehouse, engine: Engine, batch_id: int, *, now: datetime) -> dict:
    with engine.connect() as conn:
        batch = conn.execute(select(ilm_batches).where(ilm_batches.c.batch_id == batch_id)).one()
        counts = count_batch(conn, batch)
    if batch.status == "SKIPPED":
        # The plan itself did not run (outside the window, lease held): nothing to count.
        # Every other batch is recounted, because clearing a failed task and then
        # finish_batch re-runs them with the retried item's latest attempt.
        leases.release(engine, LEASE, batch.dag_run_id)
        return {
            "batch_id": batch_id,
            "status": batch.status,
            "planned": batch.planned,
            "forced": bool(batch.forced),
            "reason": batch.reason,
        }
    status = counts.status
    reason = _reason(batch.reason, describe(counts, batch.planned))
    with engine.begin() as conn:
        conn.execute(
            update(ilm_batches)
            .where(ilm_batches.c.batch_id == batch_id)
            .values(status=status, finished_at=now, reason=reason, **counts.to_dict())
        )
    leases.release(engine, LEASE, batch.dag_run_id)
    return {
        "batch_id": batch_id,
        "status": status,
        "planned": batch.planned,
        "reason": reason,
        **counts.to_dict(),
    }


def _reason(planned: str | None, outcome: str) -> str:
    """The plan's reason, then the outcome (replacing an earlier outcome on a recount)."""
    head = (planned or "").split(" | outcome: ")[0]
    return f"{head} | outcome: {outcome}" if head else f"outcome: {outcome}"

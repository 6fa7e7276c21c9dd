"""ILM stage 3c: count what a batch did, record its status, release the lease.

A batch with a failed item is FAILED, never COMPLETED (services/batch_status.py); the counts
say how much else succeeded.

finish_batch runs once every mapped instance of its run has ended (trigger rule ALL_DONE). An
item still RUNNING under one of them then lost its worker: the worker was killed and Airflow
failed the instance for its missing heartbeats, on its last try (earlier tries are retried,
and the retry recovers the item itself). Such items are decided here from the live dictionary
(services/recovery.py) before the batch is counted, so the batch, the run record and the run's
note say what happened, instead of counting the item nowhere while the next plan_batch or
housekeeping recovers it after the batch was closed.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from hcc_operators.repository import leases
from hcc_operators.repository.tables import ilm_batches, ilm_queue
from hcc_operators.services import recovery
from hcc_operators.services.batch_status import count_batch, describe
from hcc_operators.services.ilm_plan import LEASE
from hcc_operators.warehouse.base import Warehouse


def finish_batch(warehouse: Warehouse, engine: Engine, batch_id: int, *, now: datetime) -> dict:
    with engine.connect() as conn:
        batch = conn.execute(select(ilm_batches).where(ilm_batches.c.batch_id == batch_id)).one()
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
    lost = _decide_lost_items(warehouse, engine, batch, now)
    with engine.connect() as conn:
        counts = count_batch(conn, batch)
    status = counts.status
    outcome = describe(counts, batch.planned)
    if lost:
        decided = ", ".join(f"{item.label} {item.status}" for item in lost)
        outcome += f"; decided from the live dictionary after their worker was lost: {decided}"
    reason = _reason(batch.reason, outcome)
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
        **({"recovered": [asdict(item) for item in lost]} if lost else {}),
    }


def _decide_lost_items(
    warehouse: Warehouse, engine: Engine, batch, now: datetime
) -> list[recovery.ItemRecovery]:
    """Recover the items this run's instances left RUNNING (module doc)."""
    if not batch.dag_run_id:
        return []
    q = ilm_queue.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(ilm_queue)
            .where(q.batch_id == batch.batch_id, q.status == "RUNNING")
            # Only this run's instances (holder "run_id#map_index"): an item another run took
            # over is that run's to decide.
            .where(q.lease_holder.startswith(f"{batch.dag_run_id}#", autoescape=True))
            .order_by(q.queue_id)
        ).all()
    found = []
    for row in rows:
        why = (
            f"its task instance {row.lease_holder} ended without recording a result "
            "(finish_batch runs once every instance of the run has ended)"
        )
        item = recovery.recover_item(warehouse, engine, row, now=now, why=why)
        if item is not None:
            found.append(item)
    return found


def _reason(planned: str | None, outcome: str) -> str:
    """The plan's reason, then the outcome (replacing an earlier outcome on a recount)."""
    head = (planned or "").split(" | outcome: ")[0]
    return f"{head} | outcome: {outcome}" if head else f"outcome: {outcome}"

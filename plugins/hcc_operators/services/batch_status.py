"""What a batch did, counted from the latest attempt of each item, and the status that says so.

Shared by finish_batch (services/ilm_finish.py) and by recovery, which closes the batches of
runs that died before their finish_batch (services/recovery.py).

| status | when |
|---|---|
| FAILED | at least one item's latest attempt FAILED (whatever else happened) |
| INTERRUPTED | nothing failed, but items wait for a later window (PENDING) |
| COMPLETED | every planned item ended SUCCESS or SKIPPED |
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from hcc_operators.core.queue_control import WAITING
from hcc_operators.repository.tables import execution_log, ilm_queue

FAILED = "FAILED"
INTERRUPTED = "INTERRUPTED"
COMPLETED = "COMPLETED"


@dataclass(frozen=True)
class BatchCounts:
    succeeded: int
    skipped: int
    failed: int
    left_pending: int

    @property
    def status(self) -> str:
        if self.failed:
            return FAILED
        return INTERRUPTED if self.left_pending else COMPLETED

    def to_dict(self) -> dict[str, int]:
        return {
            "succeeded": self.succeeded,
            "skipped": self.skipped,
            "failed": self.failed,
            "left_pending": self.left_pending,
        }


def count_batch(conn: Connection, batch) -> BatchCounts:
    """Counts of ``batch`` (its hcc_ilm_batches row) from each item's latest attempt."""
    latest = (
        select(func.max(execution_log.c.log_id))
        .where(execution_log.c.batch_id == batch.batch_id)
        .group_by(execution_log.c.queue_id)
    )
    counts = dict(
        conn.execute(
            select(execution_log.c.status, func.count())
            .where(execution_log.c.batch_id == batch.batch_id)
            .where(execution_log.c.log_id.in_(latest))
            .group_by(execution_log.c.status)
        ).all()
    )
    planned_left = conn.execute(
        select(func.count())
        .select_from(ilm_queue)
        # An item held after planning did not run either: it waits like a deferred one.
        .where(
            and_(
                ilm_queue.c.batch_id == batch.batch_id,
                ilm_queue.c.status.in_([s.value for s in WAITING]),
            )
        )
    ).scalar()
    return BatchCounts(
        counts.get("SUCCESS", 0),
        counts.get("SKIPPED", 0),
        counts.get("FAILED", 0),
        (batch.left_pending or 0) + planned_left,
    )


def describe(counts: BatchCounts, planned: int) -> str:
    """One sentence for the batch's reason column."""
    parts = [f"{counts.succeeded} succeeded", f"{counts.skipped} skipped"]
    if counts.failed:
        parts.append(f"{counts.failed} FAILED")
    if counts.left_pending:
        parts.append(f"{counts.left_pending} wait for a later window")
    return f"{planned} planned: " + ", ".join(parts)

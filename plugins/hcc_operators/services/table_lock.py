"""One ILM action per table at a time: claim a queue item together with its table.

Why every kind, not only the structural ones (MERGE, DROP, EXCHANGE, TRUNCATE):

- Oracle serialises DDL on one table anyway. "Most DDL operations require exclusive DDL locks
  to prevent destructive interference with other DDL operations that might modify or reference
  the same schema object", and a second one waits, then fails with ORA-00054 once
  DDL_LOCK_TIMEOUT passes (docs/oracle-rules.md LOCK-01..03, LOCK-08). Two lanes on one table
  would only hold two pool slots for one statement's worth of progress, and turn the wait
  into a retried failure.
- A structural change renames, merges or removes partitions that a concurrent action on the
  same table resolved moments earlier: its DDL then fails with ORA-02149, or its before/after
  measurements (bytes, row counts) include another action's rows and a correct rewrite is
  recorded FAILED ROW_COUNT_MISMATCH. Serialising the table makes every measurement of an
  action read only its own partitions, unchanged by anyone else between before and after.
- Statistics gathering and index rebuilds read the partitions a merge would be replacing.

The lock is a row per table in hcc_table_locks (repository/table_locks.py), taken in the same
transaction as the item's claim and released in the one that records its end. The planner
packs one table's items one after another (core.packing ``group_of``), so a wait happens only
when an action runs longer than predicted. While it waits a task re-checks, at each poll,
that the item could still start in time (the window re-check); when it no longer could, or
after ``LockWait.max_s``, the item stays PENDING for the next batch (logged DEFERRED, with
the holder named). A lock whose holder died is stale as soon as recovery has put its item
back, and expires with the item's own lease in any case.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.engine import Connection, Engine

from hcc_operators.repository import table_locks
from hcc_operators.repository.table_locks import TableLock
from hcc_operators.repository.tables import ilm_queue

#: A forced run has no window to bound the wait: as long as its whole budget (4 h).
DEFAULT_MAX_WAIT_S = 4 * 3600.0


@dataclass(frozen=True)
class LockWait:
    """How a task waits for its table: polling every ``poll_s`` seconds, for at most
    ``max_s`` seconds (and never past the moment the item could no longer start in time)."""

    poll_s: float = 2.0
    max_s: float = DEFAULT_MAX_WAIT_S


class ClaimResult(StrEnum):
    CLAIMED = "CLAIMED"  # the item is RUNNING for us and its table is ours
    TAKEN = "TAKEN"  # another run claimed the item itself
    TABLE_BUSY = "TABLE_BUSY"  # the table stayed busy; the item waits for the next batch


@dataclass(frozen=True)
class Claim:
    result: ClaimResult
    now: datetime  # when the item was claimed, or when waiting stopped
    waited_s: float
    log_id: int | None = None
    blocker: TableLock | None = None

    def busy_reason(self) -> str:
        who = self.blocker
        if who is None:
            return "the window no longer leaves time for it; left PENDING for the next batch"
        held = f"item {who.queue_id} ({who.holder}) since {who.acquired_at.isoformat()}"
        return (
            f"{who.label} is busy with {held}: one action per table at "
            f"a time (Oracle serialises DDL on one table, LOCK-03); waited {self.waited_s:.0f}s, "
            "left PENDING for the next batch"
        )


def claim_item(
    engine: Engine,
    row,
    *,
    holder: str,
    lease_expires_at: Callable[[datetime], datetime],
    now_fn: Callable[[], datetime],
    can_still_start: Callable[[datetime], bool],
    record: Callable[[Connection, datetime], int],
    wait: LockWait = LockWait(),
    sleep: Callable[[float], None] = time.sleep,
) -> Claim:
    """Claim ``row`` (a PENDING queue item) and its table in one transaction, waiting while
    another item holds the table. ``record`` inserts the attempt's log row in the same
    transaction and returns its id."""
    started = time.monotonic()
    blocker: TableLock | None = None
    while True:
        now = now_fn()
        waited = time.monotonic() - started
        if not can_still_start(now) or (blocker is not None and waited >= wait.max_s):
            return Claim(ClaimResult.TABLE_BUSY, now, waited, blocker=blocker)
        with engine.connect() as conn:
            transaction = conn.begin()
            blocker = table_locks.try_acquire(
                conn,
                row.owner,
                row.table_name,
                holder=holder,
                queue_id=row.queue_id,
                expires_at=lease_expires_at(now),
                now=now,
            )
            if blocker is None:
                claimed = conn.execute(
                    update(ilm_queue)
                    .where(ilm_queue.c.queue_id == row.queue_id, ilm_queue.c.status == "PENDING")
                    .values(
                        status="RUNNING",
                        attempts=ilm_queue.c.attempts + 1,
                        updated_at=now,
                        lease_holder=holder,
                        lease_expires_at=lease_expires_at(now),
                        last_error=None,
                    )
                ).rowcount
                if not claimed:
                    transaction.rollback()
                    return Claim(ClaimResult.TAKEN, now, waited)
                log_id = record(conn, now)
                transaction.commit()
                return Claim(ClaimResult.CLAIMED, now, waited, log_id=log_id)
            transaction.rollback()
        sleep(wait.poll_s)


def release(conn: Connection, row, holder: str) -> None:
    """Give the item's table back (inside the transaction that records the item's end)."""
    table_locks.release(conn, row.owner, row.table_name, holder)

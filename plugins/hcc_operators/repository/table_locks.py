"""One ILM action per table at a time: a row per busy table in hcc_table_locks.

The lock is taken in the same transaction that claims the queue item (services/table_lock.py),
and released in the one that records the item's end, so a live lock always names a RUNNING
item of the same holder. A lock whose item is no longer RUNNING under that holder (its worker
died and recovery put the item back, or finished it) is stale and may be taken at once; an
expired lock likewise. Both checks are made by the statement that takes the lock, so two
workers can never both believe they hold one table: the primary key decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from hcc_operators.repository.tables import ilm_queue, table_locks


@dataclass(frozen=True)
class TableLock:
    """Who holds one table: the task attempt (``dag_run_id#map_index``) and its queue item."""

    owner: str
    table: str
    holder: str
    queue_id: int
    acquired_at: datetime
    expires_at: datetime

    @property
    def label(self) -> str:
        return f"{self.owner}.{self.table}"


def _live_item(lock=table_locks):
    """The lock's item is RUNNING under the lock's holder: the lock is in use."""
    return exists().where(
        ilm_queue.c.queue_id == lock.c.queue_id,
        ilm_queue.c.status == "RUNNING",
        ilm_queue.c.lease_holder == lock.c.holder,
    )


def try_acquire(
    conn: Connection,
    owner: str,
    table: str,
    *,
    holder: str,
    queue_id: int,
    expires_at: datetime,
    now: datetime,
) -> TableLock | None:
    """Take the table inside the caller's transaction. None when taken; otherwise the lock
    that stands in the way (the caller rolls back and waits)."""
    key = and_(table_locks.c.owner == owner, table_locks.c.table_name == table)
    values = dict(holder=holder, queue_id=queue_id, acquired_at=now, expires_at=expires_at)
    taken = conn.execute(
        update(table_locks)
        .where(key)
        .where(
            or_(
                table_locks.c.holder == holder,
                table_locks.c.expires_at <= now,
                ~_live_item(),
            )
        )
        .values(**values)
    ).rowcount
    if taken:
        return None
    try:
        # A failed INSERT fails only itself (SQLite and Oracle alike): the caller's
        # transaction stays usable to read who holds the table, then rolls back.
        conn.execute(insert(table_locks).values(owner=owner, table_name=table, **values))
    except IntegrityError:
        found = conn.execute(select(table_locks).where(key)).first()
        if found is None:  # released between our insert and this read: try again later
            return TableLock(owner, table, "(released meanwhile)", 0, now, now)
        return _lock(found)
    return None


def release(conn: Connection, owner: str, table: str, holder: str) -> None:
    """Give the table back, only if ``holder`` still holds it."""
    conn.execute(
        delete(table_locks).where(
            table_locks.c.owner == owner,
            table_locks.c.table_name == table,
            table_locks.c.holder == holder,
        )
    )


def release_stale(conn: Connection, now: datetime) -> int:
    """Delete locks that are expired or whose item no longer runs under their holder."""
    return conn.execute(
        delete(table_locks).where(or_(table_locks.c.expires_at <= now, ~_live_item()))
    ).rowcount


def held(engine: Engine) -> list[TableLock]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(table_locks).order_by(table_locks.c.owner, table_locks.c.table_name)
        )
        return [_lock(r) for r in rows]


def _lock(row) -> TableLock:
    return TableLock(
        row.owner, row.table_name, row.holder, row.queue_id, row.acquired_at, row.expires_at
    )

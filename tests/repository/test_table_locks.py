"""One ILM action per table: the lock row, its holder, and when it counts as stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update

from hcc_operators.repository import table_locks
from hcc_operators.repository.tables import ilm_queue

T0 = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)


def running_item(engine, queue_id, holder, status="RUNNING"):
    with engine.begin() as conn:
        conn.execute(
            insert(ilm_queue).values(
                queue_id=queue_id,
                policy_name="p",
                policy_version=1,
                priority=1,
                owner="S",
                table_name="T",
                partition_name=f"P{queue_id}",
                action="COMPRESS",
                status=status,
                attempts=1,
                carried_over=False,
                lease_holder=holder,
                enqueued_at=T0,
                updated_at=T0,
            )
        )


def take(engine, holder, queue_id, now=T0):
    with engine.begin() as conn:
        return table_locks.try_acquire(
            conn, "S", "T", holder=holder, queue_id=queue_id, expires_at=LATER, now=now
        )


def test_one_holder_per_table_and_the_blocker_is_named(sqlite_engine):
    running_item(sqlite_engine, 1, "run#0")
    assert take(sqlite_engine, "run#0", 1) is None
    blocker = take(sqlite_engine, "run#1", 2)
    assert (blocker.label, blocker.holder, blocker.queue_id) == ("S.T", "run#0", 1)
    assert take(sqlite_engine, "run#0", 1) is None  # the holder itself may take it again
    assert [lock.holder for lock in table_locks.held(sqlite_engine)] == ["run#0"]


def test_a_lock_whose_item_no_longer_runs_under_its_holder_is_stale(sqlite_engine):
    running_item(sqlite_engine, 1, "dead#0")
    assert take(sqlite_engine, "dead#0", 1) is None
    with sqlite_engine.begin() as conn:  # recovery put the dead attempt's item back
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.queue_id == 1)
            .values(status="PENDING", lease_holder=None)
        )
    assert take(sqlite_engine, "run#3", 2) is None
    assert table_locks.held(sqlite_engine)[0].holder == "run#3"


def test_an_expired_lock_is_taken_and_stale_ones_are_released(sqlite_engine):
    running_item(sqlite_engine, 1, "slow#0")
    assert take(sqlite_engine, "slow#0", 1) is None
    assert take(sqlite_engine, "run#1", 2) is not None
    assert take(sqlite_engine, "run#1", 2, now=LATER) is None  # expired at LATER
    with sqlite_engine.begin() as conn:
        assert table_locks.release_stale(conn, LATER) == 1  # run#1's item is not RUNNING
    assert table_locks.held(sqlite_engine) == []


def test_release_only_by_the_holder(sqlite_engine):
    running_item(sqlite_engine, 1, "run#0")
    take(sqlite_engine, "run#0", 1)
    with sqlite_engine.begin() as conn:
        table_locks.release(conn, "S", "T", "run#9")
    assert len(table_locks.held(sqlite_engine)) == 1
    with sqlite_engine.begin() as conn:
        table_locks.release(conn, "S", "T", "run#0")
    assert table_locks.held(sqlite_engine) == []

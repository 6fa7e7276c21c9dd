"""Operators' changes to queue items: applied atomically, refused clearly, always recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select, update

from hcc_operators.core.queue_control import Actor, IllegalTransition, QueueConflict
from hcc_operators.repository.tables import ilm_queue, queue_changes
from hcc_operators.services.queue_control import (
    QueueItemNotFound,
    apply_command,
    history,
    latest_changes,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ALICE = Actor("alice", "api")
BOB = Actor("bob", "cli")


def item(engine, status="PENDING", partition="P1", policy="compress_old", **extra) -> int:
    with engine.begin() as conn:
        return conn.execute(
            insert(ilm_queue).values(
                policy_name=policy,
                policy_version=1,
                priority=extra.pop("priority", 50),
                owner="SALES",
                table_name="ORDERS",
                partition_name=partition,
                action="COMPRESS",
                status=status,
                attempts=1,
                carried_over=extra.pop("carried_over", False),
                enqueued_at=NOW - timedelta(days=1),
                updated_at=NOW - timedelta(days=1),
                **extra,
            )
        ).inserted_primary_key[0]


def row(engine, queue_id):
    with engine.connect() as conn:
        return conn.execute(select(ilm_queue).where(ilm_queue.c.queue_id == queue_id)).one()


def test_hold_then_release_records_who_when_what_and_why(sqlite_engine):
    qid = item(sqlite_engine)
    held = apply_command(
        sqlite_engine, qid, "hold", actor=ALICE, now=NOW, reason=" month-end freeze "
    )
    assert (held.field, held.old_value, held.new_value) == ("status", "PENDING", "HELD")
    assert (held.changed_by, held.changed_via, held.reason) == ("alice", "api", "month-end freeze")
    assert row(sqlite_engine, qid).status == "HELD"
    assert row(sqlite_engine, qid).updated_at == NOW

    later = NOW + timedelta(hours=2)
    apply_command(sqlite_engine, qid, "release", actor=BOB, now=later)
    assert row(sqlite_engine, qid).status == "PENDING"
    assert [
        (c.command, c.old_value, c.new_value, c.changed_by, c.changed_at)
        for c in history(sqlite_engine, qid)
    ] == [
        ("hold", "PENDING", "HELD", "alice", NOW),
        ("release", "HELD", "PENDING", "bob", later),
    ]


def test_requeue_starts_the_item_afresh_but_keeps_its_attempts(sqlite_engine):
    qid = item(
        sqlite_engine,
        status="FAILED",
        batch_id=4,
        carried_over=True,
        lease_holder="run#3",
        last_error="ORA-00054",
    )
    apply_command(sqlite_engine, qid, "requeue", actor=BOB, now=NOW, reason="lock released")
    r = row(sqlite_engine, qid)
    assert (r.status, r.batch_id, r.carried_over, r.lease_holder) == ("PENDING", None, False, None)
    assert r.attempts == 1 and r.last_error == "ORA-00054"  # history stays readable


def test_priority_change_records_old_and_new_priority(sqlite_engine):
    qid = item(sqlite_engine, status="HELD", priority=50)
    change = apply_command(sqlite_engine, qid, "priority", actor=ALICE, now=NOW, priority=5)
    assert (change.field, change.old_value, change.new_value) == ("priority", "50", "5")
    assert (row(sqlite_engine, qid).priority, row(sqlite_engine, qid).status) == (5, "HELD")
    with pytest.raises(QueueConflict, match="already has priority 5"):
        apply_command(sqlite_engine, qid, "priority", actor=ALICE, now=NOW, priority=5)


@pytest.mark.parametrize(
    ("status", "command", "message"),
    [
        ("RUNNING", "cancel", "cannot cancel queue item {qid}: it is RUNNING"),
        ("PENDING", "release", "cannot release queue item {qid}: it is PENDING"),
        ("SUCCESS", "requeue", "cannot requeue queue item {qid}: it is SUCCESS"),
        ("HELD", "hold", "cannot hold queue item {qid}: it is HELD"),
    ],
)
def test_illegal_transitions_change_and_record_nothing(sqlite_engine, status, command, message):
    qid = item(sqlite_engine, status=status)
    with pytest.raises(IllegalTransition, match=message.format(qid=qid)):
        apply_command(sqlite_engine, qid, command, actor=ALICE, now=NOW)
    assert row(sqlite_engine, qid).status == status
    assert history(sqlite_engine, qid) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"priority": 1001}, "priority must be between 0 and 1000"),
        ({"priority": -1}, "priority must be between 0 and 1000"),
        ({}, "give the new priority"),
    ],
)
def test_a_priority_out_of_bounds_is_refused(sqlite_engine, kwargs, message):
    qid = item(sqlite_engine)
    with pytest.raises(ValueError, match=message):
        apply_command(sqlite_engine, qid, "priority", actor=ALICE, now=NOW, **kwargs)
    assert row(sqlite_engine, qid).priority == 50


def test_unknown_item_and_unknown_command(sqlite_engine):
    with pytest.raises(QueueItemNotFound, match="queue item 999 not found"):
        apply_command(sqlite_engine, 999, "hold", actor=ALICE, now=NOW)
    with pytest.raises(QueueItemNotFound):
        history(sqlite_engine, 999)
    with pytest.raises(ValueError, match="'pause' is not a valid QueueCommand"):
        apply_command(sqlite_engine, item(sqlite_engine), "pause", actor=ALICE, now=NOW)


def test_requeue_is_refused_beside_another_active_item_for_the_partition(sqlite_engine):
    failed = item(sqlite_engine, status="FAILED")
    newer = item(sqlite_engine, status="PENDING")  # the next evaluation queued it again
    other_policy = item(sqlite_engine, status="PENDING", policy="move_cold")
    with pytest.raises(QueueConflict, match=f"item {newer} \\(PENDING\\) already stands for"):
        apply_command(sqlite_engine, failed, "requeue", actor=ALICE, now=NOW)
    assert row(sqlite_engine, failed).status == "FAILED"
    apply_command(sqlite_engine, newer, "cancel", actor=ALICE, now=NOW)
    apply_command(sqlite_engine, failed, "requeue", actor=ALICE, now=NOW)
    assert row(sqlite_engine, other_policy).status == "PENDING"


def test_a_batch_claiming_the_item_meanwhile_wins_and_nothing_is_recorded(sqlite_engine):
    """The item goes RUNNING between the read and the write: the guarded UPDATE changes
    nothing, so the hold is refused instead of holding a running item."""
    qid = item(sqlite_engine)
    claimed = []

    def claim_first(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE hcc_ilm_queue") and not claimed:
            claimed.append(True)
            with sqlite_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
                other.execute(
                    update(ilm_queue).where(ilm_queue.c.queue_id == qid).values(status="RUNNING")
                )

    event.listen(sqlite_engine, "before_cursor_execute", claim_first)
    try:
        with pytest.raises(QueueConflict, match="it is RUNNING now"):
            apply_command(sqlite_engine, qid, "hold", actor=ALICE, now=NOW)
    finally:
        event.remove(sqlite_engine, "before_cursor_execute", claim_first)
    assert row(sqlite_engine, qid).status == "RUNNING"
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(queue_changes)).all() == []


def test_latest_change_per_item(sqlite_engine):
    a, b, c = (item(sqlite_engine, partition=p) for p in ("P1", "P2", "P3"))
    apply_command(sqlite_engine, a, "hold", actor=ALICE, now=NOW)
    apply_command(sqlite_engine, a, "release", actor=BOB, now=NOW + timedelta(minutes=1))
    apply_command(sqlite_engine, b, "cancel", actor=ALICE, now=NOW, reason="obsolete")
    found = latest_changes(sqlite_engine, [a, b, c])
    assert {k: (v.command, v.changed_by) for k, v in found.items()} == {
        a: ("release", "bob"),
        b: ("cancel", "alice"),
    }
    assert latest_changes(sqlite_engine, []) == {}

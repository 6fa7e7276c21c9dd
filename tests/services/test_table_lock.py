"""One ILM action per table at a time: an item waits for its table, then runs or is deferred
with the holder named (services/table_lock.py)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from hcc_operators.repository import table_locks
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import table_locks as lock_table
from hcc_operators.services import ilm_finish, table_lock
from hcc_operators.services.table_lock import ClaimResult, LockWait
from hcc_operators.warehouse.embedded import build_warehouse
from ilm_support import (
    CAL,
    IN_WINDOW,
    T0,
    enqueue,
    execute,
    item_of,
    log_rows,
    partitions,
    plan,
    queue_row,
)

FAST = LockWait(poll_s=0.02, max_s=0.3)


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=11, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def two_months(wh):
    months = [
        s for s in partitions(wh, "SALES", "RETURNS") if s.ref.partition.startswith("P_2024_")
    ]
    return months[0], months[1]


def hold_table(wh, queue_id, holder="other-run#7"):
    """Claim ``queue_id`` and its table as a running attempt would."""
    row = queue_row(wh, queue_id)
    claim = table_lock.claim_item(
        wh.repository_engine(),
        row,
        holder=holder,
        lease_expires_at=lambda at: at + timedelta(hours=1),
        now_fn=lambda: IN_WINDOW,
        can_still_start=lambda at: True,
        record=lambda conn, now: 0,
        wait=FAST,
    )
    assert claim.result is ClaimResult.CLAIMED


def test_an_item_on_a_busy_table_is_deferred_naming_the_holder(wh):
    first, second = two_months(wh)
    busy = enqueue(wh, first.ref, "COMPRESS", {"level": "ARCHIVE LOW"})
    waiting = enqueue(wh, second.ref, "COMPRESS", {"level": "ARCHIVE LOW"})
    hold_table(wh, busy)
    started = time.monotonic()
    result = execute(wh, item_of(waiting, second.ref, "COMPRESS"), lock_wait=FAST)
    assert time.monotonic() - started >= FAST.max_s
    assert result["status"] == "DEFERRED"
    assert f"SALES.RETURNS is busy with item {busy} (other-run#7)" in result["message"]
    assert "LOCK-03" in result["message"]
    row = queue_row(wh, waiting)
    assert row.status == "PENDING" and row.carried_over and "busy with item" in row.last_error
    (log,) = log_rows(wh, waiting)
    assert log.status == "DEFERRED" and "busy with item" in log.note
    assert wh.segment(second.ref).compression.value == second.compression.value  # no DDL


def test_an_item_waits_for_the_table_and_runs_once_it_is_free(wh):
    first, second = two_months(wh)
    busy = enqueue(wh, first.ref, "COMPRESS", {"level": "ARCHIVE LOW"})
    waiting = enqueue(wh, second.ref, "COMPRESS", {"level": "ARCHIVE LOW"})
    hold_table(wh, busy)

    def finish_the_holder():
        time.sleep(0.2)
        with wh.repository_engine().begin() as conn:
            table_locks.release(conn, "SALES", "RETURNS", "other-run#7")

    threading.Thread(target=finish_the_holder).start()
    result = execute(
        wh, item_of(waiting, second.ref, "COMPRESS"), lock_wait=LockWait(poll_s=0.02, max_s=10)
    )
    assert result["status"] == "SUCCESS"
    with wh.repository_engine().connect() as conn:
        assert conn.execute(select(lock_table)).all() == []  # released with the item's end


def test_a_wait_stops_when_the_item_could_no_longer_finish_before_the_close(wh):
    first, second = two_months(wh)
    busy = enqueue(wh, first.ref, "COMPRESS", {"level": "ARCHIVE LOW"})
    waiting = enqueue(wh, second.ref, "COMPRESS", {"level": "ARCHIVE LOW"})
    hold_table(wh, busy)
    clock = iter([IN_WINDOW, IN_WINDOW, CAL.window_at(IN_WINDOW).end - timedelta(seconds=1)])
    last = [IN_WINDOW]

    def now():
        last[0] = next(clock, last[0])
        return last[0]

    from hcc_operators.services import ilm_execute
    from ilm_support import SETTINGS

    result = ilm_execute.execute_item(
        wh,
        wh.repository_engine(),
        item_of(waiting, second.ref, "COMPRESS", forced=False, predicted_s=60),
        dag_run_id="run-1",
        map_index=0,
        attempt=1,
        now_fn=now,
        settings=SETTINGS,
        lock_wait=LockWait(poll_s=0.01, max_s=60),
    )
    assert result["status"] == "DEFERRED"
    assert "busy with item" in result["message"]
    assert queue_row(wh, waiting).status == "PENDING"


def test_the_plan_never_runs_two_items_of_one_table_side_by_side(wh):
    from hcc_operators.core.throughput import ThroughputModel
    from hcc_operators.services import ilm_plan
    from ilm_support import SETTINGS

    months = [
        s for s in partitions(wh, "SALES", "RETURNS") if s.ref.partition.startswith("P_2024_")
    ]
    others = [s for s in partitions(wh, "SALES", "PAYMENTS") if s.num_rows][:3]
    for seg in months[:4] + others:
        enqueue(wh, seg.ref, "COMPRESS", {"level": "ARCHIVE HIGH"})
    limits = ilm_plan.batch_limits(SETTINGS.schedule, CAL, IN_WINDOW, force=True)
    with wh.repository_engine().connect() as conn:
        packed, _, _, _ = ilm_plan.plan_from_queue(
            conn, IN_WINDOW, ThroughputModel([]), limits, None
        )
    returns = sorted(
        (p.start_s, p.finish_s) for p in packed.chosen if p.item.ref.table == "RETURNS"
    )
    assert len(returns) == 4 and len(packed.chosen) == 7
    for (_, end), (start, _) in zip(returns, returns[1:], strict=False):
        assert start >= end  # one after another
    assert any(p.start_s < returns[0][1] for p in packed.chosen if p.item.ref.table == "PAYMENTS")
    # The mapped tasks get the items in the order the plan starts them.
    batch = plan(wh)
    starts = {p.item.queue_id: p.start_s for p in packed.chosen}
    order = [starts[i["queue_id"]] for i in batch.items]
    assert order == sorted(order)
    done = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=IN_WINDOW)
    assert done["status"] == "INTERRUPTED"  # planned, none run yet

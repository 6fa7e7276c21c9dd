"""A batch's reason accounts for every PENDING item it read: planned, waiting for a later
window, behind another action on the same partition, beyond max_operations. The counts add up
to the queue, which is how the demo report explains "PENDING n" beside "m wait"."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import ilm_batches, ilm_queue
from hcc_operators.services import ilm_plan
from hcc_operators.services.ilm_settings import load_ilm_settings
from hcc_operators.warehouse.embedded import build_warehouse

SETTINGS = load_ilm_settings()
T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
IN_WINDOW = SETTINGS.calendar.next_window(T0).start + timedelta(minutes=5)


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=11, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def enqueue(wh, seg, action, params=None, *, priority):
    with wh.repository_engine().begin() as conn:
        conn.execute(
            insert(ilm_queue).values(
                policy_name=f"p_{action.lower()}",
                policy_version=1,
                priority=priority,
                owner=seg.ref.owner,
                table_name=seg.ref.table,
                partition_name=seg.ref.partition,
                action=action,
                action_params=json.dumps(params or {}),
                size_bytes=seg.bytes,
                status="PENDING",
                attempts=0,
                carried_over=False,
                enqueued_at=T0,
                updated_at=T0,
            )
        )


def test_the_reason_counts_items_behind_another_action_on_their_partition(wh):
    segs = [s for s in wh.list_segments(["SALES"]) if s.ref.partition and not s.ref.subpartition]
    first, second, third = segs[:3]
    enqueue(wh, first, "READ_ONLY", priority=1)
    enqueue(wh, first, "COMPRESS", {"level": "QUERY HIGH"}, priority=2)  # same partition
    enqueue(wh, second, "READ_ONLY", priority=3)
    enqueue(wh, third, "READ_ONLY", priority=4)  # beyond the cap of two
    result = ilm_plan.plan_batch(
        wh,
        wh.repository_engine(),
        dag_run_id="run-1",
        run_type="manual",
        force=False,
        max_operations=2,
        now=IN_WINDOW,
        settings=SETTINGS,
    )
    assert len(result.items) == 2
    with wh.repository_engine().connect() as conn:
        batch = conn.execute(select(ilm_batches)).one()
        pending = conn.scalar(
            select(func.count()).select_from(ilm_queue).where(ilm_queue.c.status == "PENDING")
        )
    assert batch.reason == (
        "2 planned, 0 wait for a later window, 1 wait behind another action on their partition, "
        "1 beyond max_operations; recovered items: none; 0 batch(es) closed, "
        "0 run record(s) closed, 0 stray log row(s)"
    )
    assert pending == 4  # nothing ran yet: planned 2 + behind 1 + beyond the cap 1

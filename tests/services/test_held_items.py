"""A HELD item through the pipeline: never planned, not run when held after planning,
counted as waiting by its batch, and neither duplicated nor cancelled by evaluation."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, insert, select

from hcc_operators.core.models import CompressionType
from hcc_operators.core.policy_config import parse_policies
from hcc_operators.core.queue_control import Actor
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import ilm_queue, partition_access
from hcc_operators.services import ilm_execute, ilm_finish, ilm_plan
from hcc_operators.services.ilm_evaluate import evaluate_policies
from hcc_operators.services.ilm_settings import load_ilm_settings
from hcc_operators.services.queue_control import apply_command
from hcc_operators.warehouse.embedded import build_warehouse

SETTINGS = load_ilm_settings()
T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
IN_WINDOW = SETTINGS.calendar.next_window(T0).start + timedelta(minutes=5)
OPS = Actor("ops", "cli")


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=11, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def compressible(wh, n):
    spaces = wh.tablespaces()
    return [
        s
        for s in wh.list_segments(["SALES"])
        if s.ref.partition
        and not s.ref.subpartition
        and not s.has_subpartitions
        and s.compression is CompressionType.NONE
        and spaces[s.tablespace].hcc_supported
        and s.num_rows
    ][:n]


def enqueue(wh, seg) -> int:
    with wh.repository_engine().begin() as conn:
        return conn.execute(
            insert(ilm_queue).values(
                policy_name="test_compress",
                policy_version=1,
                priority=10,
                owner=seg.ref.owner,
                table_name=seg.ref.table,
                partition_name=seg.ref.partition,
                action="COMPRESS",
                action_params=json.dumps({"level": "QUERY LOW"}),
                size_bytes=seg.bytes,
                status="PENDING",
                attempts=0,
                carried_over=False,
                enqueued_at=T0,
                updated_at=T0,
            )
        ).inserted_primary_key[0]


def plan(wh, run="run-1"):
    return ilm_plan.plan_batch(
        wh,
        wh.repository_engine(),
        dag_run_id=run,
        run_type="manual",
        force=True,
        max_operations=None,
        now=IN_WINDOW,
        settings=SETTINGS,
    )


def execute(wh, item, map_index):
    return ilm_execute.execute_item(
        wh,
        wh.repository_engine(),
        item,
        dag_run_id="run-1",
        map_index=map_index,
        attempt=1,
        now_fn=lambda: IN_WINDOW,
        settings=SETTINGS,
    )


def status(wh, queue_id):
    with wh.repository_engine().connect() as conn:
        return conn.scalar(select(ilm_queue.c.status).where(ilm_queue.c.queue_id == queue_id))


def test_a_held_item_is_never_planned_until_released(wh):
    engine = wh.repository_engine()
    held, free = (enqueue(wh, s) for s in compressible(wh, 2))
    apply_command(engine, held, "hold", actor=OPS, now=T0)
    first = plan(wh)
    assert [i["queue_id"] for i in first.items] == [free]
    ilm_finish.finish_batch(wh, engine, first.batch_id, now=IN_WINDOW)  # releases the lease

    apply_command(engine, held, "release", actor=OPS, now=T0)
    second = plan(wh, run="run-2")
    assert held in [i["queue_id"] for i in second.items]


def test_an_item_held_after_planning_is_not_run_and_its_batch_waits_for_it(wh):
    engine = wh.repository_engine()
    ids = [enqueue(wh, s) for s in compressible(wh, 2)]
    batch = plan(wh)
    assert sorted(i["queue_id"] for i in batch.items) == sorted(ids)
    apply_command(engine, ids[0], "hold", actor=OPS, now=IN_WINDOW, reason="DBA asked")
    results = {i["queue_id"]: execute(wh, i, n) for n, i in enumerate(batch.items)}
    assert results[ids[0]] == {
        "status": "SKIPPED",
        "message": "queue item is HELD; release it to run it",
    }
    assert results[ids[1]]["status"] == "SUCCESS"
    assert status(wh, ids[0]) == "HELD"  # the executor did not undo the hold
    done = ilm_finish.finish_batch(wh, engine, batch.batch_id, now=IN_WINDOW)
    assert (done["status"], done["left_pending"], done["succeeded"]) == ("INTERRUPTED", 1, 1)


def test_an_item_cancelled_after_planning_is_not_run(wh):
    engine = wh.repository_engine()
    (qid,) = [enqueue(wh, s) for s in compressible(wh, 1)]
    (item,) = plan(wh).items
    apply_command(engine, qid, "cancel", actor=OPS, now=IN_WINDOW)
    assert execute(wh, item, 0) == {"status": "SKIPPED", "message": "queue item already CANCELLED"}


POLICIES = """
policies:
  - name: qh
    tables: ["S*.*"]
    action: {type: COMPRESS, level: QUERY HIGH}
    conditions: {min_age_days: 90}
"""


class Spaces:
    def tablespaces(self):
        return {"USERS": SimpleNamespace(free_bytes=2**40)}


def test_evaluation_neither_duplicates_nor_cancels_a_held_item(sqlite_engine):
    rng = random.Random(5)
    rows = [
        dict(
            owner="SALES",
            table_name="T",
            partition_name=f"P{i:03d}",
            age_days=rng.choice([100, 200, 400]),
            size_bytes=2**30,
            compression="NONE",
            tablespace_name="USERS",
            read_only=False,
            is_newest=False,
            temperature="COLD",
            refreshed_at=T0,
        )
        for i in range(12)
    ]
    with sqlite_engine.begin() as conn:
        conn.execute(insert(partition_access), rows)
    first = evaluate_policies(
        Spaces(), sqlite_engine, parse_policies(POLICIES), now=T0, evaluation_id="e1"
    )
    assert first["enqueued"] == 12
    with sqlite_engine.connect() as conn:
        ids = conn.scalars(select(ilm_queue.c.queue_id).order_by(ilm_queue.c.queue_id)).all()
    for qid in ids[:3]:
        apply_command(sqlite_engine, qid, "hold", actor=OPS, now=T0)

    again = evaluate_policies(
        Spaces(),
        sqlite_engine,
        parse_policies(POLICIES),
        now=T0 + timedelta(hours=1),
        evaluation_id="e2",
    )
    assert (again["enqueued"], again["cancelled_stale"]) == (0, 0)

    # Nothing is eligible any more: the PENDING items are cancelled, the held ones stay held.
    stricter = POLICIES.replace("min_age_days: 90", "min_age_days: 5000")
    third = evaluate_policies(
        Spaces(),
        sqlite_engine,
        parse_policies(stricter),
        now=T0 + timedelta(hours=2),
        evaluation_id="e3",
    )
    with sqlite_engine.connect() as conn:
        by_status = dict(
            conn.execute(
                select(ilm_queue.c.status, func.count()).group_by(ilm_queue.c.status)
            ).all()
        )
    assert third["cancelled_stale"] == 9
    assert by_status == {"HELD": 3, "CANCELLED": 9}

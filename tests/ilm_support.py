"""Shared helpers of the ILM execution tests: a queue on the embedded warehouse, plans,
attempts, and what the repository recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.repository.tables import (
    dag_run_log,
    execution_log,
    ilm_batches,
    ilm_queue,
    table_locks,
)
from hcc_operators.services import ilm_execute, ilm_plan
from hcc_operators.services.ilm_settings import load_ilm_settings

SETTINGS = load_ilm_settings()
CAL = SETTINGS.calendar
T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
IN_WINDOW = CAL.next_window(T0).start + timedelta(minutes=5)
OUT_OF_WINDOW = CAL.next_window(T0).start - timedelta(hours=3)


def partitions(wh, owner, table):
    segs = [
        s
        for s in wh.list_segments([owner], [ObjectRef(owner, table)])
        if s.ref.partition and not s.ref.subpartition
    ]
    return sorted(segs, key=lambda s: s.position)


def pick(wh, *, tablespace_hcc=True, compression=CompressionType.NONE, owner="SALES"):
    spaces = wh.tablespaces()
    for seg in wh.list_segments([owner]):
        space = spaces.get(seg.tablespace or "")
        if (
            seg.ref.partition
            and not seg.ref.subpartition
            and not seg.has_subpartitions
            and seg.compression is compression
            and seg.num_rows > 0
            and not seg.read_only
            and space
            and space.hcc_supported == tablespace_hcc
        ):
            return seg
    raise AssertionError("no partition with those properties in the demo warehouse")


def bound_of(wh, ref):
    seg = wh.segment(ref)
    bound = upper_bound_date(seg.high_value) if seg else None
    return bound.replace(tzinfo=UTC) if bound else None


def enqueue(wh, ref, action, params=None, priority=10, status="PENDING", bound=None):
    seg = wh.segment(ref)
    with wh.repository_engine().begin() as conn:
        return conn.execute(
            insert(ilm_queue).values(
                policy_name=f"test_{action.lower()}",
                policy_version=1,
                priority=priority,
                owner=ref.owner,
                table_name=ref.table,
                partition_name=ref.partition,
                action=action,
                action_params=json.dumps(params or {}),
                size_bytes=seg.bytes if seg else 0,
                upper_bound=bound or bound_of(wh, ref),
                status=status,
                attempts=0,
                carried_over=False,
                enqueued_at=T0,
                updated_at=T0,
            )
        ).inserted_primary_key[0]


def plan(wh, *, force=True, now=IN_WINDOW, run="run-1", max_operations=None, run_alive=None):
    return ilm_plan.plan_batch(
        wh,
        wh.repository_engine(),
        dag_run_id=run,
        run_type="manual",
        force=force,
        max_operations=max_operations,
        now=now,
        settings=SETTINGS,
        run_alive=run_alive,
    )


def execute(wh, item, *, attempt=1, now=IN_WINDOW, map_index=0, run="run-1", **kwargs):
    return ilm_execute.execute_item(
        wh,
        wh.repository_engine(),
        item,
        dag_run_id=run,
        map_index=map_index,
        attempt=attempt,
        now_fn=lambda: now,
        settings=SETTINGS,
        **kwargs,
    )


def item_of(queue_id, ref, action, *, batch_id=1, forced=True, predicted_s=1):
    return {
        "queue_id": queue_id,
        "batch_id": batch_id,
        "policy": "test",
        "label": ref.label,
        "action": action,
        "predicted_s": predicted_s,
        "forced": forced,
    }


def queue_row(wh, queue_id):
    with wh.repository_engine().connect() as conn:
        return conn.execute(select(ilm_queue).where(ilm_queue.c.queue_id == queue_id)).one()


def log_rows(wh, queue_id):
    with wh.repository_engine().connect() as conn:
        return conn.execute(
            select(execution_log)
            .where(execution_log.c.queue_id == queue_id)
            .order_by(execution_log.c.log_id)
        ).all()


def run_one(wh, ref, action, params=None):
    queue_id = enqueue(wh, ref, action, params)
    (item,) = [i for i in plan(wh).items if i["queue_id"] == queue_id]
    return queue_id, execute(wh, item)


def left_running(engine) -> dict[str, int]:
    """Rows still RUNNING in each state table, and table locks still held."""
    with engine.connect() as conn:
        counts = {
            table.name: conn.execute(
                select(func.count()).select_from(table).where(table.c.status == "RUNNING")
            ).scalar()
            for table in (ilm_queue, execution_log, ilm_batches, dag_run_log)
        }
        counts[table_locks.name] = conn.execute(
            select(func.count()).select_from(table_locks)
        ).scalar()
    return counts

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.policy_config import PolicySet
from hcc_operators.core.schedule_config import load_schedule
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import execution_log, ilm_queue
from hcc_operators.services.ilm_execute import execute_item
from hcc_operators.services.ilm_plan import plan_batch
from hcc_operators.services.ilm_settings import IlmSettings
from hcc_operators.services.reconciliation import reconcile_batch

NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def warehouse(tmp_path):
    from hcc_operators.warehouse.embedded import build_warehouse

    wh = build_warehouse(tmp_path / "demo.db", seed=7, today=date(2026, 3, 6))
    create_all(wh.repository_engine())
    yield wh
    wh.close()


def _enqueue(engine, refs, level="ADVANCED"):
    with engine.begin() as conn:
        for ref in refs:
            conn.execute(
                insert(ilm_queue).values(
                    policy_name="compress_old",
                    policy_version=1,
                    priority=10,
                    owner=ref.owner,
                    table_name=ref.table,
                    partition_name=ref.partition,
                    action="COMPRESS",
                    action_params=json.dumps({"level": level}),
                    size_bytes=1,
                    status="PENDING",
                    attempts=0,
                    carried_over=False,
                    enqueued_at=NOW,
                    updated_at=NOW,
                )
            )


def _uncompressed(wh, count):
    segs = wh.list_segments(["SALES"], [ObjectRef("SALES", "ORDERS_FACT")])
    plain = [s for s in segs if s.ref.partition and s.compression.value == "NONE"]
    return sorted(plain, key=lambda s: s.bytes)[:count]


def _run_batch(wh, max_operations):
    engine = wh.repository_engine()
    settings = IlmSettings(PolicySet(), load_schedule())
    plan = plan_batch(
        wh,
        engine,
        dag_run_id="manual__r",
        run_type="manual",
        force=True,
        max_operations=max_operations,
        now=NOW,
        settings=settings,
    )
    for i, item in enumerate(plan.items):
        result = execute_item(
            wh,
            engine,
            item,
            dag_run_id="manual__r",
            map_index=i,
            attempt=1,
            now_fn=lambda: NOW,
            settings=settings,
        )
        assert result["status"] == "SUCCESS", result
    return plan


def _checks(report):
    return sorted((f.check, f.label) for f in report.findings)


def test_a_consistent_batch_passes(warehouse):
    segs = _uncompressed(warehouse, 2)
    _enqueue(warehouse.repository_engine(), [s.ref for s in segs])
    plan = _run_batch(warehouse, 2)

    report = reconcile_batch(warehouse, warehouse.repository_engine(), plan.batch_id, now=NOW)

    assert report.ok, report.findings
    assert (report.items, report.verified, report.findings) == (2, 2, [])


def test_success_without_running_it_is_caught(warehouse):
    engine = warehouse.repository_engine()
    segs = _uncompressed(warehouse, 3)
    _enqueue(engine, [s.ref for s in segs])
    plan = _run_batch(warehouse, 2)
    never_run = segs[2].ref
    with engine.begin() as conn:
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.partition_name == never_run.partition)
            .values(status="SUCCESS", batch_id=plan.batch_id)
        )

    report = reconcile_batch(warehouse, engine, plan.batch_id, now=NOW)

    assert not report.ok
    assert _checks(report) == [
        ("NOT_IN_TARGET_STATE", never_run.label),
        ("SUCCESS_WITHOUT_EXECUTION", never_run.label),
    ]
    assert report.verified == 2
    state = next(f for f in report.findings if f.check == "NOT_IN_TARGET_STATE")
    assert "is NONE in" in state.message and "level=ADVANCED" in state.message


def test_duplicate_success_and_dead_lease_are_caught(warehouse):
    engine = warehouse.repository_engine()
    segs = _uncompressed(warehouse, 2)
    _enqueue(engine, [s.ref for s in segs])
    plan = _run_batch(warehouse, 2)
    first, second = plan.items
    with engine.begin() as conn:
        original = conn.execute(
            select(execution_log).where(execution_log.c.queue_id == first["queue_id"])
        ).one()
        copy = {k: v for k, v in original._mapping.items() if k != "log_id"}
        conn.execute(
            insert(execution_log).values(
                **copy,
            )
        )
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.queue_id == second["queue_id"])
            .values(
                status="RUNNING",
                lease_holder="manual__r#1",
                lease_expires_at=NOW - timedelta(minutes=1),
            )
        )

    report = reconcile_batch(warehouse, engine, plan.batch_id, now=NOW)

    assert _checks(report) == sorted(
        [
            ("DUPLICATE_SUCCESS", first["label"]),
            ("RUNNING_WITHOUT_LEASE", second["label"]),
            ("STATUS_MISMATCH", second["label"]),
        ]
    )


def test_unknown_batch_is_a_config_error(warehouse):
    with pytest.raises(ConfigError, match="no ILM batch 42"):
        reconcile_batch(warehouse, warehouse.repository_engine(), 42, now=NOW)

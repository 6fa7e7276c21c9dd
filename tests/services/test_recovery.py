"""Recovery of what a killed worker or run left RUNNING, read from the live dictionary.

The worker's death is simulated in-process here (a BaseException nothing catches, raised
before or after the DDL, leaves the repository exactly as a kill would); the reliability
suite (tests/reliability/test_kill_recovery.py) kills real processes with SIGKILL.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from hcc_operators.core.housekeeping_config import HousekeepingConfig
from hcc_operators.repository import lease_events, leases
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import dag_run_log, execution_log, ilm_batches, ilm_queue
from hcc_operators.services import recovery, run_control
from hcc_operators.services.housekeeping import run_housekeeping
from hcc_operators.services.ilm_plan import LEASE
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse
from ilm_support import (
    IN_WINDOW,
    T0,
    enqueue,
    execute,
    left_running,
    log_rows,
    partitions,
    pick,
    plan,
    queue_row,
)


class Killed(BaseException):
    """Stands for SIGKILL: nothing in the package catches it, so nothing is recorded."""


class Dies(EmbeddedWarehouse):
    point: str | None = None  # "before_ddl" (the before-state is written) or "after_ddl"

    def apply(self, action, **kwargs):
        point, self.point = self.point, None
        if point == "before_ddl":
            raise Killed
        result = super().apply(action, **kwargs)
        if point == "after_ddl":
            raise Killed
        return result


@pytest.fixture
def wh(tmp_path):
    path = tmp_path / "wh.db"
    build_warehouse(path, seed=11, today=T0.date()).close()
    warehouse = Dies(path)
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def ddl_count(wh, label):
    with sqlite3.connect(wh.path) as conn:
        return conn.execute(
            "SELECT count(*) FROM sim_ddl_log WHERE object_label = ?", (label,)
        ).fetchone()[0]


def killed_batch(wh, point, action="MOVE", params=None, *, dag_run="run-1"):
    """A batch whose run recorded itself, planned one item, and died at ``point``."""
    seg = pick(wh)
    queue_id = enqueue(
        wh,
        seg.ref,
        action,
        params
        if params is not None
        else {"tablespace": "SALES_ARCH", "compression": "QUERY HIGH", "gather_stats": True},
    )
    engine = wh.repository_engine()
    run_control.start_run(engine, "hcc_ilm_execute", dag_run, "forced", IN_WINDOW)
    batch = plan(wh, run=dag_run)
    (item,) = batch.items
    wh.point = point
    with pytest.raises(Killed):
        execute(wh, item, run=dag_run)
    assert queue_row(wh, queue_id).status == "RUNNING"
    return seg, queue_id, batch


def test_an_action_applied_before_the_kill_is_recorded_success_with_its_real_sizes(wh):
    seg, queue_id, batch = killed_batch(wh, "after_ddl")
    live = wh.segment(seg.ref)
    assert live.tablespace == "SALES_ARCH" and live.bytes < seg.bytes
    assert left_running(wh.repository_engine())["hcc_table_locks"] == 1

    # The next batch: Airflow says run-1 ended, so its lease and items are recovered at once.
    later = IN_WINDOW + timedelta(minutes=10)
    second = plan(wh, run="run-2", now=later, run_alive=lambda run: run != "run-1" or False)
    assert not second.lease_held
    (found,) = second.recovered.items
    assert found.status == "SUCCESS" and "worker lost after its DDL" in found.note
    (log,) = log_rows(wh, queue_id)
    assert log.status == "SUCCESS" and log.finished_at is not None
    assert (log.bytes_before, log.bytes_after) == (seg.bytes, live.bytes)  # not before == after
    assert (log.tablespace_before, log.tablespace_after) == (seg.tablespace, "SALES_ARCH")
    assert log.rows_before == log.rows_after == seg.num_rows
    assert log.ratio == pytest.approx(seg.bytes / live.bytes, rel=1e-3)
    assert queue_row(wh, queue_id).status == "SUCCESS"
    assert ddl_count(wh, seg.ref.label) == 1  # recorded, never repeated
    # Its follow-up (statistics of the rewritten segment) is queued and planned now.
    with wh.repository_engine().connect() as conn:
        follow = conn.execute(
            select(ilm_queue).where(ilm_queue.c.parent_queue_id == queue_id)
        ).one()
    assert follow.action == "GATHER_STATS" and follow.queue_id in {
        i["queue_id"] for i in second.items
    }
    # The dead run's batch and run record are closed, saying what happened.
    with wh.repository_engine().connect() as conn:
        first = conn.execute(
            select(ilm_batches).where(ilm_batches.c.batch_id == batch.batch_id)
        ).one()
        record = conn.execute(select(dag_run_log).where(dag_run_log.c.dag_run_id == "run-1")).one()
    assert first.status == "COMPLETED" and first.succeeded == 1
    assert "run run-1 ended without finish_batch" in first.reason
    assert record.status == "FAILED" and "ended without finish_batch" in record.summary
    (event,) = lease_events.recent(wh.repository_engine(), LEASE)
    assert (event.event, event.holder, event.new_holder) == ("TAKEN_OVER", "run-1", "run-2")
    counts = left_running(wh.repository_engine())
    assert counts["hcc_ilm_queue"] == counts["hcc_ilm_execution_log"] == 0
    assert counts["hcc_table_locks"] == 0
    assert counts["hcc_ilm_batches"] == 1  # run-2's own batch, which is planning right now


def test_an_action_killed_before_its_ddl_took_effect_goes_back_to_pending(wh):
    seg, queue_id, batch = killed_batch(wh, "before_ddl")
    assert wh.segment(seg.ref).tablespace == seg.tablespace
    expired = IN_WINDOW + timedelta(hours=5)  # the lease and the item lease ran out
    second = plan(wh, run="run-2", now=expired)
    (found,) = second.recovered.items
    assert found.status == "PENDING" and "did not take effect" in found.note
    (log,) = log_rows(wh, queue_id)
    assert log.status == "LOST" and "Back to PENDING" in log.note
    assert [i["queue_id"] for i in second.items] == [queue_id]  # carried over, planned first
    done = execute(wh, second.items[0], run="run-2", now=expired)
    assert done["status"] == "SUCCESS" and wh.segment(seg.ref).tablespace == "SALES_ARCH"
    assert [r.status for r in log_rows(wh, queue_id)] == ["LOST", "SUCCESS"]
    with wh.repository_engine().connect() as conn:
        first = conn.execute(
            select(ilm_batches).where(ilm_batches.c.batch_id == batch.batch_id)
        ).one()
    assert first.status == "INTERRUPTED" and first.left_pending == 1


def test_the_retry_of_a_killed_task_records_the_applied_action_and_sends_nothing(wh):
    seg, queue_id, batch = killed_batch(wh, "after_ddl")
    (item,) = batch.items
    retried = execute(wh, item, attempt=2)  # same run, same map index: Airflow's retry
    assert retried["status"] == "SUCCESS" and "previous try" in retried["message"]
    assert ddl_count(wh, seg.ref.label) == 1
    (log,) = log_rows(wh, queue_id)
    assert log.status == "SUCCESS" and log.bytes_before == seg.bytes != log.bytes_after
    assert retried["follow_ups"] and "GATHER_STATS" in retried["follow_ups"][0]


def test_a_rewrite_whose_rows_changed_is_recovered_as_a_row_count_mismatch(wh):
    seg, queue_id, _ = killed_batch(wh, "after_ddl", "COMPRESS", {"level": "ARCHIVE LOW"})
    wh.simulate_dml(seg.ref, deletes=10)  # someone else's rows changed after the rewrite
    report = recovery.recover(wh, wh.repository_engine(), now=IN_WINDOW + timedelta(hours=5))
    (found,) = report.items
    assert found.status == "FAILED" and "row count changed" in found.note
    (log,) = log_rows(wh, queue_id)
    assert log.error_code == "ROW_COUNT_MISMATCH"


def test_housekeeping_looks_before_it_decides_and_never_fails_an_applied_item(wh):
    seg, queue_id, _ = killed_batch(wh, "after_ddl", "READ_ONLY", {})
    next_day = IN_WINDOW + timedelta(days=1)
    result = run_housekeeping(
        wh.repository_engine(),
        HousekeepingConfig(),
        now=next_day,
        warehouse=wh,
    )
    (found,) = result["recovered"]["items"]
    assert found["status"] == "SUCCESS" and queue_row(wh, queue_id).status == "SUCCESS"
    assert result["stuck_running"] == 0
    assert sum(left_running(wh.repository_engine()).values()) == 0


def test_a_live_run_s_items_and_batch_are_left_alone(wh):
    seg, queue_id, batch = killed_batch(wh, "after_ddl")
    # Inside the item lease and with Airflow saying the run is alive: nothing is touched.
    report = recovery.recover(
        wh,
        wh.repository_engine(),
        now=IN_WINDOW + timedelta(minutes=1),
        run_alive=lambda run: True,
    )
    assert report.items == [] and report.batches == []
    assert queue_row(wh, queue_id).status == "RUNNING"


def test_an_unknown_holder_keeps_the_lease_and_a_dead_one_loses_it(wh):
    engine = wh.repository_engine()
    leases.acquire(engine, LEASE, "other-deployment-run", timedelta(hours=4), IN_WINDOW)
    enqueue(wh, pick(wh).ref, "READ_ONLY", {})
    unknown = plan(wh, run="run-2", run_alive=lambda run: None)
    assert unknown.lease_held and "other-deployment-run" in unknown.reason
    alive = plan(wh, run="run-3", run_alive=lambda run: True)
    assert alive.lease_held
    dead = plan(wh, run="run-4", run_alive=lambda run: False)
    assert not dead.lease_held and dead.items
    assert leases.current(engine, LEASE).holder == "run-4"
    (event,) = lease_events.recent(engine, LEASE)
    assert "has ended according to Airflow" in event.reason


def test_a_released_holder_counts_as_dead_for_its_items(wh):
    seg, queue_id, _ = killed_batch(wh, "after_ddl")
    engine = wh.repository_engine()
    assert leases.release_by_operator(
        engine, LEASE, holder="run-1", actor="dba", reason="worker killed", now=IN_WINDOW
    )
    # The item lease is still live, but the operator declared its run dead.
    second = plan(wh, run="run-2", now=IN_WINDOW + timedelta(minutes=2))
    assert [f.status for f in second.recovered.items] == ["SUCCESS"]
    assert queue_row(wh, queue_id).status == "SUCCESS"


def test_run_records_of_runs_airflow_says_ended_are_closed_and_stray_logs_too(wh):
    engine = wh.repository_engine()
    run_control.start_run(engine, "hcc_compress_rollback", "rb-1", "manual", IN_WINDOW)
    run_control.start_run(engine, "hcc_advisor", "adv-1", "manual", IN_WINDOW)
    seg = pick(wh)
    queue_id = enqueue(wh, seg.ref, "READ_ONLY", status="SUCCESS")
    with engine.begin() as conn:  # an older attempt an older release never closed
        conn.execute(
            insert(execution_log).values(
                queue_id=queue_id,
                owner=seg.ref.owner,
                table_name=seg.ref.table,
                partition_name=seg.ref.partition,
                action="READ_ONLY",
                status="RUNNING",
                attempt=1,
                dag_run_id="old",
                map_index=0,
                simulated=True,
                started_at=T0,
            )
        )
    report = recovery.recover(
        wh,
        engine,
        now=IN_WINDOW,
        dag_run_alive=lambda dag, run: run != "rb-1",
    )
    assert report.dag_runs_closed == 1 and report.logs_closed == 1
    with engine.connect() as conn:
        runs = dict(conn.execute(select(dag_run_log.c.dag_run_id, dag_run_log.c.status)).all())
    assert runs == {"rb-1": "FAILED", "adv-1": "RUNNING"}
    (log,) = log_rows(wh, queue_id)
    assert log.status == "LOST" and "a later attempt decided" in log.note


class DiesAfterTheMerge(Dies):
    """Sends the first statement of a two-statement action (MERGE, then RENAME) and dies."""

    def apply(self, action, **kwargs):
        from hcc_operators.core import ddl

        statements = ddl.render(action, version=self.version())
        if len(statements) < 2:
            return super().apply(action, **kwargs)
        self.run_statements(statements[:1])
        raise Killed


def test_a_merge_killed_between_its_merge_and_its_rename_is_finished_by_the_retry(wh):
    from hcc_operators.core.models import Action, ActionKind, ObjectRef
    from hcc_operators.services.action_runner import run_action

    months = [
        s for s in partitions(wh, "SALES", "RETURNS") if s.ref.partition.startswith("P_2023_")
    ]
    rows = sum(s.num_rows for s in months)
    # Half the year is already merged into P_2023: the year's merge must go into the highest
    # month and then RENAME it to P_2023 (MERGE-01, MERGE-16): two statements.
    half = Action(
        ActionKind.MERGE,
        ObjectRef("SALES", "RETURNS", "P_2023"),
        merge_sources=tuple(m.ref.partition for m in months[:6]),
        online=False,
    )
    assert run_action(wh, half).status.value == "SUCCESS"
    queue_id = enqueue(wh, months[-1].ref, "MERGE", {})
    (item,) = plan(wh).items
    killer = DiesAfterTheMerge(wh.path)
    with pytest.raises(Killed):
        execute(killer, item)
    killer.close()
    names = [s.ref.partition for s in partitions(wh, "SALES", "RETURNS")]
    assert "P_2023_12" in names and "P_2023" not in names  # merged, not yet renamed
    retried = execute(wh, item, attempt=2)
    assert retried["status"] == "SUCCESS", retried["message"]
    assert [s.split()[-1] for s in retried["statements"]] == ['"P_2023"']  # only the RENAME
    year = [s for s in partitions(wh, "SALES", "RETURNS") if s.ref.partition.startswith("P_2023")]
    assert [s.ref.partition for s in year] == ["P_2023"] and year[0].num_rows == rows
    assert [r.status for r in log_rows(wh, queue_id)] == ["LOST", "SUCCESS"]
    assert sum(left_running(wh.repository_engine()).values()) == 1  # the batch, not finished

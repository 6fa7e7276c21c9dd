"""The execution lease seen from Airflow (`dag.test()`): a lease held by a run Airflow says has
ended is taken over; a lease held by a live or unknown run makes the batch SKIPPED, shown as
a skipped plan_batch with the reason, and fails a forced run (issue 16 item 4)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hcc_operators import clock
from hcc_operators.repository import lease_events, leases
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import dag_run_log, ilm_batches
from hcc_operators.services.ilm_plan import LEASE
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse

pytestmark = pytest.mark.airflow_db

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def warehouse_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("wh") / "warehouse.db"
    wh = build_warehouse(path, seed=7)
    create_all(wh.repository_engine())
    wh.close()
    mp = pytest.MonkeyPatch()
    mp.setenv("AIRFLOW_CONN_HCC_WAREHOUSE", f"sqlite:///{path}")
    yield path
    mp.undo()


@pytest.fixture(scope="module")
def engine(warehouse_path):
    wh = EmbeddedWarehouse(warehouse_path)
    yield wh.repository_engine()
    wh.close()


def execute_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS / "hcc_ilm_execute.py")).dags["hcc_ilm_execute"]


def run_execute(conf, dag=None):
    return (dag or execute_dag()).test(run_conf=conf)


def states(run) -> dict[str, str]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = session.scalars(
            select(TaskInstance).where(
                TaskInstance.dag_id == run.dag_id, TaskInstance.run_id == run.run_id
            )
        ).all()
        return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in tis}


def state_of(run) -> str:
    return str(getattr(run.state, "value", run.state))


def record_of(engine, run_id):
    with engine.connect() as conn:
        return conn.execute(select(dag_run_log).where(dag_run_log.c.dag_run_id == run_id)).one()


def test_a_lease_of_a_run_airflow_says_ended_is_taken_over(engine):
    first = run_execute({"force": True, "max_operations": 1})
    assert state_of(first) == "success"
    # As if that run had been killed before finish_batch released the lease.
    leases.acquire(engine, LEASE, first.run_id, timedelta(hours=4), clock.now())
    second = run_execute({"force": True, "max_operations": 1})
    assert state_of(second) == "success", states(second)
    (event,) = [e for e in lease_events.recent(engine, LEASE) if e.holder == first.run_id]
    assert event.event == "TAKEN_OVER" and event.new_holder == second.run_id
    assert leases.current(engine, LEASE) is None  # released by the second run's finish


def test_a_forced_run_blocked_by_a_live_lease_is_skipped_visibly_and_fails(engine):
    # A holder Airflow does not know (another deployment): never taken over.
    leases.acquire(engine, LEASE, "other-deployment-run", timedelta(hours=4), clock.now())
    try:
        run = run_execute({"force": True, "max_operations": 1})
        tasks = states(run)
        assert tasks["plan_batch"] == "skipped" and tasks["finish_batch"] == "failed"
        assert state_of(run) == "failed"
        record = record_of(engine, run.run_id)
        assert record.status == "FAILED" and "forced run did nothing" in record.summary
        with engine.connect() as conn:
            batch = conn.execute(
                select(ilm_batches).where(ilm_batches.c.dag_run_id == run.run_id)
            ).one()
        assert batch.status == "SKIPPED" and "other-deployment-run" in batch.reason
    finally:
        leases.release(engine, LEASE, "other-deployment-run")


def test_a_scheduled_run_blocked_by_a_live_lease_shows_a_skipped_plan_with_the_reason(
    engine, monkeypatch
):
    from hcc_operators.services.ilm_settings import load_ilm_settings

    calendar = load_ilm_settings().calendar
    inside = calendar.next_window(clock.now()).start + timedelta(minutes=5)
    monkeypatch.setenv("HCC_NOW", inside.isoformat())
    leases.acquire(engine, LEASE, "other-deployment-run", timedelta(hours=4), inside)
    try:
        run = run_execute({})
        tasks = states(run)
        assert tasks["plan_batch"] == "skipped" and tasks["finish_batch"] == "success"
        assert state_of(run) == "success"  # overlapping a live batch is normal for a slot run
        with engine.connect() as conn:
            batch = conn.execute(
                select(ilm_batches).where(ilm_batches.c.dag_run_id == run.run_id)
            ).one()
        assert batch.status == "SKIPPED" and "holds the execution lease" in batch.reason
    finally:
        leases.release(engine, LEASE, "other-deployment-run")


def test_a_plan_that_fails_fails_the_run_and_closes_its_record(engine, monkeypatch, tmp_path):
    import shutil

    from hcc_operators.core.paths import project_root

    dag = execute_dag()  # parsed with the good configuration
    config = tmp_path / "config"
    shutil.copytree(project_root() / "include" / "config", config)
    (config / "schedule.yaml").write_text("timezone: Not/AZone\n")
    monkeypatch.setenv("HCC_CONFIG_DIR", str(config))  # then broken before the task runs
    run = run_execute({"force": True}, dag)
    tasks = states(run)
    assert tasks["plan_batch"] == "failed" and tasks["finish_batch"] == "failed"
    assert state_of(run) == "failed"  # before: finish_batch skipped and the run was green
    record = record_of(engine, run.run_id)
    assert record.status == "FAILED" and "plan_batch recorded no batch" in record.summary

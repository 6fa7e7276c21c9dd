"""The ILM pipeline on Airflow's distributed setup, and a worker killed in the middle of an action.

conftest.py starts PostgreSQL (metadata DB and Celery result backend), Redis (Celery broker),
Airflow's api-server, scheduler and dag-processor with the CeleryExecutor, and two Celery
workers of two task slots each; the warehouse is the embedded demo file built here, which
every task process on the machine opens. HCC_NOW is the Tuesday-night window of
tests/e2e/test_airflow_standalone.py; the batches are forced runs.

1. queue: hcc_ilm_refresh and hcc_ilm_evaluate fill the queue (tasks on the workers).
2. spread: a forced batch of BATCH actions runs to success; both workers ran some of its
   mapped instances (each worker's log names the workloads it received), and the repository
   says the same as Airflow: every item SUCCESS, one SUCCESS log row each, batch COMPLETED.
3. chaos: in the next forced batch one COMPRESS is made slow (the embedded warehouse's SLOW
   fault: the DDL commits, then the simulated duration is slept out before the result is
   recorded). Once its DDL has committed and its log row is still RUNNING, the worker running
   it is killed with SIGKILL, pool processes, task supervisors and tasks included. Airflow
   notices the missing heartbeats and retries the instance on the surviving worker; the retry
   recovers the item from the live dictionary (services/recovery.py): SUCCESS with the
   before-state measured before the DDL and the after-state measured now, its follow-up
   (statistics) queued. Every other item of the killed worker is decided the same way.
4. recovery: housekeeping and the next batch run; afterwards nothing is RUNNING in the queue,
   the execution log, the batches or hcc_dag_runs, and no table lock is left.

Figures (printed at the end of the run, and in tests/output/distributed.json): runs, kills,
rows left RUNNING (0).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from e2e.conftest import ROOT
from e2e.test_airflow_standalone import Run, fetch_run, log_rows, queue_row, run_to_end
from hcc_operators.cli.batch_preview import PreviewItem, preview_batch
from hcc_operators.cli.pools import pool_definitions
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.names import Dag, dag_id
from hcc_operators.repository.tables import (
    dag_run_log,
    execution_log,
    ilm_batches,
    ilm_queue,
    table_locks,
)
from hcc_operators.services.ilm_settings import load_ilm_settings
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse

from .conftest import HEARTBEAT_TIMEOUT_S, WORKERS, Distributed

pytestmark = pytest.mark.e2e

EXECUTE = dag_id(Dag.ILM_EXECUTE)
HOUSEKEEPING = dag_id(Dag.ILM_HOUSEKEEPING)
HCC_NOW = "2026-03-10T23:00:00+01:00"
NOW = datetime.fromisoformat(HCC_NOW).astimezone(UTC)
BATCH = 6
CHAOS_BATCH = 4
RETRIES = 2
#: Every simulated second of DDL is slept out this much, so the mapped instances overlap
#: and both workers get some; the slow victim sleeps VICTIM_SLEEP_S (SLOW fault factor).
SLEEP_SCALE = 0.001
VICTIM_SLEEP_S = 240
#: The hard limit of this Airflow (watchdog); the module normally needs well under it.
BUDGET_S = 420
FIGURES: dict[str, int] = {"runs": 0, "kills": 0, "rows_left_running": -1}
OUTPUT = ROOT / "tests" / "output" / "distributed.json"


@dataclass
class Chaos:
    run: Run
    victim: PreviewItem
    victim_index: int
    before: object  # the victim's segment before the batch (SegmentInfo)
    killed_worker: str
    killed_pids: list[int]
    killed_at_try: int
    seconds_to_notice: float


# --- fixtures: the stages ------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_config():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HCC_PROJECT_ROOT", str(ROOT))
        mp.delenv("HCC_CONFIG_DIR", raising=False)
        yield


@pytest.fixture(scope="module")
def warehouse_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.db"
    build_warehouse(path, seed=7, today=NOW.date()).close()
    return path


@pytest.fixture(scope="module")
def dist(distributed_factory, warehouse_file) -> Distributed:
    started = distributed_factory(
        extra_env={
            "AIRFLOW_CONN_HCC_WAREHOUSE": f"sqlite:///{warehouse_file}",
            "HCC_NOW": HCC_NOW,
            "HCC_TASK_RETRIES": str(RETRIES),
            "HCC_RETRY_DELAY_SECONDS": "1",
            "HCC_EMBEDDED_SLEEP_SCALE": str(SLEEP_SCALE),
        },
        budget_s=BUDGET_S,
        unpause=("hcc_ilm_refresh", "hcc_ilm_evaluate", EXECUTE, HOUSEKEEPING),
    )
    for pool, spec in pool_definitions().items():
        started.airflow.api(
            "POST", "/api/v2/pools", json={"name": pool, "slots": spec["slots"]}, expect=201
        )
    return started


@pytest.fixture(scope="module")
def engine(warehouse_file):
    wh = EmbeddedWarehouse(warehouse_file)
    yield wh.repository_engine()
    wh.close()


@pytest.fixture(scope="module")
def queue(dist, project_config, warehouse_file) -> int:
    for name in (dag_id(Dag.ILM_REFRESH), dag_id(Dag.ILM_EVALUATE)):
        run = _run(dist, name, {}, timeout_s=150)
        assert run.state == "success", f"{name}: {run.tis}"
    with EmbeddedWarehouse(warehouse_file) as wh, wh.repository_engine().connect() as conn:
        return conn.execute(
            select(func.count()).select_from(ilm_queue).where(ilm_queue.c.status == "PENDING")
        ).scalar_one()


@pytest.fixture(scope="module")
def spread_run(dist, queue) -> Run:
    return _run(dist, EXECUTE, {"force": True, "max_operations": BATCH}, timeout_s=150)


@pytest.fixture(scope="module")
def chaos(dist, spread_run, warehouse_file, project_config) -> Chaos:
    with EmbeddedWarehouse(warehouse_file) as wh:
        preview = preview_batch(
            wh,
            wh.repository_engine(),
            load_ilm_settings(),
            now=NOW,
            force=True,
            max_operations=CHAOS_BATCH,
        )
        assert len(preview.items) == CHAOS_BATCH, preview.to_dict()
        victim = next(i for i in preview.items if i.action == "COMPRESS")
        before = wh.segment(ObjectRef.parse(victim.label))
        factor = max(VICTIM_SLEEP_S / (max(victim.predicted_s, 1.0) * SLEEP_SCALE), 2.0)
        wh.inject_fault(victim.label, "SLOW", times=1, factor=factor)

    airflow = dist.airflow
    triggered = airflow.api(
        "POST",
        f"/api/v2/dags/{EXECUTE}/dagRuns",
        json={"logical_date": None, "conf": {"force": True, "max_operations": CHAOS_BATCH}},
    )
    FIGURES["runs"] += 1
    run_id = triggered["dag_run_id"]
    label = f"{victim.label} -> {victim.action}"

    def in_the_middle() -> tuple[int, str, dict] | None:
        """The victim's instance is running, its DDL has committed, its result is not recorded."""
        run = fetch_run(airflow, EXECUTE, run_id)
        ti = next((t for t in run.mapped() if t["rendered_map_index"] == label), None)
        if ti is None or ti["state"] != "running":
            return None
        committed = _ddl_rows(warehouse_file, victim.label) >= len(victim.ddl)
        if not (committed and _log_running(warehouse_file, victim)):
            return None
        worker = dist.executed_by().get((run_id, "execute_action", ti["map_index"], ti["try_number"]))
        return (ti["map_index"], worker, ti) if worker else None

    index, worker, ti = airflow.wait_for(
        "the slow action to be in the middle of its work", in_the_middle, timeout_s=120, every_s=0.5
    )
    # The task process Airflow recorded for the instance is one of that worker's.
    assert dist.worker_of_pid(ti["pid"]) == worker, (ti["pid"], worker)
    pids = dist.kill_worker(worker)
    FIGURES["kills"] += 1
    killed = time.monotonic()

    def retried() -> float | None:
        again = fetch_run(airflow, EXECUTE, run_id).ti("execute_action", index)
        return time.monotonic() - killed if again["try_number"] > ti["try_number"] else None

    noticed = airflow.wait_for(
        "Airflow to notice the dead worker and retry the instance",
        retried,
        timeout_s=HEARTBEAT_TIMEOUT_S + 90,
    )

    def ended() -> Run | None:
        run = fetch_run(airflow, EXECUTE, run_id)
        return run if run.state in ("success", "failed") else None

    run = airflow.wait_for("the chaos run to end", ended, timeout_s=150)
    return Chaos(run, victim, index, before, worker, pids, ti["try_number"], noticed)


@pytest.fixture(scope="module")
def recovered(dist, chaos) -> tuple[Run, Run]:
    housekeeping = _run(dist, HOUSEKEEPING, {}, timeout_s=120)
    after = _run(dist, EXECUTE, {"force": True, "max_operations": CHAOS_BATCH}, timeout_s=150)
    return housekeeping, after


# --- helpers --------------------------------------------------------------------------------


def _run(dist: Distributed, dag: str, conf: dict, *, timeout_s: float) -> Run:
    FIGURES["runs"] += 1
    return run_to_end(dist.airflow, dag, conf, timeout_s=timeout_s)


def _log_running(warehouse_file: Path, item: PreviewItem) -> bool:
    with EmbeddedWarehouse(warehouse_file) as wh:
        rows = log_rows(wh.repository_engine(), queue_id=item.queue_id)
    return bool(rows) and rows[-1].status == "RUNNING" and rows[-1].bytes_before is not None


def tries(dist: Distributed, run: Run, map_index: int) -> list[dict]:
    path = (
        f"/api/v2/dags/{EXECUTE}/dagRuns/{quote(run.run_id, safe='')}"
        f"/taskInstances/execute_action/{map_index}/tries"
    )
    return dist.airflow.api("GET", path)["task_instances"]


def running_rows(engine) -> dict[str, int]:
    counts = {}
    with engine.connect() as conn:
        for name, table in (
            ("queue", ilm_queue),
            ("execution_log", execution_log),
            ("batches", ilm_batches),
            ("hcc_dag_runs", dag_run_log),
        ):
            counts[name] = conn.execute(
                select(func.count()).select_from(table).where(table.c.status == "RUNNING")
            ).scalar_one()
        counts["table_locks"] = conn.execute(
            select(func.count()).select_from(table_locks)
        ).scalar_one()
    return counts


def batch_of(engine, run_id: str):
    with engine.connect() as conn:
        return conn.execute(select(ilm_batches).where(ilm_batches.c.dag_run_id == run_id)).one()


def run_record(engine, run_id: str):
    with engine.connect() as conn:
        return conn.execute(select(dag_run_log).where(dag_run_log.c.dag_run_id == run_id)).one()


def write_figures(extra: dict) -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps({**FIGURES, **extra}, indent=2, default=str) + "\n")


# --- tests ----------------------------------------------------------------------------------


def test_a_forced_batch_runs_across_both_celery_workers(dist, queue, spread_run, engine):
    assert queue >= BATCH + CHAOS_BATCH
    run = spread_run
    assert run.state == "success", run.tis
    mapped = run.mapped()
    assert len(mapped) == BATCH
    assert {(t["state"], t["try_number"]) for t in mapped} == {("success", 1)}
    seen = dist.executed_by()
    by = {t["map_index"]: seen.get((run.run_id, "execute_action", t["map_index"], 1)) for t in mapped}
    assert None not in by.values(), f"a mapped instance no worker's log names: {by}"
    assert set(by.values()) == set(WORKERS), f"one worker ran everything: {by}"

    batch = batch_of(engine, run.run_id)
    assert (batch.status, batch.planned, batch.succeeded, batch.failed, batch.forced) == (
        "COMPLETED",
        BATCH,
        BATCH,
        0,
        True,
    )
    rows = log_rows(engine, batch_id=batch.batch_id)
    assert sorted(r.map_index for r in rows) == list(range(BATCH))
    assert {(r.status, r.attempt) for r in rows} == {("SUCCESS", 1)}
    assert {queue_row(engine, r.queue_id).status for r in rows} == {"SUCCESS"}
    assert run_record(engine, run.run_id).status == "SUCCESS"


def test_a_worker_killed_mid_action_is_recovered_from_the_live_state(
    dist, chaos, engine, warehouse_file
):
    run, victim = chaos.run, chaos.victim
    assert chaos.killed_worker in WORKERS and len(chaos.killed_pids) >= 3
    # Airflow noticed: the killed try ended failed (missing heartbeats) and was retried on the
    # surviving worker, where it recovered the item instead of repeating the DDL.
    assert chaos.seconds_to_notice < HEARTBEAT_TIMEOUT_S + 60
    history = tries(dist, run, chaos.victim_index)
    assert [t["state"] for t in history][:1] in (["failed"], ["up_for_retry"]), history
    assert history[-1]["state"] == "success", history
    survivor = next(w for w in WORKERS if w != chaos.killed_worker)
    final = history[-1]["try_number"]
    assert dist.executed_by()[(run.run_id, "execute_action", chaos.victim_index, final)] == survivor
    assert run.state == "success", run.tis

    row = queue_row(engine, victim.queue_id)
    assert row.status == "SUCCESS" and row.lease_holder is None
    logs = log_rows(engine, queue_id=victim.queue_id)
    assert len(logs) == 1, [(r.status, r.note) for r in logs]
    log = logs[0]
    assert (log.status, log.attempt) == ("SUCCESS", 1)
    assert log.note.startswith("worker lost after its DDL"), log.note
    with EmbeddedWarehouse(warehouse_file) as wh:
        live = wh.segment(ObjectRef.parse(victim.label))
        ddl_count = _ddl_rows(warehouse_file, victim.label)
    assert ddl_count == len(victim.ddl), "the retry repeated the DDL"
    # The truth: the before-state measured before the DDL, the after-state read live.
    assert (log.bytes_before, log.compression_before) == (
        chaos.before.bytes,
        chaos.before.compression.value,
    )
    assert (log.bytes_after, log.compression_after) == (live.bytes, live.compression.value)
    assert live.compression.value == victim.params["level"]
    # Its follow-ups are queued as a live success would have queued them (statistics when the
    # policy asks for them; the shipped policies' COMPRESS does not).
    follow_ups = _children(engine, victim.queue_id)
    assert [f.action for f in follow_ups] == (
        ["GATHER_STATS"] if victim.params.get("gather_stats") else []
    )

    # Every other item of the batch ends decided; none is RUNNING.
    batch = batch_of(engine, run.run_id)
    assert batch.status == "COMPLETED" and batch.failed == 0
    for item in log_rows(engine, batch_id=batch.batch_id):
        assert item.status in ("SUCCESS", "SKIPPED"), (item.status, item.note)


def test_after_housekeeping_and_the_next_batch_nothing_is_left_running(
    dist, chaos, recovered, engine
):
    housekeeping, after = recovered
    assert housekeeping.state == "success", housekeeping.tis
    assert after.state == "success", after.tis
    # The next batch ran the recovered item's follow-ups, if any (planned ahead of new work).
    follow_ups = _children(engine, chaos.victim.queue_id)
    assert {f.status for f in follow_ups} <= {"SUCCESS"}, [(f.action, f.status) for f in follow_ups]
    left = running_rows(engine)
    FIGURES["rows_left_running"] = sum(left.values())
    write_figures(
        {
            "left_running": left,
            "killed_worker": chaos.killed_worker,
            "processes_killed": len(chaos.killed_pids),
            "seconds_until_airflow_retried": round(chaos.seconds_to_notice, 1),
            "heartbeat_timeout_s": HEARTBEAT_TIMEOUT_S,
        }
    )
    assert left == dict.fromkeys(left, 0), left
    assert run_record(engine, chaos.run.run_id).status == "SUCCESS"


def _ddl_rows(warehouse_file: Path, label: str) -> int:
    with sqlite3.connect(warehouse_file, timeout=30) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM sim_ddl_log WHERE object_label = ?", (label,)
        ).fetchone()[0]


def _children(engine, queue_id: int):
    with engine.connect() as conn:
        return conn.execute(select(ilm_queue).where(ilm_queue.c.parent_queue_id == queue_id)).all()

"""The ILM pipeline on Airflow's distributed setup, and workers killed in the middle of an action.

conftest.py starts PostgreSQL (metadata DB and Celery result backend), Redis (Celery broker),
Airflow's api-server, scheduler and dag-processor with the CeleryExecutor, and two Celery
workers with as many task slots each as the hcc_oracle_ddl pool has; the warehouse is the
embedded demo file built here, which every task process on the machine opens. HCC_NOW is the
Tuesday-night window of tests/e2e/test_airflow_standalone.py; the batches are forced runs.

1. queue: hcc_ilm_refresh and hcc_ilm_evaluate fill the queue (tasks on the workers).
2. spread: a forced batch of BATCH actions runs to success; both workers ran some of its
   mapped instances (each worker's log names the workloads it received), and the repository
   says the same as Airflow: every item SUCCESS, one SUCCESS log row each, batch COMPLETED.
3. kill with retries left: in the next batch one COMPRESS is made slow (the embedded
   warehouse's SLOW fault: the DDL commits, then the simulated duration is slept out before the
   result is recorded). Once its DDL has committed and its log row is still RUNNING, the worker
   running it is killed with SIGKILL: the Celery process, its pool processes, the task
   supervisors and the tasks. Airflow fails the try for its missing heartbeats and retries it on
   a live worker; the retry recovers the item from the live dictionary (services/recovery.py):
   SUCCESS with the before-state measured before the DDL and the after-state read live, the DDL
   not repeated. The batch's other items, all on the same table, wait for the table lock
   until then and finish. A replacement worker joins.
4. kill on the last try: a batch of one whose first two tries fail with ORA-00054 (retried),
   the third made slow and killed the same way. Airflow fails the instance; finish_batch finds
   the item RUNNING under it and decides it from the live dictionary before counting
   (services/ilm_finish.py), so the batch, hcc_dag_runs and the run's note say 1 succeeded.
5. recovery: housekeeping and the next batch run on what is left of the fleet; afterwards
   nothing is RUNNING in the queue, the execution log, the batches or hcc_dag_runs, and no
   table lock is held.

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
from typing import Any
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

REPLACEMENT = "hcc-worker-3"

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
class Kill:
    """One worker killed while ``victim``'s instance was in the middle of its action."""

    run: Run  # the run, once it ended
    victim: PreviewItem
    map_index: int
    try_number: int  # the try that was running when the worker died
    before: Any  # the victim's segment before the batch (SegmentInfo)
    ddl_rows: int  # the warehouse's DDL log rows for the victim when the worker died
    worker: str
    pids: list[int]
    seconds_to_notice: float  # from the kill until Airflow ended the killed try


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
def retried_kill(dist, spread_run, warehouse_file, project_config) -> Kill:
    """Kill 1: the killed try has retries left; Airflow retries it on a live worker."""
    victim, before = plan_victim(warehouse_file, operations=CHAOS_BATCH, failures_first=0)
    run_id = trigger(dist, {"force": True, "max_operations": CHAOS_BATCH})
    kill = kill_in_the_middle(dist, warehouse_file, run_id, victim, before, try_number=1)
    # A replacement worker joins, as a supervisor (systemd, Kubernetes) would start one.
    dist.start_worker(REPLACEMENT)
    kill.run = dist.airflow.wait_for("the run to end", lambda: _ended(dist, run_id), timeout_s=150)
    dist.wait_workers_ready(REPLACEMENT)
    return kill


@pytest.fixture(scope="module")
def last_try_kill(dist, retried_kill, warehouse_file, project_config) -> Kill:
    """Kill 2: the killed try is the last one (the first two fail with ORA-00054, which
    Airflow retries); Airflow fails the instance and the run goes on without it.

    A batch of one: the batches' first items are all partitions of one table, and the others
    would wait for the victim's table lock (one action per table), which nothing releases
    while the run lasts (a last try is recovered by finish_batch, after every instance has
    ended) until the dead item's lease expires: 3 x predicted + 10 min, never with HCC_NOW
    frozen. README, "Production profile", says so."""
    victim, before = plan_victim(warehouse_file, operations=1, failures_first=RETRIES)
    run_id = trigger(dist, {"force": True, "max_operations": 1})
    kill = kill_in_the_middle(dist, warehouse_file, run_id, victim, before, try_number=RETRIES + 1)
    kill.run = dist.airflow.wait_for("the run to end", lambda: _ended(dist, run_id), timeout_s=150)
    return kill


@pytest.fixture(scope="module")
def recovered(dist, last_try_kill) -> tuple[Run, Run]:
    """Housekeeping, then the next batch, on what is left of the fleet."""
    housekeeping = _run(dist, HOUSEKEEPING, {}, timeout_s=120)
    after = _run(dist, EXECUTE, {"force": True, "max_operations": CHAOS_BATCH}, timeout_s=150)
    return housekeeping, after


# --- helpers --------------------------------------------------------------------------------


def _run(dist: Distributed, dag: str, conf: dict, *, timeout_s: float) -> Run:
    FIGURES["runs"] += 1
    return run_to_end(dist.airflow, dag, conf, timeout_s=timeout_s)


def trigger(dist: Distributed, conf: dict) -> str:
    FIGURES["runs"] += 1
    triggered = dist.airflow.api(
        "POST", f"/api/v2/dags/{EXECUTE}/dagRuns", json={"logical_date": None, "conf": conf}
    )
    return triggered["dag_run_id"]


def _ended(dist: Distributed, run_id: str) -> Run | None:
    run = fetch_run(dist.airflow, EXECUTE, run_id)
    return run if run.state in ("success", "failed") else None


def plan_victim(
    warehouse_file: Path, *, operations: int, failures_first: int
) -> tuple[PreviewItem, Any]:
    """The first COMPRESS of the next forced batch of ``operations``, made slow: its DDL commits, then the simulated
    duration is slept out (VICTIM_SLEEP_S) before the result is recorded. With
    ``failures_first`` its first tries fail with ORA-00054 (LOCK_HELD) before that."""
    with EmbeddedWarehouse(warehouse_file) as wh:
        preview = preview_batch(
            wh,
            wh.repository_engine(),
            load_ilm_settings(),
            now=NOW,
            force=True,
            max_operations=operations,
        )
        assert len(preview.items) == operations, preview.to_dict()
        victim = next(i for i in preview.items if i.action == "COMPRESS")
        before = wh.segment(ObjectRef.parse(victim.label))
        if failures_first:
            # A fault that stops the statement fires first and leaves the SLOW one in place.
            wh.inject_fault(victim.label, "LOCK_HELD", times=failures_first)
        factor = max(VICTIM_SLEEP_S / (max(victim.predicted_s, 1.0) * SLEEP_SCALE), 2.0)
        wh.inject_fault(victim.label, "SLOW", times=1, factor=factor)
    return victim, before


def kill_in_the_middle(
    dist: Distributed,
    warehouse_file: Path,
    run_id: str,
    victim: PreviewItem,
    before: Any,
    *,
    try_number: int,
) -> Kill:
    """Wait until ``victim``'s try ``try_number`` has committed its DDL and not yet recorded
    its result, SIGKILL the worker running it, wait until Airflow has ended that try."""
    airflow = dist.airflow
    label = f"{victim.label} -> {victim.action}"

    def in_the_middle() -> tuple[dict, str] | None:
        run = fetch_run(airflow, EXECUTE, run_id)
        ti = next((t for t in run.mapped() if t["rendered_map_index"] == label), None)
        if ti is None or ti["state"] != "running" or ti["try_number"] != try_number:
            return None
        committed = _ddl_rows(warehouse_file, victim.label) >= len(victim.ddl)
        if not (committed and _log_running(warehouse_file, victim)):
            return None
        key = (run_id, "execute_action", ti["map_index"], try_number)
        worker = dist.executed_by().get(key)
        return (ti, worker) if worker else None

    ti, worker = airflow.wait_for(
        f"try {try_number} of {label} to be in the middle of its action",
        in_the_middle,
        timeout_s=120,
        every_s=0.5,
    )
    # The task process Airflow recorded for the instance is one of that worker's.
    assert dist.worker_of_pid(ti["pid"]) == worker, (ti["pid"], worker)
    ddl_rows = _ddl_rows(warehouse_file, victim.label)
    pids = dist.kill_worker(worker)
    FIGURES["kills"] += 1
    killed = time.monotonic()

    def try_ended() -> float | None:
        now = fetch_run(airflow, EXECUTE, run_id).ti("execute_action", ti["map_index"])
        moved_on = now["try_number"] > try_number or now["state"] in ("failed", "success")
        return time.monotonic() - killed if moved_on else None

    noticed = airflow.wait_for(
        "Airflow to notice the dead worker", try_ended, timeout_s=HEARTBEAT_TIMEOUT_S + 90
    )
    return Kill(None, victim, ti["map_index"], try_number, before, ddl_rows, worker, pids, noticed)


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


def assert_recovered_truthfully(engine, warehouse_file: Path, kill: Kill, attempt: int):
    """The victim is SUCCESS with the before-state measured before its DDL and the after-state
    read live, its DDL was not repeated, and its follow-ups are queued as a live success's."""
    victim = kill.victim
    row = queue_row(engine, victim.queue_id)
    assert (row.status, row.lease_holder) == ("SUCCESS", None)
    logs = log_rows(engine, queue_id=victim.queue_id)
    log = logs[-1]
    assert (log.status, log.attempt) == ("SUCCESS", attempt), [(r.status, r.note) for r in logs]
    assert log.note.startswith("worker lost after its DDL"), log.note
    with EmbeddedWarehouse(warehouse_file) as wh:
        live = wh.segment(ObjectRef.parse(victim.label))
    assert _ddl_rows(warehouse_file, victim.label) == kill.ddl_rows, "the DDL was repeated"
    assert (log.bytes_before, log.compression_before) == (
        kill.before.bytes,
        kill.before.compression.value,
    )
    assert (log.bytes_after, log.compression_after) == (live.bytes, live.compression.value)
    assert live.compression.value == victim.params["level"]
    # Follow-ups as a live success would have queued them (statistics when the policy asks for
    # them; the shipped policies' COMPRESS does not).
    assert [f.action for f in _children(engine, victim.queue_id)] == (
        ["GATHER_STATS"] if victim.params.get("gather_stats") else []
    )
    return logs


# --- tests ----------------------------------------------------------------------------------


def test_a_forced_batch_runs_across_both_celery_workers(dist, queue, spread_run, engine):
    assert queue >= BATCH + 3 * CHAOS_BATCH, "the queue is too short for the module's batches"
    run = spread_run
    assert run.state == "success", run.tis
    mapped = run.mapped()
    assert len(mapped) == BATCH
    assert {(t["state"], t["try_number"]) for t in mapped} == {("success", 1)}
    seen = dist.executed_by()
    by = {
        t["map_index"]: seen.get((run.run_id, "execute_action", t["map_index"], 1)) for t in mapped
    }
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


def test_a_killed_try_with_retries_left_is_retried_and_recovers_the_item(
    dist, retried_kill, engine, warehouse_file
):
    kill, run = retried_kill, retried_kill.run
    assert kill.worker in WORKERS and len(kill.pids) >= 3, kill.pids
    # Airflow noticed the missing heartbeats, ended the try and retried it on a live worker,
    # where it recovered the item from the live dictionary instead of repeating the DDL.
    assert kill.seconds_to_notice < HEARTBEAT_TIMEOUT_S + 60
    history = tries(dist, run, kill.map_index)
    assert history[0]["try_number"] == 1 and history[0]["state"] in ("failed", "up_for_retry")
    assert history[-1]["state"] == "success", history
    final = (run.run_id, "execute_action", kill.map_index, history[-1]["try_number"])
    assert dist.executed_by()[final] != kill.worker
    assert run.state == "success", run.tis

    logs = assert_recovered_truthfully(engine, warehouse_file, kill, attempt=1)
    assert len(logs) == 1, [(r.status, r.note) for r in logs]
    batch = batch_of(engine, run.run_id)
    assert (batch.status, batch.failed) == ("COMPLETED", 0), batch.reason
    assert {r.status for r in log_rows(engine, batch_id=batch.batch_id)} <= {"SUCCESS", "SKIPPED"}
    assert run_record(engine, run.run_id).status == "SUCCESS"


def test_a_killed_last_try_fails_the_instance_and_finish_batch_decides_the_item(
    dist, last_try_kill, engine, warehouse_file
):
    kill, run = last_try_kill, last_try_kill.run
    # Airflow failed the killed try for its missing heartbeats and, the retries spent, left the
    # instance failed; finish_batch (trigger rule ALL_DONE) then ran on a live worker.
    ti = run.ti("execute_action", kill.map_index)
    assert (ti["state"], ti["try_number"]) == ("failed", RETRIES + 1), ti
    assert kill.seconds_to_notice < HEARTBEAT_TIMEOUT_S + 60
    assert run.ti("finish_batch")["state"] == "success"
    # finish_batch found the item RUNNING under the failed instance and decided it from the
    # live dictionary before counting: applied, so SUCCESS with its real before/after.
    logs = assert_recovered_truthfully(engine, warehouse_file, kill, attempt=RETRIES + 1)
    assert [(r.status, r.error_code) for r in logs] == [("FAILED", "ORA-00054")] * RETRIES + [
        ("SUCCESS", None)
    ]
    assert f"task instance {run.run_id}#{kill.map_index} ended" in logs[-1].note
    batch = batch_of(engine, run.run_id)
    assert (batch.status, batch.planned, batch.succeeded, batch.failed) == ("COMPLETED", 1, 1, 0)
    assert f"after their worker was lost: {kill.victim.label} SUCCESS" in batch.reason
    record = run_record(engine, run.run_id)
    assert (record.status, record.actions_done, record.errors) == ("SUCCESS", 1, 0)
    # The action did succeed, so the run is green; its note says so, and Airflow keeps the
    # failed instance that shows a worker was lost.
    assert run.state == "success"
    assert run.info["note"].startswith(
        f"HCC batch {batch.batch_id} COMPLETED: 1 planned; 1 succeeded"
    )


def test_after_housekeeping_and_the_next_batch_nothing_is_left_running(
    dist, retried_kill, last_try_kill, recovered, engine
):
    housekeeping, after = recovered
    assert housekeeping.state == "success", housekeeping.tis
    assert after.state == "success", after.tis
    left = running_rows(engine)
    FIGURES["rows_left_running"] = sum(left.values())
    write_figures(
        {
            "left_running": left,
            "killed": [
                {
                    "worker": k.worker,
                    "try": k.try_number,
                    "processes": len(k.pids),
                    "seconds_until_airflow_ended_the_try": round(k.seconds_to_notice, 1),
                }
                for k in (retried_kill, last_try_kill)
            ],
            "heartbeat_timeout_s": HEARTBEAT_TIMEOUT_S,
        }
    )
    assert left == dict.fromkeys(left, 0), left


def _ddl_rows(warehouse_file: Path, label: str) -> int:
    with sqlite3.connect(warehouse_file, timeout=30) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM sim_ddl_log WHERE object_label = ?", (label,)
        ).fetchone()[0]


def _children(engine, queue_id: int):
    with engine.connect() as conn:
        return conn.execute(select(ilm_queue).where(ilm_queue.c.parent_queue_id == queue_id)).all()

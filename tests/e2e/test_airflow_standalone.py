"""The ILM pipeline under real Airflow (api-server, scheduler, dag-processor), driven over REST.

Airflow is started by conftest.py with its own AIRFLOW_HOME, this project's dags/ and plugins/,
LocalExecutor and a warehouse file built here. Each stage is a module fixture built on the
previous one; the tests assert on what each stage left in Airflow and in the repository.

First Airflow, HCC_NOW = Tuesday 2026-03-10 23:00 Europe/Berlin, inside the shipped
schedule.yaml's weekday window (22:00 -> 06:00):

1. queue: hcc_ilm_refresh then hcc_ilm_evaluate run as manual DAG runs triggered over REST
   (the asset trigger between them is not used: scheduling from timetables is switched off, see
   conftest.py). The read-only batch preview behind `hcc plan --json` names the partitions the
   next batch takes, and a LOCK_HELD fault that outlasts the task's retries is put on one.
2. failed run: hcc_ilm_execute with max_operations=5. ORA-00054 is transient, so Airflow retries
   the instance, which ends FAILED once its retries are spent; the other four succeed and
   finish_batch fails the run.
3. cleared run: clearing that one map index (and finish_batch downstream) retries only it.
4. backfill inside a window: two past slots, the last of Monday night's window and the first of
   Tuesday night's. A window is open at HCC_NOW, so each backfill run catches up: a batch of
   real work recorded with run_type "backfill".

The same two slots backfilled while no window is open (each batch SKIPPED with its reason, the
queue left for the next window, the reason in each run's note) are covered by
test_ui_browser.py, which creates that backfill through the UI's Trigger -> Backfill dialog.

Only the package's window decisions see HCC_NOW; the scheduler's own clock is real time, which
is why scheduled runs are switched off and the backfilled slots lie in the real past.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from hcc_operators.cli.batch_preview import PreviewItem, preview_batch
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.names import Dag, dag_id
from hcc_operators.core.windows import Slot, WindowCalendar
from hcc_operators.repository.tables import dag_run_log, execution_log, ilm_batches, ilm_queue
from hcc_operators.services.ilm_settings import load_ilm_settings
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse

from .conftest import ROOT, AirflowStack

pytestmark = pytest.mark.e2e

EXECUTE = dag_id(Dag.ILM_EXECUTE)
SCHEDULE = ROOT / "include" / "config" / "schedule.yaml"
HCC_NOW = "2026-03-10T23:00:00+01:00"
NOW = datetime.fromisoformat(HCC_NOW).astimezone(UTC)
BATCH = 5
# The shipped default (dag_defaults.DEFAULT_ARGS), pinned so a developer's HCC_TASK_RETRIES
# cannot change what the test expects; the delay is cut to seconds through the seam it offers.
RETRIES = 2
FAULT_TIMES = RETRIES + 1  # one more than the retries: the instance must end FAILED
# Two past slots in two windows: Tue 04:00-06:00 (Monday night) and Tue 22:00-00:00 Berlin.
BACKFILL_FROM = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
BACKFILL_TO = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
BACKFILL_OPERATIONS = 2
# Hard limits per Airflow (the watchdog in conftest.py); they normally need under half of it.
BUDGET_S = 420
TERMINAL = ("success", "failed")


@dataclass
class Queue:
    planned: list[PreviewItem]
    victim: PreviewItem


@dataclass
class Run:
    run_id: str
    state: str
    tis: list[dict]
    info: dict  # the DAG run as GET /api/v2/dags/{dag_id}/dagRuns/{run_id} returns it

    def ti(self, task_id: str, map_index: int = -1) -> dict:
        return next(t for t in self.tis if t["task_id"] == task_id and t["map_index"] == map_index)

    def mapped(self) -> list[dict]:
        return sorted(
            (t for t in self.tis if t["task_id"] == "execute_action"), key=lambda t: t["map_index"]
        )


@dataclass
class Backfill:
    slots: list[Slot]
    created: dict
    runs: list[Run]


# --- fixtures: the stages ------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_config():
    # The preview and services in this process must read the config the Airflow processes read.
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
def airflow(airflow_factory, warehouse_file) -> AirflowStack:
    stack = airflow_factory(
        extra_env=_package_env(warehouse_file, HCC_NOW),
        budget_s=BUDGET_S,
        unpause=("hcc_ilm_refresh", "hcc_ilm_evaluate", EXECUTE),
    )
    _create_pools(stack)
    return stack


@pytest.fixture(scope="module")
def engine(warehouse_file):
    wh = EmbeddedWarehouse(warehouse_file)
    yield wh.repository_engine()
    wh.close()


@pytest.fixture(scope="module")
def queue(airflow, warehouse_file, project_config) -> Queue:
    for name in (dag_id(Dag.ILM_REFRESH), dag_id(Dag.ILM_EVALUATE)):
        run = run_to_end(airflow, name, {}, timeout_s=120)
        assert run.state == "success", f"{name}: {run.tis}"
    with EmbeddedWarehouse(warehouse_file) as wh:
        preview = preview_batch(
            wh, wh.repository_engine(), load_ilm_settings(), now=NOW, max_operations=BATCH
        )
        assert len(preview.items) == BATCH, preview.to_dict()
        # Not the first item, and a plain COMPRESS: its one DDL is where the fault fires.
        victim = next(i for i in preview.items[1:] if i.action == "COMPRESS")
        wh.inject_fault(victim.label, "LOCK_HELD", times=FAULT_TIMES)
    return Queue(preview.items, victim)


@pytest.fixture(scope="module")
def failed_run(airflow, queue) -> Run:
    return run_to_end(airflow, EXECUTE, {"max_operations": BATCH}, timeout_s=180)


@pytest.fixture(scope="module")
def cleared(airflow, failed_run) -> tuple[dict, Run]:
    failed = [t for t in failed_run.mapped() if t["state"] == "failed"]
    assert len(failed) == 1, failed_run.mapped()
    map_index, tries = failed[0]["map_index"], failed[0]["try_number"]
    response = airflow.api(
        "POST",
        f"/api/v2/dags/{EXECUTE}/clearTaskInstances",
        json={
            "dry_run": False,
            "task_ids": [["execute_action", map_index]],
            "dag_run_id": failed_run.run_id,
            "include_downstream": True,
            "only_failed": False,
            "reset_dag_runs": True,
        },
    )

    def retried() -> Run | None:
        run = fetch_run(airflow, EXECUTE, failed_run.run_id)
        again = run.ti("execute_action", map_index)
        done = run.state in TERMINAL and again["state"] in TERMINAL
        return run if done and again["try_number"] > tries else None

    return response, airflow.wait_for("the cleared instance to run again", retried, timeout_s=120)


@pytest.fixture(scope="module")
def backfill_inside(airflow, cleared) -> Backfill:
    return run_backfill(airflow)


def _package_env(warehouse: Path, now: str) -> dict[str, str]:
    return {
        "AIRFLOW_CONN_HCC_WAREHOUSE": f"sqlite:///{warehouse}",
        "HCC_NOW": now,
        "HCC_TASK_RETRIES": str(RETRIES),
        "HCC_RETRY_DELAY_SECONDS": "1",
    }


def _create_pools(stack: AirflowStack) -> None:
    # What `make airflow-home` does with the CLI, here through the REST API (no extra process).
    from hcc_operators.cli.pools import pool_definitions

    for pool, spec in pool_definitions().items():
        stack.api("POST", "/api/v2/pools", json={"name": pool, "slots": spec["slots"]}, expect=201)


# --- REST helpers --------------------------------------------------------------------------


def run_to_end(airflow: AirflowStack, dag_id: str, conf: dict, *, timeout_s: float) -> Run:
    triggered = airflow.api(
        "POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf}
    )

    def ended() -> Run | None:
        run = fetch_run(airflow, dag_id, triggered["dag_run_id"])
        return run if run.state in TERMINAL else None

    return airflow.wait_for(f"{dag_id} run to end", ended, timeout_s=timeout_s)


def fetch_run(airflow: AirflowStack, dag_id: str, run_id: str) -> Run:
    path = f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}"
    info = airflow.api("GET", path)
    tis = airflow.api("GET", f"{path}/taskInstances", params={"limit": 100})["task_instances"]
    return Run(run_id, info["state"], tis, info)


def run_backfill(airflow: AirflowStack) -> Backfill:
    """POST /api/v2/backfills over the two slots (dry run first), wait until it completes."""
    # Airflow's backfill takes the slots whose start lies in [from_date, to_date] and that
    # have ended by the real clock.
    day = timedelta(days=1)
    slots = [
        s
        for s in WindowCalendar.load(SCHEDULE).slots_between(BACKFILL_FROM - day, BACKFILL_TO + day)
        if BACKFILL_FROM <= s.start <= BACKFILL_TO
    ]
    assert datetime.now(UTC) > slots[-1].end, "the machine's clock is before the backfilled slots"
    body = {
        "dag_id": EXECUTE,
        "from_date": BACKFILL_FROM.isoformat(),
        "to_date": BACKFILL_TO.isoformat(),
        "max_active_runs": 1,  # one batch at a time: concurrent ones would lose the lease
        "dag_run_conf": {"max_operations": BACKFILL_OPERATIONS},
        "reprocess_behavior": "none",
    }
    dry = airflow.api("POST", "/api/v2/backfills/dry_run", json=body)
    assert [_instant(b["logical_date"]) for b in dry["backfills"]] == [s.start for s in slots]
    created = airflow.api("POST", "/api/v2/backfills", json=body)

    def completed() -> dict | None:
        state = airflow.api("GET", f"/api/v2/backfills/{created['id']}")
        return state if state["completed_at"] else None

    done = airflow.wait_for("the backfill to complete", completed, timeout_s=180)
    listed = airflow.api(
        "GET", f"/api/v2/dags/{EXECUTE}/dagRuns", params={"run_type": "backfill", "limit": 50}
    )["dag_runs"]
    runs = [fetch_run(airflow, EXECUTE, r["dag_run_id"]) for r in listed]
    return Backfill(slots, done, sorted(runs, key=lambda r: r.info["logical_date"]))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --- repository helpers ---------------------------------------------------------------------


def batch_of(engine, run_id: str):
    with engine.connect() as conn:
        return conn.execute(select(ilm_batches).where(ilm_batches.c.dag_run_id == run_id)).one()


def log_rows(engine, **where):
    query = select(execution_log).order_by(execution_log.c.log_id)
    for column, value in where.items():
        query = query.where(execution_log.c[column] == value)
    with engine.connect() as conn:
        return conn.execute(query).all()


def queue_row(engine, queue_id: int):
    with engine.connect() as conn:
        return conn.execute(select(ilm_queue).where(ilm_queue.c.queue_id == queue_id)).one()


def recorded_run_type(engine, run_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            select(dag_run_log.c.run_type).where(dag_run_log.c.dag_run_id == run_id)
        ).scalar_one()


def _pending(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(ilm_queue).where(ilm_queue.c.status == "PENDING")
        ).scalar_one()


def faults_left(warehouse_file: Path) -> int:
    with sqlite3.connect(warehouse_file) as conn:
        return conn.execute("SELECT COUNT(*) FROM sim_faults").fetchone()[0]


def _assert_backfill_runs(backfill: Backfill) -> None:
    slots, runs = backfill.slots, backfill.runs
    assert len(slots) == 2 and slots[0].window.day != slots[1].window.day
    assert backfill.created["completed_at"] and backfill.created["max_active_runs"] == 1
    assert [r.info["run_type"] for r in runs] == ["backfill", "backfill"]
    assert [r.state for r in runs] == ["success", "success"]
    assert [
        (_instant(r.info["data_interval_start"]), _instant(r.info["data_interval_end"]))
        for r in runs
    ] == [(s.start, s.end) for s in slots]


# --- tests ----------------------------------------------------------------------------------


def test_refresh_and_evaluate_fill_the_queue_through_airflow(queue, engine):
    with engine.connect() as conn:
        statuses = {r.status for r in conn.execute(select(ilm_queue.c.status))}
    assert statuses == {"PENDING"}
    assert len({i.label for i in queue.planned}) == BATCH


def test_one_partition_fails_after_its_retries_and_the_others_succeed(
    failed_run, queue, engine, warehouse_file
):
    assert failed_run.state == "failed"
    mapped = failed_run.mapped()
    assert [t["map_index"] for t in mapped] == list(range(BATCH))
    # The scheduler ran exactly what the preview (`hcc plan`) announced.
    assert sorted(t["rendered_map_index"] for t in mapped) == sorted(
        f"{i.label} -> {i.action}" for i in queue.planned
    )
    failed = [t for t in mapped if t["state"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["rendered_map_index"] == f"{queue.victim.label} -> COMPRESS"
    assert failed[0]["try_number"] == RETRIES + 1, "ORA-00054 is transient: Airflow retries it"
    assert {t["state"] for t in mapped if t is not failed[0]} == {"success"}
    assert failed_run.ti("plan_batch")["state"] == "success"
    assert failed_run.ti("finish_batch")["state"] == "failed"

    victim = queue_row(engine, queue.victim.queue_id)
    assert victim.status == "FAILED" and "ORA-00054" in victim.last_error
    attempts = log_rows(engine, queue_id=queue.victim.queue_id)
    assert [(r.status, r.attempt, r.error_code) for r in attempts] == [
        ("FAILED", n, "ORA-00054") for n in range(1, FAULT_TIMES + 1)
    ]
    assert faults_left(warehouse_file) == 0, "the fault must last exactly through the retries"
    batch = batch_of(engine, failed_run.run_id)
    assert (batch.run_type, batch.planned, batch.succeeded, batch.failed) == ("manual", 5, 4, 1)
    # The run's note names the failed partition and its instance (run_notes.py).
    assert failed_run.info["note"].startswith(f"HCC batch {batch.batch_id} FAILED: 5 planned;")
    assert (
        f"{queue.victim.label} -> COMPRESS (map index {failed[0]['map_index']}): ORA-00054"
        in (failed_run.info["note"])
    )


def test_clearing_the_failed_partition_retries_only_it(
    cleared, failed_run, queue, engine, warehouse_file
):
    response, run = cleared
    failed_index = next(t["map_index"] for t in failed_run.mapped() if t["state"] == "failed")
    assert {(t["task_id"], t["map_index"]) for t in response["task_instances"]} == {
        ("execute_action", failed_index),
        ("finish_batch", -1),
    }
    assert run.state == "success"
    retried = run.ti("execute_action", failed_index)
    assert (retried["state"], retried["try_number"]) == ("success", FAULT_TIMES + 1)
    finish = run.ti("finish_batch")
    assert (finish["state"], finish["try_number"]) == ("success", 2)
    before = {t["map_index"]: t["try_number"] for t in failed_run.mapped()}
    for ti in run.mapped():
        if ti["map_index"] != failed_index:
            assert (ti["state"], ti["try_number"]) == ("success", before[ti["map_index"]])
    assert run.ti("plan_batch")["try_number"] == 1

    assert queue_row(engine, queue.victim.queue_id).status == "SUCCESS"
    attempts = log_rows(engine, queue_id=queue.victim.queue_id)
    assert [r.status for r in attempts] == ["FAILED"] * FAULT_TIMES + ["SUCCESS"]
    assert attempts[-1].attempt == FAULT_TIMES + 1 and attempts[-1].map_index == failed_index
    for item in queue.planned:
        if item.queue_id != queue.victim.queue_id:
            assert len(log_rows(engine, queue_id=item.queue_id)) == 1, item.label
    batch = batch_of(engine, failed_run.run_id)  # finish_batch recounted the latest attempts
    assert (batch.status, batch.succeeded, batch.failed) == ("COMPLETED", 5, 0)
    # The note the first end wrote is replaced by the outcome of the cleared run.
    assert run.info["note"] == (
        f"HCC batch {batch.batch_id} COMPLETED: 5 planned; 5 succeeded, 0 skipped "
        "(already done), 0 failed."
    )
    with EmbeddedWarehouse(warehouse_file) as wh:
        live = wh.segment(ObjectRef.parse(queue.victim.label))
    assert live.compression.value == queue.victim.params["level"]


def test_backfill_while_a_window_is_open_catches_up_one_batch_per_slot(
    backfill_inside, queue, engine
):
    _assert_backfill_runs(backfill_inside)
    open_window = WindowCalendar.load(SCHEDULE).window_at(NOW)
    seen: set[int] = {i.queue_id for i in queue.planned}
    for run in backfill_inside.runs:
        assert recorded_run_type(engine, run.run_id) == "backfill"
        batch = batch_of(engine, run.run_id)
        assert batch.run_type == "backfill" and not batch.forced
        # The window is the one open at "now" (HCC_NOW), not the backfilled slot's.
        assert (batch.window_start, batch.window_end) == (open_window.start, open_window.end)
        assert (batch.status, batch.planned, batch.failed) == ("COMPLETED", BACKFILL_OPERATIONS, 0)
        assert {t["state"] for t in run.mapped()} == {"success"}
        rows = log_rows(engine, batch_id=batch.batch_id)
        assert len(rows) == BACKFILL_OPERATIONS
        assert {r.status for r in rows} <= {"SUCCESS", "SKIPPED"}
        ids = {r.queue_id for r in rows}
        assert not ids & seen, "a backfill run repeated a partition another batch had done"
        seen |= ids


def test_each_warehouses_execute_dag_backfills_its_own_windows(airflow):
    """A fleet in the real Airflow: dw_amer's execute DAG (warehouses.yaml) is its own DAG,
    tagged with its warehouse, and a backfill of it covers New York's slots, not Berlin's."""
    from hcc_operators.core.fleet import load_fleet

    fleet = load_fleet(ROOT / "include" / "config")
    amer = dag_id(Dag.ILM_EXECUTE, "dw_amer")
    info = airflow.api("GET", f"/api/v2/dags/{amer}")
    assert "warehouse:dw_amer" in {t["name"] for t in info["tags"]}
    assert "America/New_York" in info["timetable_summary"]
    # 2026-03-09 00:00 to 2026-03-11 00:00 UTC: Monday and Tuesday nights in both zones.
    start, end = datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC)
    body = {
        "from_date": start.isoformat(),
        "to_date": end.isoformat(),
        "max_active_runs": 1,
        "reprocess_behavior": "none",
    }

    def slots(warehouse: str) -> list[datetime]:
        calendar = WindowCalendar(fleet.get(warehouse).schedule)
        day = timedelta(days=1)
        return [
            s.start
            for s in calendar.slots_between(start - day, end + day)
            if start <= s.start <= end
        ]

    dry = airflow.api("POST", "/api/v2/backfills/dry_run", json={"dag_id": amer, **body})
    planned = [_instant(b["logical_date"]) for b in dry["backfills"]]
    assert planned == slots("dw_amer") and planned != slots("default")
    # New York local time, EDT (UTC-4) since 8 March: Sunday's weekend window opens at 20:00
    # (00:00 UTC), Monday's weekday window at 22:00 (02:00 UTC).
    assert planned[0] == datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    assert datetime(2026, 3, 10, 2, 0, tzinfo=UTC) in planned

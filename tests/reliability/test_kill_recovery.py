"""`kill -9` of a task or of a whole run, then recovery from the live state (issue 16 item 3).

A real process (kill_harness.py) runs ILM execution and stops dead at a chosen point; the test
sends it SIGKILL. The cases are generated: every action kind below x every kill point, each
recovered by one of the three places recovery runs (the next plan_batch, Airflow's retry of
the same task, housekeeping), plus whole runs of 4 workers killed part-way. After recovery no
row may be left RUNNING, an applied action must be SUCCESS with its real before/after, an
unapplied one PENDING; draining the queue afterwards must end with nothing FAILED and no row
lost. Figures: kills, rows left RUNNING (0).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hcc_operators.core.action_state import is_applied
from hcc_operators.core.housekeeping_config import HousekeepingConfig
from hcc_operators.core.models import ObjectRef
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import (
    dag_run_log,
    execution_log,
    ilm_batches,
    ilm_queue,
    table_locks,
)
from hcc_operators.services import ilm_finish, run_control
from hcc_operators.services.action_runner import live_state
from hcc_operators.services.housekeeping import run_housekeeping
from hcc_operators.services.queue_resolution import resolve_row
from hcc_operators.services.table_lock import LockWait
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse
from ilm_support import IN_WINDOW, T0, enqueue, execute, log_rows, partitions, plan, queue_row

ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("kill_harness.py")
KILLED = "killed-run"
FAST = LockWait(poll_s=0.005, max_s=60)
POINTS = ("claimed", "before_ddl", "after_ddl")
RECOVERERS = ("next_plan_batch", "retry_of_the_task", "housekeeping")


def month(wh, owner, table, name):
    return next(s for s in partitions(wh, owner, table) if s.ref.partition == name)


#: kind -> (owner, table, partition, params); one item each, on partitions that take it.
KINDS = {
    "MOVE": (
        "SALES",
        "RETURNS",
        "P_2023_04",
        {"tablespace": "SALES_ARCH", "compression": "ARCHIVE HIGH", "gather_stats": True},
    ),
    "COMPRESS": ("SALES", "PAYMENTS", "P_2019_05", {"level": "ARCHIVE LOW"}),
    "MERGE": ("SALES", "RETURNS", "P_2022_12", {}),
    "DROP": ("AUDIT", "AUD_TRAIL", "P_2018_02", {"archive": True, "archive_table_suffix": "_A"}),
    "TRUNCATE": ("LOGISTICS", "SHIPMENTS", "P_2018_03", {}),
}
CASES = [
    (kind, point, RECOVERERS[n % len(RECOVERERS)])
    for n, (kind, point) in enumerate((k, p) for k in KINDS for p in POINTS)
]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "wh.db"
    build_warehouse(path, seed=11, today=T0.date()).close()
    return path


@pytest.fixture
def wh(template, tmp_path):
    path = tmp_path / "wh.db"
    shutil.copy(template, path)
    warehouse = EmbeddedWarehouse(path)
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def kill_at(wh, tmp_path, args, point):
    """Start the harness, wait until it stops at ``point``, SIGKILL it."""
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'plugins'}{os.pathsep}{ROOT / 'tests'}"}
    process = subprocess.Popen(
        [sys.executable, str(HARNESS), args[0], str(wh.path), str(marker), point, *args[1:]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the harness never reached {point}: {process.stderr.read()}")
        time.sleep(0.05)
    assert marker.read_text().startswith(point), marker.read_text()
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    process.stderr.close()


def running_rows(engine, *, except_batch=None) -> int:
    """Rows still RUNNING that belong to the killed run (or to nobody alive)."""
    with engine.connect() as conn:
        count = 0
        for table in (ilm_queue, execution_log):
            count += conn.execute(
                select(func.count()).select_from(table).where(table.c.status == "RUNNING")
            ).scalar()
        count += conn.execute(
            select(func.count())
            .select_from(ilm_batches)
            .where(ilm_batches.c.status == "RUNNING", ilm_batches.c.batch_id != (except_batch or 0))
        ).scalar()
        count += conn.execute(
            select(func.count())
            .select_from(dag_run_log)
            .where(dag_run_log.c.status == "RUNNING", dag_run_log.c.dag_run_id == KILLED)
        ).scalar()
        count += conn.execute(select(func.count()).select_from(table_locks)).scalar()
    return count


def rows_now(wh, owner, table):
    """The table's rows plus those of its archive tables (a DROP with archive moves them)."""
    total = wh.row_count(ObjectRef(owner, table))
    for t in wh.list_tables([owner]):
        if t.table.startswith(f"{table}_A_"):
            total += wh.row_count(ObjectRef(owner, t.table))
    return total


def drain(wh, first_run=1):
    """Run batches until the queue is empty; returns the statuses of their latest attempts."""
    engine = wh.repository_engine()
    for n in range(first_run, first_run + 6):
        later = IN_WINDOW + timedelta(days=1, minutes=n)
        batch = plan(wh, run=f"drain-{n}", now=later, run_alive=lambda run: False)
        for index, item in enumerate(batch.items):
            execute(wh, item, run=f"drain-{n}", map_index=index, now=later, lock_wait=FAST)
        ilm_finish.finish_batch(wh, engine, batch.batch_id, now=later)
        if not batch.items:
            return
    raise AssertionError("the queue did not drain")


def recover(wh, recoverer, item):
    """Run the chosen recovery; returns the batch id of the recovering batch, if any."""
    engine = wh.repository_engine()
    dead = lambda run: False if run == KILLED else None  # noqa: E731  (Airflow's answer)
    if recoverer == "next_plan_batch":
        batch = plan(wh, run="next-run", now=IN_WINDOW + timedelta(minutes=10), run_alive=dead)
        assert not batch.lease_held, batch.reason
        return batch.batch_id
    if recoverer == "retry_of_the_task":
        execute(wh, item, attempt=2, run=KILLED, map_index=0, lock_wait=FAST)
        done = ilm_finish.finish_batch(wh, engine, item["batch_id"], now=IN_WINDOW)
        run_control.finish_run(
            engine,
            run_control.find_run(engine, "hcc_ilm_execute", KILLED),
            now=IN_WINDOW,
            errors=done["failed"],
            status="FAILED" if done["failed"] else None,
        )
        return None
    run_housekeeping(
        engine,
        HousekeepingConfig(),
        now=IN_WINDOW + timedelta(hours=1),
        warehouse=wh,
        run_alive=dead,
        dag_run_alive=lambda dag, run: dead(run),
    )
    return None


@pytest.mark.parametrize(("kind", "point", "recoverer"), CASES, ids=["-".join(c) for c in CASES])
def test_a_killed_task_is_recovered_from_the_live_state(
    wh, tmp_path, kind, point, recoverer, figures
):
    owner, table, name, params = KINDS[kind]
    seg = month(wh, owner, table, name)
    rows_before = rows_now(wh, owner, table)
    # What the action starts from: its partition, or for a MERGE the year's partitions.
    before_bytes = (
        sum(s.bytes for s in partitions(wh, owner, table) if s.ref.partition[:6] == name[:6])
        if kind == "MERGE"
        else seg.bytes
    )
    queue_id = enqueue(wh, seg.ref, kind, params)
    engine = wh.repository_engine()
    run_control.start_run(engine, "hcc_ilm_execute", KILLED, "forced", IN_WINDOW)
    (item,) = plan(wh, run=KILLED).items

    kill_at(wh, tmp_path, ["item", json.dumps(item), KILLED, "0"], point)
    figures["kills"] += 1
    assert queue_row(wh, queue_id).status == "RUNNING"

    recovering = recover(wh, recoverer, item)
    left = running_rows(engine, except_batch=recovering)
    figures["rows_left_running"] += left
    assert left == 0

    row = queue_row(wh, queue_id)
    resolved = resolve_row(wh, row)
    first = log_rows(wh, queue_id)[0]
    if point == "after_ddl" and kind != "DROP":
        # The DDL took effect before the kill: SUCCESS with the real sizes, not before == after.
        assert row.status == "SUCCESS" and first.status == "SUCCESS", first.note
        assert first.bytes_before == before_bytes and first.bytes_after != first.bytes_before
        assert "worker lost after its DDL" in first.note
        if kind == "MOVE":  # its follow-up (statistics) is queued again
            with engine.connect() as conn:
                assert (
                    conn.execute(
                        select(ilm_queue.c.action).where(ilm_queue.c.parent_queue_id == queue_id)
                    ).scalar()
                    == "GATHER_STATS"
                )
    elif recoverer != "retry_of_the_task":
        # Nothing took effect (a DROP with archive killed after its exchange has its drop
        # still to do): the item waits for the next batch, the attempt says why.
        assert row.status == "PENDING" and first.status == "LOST", first.note
        assert "worker lost" in first.note
        assert resolved.action is None or not is_applied(
            resolved.action, live_state(wh, resolved.action)
        )

    drain(wh)
    row = queue_row(wh, queue_id)
    assert row.status in ("SUCCESS", "SKIPPED"), row.last_error
    with engine.connect() as conn:
        failed = conn.execute(
            select(func.count())
            .select_from(execution_log)
            .where(execution_log.c.status == "FAILED")
        ).scalar()
    assert failed == 0
    removed = seg.num_rows if kind == "TRUNCATE" else 0
    assert rows_now(wh, owner, table) == rows_before - removed
    assert (
        sum(
            1
            for r in log_rows(wh, queue_id)
            if r.status == "SUCCESS" and r.ddl is not None and "RENAME" not in (r.ddl or "")
        )
        <= 1
    )  # the DDL was never sent twice


WHOLE_RUNS = [("after_ddl", 3), ("before_ddl", 2), ("claimed", 5), ("after_ddl", 6)]


@pytest.mark.parametrize(("point", "nth"), WHOLE_RUNS, ids=[f"{p}-{n}" for p, n in WHOLE_RUNS])
def test_a_whole_run_killed_part_way_is_recovered_and_finishes(wh, tmp_path, point, nth, figures):
    returns = [s for s in partitions(wh, "SALES", "RETURNS") if s.ref.partition[2:6] == "2023"]
    payments = [s for s in partitions(wh, "SALES", "PAYMENTS") if s.ref.partition[2:6] == "2019"]
    rows_before = {t: rows_now(wh, "SALES", t) for t in ("RETURNS", "PAYMENTS")}
    for seg in returns:
        enqueue(wh, seg.ref, "MOVE", {"tablespace": "SALES_ARCH", "consolidate": "yearly"})
    for seg in payments[:6]:
        enqueue(wh, seg.ref, "COMPRESS", {"level": "ARCHIVE HIGH", "gather_stats": True})
    kill_at(wh, tmp_path, ["batch", KILLED, str(nth)], point)
    figures["kills"] += 1
    engine = wh.repository_engine()

    batch = plan(
        wh,
        run="next-run",
        now=IN_WINDOW + timedelta(minutes=10),
        run_alive=lambda run: False if run == KILLED else None,
    )
    assert not batch.lease_held and batch.recovered.items
    left = running_rows(engine, except_batch=batch.batch_id)
    figures["rows_left_running"] += left
    assert left == 0
    with engine.connect() as conn:
        killed = conn.execute(select(ilm_batches).where(ilm_batches.c.dag_run_id == KILLED)).one()
        record = conn.execute(select(dag_run_log).where(dag_run_log.c.dag_run_id == KILLED)).one()
    assert killed.status != "RUNNING" and "ended without finish_batch" in killed.reason
    assert record.status == "FAILED"
    for index, item in enumerate(batch.items):
        execute(wh, item, run="next-run", map_index=index, now=IN_WINDOW, lock_wait=FAST)
    ilm_finish.finish_batch(wh, engine, batch.batch_id, now=IN_WINDOW)
    drain(wh)
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(
                select(ilm_queue.c.status, func.count()).group_by(ilm_queue.c.status)
            ).all()
        )
        failed = conn.execute(
            select(func.count())
            .select_from(execution_log)
            .where(execution_log.c.status == "FAILED")
        ).scalar()
    assert set(statuses) <= {"SUCCESS", "SKIPPED"} and failed == 0, statuses
    assert {t: rows_now(wh, "SALES", t) for t in rows_before} == rows_before
    # The year was consolidated by the follow-up once every month had moved.
    names = [s.ref.partition for s in partitions(wh, "SALES", "RETURNS")]
    assert "P_2023" in names and not [n for n in names if n.startswith("P_2023_")]

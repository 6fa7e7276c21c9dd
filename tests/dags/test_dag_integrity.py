from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hcc_operators.core import names
from hcc_operators.core.fleet import load_fleet

DAGS = Path(__file__).resolve().parents[2] / "dags"
#: Every DAG of every warehouse of the shipped warehouses.yaml (tests/dags/test_fleet_dags.py
#: covers fleets of other shapes).
EXPECTED = {names.dag_id(dag, spec.name) for spec in load_fleet() for dag in names.Dag}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_expected_dags_are_present(dagbag):
    assert set(dagbag.dags) == EXPECTED


@pytest.mark.parametrize("dag_id", sorted(EXPECTED))
def test_dag_hygiene(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.tags and "hcc" in dag.tags
    assert dag.doc_md and len(dag.doc_md) > 80
    assert dag.max_active_runs == 1
    assert not dag.catchup
    for task in dag.tasks:
        assert task.owner == "data-platform", task.task_id
        assert task.retries >= 1, task.task_id


def test_ddl_tasks_use_the_ddl_pool(dagbag):
    for dag_id, task_id in (
        ("hcc_ilm_execute", "execute_action"),
        ("hcc_compress", "compress_object"),
    ):
        assert dagbag.dags[dag_id].get_task(task_id).pool == "hcc_oracle_ddl"


def test_rewriting_dags_take_online_and_parallel_for_the_run(dagbag):
    from hcc_operators.core.rewrite_options import OnlineChoice

    for dag_id, task_id in (
        ("hcc_ilm_execute", "execute_action"),
        ("hcc_compress", "compress_object"),
    ):
        dag = dagbag.dags[dag_id]
        online = dag.params.get_param("online")
        assert online.value == "policy"
        assert online.schema["enum"] == [c.value for c in OnlineChoice]
        assert dag.params.get_param("parallel").schema["maximum"] == 256
        partial = dag.get_task(task_id).partial_kwargs
        assert partial["online"] == "{{ params.online }}"
        assert partial["parallel"] == "{{ params.parallel }}"


def test_execute_and_compress_use_the_maintenance_window_timetable(dagbag):
    from hcc_operators.timetables import MaintenanceWindowTimetable

    for dag_id in ("hcc_ilm_execute", "hcc_compress"):
        assert isinstance(dagbag.dags[dag_id].timetable, MaintenanceWindowTimetable)


def test_daily_dags_run_at_the_schedules_times_and_name_the_zone(dagbag):
    """The UI shows the timetable's summary beside Next Run (in the UI's zone): it must say
    which zone the daily time is in, and so must the DAG's docs."""
    from hcc_operators.core.schedule_config import load_schedule
    from hcc_operators.timetables import DailyTimetable

    schedule = load_schedule()
    for name, at in (
        ("hcc_advisor", schedule.daily.advisor),
        ("hcc_ilm_refresh", schedule.daily.refresh),
        ("hcc_ilm_housekeeping", schedule.daily.housekeeping),
    ):
        dag = dagbag.dags[name]
        assert isinstance(dag.timetable, DailyTimetable), name
        assert dag.timetable.summary == f"daily {at:%H:%M} {schedule.timezone}"
        assert f"{at:%H:%M} {schedule.timezone}" in dag.doc_md
    for name in ("hcc_ilm_execute", "hcc_compress"):
        assert schedule.timezone in dagbag.dags[name].timetable.summary
        assert schedule.timezone in dagbag.dags[name].doc_md


GUARD = r"""
import importlib.util, socket, sqlite3, sys
def refuse(*a, **k):
    raise RuntimeError("touched the network or a database at import")
socket.socket.connect = refuse
socket.create_connection = refuse
sqlite3.connect = refuse
try:
    import oracledb
    oracledb.connect = refuse
except ImportError:
    pass
for i, path in enumerate(sys.argv[1:]):
    spec = importlib.util.spec_from_file_location(f"dag_under_test_{i}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        print("ok", path)
    except Exception as err:
        print("FAIL", path, type(err).__name__, err)
"""


def _import_guarded(paths):
    result = subprocess.run(
        [sys.executable, "-c", GUARD, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return [line for line in result.stdout.splitlines() if line.startswith(("ok ", "FAIL "))]


def test_dag_files_touch_no_database_or_network_at_import():
    paths = sorted(DAGS.glob("*.py"))
    lines = _import_guarded(paths)
    assert lines == [f"ok {p}" for p in paths]


def test_the_import_guard_catches_a_dag_file_that_opens_a_database(tmp_path):
    bad = tmp_path / "bad_dag.py"
    bad.write_text("import sqlite3\nsqlite3.connect(':memory:')\n")
    (line,) = _import_guarded([bad])
    assert line.startswith("FAIL") and "database" in line

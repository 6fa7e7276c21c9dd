"""A fleet from one deployment: one set of DAGs per warehouse of warehouses.yaml, each with its
own timetable (zone, windows, holidays), pools, tags, assets and connection; and two embedded
warehouses run end to end through `dag.test()` without touching each other."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pendulum
import pytest
from airflow.timetables.base import TimeRestriction
from sqlalchemy import select

from hcc_operators.core.names import Dag, Pool, asset_uri, dag_id, pool
from hcc_operators.core.paths import config_dir
from hcc_operators.repository.tables import dag_run_log, ilm_batches, ilm_queue
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse

pytestmark = pytest.mark.airflow_db

DAGS = Path(__file__).resolve().parents[2] / "dags"
FLEET = """
warehouses:
  - name: default
    conn_id: hcc_warehouse
  - name: dw_emea
    conn_id: hcc_fleet_emea
    description: Frankfurt
    overrides:
      schedule: {timezone: Europe/Berlin, holidays: {country: DE, subdivision: HE}}
  - name: dw_amer
    conn_id: hcc_fleet_amer
    description: New York
    overrides:
      schedule:
        timezone: America/New_York
        holidays: {country: US, subdivision: NY, by_name: {}, by_date: {}, extra_dates: {}}
  - name: dw_apac
    conn_id: hcc_fleet_apac
    overrides:
      schedule:
        timezone: Australia/Sydney
        holidays: {country: AU, subdivision: NSW, by_name: {}, by_date: {}, extra_dates: {}}
      housekeeping: {retention: {alerts_days: 30}}
"""
NAMES = ("default", "dw_emea", "dw_amer", "dw_apac")
ZONES = {
    "default": "Europe/Berlin",
    "dw_emea": "Europe/Berlin",
    "dw_amer": "America/New_York",
    "dw_apac": "Australia/Sydney",
}


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fleet_config")
    for path in config_dir().glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    (folder / "warehouses.yaml").write_text(FLEET)
    mp = pytest.MonkeyPatch()
    mp.setenv("HCC_CONFIG_DIR", str(folder))
    yield folder
    mp.undo()


@pytest.fixture(scope="module")
def dagbag(fleet_dir):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_one_set_of_dags_per_warehouse_and_nothing_else(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == {dag_id(d, w) for d in Dag for w in NAMES}
    assert "hcc_ilm_execute" in dagbag.dags and "hcc_ilm_execute__dw_apac" in dagbag.dags


@pytest.mark.parametrize("warehouse", NAMES)
def test_each_dag_names_its_warehouse_and_uses_its_connection_and_pools(dagbag, warehouse):
    conn = "hcc_warehouse" if warehouse == "default" else f"hcc_fleet_{warehouse[3:]}"
    for dag in Dag:
        built = dagbag.dags[dag_id(dag, warehouse)]
        assert f"warehouse:{warehouse}" in built.tags
        assert f"Warehouse `{warehouse}`" in built.doc_md and conn in built.doc_md
        for task in built.tasks:
            kwargs = getattr(task, "partial_kwargs", None)
            if kwargs is not None:  # a mapped task keeps its arguments until it expands
                assert (kwargs["warehouse"], kwargs["conn_id"]) == (warehouse, conn), task
            else:
                assert (task.warehouse_name, task.conn_id) == (warehouse, conn), task
    execute = dagbag.dags[dag_id(Dag.ILM_EXECUTE, warehouse)]
    assert execute.get_task("execute_action").pool == pool(Pool.DDL, warehouse)
    compress = dagbag.dags[dag_id(Dag.COMPRESS, warehouse)]
    assert compress.get_task("compress_object").pool == pool(Pool.DDL, warehouse)
    advisor = dagbag.dags[dag_id(Dag.ADVISOR, warehouse)]
    assert advisor.get_task("analyse_chunk").pool == pool(Pool.ESTIMATES, warehouse)


def test_the_pools_are_distinct_per_warehouse_and_hcc_pools_lists_them_all(fleet_dir):
    from hcc_operators.cli.pools import pool_definitions

    declared = pool_definitions(fleet_dir)
    assert set(declared) == {pool(kind, w) for kind in Pool for w in NAMES}


def test_stage_one_of_each_warehouse_triggers_only_its_own_stage_two(dagbag):
    for warehouse in NAMES:
        refresh = dagbag.dags[dag_id(Dag.ILM_REFRESH, warehouse)]
        evaluate = dagbag.dags[dag_id(Dag.ILM_EVALUATE, warehouse)]
        (outlet,) = refresh.get_task("refresh_partition_access").outlets
        assert outlet.uri == asset_uri("partition_access", warehouse)
        (trigger,) = evaluate.timetable.asset_condition.objects
        assert trigger.uri == outlet.uri
    uris = {asset_uri("partition_access", w) for w in NAMES}
    assert len(uris) == len(NAMES)


@pytest.mark.parametrize("warehouse", NAMES)
def test_each_execute_timetable_is_in_its_warehouses_zone(dagbag, warehouse):
    timetable = dagbag.dags[dag_id(Dag.ILM_EXECUTE, warehouse)].timetable
    assert timetable.config.timezone == ZONES[warehouse]
    assert ZONES[warehouse] in timetable.summary


def _slots(timetable, start, count):
    runs, last = [], None
    restriction = TimeRestriction(start, None, True)
    for _ in range(count):
        info = timetable.next_dagrun_info(
            last_automated_data_interval=last, restriction=restriction
        )
        runs.append(info.data_interval)
        last = info.data_interval
    return runs


# Each zone's DST change falls inside a weekend night window (20:00-08:00, a slot every 4 h):
# the slot that spans the change is an hour longer (autumn) or shorter (spring) in UTC and
# keeps its local times. (noon of the Saturday, middle slot's length)
DST_NIGHTS = {
    "dw_emea": (pendulum.datetime(2026, 10, 24, 12, tz="Europe/Berlin"), 5),  # 25 Oct 03->02
    "dw_amer": (pendulum.datetime(2026, 10, 31, 12, tz="America/New_York"), 5),  # 1 Nov 02->01
    # Sydney starts DST on Sunday 4 Oct 2026, 02:00 -> 03:00 (its April change is at Easter,
    # a blackout holiday weekend in NSW).
    "dw_apac": (pendulum.datetime(2026, 10, 3, 12, tz="Australia/Sydney"), 3),
}


@pytest.mark.parametrize("warehouse", sorted(DST_NIGHTS))
def test_each_warehouse_crosses_its_own_dst_change_in_its_own_local_time(dagbag, warehouse):
    zone = ZONES[warehouse]
    timetable = dagbag.dags[dag_id(Dag.ILM_EXECUTE, warehouse)].timetable
    saturday, middle = DST_NIGHTS[warehouse]
    night = _slots(timetable, saturday, 3)
    local = [
        (i.start.in_timezone(zone).format("HH:mm"), i.end.in_timezone(zone).format("HH:mm"))
        for i in night
    ]
    assert local == [("20:00", "00:00"), ("00:00", "04:00"), ("04:00", "08:00")]
    assert [i.end - i.start for i in night] == [
        timedelta(hours=4),
        timedelta(hours=middle),  # the repeated or skipped hour
        timedelta(hours=4),
    ]
    # The same night in another zone is an ordinary one: each DAG follows its own clock.
    other = "dw_amer" if warehouse != "dw_amer" else "dw_emea"
    elsewhere = _slots(dagbag.dags[dag_id(Dag.ILM_EXECUTE, other)].timetable, saturday, 3)
    assert [i.end - i.start for i in elsewhere] != [i.end - i.start for i in night]


def test_each_warehouse_keeps_its_own_public_holidays(dagbag):
    """4 July is a US holiday (blackout in New York), an ordinary Saturday in Frankfurt."""
    from hcc_operators.core.windows import WindowCalendar

    day = pendulum.date(2026, 7, 4)
    amer = WindowCalendar(dagbag.dags[dag_id(Dag.ILM_EXECUTE, "dw_amer")].timetable.config)
    emea = WindowCalendar(dagbag.dags[dag_id(Dag.ILM_EXECUTE, "dw_emea")].timetable.config)
    assert amer.window_for_day(day) is None
    assert emea.window_for_day(day) is not None


# --- two embedded warehouses end to end -------------------------------------------------------


@pytest.fixture(scope="module")
def two_warehouses(fleet_dir, tmp_path_factory):
    """dw_emea and dw_amer on their own files; dw_apac's connection points at nothing."""
    paths = {}
    mp = pytest.MonkeyPatch()
    for seed, name in enumerate(("dw_emea", "dw_amer"), start=11):
        path = tmp_path_factory.mktemp(name) / "warehouse.db"
        build_warehouse(path, seed=seed).close()
        mp.setenv(f"AIRFLOW_CONN_HCC_FLEET_{name[3:].upper()}", f"sqlite:///{path}")
        paths[name] = path
    # A connection without a file: every task of dw_apac fails with that reason.
    mp.setenv("AIRFLOW_CONN_HCC_FLEET_APAC", '{"conn_type": "sqlite"}')
    yield paths
    mp.undo()


def _state(run) -> str:
    return str(getattr(run.state, "value", run.state))


def _run(name: str, conf: dict | None = None) -> str:
    from airflow.dag_processing.dagbag import DagBag

    dag_file = DAGS / f"{Dag(name.split('__')[0]).value}.py"
    return _state(DagBag(dag_folder=str(dag_file)).dags[name].test(run_conf=conf or {}))


@pytest.fixture(scope="module")
def fleet_runs(two_warehouses):
    states = {}
    for warehouse in ("dw_emea", "dw_apac", "dw_amer"):  # the broken one in the middle
        for dag, conf in (
            (Dag.ILM_REFRESH, {}),
            (Dag.ILM_EVALUATE, {}),
            (Dag.ILM_EXECUTE, {"force": True, "max_operations": 6}),
        ):
            name = dag_id(dag, warehouse)
            states[name] = _run(name, conf)
    return states


def test_two_warehouses_run_their_pipelines_and_a_broken_third_blocks_neither(fleet_runs):
    for warehouse in ("dw_emea", "dw_amer"):
        for dag in (Dag.ILM_REFRESH, Dag.ILM_EVALUATE, Dag.ILM_EXECUTE):
            assert fleet_runs[dag_id(dag, warehouse)] == "success", (warehouse, dag)
    assert fleet_runs[dag_id(Dag.ILM_REFRESH, "dw_apac")] == "failed"


def test_each_repository_holds_only_its_own_warehouses_runs(fleet_runs, two_warehouses):
    for warehouse, path in two_warehouses.items():
        with EmbeddedWarehouse(path) as wh, wh.repository_engine().connect() as conn:
            recorded = set(conn.scalars(select(dag_run_log.c.dag_id)))
            batches = conn.execute(select(ilm_batches)).all()
            done = conn.scalars(select(ilm_queue.c.status).where(ilm_queue.c.status != "PENDING"))
            statuses = set(done)
        assert recorded == {
            dag_id(Dag.ILM_REFRESH, warehouse),
            dag_id(Dag.ILM_EVALUATE, warehouse),
            dag_id(Dag.ILM_EXECUTE, warehouse),
        }
        assert len(batches) == 1 and batches[0].status == "COMPLETED", batches
        assert batches[0].succeeded >= 1 and batches[0].failed == 0
        assert statuses and statuses <= {"SUCCESS", "SKIPPED", "CANCELLED"}, statuses

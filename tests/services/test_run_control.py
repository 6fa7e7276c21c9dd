from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hcc_operators.core.errors import ConfigError
from hcc_operators.repository.tables import dag_run_log
from hcc_operators.services import run_control

T0 = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)


def test_a_run_is_recorded_from_start_to_finish(sqlite_engine):
    run_id = run_control.start_run(
        sqlite_engine, "hcc_ilm_execute", "scheduled__1", "scheduled", T0
    )
    assert run_control.get_run(sqlite_engine, run_id).status == "RUNNING"
    record = run_control.finish_run(
        sqlite_engine,
        run_id,
        now=T0 + timedelta(minutes=5),
        objects_extracted=40,
        actions_done=3,
        errors=0,
        summary={"batch_id": 9},
    )
    assert (record.status, record.objects_extracted, record.actions_done, record.errors) == (
        "SUCCESS",
        40,
        3,
        0,
    )
    assert record.summary == {"batch_id": 9}
    assert record.duration_s == 300
    assert run_control.recent_runs(sqlite_engine)[0].dag_run_id == "scheduled__1"


@pytest.mark.parametrize(("actions", "errors", "status"), [(2, 1, "PARTIAL"), (0, 1, "FAILED")])
def test_status_follows_the_counts(sqlite_engine, actions, errors, status):
    run_id = run_control.start_run(sqlite_engine, "d", "r", "manual", T0)
    record = run_control.finish_run(
        sqlite_engine, run_id, now=T0, actions_done=actions, errors=errors
    )
    assert record.status == status


def test_a_retried_run_reuses_its_row(sqlite_engine):
    first = run_control.start_run(sqlite_engine, "d", "r", "manual", T0)
    run_control.finish_run(sqlite_engine, first, now=T0, errors=1)
    again = run_control.start_run(sqlite_engine, "d", "r", "manual", T0 + timedelta(hours=1))
    assert again == first
    record = run_control.get_run(sqlite_engine, first)
    assert (record.status, record.finished_at) == ("RUNNING", None)
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(dag_run_log)).scalar() == 1


@pytest.mark.parametrize(
    ("airflow", "forced", "ours"),
    [
        ("scheduled", False, "scheduled"),
        ("MANUAL", False, "manual"),
        ("backfill", False, "backfill"),
        ("manual", True, "forced"),
        ("asset_triggered", False, "scheduled"),
    ],
)
def test_classify_run_type(airflow, forced, ours):
    assert run_control.classify_run_type(airflow, forced=forced) == ours


def test_bad_input_is_a_config_error(sqlite_engine):
    with pytest.raises(ConfigError, match="unknown DAG run type"):
        run_control.classify_run_type("sometimes")
    with pytest.raises(ConfigError, match="run type 'weekly'"):
        run_control.start_run(sqlite_engine, "d", "r", "weekly", T0)
    run_id = run_control.start_run(sqlite_engine, "d", "r", "manual", T0)
    with pytest.raises(ConfigError, match="errors must be a whole number"):
        run_control.finish_run(sqlite_engine, run_id, now=T0, errors=-1)
    with pytest.raises(ConfigError, match="no DAG run record 999"):
        run_control.finish_run(sqlite_engine, 999, now=T0)


def test_runs_started_by_another_dag_or_an_asset_are_classified():
    from hcc_operators.services.run_control import classify_run_type

    assert classify_run_type("operator_triggered") == "manual"
    assert classify_run_type("asset_materialization") == "scheduled"

"""A compression execution a killed task left RUNNING is decided from the live dictionary
once Airflow says its run ended (services/compression_recovery.py, run by housekeeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hcc_operators.core.models import CompressionType
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import compression_executions, dag_run_log
from hcc_operators.services import compress, recovery, run_control
from hcc_operators.services.action_runner import run_action
from hcc_operators.warehouse.embedded import build_warehouse

T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)
RUN = "manual__killed"


class Killed(BaseException):
    """What SIGKILL looks like from inside: nothing after it runs (not even except Exception)."""


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=3, today=T0.date())
    create_all(warehouse.repository_engine())
    run_control.start_run(warehouse.repository_engine(), "hcc_compress__dw_amer", RUN, "manual", T0)
    yield warehouse
    warehouse.close()


def candidate(wh):
    spaces = wh.tablespaces()
    return next(
        s
        for s in wh.list_segments(["SALES"])
        if s.ref.partition
        and not s.has_subpartitions
        and not s.read_only
        and s.compression is CompressionType.NONE
        and s.num_rows
        and spaces[s.tablespace].hcc_supported
    )


def killed_compression(wh, monkeypatch, *, after_ddl: bool):
    """compress_object killed with its execution RUNNING: after or before its DDL."""
    seg = candidate(wh)

    def die(warehouse, action):
        if after_ddl:
            run_action(warehouse, action)
        raise Killed

    monkeypatch.setattr(compress, "run_action", die)
    item = {"label": seg.ref.label, "compression": "QUERY HIGH", "expected_ratio": 3.0}
    with pytest.raises(Killed):
        compress.compress_object(
            wh, wh.repository_engine(), item, dry_run=False, dag_run_id=RUN, now=T0
        )
    return seg


def execution(wh):
    with wh.repository_engine().connect() as conn:
        return conn.execute(select(compression_executions)).one()


def recover(wh, alive):
    asked = []

    def dag_run_alive(dag, run_id):
        asked.append((dag, run_id))
        return alive

    report = recovery.recover(wh, wh.repository_engine(), now=LATER, dag_run_alive=dag_run_alive)
    return report, asked


def test_a_rewrite_that_took_effect_becomes_success_with_its_real_sizes(wh, monkeypatch):
    seg = killed_compression(wh, monkeypatch, after_ddl=True)
    assert execution(wh).status == "RUNNING"
    report, asked = recover(wh, alive=False)
    # The run's DAG is read from hcc_dag_runs: a fleet's suffixed id is asked about.
    assert ("hcc_compress__dw_amer", RUN) in asked
    row = execution(wh)
    live = wh.segment(seg.ref)
    assert live.compression is CompressionType.QUERY_HIGH
    assert (row.status, row.bytes_before, row.bytes_after) == ("SUCCESS", seg.bytes, live.bytes)
    assert row.space_saved == seg.bytes - live.bytes > 0
    assert row.achieved_ratio == pytest.approx(seg.bytes / live.bytes)
    assert "the rewrite took effect" in row.error_message and row.finished_at is not None
    assert [c.status for c in report.compressions] == ["SUCCESS"]
    # The run's own record is closed too, saying why.
    with wh.repository_engine().connect() as conn:
        assert conn.scalar(select(dag_run_log.c.status)) == "FAILED"


def test_a_rewrite_that_did_not_take_effect_is_failed_saying_nothing_changed(wh, monkeypatch):
    seg = killed_compression(wh, monkeypatch, after_ddl=False)
    report, _ = recover(wh, alive=False)
    row = execution(wh)
    assert (row.status, row.error_code) == ("FAILED", "KILLED")
    assert "did not take effect and nothing changed" in row.error_message
    assert wh.segment(seg.ref).compression is CompressionType.NONE
    assert report.compressions[0].label == seg.ref.label


@pytest.mark.parametrize("alive", [True, None], ids=["running", "unknown"])
def test_an_execution_whose_run_may_still_be_running_is_left_alone(wh, monkeypatch, alive):
    killed_compression(wh, monkeypatch, after_ddl=True)
    report, _ = recover(wh, alive=alive)
    assert execution(wh).status == "RUNNING" and report.compressions == []


def test_housekeeping_of_a_later_day_finds_nothing_more_to_decide(wh, monkeypatch):
    killed_compression(wh, monkeypatch, after_ddl=True)
    recover(wh, alive=False)
    again, _ = recover(wh, alive=False)
    assert again.compressions == [] and execution(wh).status == "SUCCESS"


def test_a_killed_rollback_that_took_effect_marks_the_execution_it_undid(wh, monkeypatch):
    seg = candidate(wh)
    item = {"label": seg.ref.label, "compression": "QUERY HIGH", "expected_ratio": 3.0}
    done = compress.compress_object(
        wh, wh.repository_engine(), item, dry_run=False, dag_run_id="manual__c", now=T0
    )
    assert done["status"] == "SUCCESS"
    run_control.start_run(
        wh.repository_engine(), "hcc_compress_rollback__dw_amer", RUN + "_rb", "manual", T0
    )

    def die(warehouse, action):
        run_action(warehouse, action)
        raise Killed

    monkeypatch.setattr(compress, "run_action", die)
    with pytest.raises(Killed):
        compress.rollback_execution(
            wh, wh.repository_engine(), done["execution_id"], dag_run_id=RUN + "_rb", now=LATER
        )
    report, _ = recover(wh, alive=False)
    assert [(c.operation, c.status) for c in report.compressions] == [("ROLLBACK", "SUCCESS")]
    with wh.repository_engine().connect() as conn:
        statuses = dict(
            conn.execute(
                select(compression_executions.c.operation, compression_executions.c.status)
            ).all()
        )
    assert statuses == {"COMPRESS": "ROLLED_BACK", "ROLLBACK": "SUCCESS"}
    assert wh.segment(seg.ref).compression is CompressionType.NONE

"""End to end through Airflow (`dag.test()`) on a freshly built embedded warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from hcc_operators.core.models import ObjectRef
from hcc_operators.repository.evaluation_reads import reason_counts
from hcc_operators.repository.tables import (
    advisor_results,
    advisor_runs,
    compression_executions,
    dag_run_log,
    execution_log,
    ilm_batches,
    ilm_queue,
    partition_access,
)
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse

pytestmark = pytest.mark.airflow_db


@pytest.fixture(scope="module")
def warehouse_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("wh") / "warehouse.db"
    build_warehouse(path, seed=7).close()
    mp = pytest.MonkeyPatch()
    mp.setenv("AIRFLOW_CONN_HCC_WAREHOUSE", f"sqlite:///{path}")
    yield path
    mp.undo()


DAGS = Path(__file__).resolve().parents[2] / "dags"
FILE_OF = {"hcc_compress_rollback": "hcc_compress.py"}


@pytest.fixture(scope="module")
def dagbag():
    """A function returning a freshly parsed DAG.

    dag.test() runs tasks in-process on the DAG's own operator objects, so a rendered template
    (e.g. dry_run=True) would stick to them for the next run; the scheduler never reuses them.
    """
    from airflow.dag_processing.dagbag import DagBag

    def parse(dag_id: str):
        path = DAGS / FILE_OF.get(dag_id, f"{dag_id}.py")
        return DagBag(dag_folder=str(path)).dags[dag_id]

    return parse


def _state(run) -> str:
    return str(getattr(run.state, "value", run.state))


def _run(dagbag, dag_id, conf=None):
    return _state(dagbag(dag_id).test(run_conf=conf or {}))


@pytest.fixture(scope="module")
def engine(warehouse_path):
    wh = EmbeddedWarehouse(warehouse_path)
    yield wh.repository_engine()
    wh.close()


@pytest.fixture(scope="module")
def pipeline(dagbag, warehouse_path, engine):
    """Advisor on one schema (to keep the suite fast), then compression and the ILM stages."""
    states = {
        "hcc_advisor": _run(dagbag, "hcc_advisor", {"schemas": ["FINANCE"]}),
        "hcc_compress_dry": _run(
            dagbag, "hcc_compress", {"max_objects": 2, "min_ratio": 1.0, "dry_run": True}
        ),
    }
    with EmbeddedWarehouse(warehouse_path) as wh:
        sizes_after_dry_run = {
            r.result_id: wh.segment(ObjectRef(r.owner, r.table_name, r.partition_name)).bytes
            for r in _top_candidates(engine, 2)
        }
    states["hcc_compress"] = _run(dagbag, "hcc_compress", {"max_objects": 2, "min_ratio": 1.0})
    run_ids = {}
    for dag_id, conf in (
        ("hcc_ilm_refresh", None),
        ("hcc_ilm_evaluate", None),
        ("hcc_ilm_execute", {"force": True, "max_operations": 12}),
        ("hcc_ilm_housekeeping", None),
    ):
        run = dagbag(dag_id).test(run_conf=conf or {})
        states[dag_id], run_ids[dag_id] = _state(run), run.run_id
    return states, sizes_after_dry_run, run_ids


def _top_candidates(engine, n):
    with engine.connect() as conn:
        return conn.execute(
            select(advisor_results)
            .where(advisor_results.c.recommended.is_not(None))
            .order_by(advisor_results.c.hotness, advisor_results.c.estimated_savings.desc())
            .limit(n)
        ).all()


def test_every_dag_run_succeeds(pipeline):
    states, _, _ = pipeline
    assert set(states.values()) == {"success"}, states


def test_advisor_recorded_measured_results_for_the_chosen_schema(pipeline, engine):
    with engine.connect() as conn:
        run = conn.execute(select(advisor_runs)).one()
        owners = {r.owner for r in conn.execute(select(advisor_results.c.owner))}
        ratios = conn.execute(
            select(advisor_results.c.ratio_query_low, advisor_results.c.ratio_archive_high).where(
                advisor_results.c.status == "SUCCESS"
            )
        ).all()
    assert run.status == "SUCCESS" and run.objects_analysed == run.objects_total > 0
    assert owners == {"FINANCE"}
    assert len({round(r.ratio_query_low, 3) for r in ratios}) > 1, "ratios must be measured"
    assert sum(r.ratio_archive_high > r.ratio_query_low for r in ratios) > len(ratios) * 0.9


def test_dry_run_logs_ddl_and_changes_nothing_then_the_real_run_compresses(
    pipeline, engine, warehouse_path
):
    _, sizes_after_dry_run, _ = pipeline
    with engine.connect() as conn:
        rows = conn.execute(
            select(compression_executions).order_by(compression_executions.c.execution_id)
        ).all()
    dry = [r for r in rows if r.status == "DRY_RUN"]
    real = [r for r in rows if r.status == "SUCCESS"]
    assert len(dry) == 2 and all(r.ddl.startswith("ALTER TABLE") for r in dry)
    assert all(r.bytes_before == sizes_after_dry_run[r.result_id] for r in dry)
    assert len(real) == 2
    with EmbeddedWarehouse(warehouse_path) as wh:
        for r in real:
            live = wh.segment(ObjectRef(r.owner, r.table_name, r.partition_name))
            assert live.compression.value == r.compression_to
            assert r.bytes_after == live.bytes < r.bytes_before
            assert r.rows_before == r.rows_after
            assert r.achieved_ratio == pytest.approx(r.bytes_before / r.bytes_after, rel=1e-3)


def test_rollback_restores_the_previous_compression(pipeline, dagbag, engine, warehouse_path):
    with engine.connect() as conn:
        target = conn.execute(
            select(compression_executions).where(compression_executions.c.status == "SUCCESS")
        ).first()
    assert _run(dagbag, "hcc_compress_rollback", {"execution_id": target.execution_id}) == "success"
    with engine.connect() as conn:
        original = conn.execute(
            select(compression_executions).where(
                compression_executions.c.execution_id == target.execution_id
            )
        ).one()
        rollback = conn.execute(
            select(compression_executions).where(
                compression_executions.c.rollback_of == target.execution_id
            )
        ).one()
    assert original.status == "ROLLED_BACK" and rollback.status == "SUCCESS"
    with EmbeddedWarehouse(warehouse_path) as wh:
        live = wh.segment(ObjectRef(target.owner, target.table_name, target.partition_name))
    assert live.compression.value == target.compression_from
    # a second rollback of the same execution is refused with the reason, failing the run
    assert _run(dagbag, "hcc_compress_rollback", {"execution_id": target.execution_id}) == "failed"
    # ... and its run record says so instead of staying RUNNING (issue 17)
    with engine.connect() as conn:
        records = conn.execute(
            select(dag_run_log)
            .where(dag_run_log.c.dag_id == "hcc_compress_rollback")
            .order_by(dag_run_log.c.run_log_id)
        ).all()
    assert [r.status for r in records] == ["SUCCESS", "FAILED"]
    assert "only a successful COMPRESS can be rolled back" in records[-1].summary
    assert records[-1].finished_at is not None


def test_ilm_stages_refresh_evaluate_and_execute(pipeline, engine):
    with engine.connect() as conn:
        partitions = conn.execute(select(func.count()).select_from(partition_access)).scalar()
        details = [(r.value, n) for r, n in reason_counts(conn).items()]
        batch = conn.execute(select(ilm_batches)).one()
        logged = conn.execute(
            select(execution_log.c.status, func.count()).group_by(execution_log.c.status)
        ).all()
        queued = dict(
            conn.execute(
                select(ilm_queue.c.status, func.count()).group_by(ilm_queue.c.status)
            ).all()
        )
    assert partitions > 100
    reasons = dict(details)
    assert reasons.get("ELIGIBLE", 0) > 0 and len(reasons) > 2
    assert batch.forced and batch.run_type == "forced"
    assert batch.status in ("COMPLETED", "INTERRUPTED") and batch.planned == 12
    assert batch.failed == 0
    assert dict(logged).get("SUCCESS", 0) + dict(logged).get("SKIPPED", 0) == 12
    assert queued.get("SUCCESS", 0) + queued.get("SKIPPED", 0) == 12


def test_the_execute_runs_note_is_the_batch_outcome(pipeline, engine):
    """finish_batch's outcome reaches the DAG run note through the plugin's listener
    (run_notes.py), the place a user looks at in the Airflow UI."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    from hcc_operators.core.batch_outcome import describe_batch

    run_id = pipeline[2]["hcc_ilm_execute"]
    with engine.connect() as conn:
        batch = conn.execute(select(ilm_batches).where(ilm_batches.c.dag_run_id == run_id)).one()
    with create_session() as session:
        run = session.scalars(
            select(DagRun).where(DagRun.dag_id == "hcc_ilm_execute", DagRun.run_id == run_id)
        ).one()
        note, author = run.note, run.dag_run_note.user_id
    assert note == describe_batch(
        batch.batch_id,
        batch.status,
        planned=batch.planned,
        succeeded=batch.succeeded,
        skipped=batch.skipped,
        failed=batch.failed,
        left_pending=batch.left_pending,
    )
    assert note.startswith(f"HCC batch {batch.batch_id} {batch.status}: 12 planned;")
    assert author is None  # written by the package, so a person's note would not be replaced


def test_every_dag_run_is_recorded_with_its_type(pipeline, engine):
    with engine.connect() as conn:
        runs = conn.execute(select(dag_run_log)).all()
    by_dag = {r.dag_id: r for r in runs}
    assert {
        "hcc_advisor",
        "hcc_compress",
        "hcc_ilm_refresh",
        "hcc_ilm_evaluate",
        "hcc_ilm_execute",
        "hcc_ilm_housekeeping",
    } <= set(by_dag)
    assert by_dag["hcc_ilm_execute"].run_type == "forced"
    assert by_dag["hcc_advisor"].run_type == "manual"
    assert all(r.finished_at is not None for r in runs if r.status != "RUNNING")


def test_a_note_a_person_wrote_is_never_replaced(pipeline):
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    from hcc_operators.run_notes import note_outcome

    run_id = pipeline[2]["hcc_ilm_execute"]
    with create_session() as session:
        run = session.scalars(
            select(DagRun).where(DagRun.dag_id == "hcc_ilm_execute", DagRun.run_id == run_id)
        ).one()
        ours = run.note
        # Written again from the XCom: the package's own earlier note is replaced.
        run.dag_run_note.content = "stale"
        assert note_outcome(run, session) == ours and run.note == ours
        run.dag_run_note.content, run.dag_run_note.user_id = "checked by Ana", "ana"
        assert note_outcome(run, session) is None
        assert run.note == "checked by Ana"
        session.rollback()


def test_the_demo_report_explains_its_numbers_and_they_add_up(pipeline, warehouse_path):
    import re

    from hcc_operators.demo_report import render_report

    with EmbeddedWarehouse(warehouse_path) as wh:
        report = render_report(wh, pipeline[0])
        with wh.repository_engine().connect() as conn:
            batch = conn.execute(
                select(ilm_batches).order_by(ilm_batches.c.batch_id.desc())
            ).first()
            pending = conn.scalar(
                select(func.count()).select_from(ilm_queue).where(ilm_queue.c.status == "PENDING")
            )
    # One unit convention: binary sizes with IEC labels only.
    assert not re.search(r"\d (KB|MB|GB|TB)\b", report), report
    assert re.search(r"\d (KiB|MiB|GiB)\b", report)
    # The two averages say what each averages over.
    assert "their average measured ratio AT that level" in report
    assert "averaged over all" in report and "analysed objects" in report
    # PENDING is split into reasons that add up, matching the batch's own counts.
    why = re.search(
        r"Why (\d+) items are PENDING: (\d+) did not fit .*?; (\d+) wait behind .*?; "
        r"(\d+) were planned but deferred .*?; (\d+) were queued after",
        report,
    )
    assert why, report
    total, did_not_fit, behind, deferred, since = map(int, why.groups())
    assert total == pending > 0
    assert did_not_fit + behind + deferred + since == total
    planned = re.match(
        r"(\d+) planned, (\d+) wait for a later window, (\d+) wait behind another action on "
        r"their partition, (\d+) beyond max_operations",
        batch.reason,
    )
    assert planned, batch.reason
    assert did_not_fit == int(planned.group(2))
    assert behind == int(planned.group(3)) + int(planned.group(4))

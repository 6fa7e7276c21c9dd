"""The advisor service on the embedded warehouse: chunking, incremental runs, failures, progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.progress import progress
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import advisor_results, advisor_runs
from hcc_operators.services import advisor
from hcc_operators.warehouse.embedded import build_warehouse

T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=5, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def run(wh, params, when=T0):
    return advisor.plan_analysis(wh, wh.repository_engine(), params, dag_run_id="r", now=when)


def analyse_all(wh, run_id, chunks, when=T0):
    for chunk in chunks:
        advisor.analyse_chunk(
            wh, wh.repository_engine(), run_id=run_id, objects=chunk["objects"], now_fn=lambda: when
        )
    return advisor.finish_analysis(wh.repository_engine(), run_id, now=when)


def run_row(wh, run_id):
    with wh.repository_engine().connect() as conn:
        return conn.execute(select(advisor_runs).where(advisor_runs.c.run_id == run_id)).one()


def test_chunks_cover_every_object_once_largest_first_within_the_chunk_size(wh):
    run_id, chunks = run(wh, advisor.AdvisorParams(schemas=("FINANCE",), chunk_size=7))
    labels = [label for c in chunks for label in c["objects"]]
    assert len(labels) == len(set(labels)) == run_row(wh, run_id).objects_total > 7
    assert all(len(c["objects"]) <= 7 for c in chunks)
    assert {ObjectRef.parse(label).owner for label in labels} == {"FINANCE"}
    sizes = {s.ref.label: s.bytes for s in wh.list_segments(["FINANCE"])}
    for chunk in chunks:
        assert [sizes[x] for x in chunk["objects"]] == sorted(
            (sizes[x] for x in chunk["objects"]), reverse=True
        )


def test_oracle_maintained_and_unknown_schemas_are_refused_by_name(wh):
    with pytest.raises(ConfigError, match="SYS.*analysable schemas are"):
        run(wh, advisor.AdvisorParams(schemas=("SYS",)))
    with pytest.raises(ConfigError, match="NOPE"):
        run(wh, advisor.AdvisorParams(schemas=("nope",)))


def test_progress_is_recorded_after_every_object_and_gives_a_time_remaining(wh):
    run_id, chunks = run(wh, advisor.AdvisorParams(schemas=("FINANCE",), chunk_size=5))
    advisor.analyse_chunk(
        wh, wh.repository_engine(), run_id=run_id, objects=chunks[0]["objects"], now_fn=lambda: T0
    )
    row = run_row(wh, run_id)
    assert row.objects_analysed == len(chunks[0]["objects"]) < row.objects_total
    assert 0 < row.bytes_analysed < row.bytes_total
    live = progress(
        done=row.objects_analysed,
        total=row.objects_total,
        bytes_done=row.bytes_analysed,
        bytes_total=row.bytes_total,
        elapsed_s=60.0,
    )
    assert 0 < live.percent < 100 and live.remaining_s > 0
    assert row.status == "RUNNING"


def test_a_failing_object_is_recorded_and_the_others_are_analysed(wh):
    run_id, chunks = run(wh, advisor.AdvisorParams(schemas=("FINANCE",)))
    objects = [*chunks[0]["objects"][:2], "FINANCE.GL_JOURNAL:NO_SUCH_PARTITION"]
    advisor.analyse_chunk(
        wh, wh.repository_engine(), run_id=run_id, objects=objects, now_fn=lambda: T0
    )
    with wh.repository_engine().connect() as conn:
        rows = conn.execute(
            select(
                advisor_results.c.partition_name,
                advisor_results.c.status,
                advisor_results.c.error_code,
            )
        ).all()
    by_status = {r.status for r in rows}
    assert by_status == {"SUCCESS", "FAILED"} and len(rows) == 3
    failed = [r for r in rows if r.status == "FAILED"]
    assert failed[0].partition_name == "NO_SUCH_PARTITION" and failed[0].error_code == "ORA-02149"
    summary = advisor.finish_analysis(wh.repository_engine(), run_id, now=T0)
    assert summary["status"] == "PARTIAL" and summary["failed"] == 1


def test_incremental_run_takes_only_changed_or_never_analysed_objects(wh):
    first_id, chunks = run(wh, advisor.AdvisorParams(schemas=("FINANCE",)))
    analyse_all(wh, first_id, chunks)
    later = T0 + timedelta(hours=1)
    _, nothing = run(wh, advisor.AdvisorParams(schemas=("FINANCE",), incremental=True), later)
    assert nothing == []
    changed = ObjectRef.parse(chunks[0]["objects"][0])
    wh.simulate_dml(changed, updates=1000)
    _, again = run(wh, advisor.AdvisorParams(schemas=("FINANCE",), incremental=True), later)
    assert [label for c in again for label in c["objects"]] == [changed.label]


def test_recommendations_never_go_below_the_current_level(wh):
    run_id, chunks = run(wh, advisor.AdvisorParams(schemas=("SALES",), chunk_size=50))
    analyse_all(wh, run_id, chunks[:2])
    with wh.repository_engine().connect() as conn:
        rows = conn.execute(
            select(advisor_results).where(advisor_results.c.recommended.is_not(None))
        ).all()
    from hcc_operators.core.models import CompressionType as CT

    assert rows
    for r in rows:
        assert CT.parse(r.recommended).rank >= CT.parse(r.current_compression).rank
        assert r.reason and r.expected_ratio > 1.0


def test_parallel_degree_sets_the_number_of_mapped_tasks(wh):
    run_id, chunks = run(wh, advisor.AdvisorParams(schemas=("FINANCE",), parallel_degree=3))
    assert len(chunks) == 3
    assert sum(len(c["objects"]) for c in chunks) == run_row(wh, run_id).objects_total

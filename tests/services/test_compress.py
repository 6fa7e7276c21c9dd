"""Compression execution pre-checks, dry run and rollback refusals on the embedded warehouse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import CompressionType
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import compression_executions, execution_log
from hcc_operators.services import compress
from hcc_operators.warehouse.embedded import build_warehouse

T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=3, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def segment_where(wh, owner, *, hcc):
    spaces = wh.tablespaces()
    return next(
        s
        for s in wh.list_segments([owner])
        if s.ref.partition
        and not s.has_subpartitions
        and not s.read_only
        and s.compression is CompressionType.NONE
        and s.num_rows
        and spaces[s.tablespace].hcc_supported is hcc
    )


def do(wh, seg, level, *, dry_run=False):
    item = {"label": seg.ref.label, "compression": level, "expected_ratio": 3.0}
    return compress.compress_object(
        wh, wh.repository_engine(), item, dry_run=dry_run, dag_run_id="d", now=T0
    )


def test_hcc_on_storage_without_hcc_is_refused_before_any_ddl(wh):
    seg = segment_where(wh, "FINANCE", hcc=False)
    result = do(wh, seg, "QUERY HIGH")
    assert result["status"] == "FAILED" and result["error_code"] == "ORA-64307"
    assert result["statements"] == [] and wh.segment(seg.ref).compression is CompressionType.NONE


def test_not_enough_free_space_for_the_rewrite_is_left_for_later(wh):
    from hcc_operators.core.models import Action, ActionKind
    from hcc_operators.services.action_runner import run_action

    seg = segment_where(wh, "SALES", hcc=True)
    assert wh.tablespaces()["ARCHIVE_FULL"].free_bytes < seg.bytes
    move = Action(
        ActionKind.MOVE, seg.ref, tablespace="ARCHIVE_FULL", compression=CompressionType.QUERY_HIGH
    )
    result = run_action(wh, move)
    assert result.status.value == "FAILED" and result.error_code == "ORA-01688"
    assert result.transience == "SKIP_FOR_NOW" and result.statements == []
    assert wh.segment(seg.ref).tablespace == seg.tablespace


def test_missing_object_fails_with_ora_02149(wh):
    seg = segment_where(wh, "SALES", hcc=True)
    item = {"label": f"{seg.ref.owner}.{seg.ref.table}:GONE", "compression": "QUERY HIGH"}
    result = compress.compress_object(
        wh, wh.repository_engine(), item, dry_run=False, dag_run_id="d", now=T0
    )
    assert result["status"] == "FAILED" and result["error_code"] == "ORA-02149"


def test_dry_run_records_the_exact_ddl_and_changes_nothing(wh):
    seg = segment_where(wh, "SALES", hcc=True)
    result = do(wh, seg, "ARCHIVE HIGH", dry_run=True)
    assert result["status"] == "DRY_RUN"
    assert result["statements"] == [
        f'ALTER TABLE "{seg.ref.owner}"."{seg.ref.table}" MOVE PARTITION "{seg.ref.partition}" '
        "COLUMN STORE COMPRESS FOR ARCHIVE HIGH UPDATE INDEXES ONLINE"
    ]
    live = wh.segment(seg.ref)
    assert live.compression is CompressionType.NONE and live.bytes == seg.bytes


def test_rollback_is_refused_with_a_reason_when_it_would_undo_later_work(wh):
    seg = segment_where(wh, "SALES", hcc=True)
    done = do(wh, seg, "QUERY LOW")
    assert done["status"] == "SUCCESS"
    do(wh, seg, "ARCHIVE HIGH")  # a later change to the same object
    with pytest.raises(
        ConfigError, match="compression is ARCHIVE HIGH, was left QUERY LOW; execution 2"
    ):
        compress.rollback_execution(
            wh, wh.repository_engine(), done["execution_id"], dag_run_id="rb", now=T0
        )
    with pytest.raises(ConfigError, match="does not exist"):
        compress.rollback_execution(wh, wh.repository_engine(), 999, dag_run_id="rb", now=T0)
    with wh.repository_engine().connect() as conn:
        statuses = [r.status for r in conn.execute(select(compression_executions.c.status))]
    assert "ROLLED_BACK" not in statuses


def test_a_stale_recommendation_is_skipped_instead_of_lowering_compression(wh):
    seg = segment_where(wh, "SALES", hcc=True)
    assert do(wh, seg, "ARCHIVE LOW")["status"] == "SUCCESS"  # e.g. ILM got there first
    before = wh.segment(seg.ref)
    item = {
        "label": seg.ref.label,
        "compression": "QUERY HIGH",
        "current_compression": "NONE",
        "expected_ratio": 4.0,
    }
    result = compress.compress_object(
        wh, wh.repository_engine(), item, dry_run=False, dag_run_id="d", now=T0
    )
    assert result["status"] == "SKIPPED" and "re-run the advisor" in result["message"]
    after = wh.segment(seg.ref)
    assert after.compression is CompressionType.ARCHIVE_LOW and after.bytes == before.bytes
    item["current_compression"] = "ARCHIVE LOW"
    lower = compress.compress_object(
        wh, wh.repository_engine(), item, dry_run=False, dag_run_id="d", now=T0
    )
    assert lower["status"] == "SKIPPED" and "never goes to a lower level" in lower["message"]


def test_expected_ratio_of_an_already_compressed_object_is_its_rewrite_ratio(wh):
    seg = segment_where(wh, "SALES", hcc=True)
    assert do(wh, seg, "QUERY LOW")["status"] == "SUCCESS"
    now_bytes = wh.segment(seg.ref).bytes
    item = {
        "label": seg.ref.label,
        "compression": "ARCHIVE HIGH",
        "expected_ratio": 8.0,
        "current_compression": "QUERY LOW",
        "estimated_savings": now_bytes // 2,
    }
    result = compress.compress_object(
        wh, wh.repository_engine(), item, dry_run=False, dag_run_id="d", now=T0
    )
    with wh.repository_engine().connect() as conn:
        row = conn.execute(
            select(compression_executions).where(
                compression_executions.c.execution_id == result["execution_id"]
            )
        ).one()
    assert row.expected_ratio == pytest.approx(2.0, rel=1e-3)  # halving, not 8x
    assert row.achieved_ratio == pytest.approx(row.bytes_before / row.bytes_after, rel=1e-3)


def test_the_runs_online_and_parallel_params_shape_the_rewrite(wh):
    from hcc_operators.core.rewrite_options import OnlineChoice, RewriteOptions

    seg = segment_where(wh, "SALES", hcc=True)
    item = {"label": seg.ref.label, "compression": "QUERY HIGH", "expected_ratio": 3.0}
    result = compress.compress_object(
        wh,
        wh.repository_engine(),
        item,
        dry_run=True,
        dag_run_id="d",
        now=T0,
        options=RewriteOptions(OnlineChoice.OFFLINE, 8),
    )
    assert result["statements"] == [
        f'ALTER TABLE "{seg.ref.owner}"."{seg.ref.table}" MOVE PARTITION "{seg.ref.partition}" '
        "COLUMN STORE COMPRESS FOR QUERY HIGH UPDATE INDEXES PARALLEL 8"
    ]


def rollback(wh, execution_id):
    return compress.rollback_execution(
        wh, wh.repository_engine(), execution_id, dag_run_id="rb", now=T0
    )


def test_rollback_refuses_after_a_later_move_that_kept_the_compression(wh):
    # Issue 16: rollback compared only the compression, so it undid a later ILM MOVE.
    from hcc_operators.core.models import Action, ActionKind
    from hcc_operators.services.action_runner import run_action

    seg = segment_where(wh, "SALES", hcc=True)
    done = do(wh, seg, "QUERY LOW")
    other = next(
        name
        for name, ts in wh.tablespaces().items()
        if ts.hcc_supported and name != seg.tablespace and ts.free_bytes > seg.bytes
    )
    moved = run_action(wh, Action(ActionKind.MOVE, seg.ref, tablespace=other))
    assert moved.status.value == "SUCCESS"
    assert wh.segment(seg.ref).compression is CompressionType.QUERY_LOW
    with pytest.raises(ConfigError, match=f"tablespace is {other}, was left in {seg.tablespace}"):
        rollback(wh, done["execution_id"])
    assert wh.segment(seg.ref).tablespace == other  # nothing was undone


def test_rollback_refuses_when_the_partition_bound_changed(wh):
    seg = segment_where(wh, "SALES", hcc=True)
    done = do(wh, seg, "QUERY LOW")
    with wh.repository_engine().begin() as conn:  # as if a merge or split moved its bound
        conn.execute(
            update(compression_executions)
            .where(compression_executions.c.execution_id == done["execution_id"])
            .values(high_value="TO_DATE(' 1999-01-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS')")
        )
    with pytest.raises(ConfigError, match="partition bound is .*, was TO_DATE\\(' 1999"):
        rollback(wh, done["execution_id"])


def test_rollback_refuses_after_a_later_ilm_action_on_the_partition(wh):
    seg = segment_where(wh, "SALES", hcc=True)
    done = do(wh, seg, "QUERY LOW")
    with wh.repository_engine().begin() as conn:
        conn.execute(
            insert(execution_log).values(
                owner=seg.ref.owner,
                table_name=seg.ref.table,
                partition_name=seg.ref.partition,
                action="READ_ONLY",
                status="SUCCESS",
                attempt=1,
                simulated=True,
                started_at=T0 + timedelta(hours=1),
            )
        )
    with pytest.raises(ConfigError, match="ILM READ_ONLY \\(log 1\\) ran on it"):
        rollback(wh, done["execution_id"])


def test_the_bound_is_recorded_and_an_unchanged_object_rolls_back_once(wh):
    seg = segment_where(wh, "SALES", hcc=True)
    done = do(wh, seg, "QUERY LOW")
    with wh.repository_engine().connect() as conn:
        recorded = conn.execute(
            select(compression_executions.c.high_value).where(
                compression_executions.c.execution_id == done["execution_id"]
            )
        ).scalar()
    assert recorded == seg.high_value and recorded
    undone = rollback(wh, done["execution_id"])
    assert undone["status"] == "SUCCESS"
    assert wh.segment(seg.ref).compression is CompressionType.NONE
    with pytest.raises(ConfigError, match="only a successful COMPRESS"):
        rollback(wh, done["execution_id"])


def test_a_second_rollback_while_one_runs_is_refused(wh):
    seg = segment_where(wh, "SALES", hcc=True)
    done = do(wh, seg, "QUERY LOW")
    with wh.repository_engine().begin() as conn:
        conn.execute(
            insert(compression_executions).values(
                owner=seg.ref.owner,
                table_name=seg.ref.table,
                partition_name=seg.ref.partition,
                operation="ROLLBACK",
                status="RUNNING",
                rollback_of=done["execution_id"],
                started_at=T0,
            )
        )
    with pytest.raises(ConfigError, match="already has a rollback \\(RUNNING"):
        rollback(wh, done["execution_id"])


def test_the_execution_records_the_mapped_instance_that_ran_it(wh):
    from sqlalchemy import select

    from hcc_operators.repository.tables import compression_executions

    seg = segment_where(wh, "SALES", hcc=True)
    item = {"label": seg.ref.label, "compression": "QUERY HIGH", "expected_ratio": 3.0}
    result = compress.compress_object(
        wh, wh.repository_engine(), item, dry_run=False, dag_run_id="d", now=T0, map_index=5
    )
    with wh.repository_engine().connect() as conn:
        row = conn.execute(
            select(compression_executions).where(
                compression_executions.c.execution_id == result["execution_id"]
            )
        ).one()
    assert (row.dag_run_id, row.map_index, row.status) == ("d", 5, "SUCCESS")


def test_rollback_of_a_composite_partition_moves_its_subpartitions_back(wh):
    # COMPOSITE-01: a composite partition has no segment to move (ORA-14257); its rollback is
    # a rewrite subpartition by subpartition, like the compression it undoes.
    from hcc_operators.core.models import ObjectRef

    part = ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03")
    before = wh.segment(part)
    assert before.has_subpartitions
    done = compress.compress_object(
        wh,
        wh.repository_engine(),
        {"label": part.label, "compression": "QUERY HIGH", "expected_ratio": 3.0},
        dry_run=False,
        dag_run_id="d",
        now=T0,
    )
    assert done["status"] == "SUCCESS", done["message"]
    undone = compress.rollback_execution(
        wh, wh.repository_engine(), done["execution_id"], dag_run_id="rb", now=T0
    )
    assert undone["status"] == "SUCCESS", undone["message"]
    assert not any("MOVE PARTITION" in s for s in undone["statements"])
    subs = [
        s
        for s in wh.list_segments(["SALES"], [ObjectRef("SALES", "SALES_BY_REGION")])
        if s.ref.partition == part.partition and s.ref.subpartition
    ]
    assert {s.compression for s in subs} == {before.compression}
    assert wh.segment(part).compression is before.compression

"""Advisor runs with live progress, and the current advice (or one run's recommendations)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine, Row

from hcc_operators.api.links import Links
from hcc_operators.api.models import AdvisorRunOut, Page, ProgressOut, RecommendationOut
from hcc_operators.api.queries.rows import json_or_none, label, paged, user_text
from hcc_operators.core.names import Dag
from hcc_operators.core.progress import progress
from hcc_operators.repository import advice
from hcc_operators.repository.tables import (
    advisor_results,
    advisor_runs,
)


def run_out(row: Row, now: datetime, links: Links) -> AdvisorRunOut:
    running = row.status == "RUNNING"
    end = now if running or row.finished_at is None else row.finished_at
    total = max(row.objects_total, 0)
    done = min(max(row.objects_analysed, 0), total)
    state = progress(
        done=done,
        total=total,
        bytes_done=min(row.bytes_analysed, row.bytes_total),
        bytes_total=row.bytes_total,
        elapsed_s=max((end - row.started_at).total_seconds(), 0.0),
    )
    data = state.to_dict()
    if not running:
        # A PARTIAL or FAILED run stopped short; nothing is left to wait for.
        data["estimated_remaining_s"] = 0.0
    return AdvisorRunOut(
        **{k: getattr(row, k) for k in _RUN_FIELDS},
        schemas=json_or_none(row.schemas) or [],
        progress=ProgressOut(**data),
        ui_url=links.dag_run(Dag.ADVISOR, row.dag_run_id),
        warehouse=links.warehouse,
    )


_RUN_FIELDS = (
    "run_id",
    "dag_run_id",
    "status",
    "strategy",
    "objects_total",
    "objects_analysed",
    "objects_succeeded",
    "objects_failed",
    "bytes_total",
    "bytes_analysed",
    "started_at",
    "updated_at",
    "finished_at",
    "error",
)


def list_runs(
    engine: Engine,
    *,
    status: str | None,
    limit: int,
    offset: int,
    now: datetime,
    links: Links,
) -> Page[AdvisorRunOut]:
    stmt = select(advisor_runs).order_by(advisor_runs.c.run_id.desc())
    if status:
        stmt = stmt.where(advisor_runs.c.status == status)
    with engine.connect() as conn:
        rows, total = paged(conn, stmt, limit, offset)
    return Page[AdvisorRunOut](
        items=[run_out(r, now, links) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
        warehouse=links.warehouse,
    )


def get_run(
    engine: Engine, run_id: int | None, *, now: datetime, links: Links
) -> AdvisorRunOut | None:
    """One run; None for the newest when run_id is None."""
    stmt = select(advisor_runs)
    if run_id is None:
        stmt = stmt.order_by(advisor_runs.c.run_id.desc()).limit(1)
    else:
        stmt = stmt.where(advisor_runs.c.run_id == run_id)
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return run_out(row, now, links) if row else None


def recommendation_out(row: Row) -> RecommendationOut:
    return RecommendationOut(
        **{k: getattr(row, k) for k in _RECOMMENDATION_FIELDS},
        object=label(row),
        object_input=user_text(row),
        recompression=bool(row.recompression),
    )


_RECOMMENDATION_FIELDS = (
    "result_id",
    "run_id",
    "owner",
    "table_name",
    "partition_name",
    "subpartition_name",
    "object_kind",
    "tablespace_name",
    "size_bytes",
    "current_compression",
    "recommended",
    "expected_ratio",
    "estimated_savings",
    "hotness",
    "reason",
    "analysed_at",
)


def recommendations(
    engine: Engine,
    *,
    run_id: int | None,
    schema: str | None,
    compression_type: str | None,
    min_savings: int | None,
    limit: int,
    offset: int,
) -> Page[RecommendationOut]:
    """The current advice (repository/advice.py), or what one run recommended when
    ``run_id`` names it."""
    r = advisor_results.c
    stmt = advice.current_results() if run_id is None else select(advisor_results)
    stmt = stmt.where(
        r.status == "SUCCESS",
        r.recommended.is_not(None),
        ~advice.rewritten_since_analysis(),
    )
    if run_id is not None:
        stmt = stmt.where(r.run_id == run_id)
    if schema:
        stmt = stmt.where(r.owner == schema)  # the dictionary spelling (api/params.py)
    if compression_type:
        stmt = stmt.where(r.recommended == compression_type)
    if min_savings is not None:
        stmt = stmt.where(r.estimated_savings >= min_savings)
    stmt = stmt.order_by(r.estimated_savings.desc(), r.result_id)
    with engine.connect() as conn:
        rows, total = paged(conn, stmt, limit, offset)
    return Page[RecommendationOut](
        items=[recommendation_out(x) for x in rows], total=total, limit=limit, offset=offset
    )


def recommendations_by_type(conn) -> dict[str, int]:
    """Objects whose current advice recommends each compression type."""
    r = advisor_results.c
    rows = conn.execute(
        advice.current_results()
        .with_only_columns(r.recommended, func.count())
        .where(r.status == "SUCCESS", r.recommended.is_not(None))
        .group_by(r.recommended)
        .order_by(r.recommended)
    ).all()
    return dict(rows)


def estimated_savings(engine: Engine, labels: Sequence[str]) -> int | None:
    """What the current advice expects compressing these objects to save."""
    wanted = set(labels)
    owners = {x.split(".", 1)[0] for x in wanted}
    r = advisor_results.c
    with engine.connect() as conn:
        rows = conn.execute(
            advice.current_results().where(r.recommended.is_not(None), r.owner.in_(owners))
        ).all()
    matched = [x.estimated_savings or 0 for x in rows if label(x) in wanted]
    return int(sum(matched)) if matched else None

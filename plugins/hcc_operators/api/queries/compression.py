"""Compression executions (and rollbacks) recorded by the hcc_compress DAGs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine, Row

from hcc_operators.api.links import Links
from hcc_operators.api.models import ExecutionDetailOut, ExecutionOut, Page
from hcc_operators.api.queries.rows import label, paged
from hcc_operators.repository.tables import compression_executions

_FIELDS = (
    "execution_id",
    "dag_run_id",
    "map_index",
    "result_id",
    "owner",
    "table_name",
    "partition_name",
    "subpartition_name",
    "operation",
    "compression_from",
    "compression_to",
    "tablespace_from",
    "tablespace_to",
    "status",
    "bytes_before",
    "bytes_after",
    "rows_before",
    "rows_after",
    "expected_ratio",
    "achieved_ratio",
    "space_saved",
    "duration_s",
    "error_code",
    "error_message",
    "rollback_of",
    "started_at",
    "finished_at",
)


def execution_out(row: Row, links: Links) -> ExecutionOut:
    return ExecutionOut(
        **{k: getattr(row, k) for k in _FIELDS},
        object=label(row),
        simulated=bool(row.simulated),
        ui_url=links.compression(row.operation, row.dag_run_id, row.map_index),
        warehouse=links.warehouse,
    )


def list_executions(
    engine: Engine,
    *,
    status: str | None,
    schema: str | None,
    operation: str | None,
    limit: int,
    offset: int,
    links: Links,
) -> Page[ExecutionOut]:
    c = compression_executions.c
    stmt = select(compression_executions).order_by(c.execution_id.desc())
    if status:
        stmt = stmt.where(c.status == status)
    if schema:
        stmt = stmt.where(c.owner == schema)  # the dictionary spelling (api/params.py)
    if operation:
        stmt = stmt.where(c.operation == operation)
    with engine.connect() as conn:
        rows, total = paged(conn, stmt, limit, offset)
    return Page[ExecutionOut](
        items=[execution_out(r, links) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
        warehouse=links.warehouse,
    )


def get_row(engine: Engine, execution_id: int) -> Row | None:
    c = compression_executions.c
    with engine.connect() as conn:
        return conn.execute(
            select(compression_executions).where(c.execution_id == execution_id)
        ).first()


def rollbacks_of(engine: Engine, execution_id: int) -> list[Row]:
    """The ROLLBACK executions recorded for ``execution_id``, oldest first."""
    c = compression_executions.c
    with engine.connect() as conn:
        return conn.execute(
            select(c.execution_id, c.status, c.dag_run_id)
            .where(c.rollback_of == execution_id, c.operation == "ROLLBACK")
            .order_by(c.execution_id)
        ).all()


def get_execution(engine: Engine, execution_id: int, *, links: Links) -> ExecutionDetailOut | None:
    row = get_row(engine, execution_id)
    if row is None:
        return None
    c = compression_executions.c
    with engine.connect() as conn:
        undone_by = conn.scalars(
            select(c.execution_id).where(c.rollback_of == execution_id).order_by(c.execution_id)
        ).all()
    base = execution_out(row, links).model_dump()
    return ExecutionDetailOut(**base, ddl=row.ddl, rolled_back_by=list(undone_by))

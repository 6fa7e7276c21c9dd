"""The strategy operation log (hcc_operation_log): one row per strategy step on a target."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from hcc_operators.api.models import OperationOut, Page
from hcc_operators.api.queries.rows import json_or_none, paged
from hcc_operators.repository.tables import operation_log

_FIELDS = (
    "operation_id",
    "strategy",
    "target",
    "status",
    "started_at",
    "finished_at",
    "duration_s",
    "error",
)


def list_operations(
    engine: Engine, *, strategy: str | None, status: str | None, limit: int, offset: int
) -> Page[OperationOut]:
    o = operation_log.c
    stmt = select(operation_log).order_by(o.operation_id.desc())
    if strategy:
        stmt = stmt.where(o.strategy == strategy)
    if status:
        stmt = stmt.where(o.status == status)
    with engine.connect() as conn:
        rows, total = paged(conn, stmt, limit, offset)
    items = [
        OperationOut(**{k: getattr(r, k) for k in _FIELDS}, context=json_or_none(r.context))
        for r in rows
    ]
    return Page[OperationOut](items=items, total=total, limit=limit, offset=offset)

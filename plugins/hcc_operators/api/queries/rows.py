"""Helpers every query module shares: object labels, paging, JSON columns."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection, Row

from hcc_operators.core.models import ObjectRef


def _ref(row: Any) -> ObjectRef:
    return ObjectRef(
        row.owner,
        row.table_name,
        getattr(row, "partition_name", None),
        getattr(row, "subpartition_name", None),
    )


def label(row: Any) -> str:
    """OWNER.TABLE[:PARTITION[:SUBPARTITION]], the spelling DAG conf and the UI use."""
    return _ref(row).label


def user_text(row: Any) -> str:
    """The object as a request must name it to mean this row (ObjectRef.user_text)."""
    return _ref(row).user_text


def paged(conn: Connection, stmt: Select, limit: int, offset: int) -> tuple[list[Row], int]:
    total = conn.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = conn.execute(stmt.limit(limit).offset(offset)).all()
    return rows, int(total or 0)


def json_or_none(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        # Written by hand or by an older release; show it rather than fail the whole page.
        return {"raw": text}

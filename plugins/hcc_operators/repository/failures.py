"""Recent failures of ILM actions and compressions, each marked resolved when a later attempt
fixed it: the one reading behind the dashboard's "Recent failures" and `hcc status`.

A failed attempt stays in the logs (the audit trail keeps every attempt), so without this a
failure that a cleared-and-retried task has since fixed would be listed as if it still needed
someone. Resolved means:

- ILM: a later attempt at the same queue item ended SUCCESS, or SKIPPED because the live
  dictionary already showed the action applied;
- compression: a later COMPRESS of the same object ended SUCCESS or SKIPPED (already at the
  level); a failed ROLLBACK, a later successful ROLLBACK of the same execution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from hcc_operators.core.batch_outcome import FailedItem
from hcc_operators.core.models import ObjectRef
from hcc_operators.repository.tables import compression_executions, execution_log

#: Statuses of a later attempt that settle an earlier failure.
FIXED = ("SUCCESS", "SKIPPED")


@dataclass(frozen=True)
class Failure:
    source: str  # "ilm" or "compression"
    object: str
    action: str
    error_code: str | None
    error_message: str | None
    at: datetime
    dag_run_id: str | None
    map_index: int | None
    operation: str  # COMPRESS or ROLLBACK for compression; the ILM action otherwise
    resolved_at: datetime | None  # when the attempt that fixed it ended
    resolved_by: str | None  # e.g. "attempt 4 SUCCESS in run manual__..."

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None


def _label(row) -> str:
    # The execution log has no subpartition column: its items are partitions.
    return ObjectRef(
        row.owner, row.table_name, row.partition_name, getattr(row, "subpartition_name", None)
    ).label


def _ilm_failures(conn: Connection, limit: int) -> list[Failure]:
    x = execution_log.c
    rows = conn.execute(
        select(execution_log).where(x.status == "FAILED").order_by(x.log_id.desc()).limit(limit)
    ).all()
    later = execution_log.alias("later")
    fixes: dict[int, object] = {}
    if rows:
        for fix in conn.execute(
            select(later, x.log_id.label("failed_log_id"))
            .select_from(
                execution_log.join(
                    later,
                    and_(
                        later.c.queue_id == x.queue_id,
                        later.c.log_id > x.log_id,
                        later.c.status.in_(FIXED),
                    ),
                )
            )
            .where(x.log_id.in_([r.log_id for r in rows]))
            .order_by(later.c.log_id)
        ).all():
            fixes.setdefault(fix.failed_log_id, fix)  # the first later attempt that fixed it
    out = []
    for r in rows:
        fix = fixes.get(r.log_id)
        out.append(
            Failure(
                source="ilm",
                object=_label(r),
                action=r.action,
                error_code=r.error_code,
                error_message=r.error_message,
                at=r.finished_at or r.started_at,
                dag_run_id=r.dag_run_id,
                map_index=r.map_index,
                operation=r.action,
                resolved_at=(fix.finished_at or fix.started_at) if fix is not None else None,
                resolved_by=(
                    f"attempt {fix.attempt} {fix.status} in run {fix.dag_run_id}"
                    if fix is not None
                    else None
                ),
            )
        )
    return out


def _compression_fix(conn: Connection, r):
    c = compression_executions.c
    if r.operation == "ROLLBACK":
        same = c.rollback_of == r.rollback_of
    else:
        same = and_(
            c.owner == r.owner,
            c.table_name == r.table_name,
            c.partition_name.is_(None)
            if r.partition_name is None
            else c.partition_name == r.partition_name,
            c.subpartition_name.is_(None)
            if r.subpartition_name is None
            else c.subpartition_name == r.subpartition_name,
        )
    return conn.execute(
        select(compression_executions)
        .where(
            same,
            c.operation == r.operation,
            c.execution_id > r.execution_id,
            c.status.in_(FIXED),
        )
        .order_by(c.execution_id)
        .limit(1)
    ).first()


def _compression_failures(conn: Connection, limit: int) -> list[Failure]:
    c = compression_executions.c
    rows = conn.execute(
        select(compression_executions)
        .where(c.status == "FAILED")
        .order_by(c.execution_id.desc())
        .limit(limit)
    ).all()
    out = []
    for r in rows:
        fix = _compression_fix(conn, r)
        out.append(
            Failure(
                source="compression",
                object=_label(r),
                action=f"{r.operation} {r.compression_to or ''}".strip(),
                error_code=r.error_code,
                error_message=r.error_message,
                at=r.finished_at or r.started_at,
                dag_run_id=r.dag_run_id,
                map_index=r.map_index,
                operation=r.operation,
                resolved_at=(fix.finished_at or fix.started_at) if fix is not None else None,
                resolved_by=(
                    f"execution {fix.execution_id} {fix.status} in run {fix.dag_run_id}"
                    if fix is not None
                    else None
                ),
            )
        )
    return out


def recent_failures(conn: Connection, limit: int) -> list[Failure]:
    """The ``limit`` most recent failed attempts of both kinds, newest first."""
    items = _ilm_failures(conn, limit) + _compression_failures(conn, limit)
    return sorted(items, key=lambda f: f.at, reverse=True)[:limit]


def batch_failed_items(conn: Connection, batch_id: int) -> list[FailedItem]:
    """The partitions of a batch whose latest attempt failed, in map index order: what
    finish_batch counts as failed (a retry that succeeded no longer counts)."""
    x = execution_log.c
    latest = select(func.max(x.log_id)).where(x.batch_id == batch_id).group_by(x.queue_id)
    rows = conn.execute(
        select(execution_log)
        .where(x.batch_id == batch_id, x.status == "FAILED", x.log_id.in_(latest))
        .order_by(x.map_index, x.log_id)
    ).all()
    return [
        FailedItem(_label(r), r.action, r.map_index, r.error_code, r.error_message) for r in rows
    ]

"""Recovery of compression executions a killed hcc_compress (or rollback) task left RUNNING.

compress_object records its execution RUNNING before the DDL and completes it after; a
`kill -9` in between leaves the row RUNNING for ever, and the dashboard, the metrics and the
rollback refusals would read it as work in progress. Once Airflow says the run has ended,
the row is decided from the live dictionary, never assumed:

- the segment is at the execution's target compression: the rewrite took effect (one DDL
  statement is atomic). SUCCESS, with its size after read now, the space saved and the ratio
  from the size recorded before, and the note saying it was recovered;
- the segment is not at the target: the rewrite did not take effect. FAILED, saying the task
  was killed before the rewrite completed and what the dictionary shows, so the object is a
  candidate again (nothing changed);
- the object no longer exists: FAILED, saying so.

A rollback recovered as SUCCESS marks the execution it undid ROLLED_BACK, as a finished one
does.

An execution whose run Airflow reports running, or cannot report on (None), is left alone.
The DAG of a run is read from hcc_dag_runs (its first task recorded it), so a fleet's
suffixed DAG ids need no guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.repository.tables import compression_executions, dag_run_log
from hcc_operators.warehouse.base import Warehouse

#: (dag_id, run_id) -> is that run still running? None when it cannot be told.
DagRunAlive = Callable[[str, str], bool | None]

KILLED = "KILLED"


@dataclass(frozen=True)
class CompressionRecovery:
    execution_id: int
    label: str
    operation: str
    status: str  # SUCCESS or FAILED
    note: str


def recover_compressions(
    warehouse: Warehouse, engine: Engine, *, now: datetime, dag_run_alive: DagRunAlive
) -> list[CompressionRecovery]:
    c = compression_executions.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(compression_executions).where(c.status == "RUNNING").order_by(c.execution_id)
        ).all()
        dags = _dag_of_runs(conn, {r.dag_run_id for r in rows if r.dag_run_id})
    found = []
    for row in rows:
        dag = dags.get(row.dag_run_id)
        if dag is None or dag_run_alive(dag, row.dag_run_id) is not False:
            continue
        decided = _decide(warehouse, engine, row, dag, now)
        if decided is not None:
            found.append(decided)
    return found


def _dag_of_runs(conn, run_ids: set[str]) -> dict[str, str]:
    if not run_ids:
        return {}
    r = dag_run_log.c
    rows = conn.execute(select(r.dag_run_id, r.dag_id).where(r.dag_run_id.in_(sorted(run_ids))))
    return {run_id: dag for run_id, dag in rows}


def _decide(
    warehouse: Warehouse, engine: Engine, row, dag: str, now: datetime
) -> CompressionRecovery | None:
    ref = ObjectRef(row.owner, row.table_name, row.partition_name, row.subpartition_name)
    live = warehouse.segment(ref)
    target = CompressionType.parse(row.compression_to) if row.compression_to else None
    killed = f"run {row.dag_run_id} of {dag} ended with this {row.operation} RUNNING (killed)"
    values: dict = {"finished_at": now, "error_code": KILLED}
    if live is None:
        status, note = "FAILED", f"{killed}; {ref.label} no longer exists"
    elif target is not None and live.compression == target:
        status = "SUCCESS"
        note = (
            f"{killed}; the dictionary shows {ref.label} at {target.value}: the rewrite took "
            f"effect; size after read at recovery ({now.isoformat()})"
        )
        before = row.bytes_before
        values |= {
            "bytes_after": live.bytes,
            "space_saved": (before - live.bytes) if before is not None else None,
            "achieved_ratio": (before / live.bytes) if before and live.bytes else None,
            "tablespace_to": live.tablespace,
            "error_code": None,
        }
    else:
        status = "FAILED"
        note = (
            f"{killed}; the dictionary shows {ref.label} at {live.compression.value}, not "
            f"{row.compression_to}: the rewrite did not take effect and nothing changed"
        )
    values |= {"status": status, "error_message": note}
    with engine.begin() as conn:
        # Only if still RUNNING: a concurrent recovery or a late finish wins, never twice.
        changed = conn.execute(
            update(compression_executions)
            .where(
                compression_executions.c.execution_id == row.execution_id,
                compression_executions.c.status == "RUNNING",
            )
            .values(**values)
        ).rowcount
        if changed and status == "SUCCESS" and row.operation == "ROLLBACK" and row.rollback_of:
            # As a rollback that finished would have: the execution it undid is ROLLED_BACK.
            conn.execute(
                update(compression_executions)
                .where(compression_executions.c.execution_id == row.rollback_of)
                .values(status="ROLLED_BACK")
            )
    if not changed:
        return None
    return CompressionRecovery(row.execution_id, ref.label, row.operation, status, note)

"""Every DAG run of the package, in hcc_dag_runs: what kind of run, what it did, how it ended.

Operators call ``start_run`` first and ``finish_run`` last. A cleared or retried run calls
``start_run`` again with the same (dag_id, dag_run_id): the existing row is reopened rather
than duplicated, so the table holds one row per DAG run whatever the retries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.errors import ConfigError
from hcc_operators.repository.tables import dag_run_log

RUN_TYPES = ("scheduled", "manual", "backfill", "forced")
#: Airflow DagRunType values -> ours; an asset-triggered run is started by data, not a person.
_AIRFLOW_RUN_TYPES = {
    "scheduled": "scheduled",
    "manual": "manual",
    "backfill": "backfill",
    "backfill_job": "backfill",
    "asset_triggered": "scheduled",
    "dataset_triggered": "scheduled",
    "asset_materialization": "scheduled",
    # Started by TriggerDagRunOperator in another DAG: a deliberate request, not the schedule.
    "operator_triggered": "manual",
}
STATUSES = ("RUNNING", "SUCCESS", "PARTIAL", "FAILED")


@dataclass(frozen=True)
class DagRunRecord:
    run_log_id: int
    dag_id: str
    dag_run_id: str
    run_type: str
    status: str
    objects_extracted: int
    actions_done: int
    errors: int
    summary: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_log_id": self.run_log_id,
            "dag_id": self.dag_id,
            "dag_run_id": self.dag_run_id,
            "run_type": self.run_type,
            "status": self.status,
            "objects_extracted": self.objects_extracted,
            "actions_done": self.actions_done,
            "errors": self.errors,
            "summary": self.summary,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_s": self.duration_s,
        }


def classify_run_type(airflow_run_type: Any, *, forced: bool = False) -> str:
    """Our run type from Airflow's DagRunType (enum or string) and the run's force Param."""
    if forced:
        return "forced"
    text = str(getattr(airflow_run_type, "value", airflow_run_type) or "").strip().lower()
    try:
        return _AIRFLOW_RUN_TYPES[text]
    except KeyError:
        raise ConfigError(
            f"unknown DAG run type {airflow_run_type!r}; expected one of "
            + ", ".join(sorted(_AIRFLOW_RUN_TYPES)),
            field="run_type",
        ) from None


def start_run(engine: Engine, dag_id: str, dag_run_id: str, run_type: str, now: datetime) -> int:
    """Open (or reopen, for a retried run) the run's row; returns its run_log_id."""
    if run_type not in RUN_TYPES:
        raise ConfigError(
            f"run type {run_type!r} is not one of {', '.join(RUN_TYPES)}", field="run_type"
        )
    with engine.begin() as conn:
        existing = conn.execute(
            select(dag_run_log.c.run_log_id).where(
                dag_run_log.c.dag_id == dag_id, dag_run_log.c.dag_run_id == dag_run_id
            )
        ).first()
        if existing is not None:
            conn.execute(
                update(dag_run_log)
                .where(dag_run_log.c.run_log_id == existing.run_log_id)
                .values(status="RUNNING", run_type=run_type, finished_at=None)
            )
            return existing.run_log_id
        return conn.execute(
            insert(dag_run_log).values(
                dag_id=dag_id,
                dag_run_id=dag_run_id,
                run_type=run_type,
                status="RUNNING",
                objects_extracted=0,
                actions_done=0,
                errors=0,
                started_at=now,
            )
        ).inserted_primary_key[0]


def finish_run(
    engine: Engine,
    run_log_id: int,
    *,
    now: datetime,
    objects_extracted: int = 0,
    actions_done: int = 0,
    errors: int = 0,
    summary: dict[str, Any] | None = None,
    status: str | None = None,
) -> DagRunRecord:
    """Close the run with its counts. Without ``status``: SUCCESS when there were no errors,
    PARTIAL when some actions were done despite errors, FAILED otherwise."""
    for name, value in (
        ("objects_extracted", objects_extracted),
        ("actions_done", actions_done),
        ("errors", errors),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{name} must be a whole number >= 0, got {value!r}", field=name)
    if status is None:
        status = "SUCCESS" if not errors else ("PARTIAL" if actions_done else "FAILED")
    if status not in STATUSES[1:]:
        raise ConfigError(
            f"final status {status!r} is not one of {', '.join(STATUSES[1:])}", field="status"
        )
    with engine.begin() as conn:
        updated = conn.execute(
            update(dag_run_log)
            .where(dag_run_log.c.run_log_id == run_log_id)
            .values(
                status=status,
                objects_extracted=objects_extracted,
                actions_done=actions_done,
                errors=errors,
                summary=json.dumps(summary or {}, default=str, sort_keys=True),
                finished_at=now,
            )
        ).rowcount
    if not updated:
        raise ConfigError(f"no DAG run record {run_log_id}; call start_run first", field="run_id")
    return get_run(engine, run_log_id)


def find_run(engine: Engine, dag_id: str, dag_run_id: str) -> int | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(dag_run_log.c.run_log_id).where(
                dag_run_log.c.dag_id == dag_id, dag_run_log.c.dag_run_id == dag_run_id
            )
        ).first()
    return row.run_log_id if row else None


def get_run(engine: Engine, run_log_id: int) -> DagRunRecord:
    with engine.connect() as conn:
        row = conn.execute(
            select(dag_run_log).where(dag_run_log.c.run_log_id == run_log_id)
        ).first()
    if row is None:
        raise ConfigError(f"no DAG run record {run_log_id}", field="run_id")
    return _record(row)


def recent_runs(
    engine: Engine, *, limit: int = 10, dag_id: str | None = None
) -> list[DagRunRecord]:
    query = select(dag_run_log).order_by(dag_run_log.c.started_at.desc()).limit(limit)
    if dag_id is not None:
        query = query.where(dag_run_log.c.dag_id == dag_id)
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(query)]


def _record(row) -> DagRunRecord:
    return DagRunRecord(
        row.run_log_id,
        row.dag_id,
        row.dag_run_id,
        row.run_type,
        row.status,
        row.objects_extracted,
        row.actions_done,
        row.errors,
        json.loads(row.summary) if row.summary else {},
        row.started_at,
        row.finished_at,
    )

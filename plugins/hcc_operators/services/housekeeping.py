"""Housekeeping: retention, recovery of what dead workers left RUNNING, health checks with
de-duplicated alerts.

A RUNNING item is never marked FAILED without looking: recovery (services/recovery.py) reads
the live dictionary and records what really happened. An item untouched for
``stuck_running_hours`` counts as lost even if its own lease says otherwise. Without a
warehouse to look at, stuck items are only counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.engine import Engine

from hcc_operators.core.health import Alert, HealthFigures, check, deduplicate
from hcc_operators.core.housekeeping_config import HousekeepingConfig
from hcc_operators.repository.column_types import UtcDateTime
from hcc_operators.repository.evaluation_reads import purge_before
from hcc_operators.repository.tables import (
    alerts,
    compression_executions,
    execution_log,
    ilm_batches,
    ilm_queue,
)
from hcc_operators.services import recovery
from hcc_operators.services.recovery import DagRunAlive, RunAlive
from hcc_operators.warehouse.base import Warehouse

FINISHED = ("SUCCESS", "SKIPPED", "CANCELLED", "FAILED")


def run_housekeeping(
    engine: Engine,
    config: HousekeepingConfig,
    *,
    now: datetime,
    notify: Callable[[Alert], None],
    warehouse: Warehouse | None = None,
    run_alive: RunAlive | None = None,
    dag_run_alive: DagRunAlive | None = None,
) -> dict:
    purged = apply_retention(engine, config, now)
    stuck = timedelta(hours=config.stuck_running_hours)
    if warehouse is not None:
        found = recovery.recover(
            warehouse,
            engine,
            now=now,
            run_alive=run_alive,
            dag_run_alive=dag_run_alive,
            stuck_after=stuck,
        )
        recovered = found.to_dict()
    else:
        recovered = {"summary": "no warehouse to look at: RUNNING items left as they are"}
    raised = raise_alerts(engine, config, now, notify)
    return {
        "purged": purged,
        "recovered": recovered,
        "stuck_running": count_stuck(engine, now - stuck),
        "alerts": [a.key for a in raised],
    }


def apply_retention(engine: Engine, config: HousekeepingConfig, now: datetime) -> dict:
    r = config.retention
    log_cut = now - timedelta(days=r.execution_log_days)
    with engine.begin() as conn:
        return {
            "execution_log": conn.execute(
                delete(execution_log).where(execution_log.c.started_at < log_cut)
            ).rowcount,
            "evaluation_details": purge_before(
                conn, now - timedelta(days=r.evaluation_details_days)
            ),
            "queue": conn.execute(
                delete(ilm_queue).where(
                    and_(
                        ilm_queue.c.status.in_(FINISHED),
                        ilm_queue.c.updated_at < now - timedelta(days=r.finished_queue_days),
                    )
                )
            ).rowcount,
            "alerts": conn.execute(
                delete(alerts).where(alerts.c.raised_at < now - timedelta(days=r.alerts_days))
            ).rowcount,
        }


def count_stuck(engine: Engine, cut: datetime) -> int:
    """Items still RUNNING without an update since ``cut`` (after recovery: none, unless no
    warehouse was given or the live state could not be read)."""
    with engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(ilm_queue)
            .where(and_(ilm_queue.c.status == "RUNNING", ilm_queue.c.updated_at < cut))
        ).scalar()


def health_figures(engine: Engine, config: HousekeepingConfig, now: datetime) -> HealthFigures:
    since = now - timedelta(hours=config.health.failure_window_hours)
    with engine.connect() as conn:
        recent = dict(
            conn.execute(
                select(execution_log.c.status, func.count())
                .where(
                    execution_log.c.started_at >= since,
                    execution_log.c.status.in_(("SUCCESS", "FAILED", "SKIPPED")),
                )
                .group_by(execution_log.c.status)
            ).all()
        )
        backlog = conn.execute(
            select(func.count()).select_from(ilm_queue).where(ilm_queue.c.status == "PENDING")
        ).scalar()
        last_ok = conn.execute(
            select(func.max(ilm_batches.c.finished_at)).where(ilm_batches.c.status == "COMPLETED")
        ).scalar()
        first = conn.execute(select(func.min(ilm_batches.c.started_at))).scalar()
        day = now - timedelta(days=1)
        executions = conn.execute(
            select(compression_executions).where(
                compression_executions.c.status == "SUCCESS",
                compression_executions.c.finished_at >= day,
            )
        ).all()
        enqueued = conn.execute(
            select(func.count()).select_from(ilm_queue).where(ilm_queue.c.enqueued_at >= day)
        ).scalar()
        executed = conn.execute(
            select(func.count())
            .select_from(execution_log)
            .where(
                execution_log.c.started_at >= day,
                execution_log.c.status.in_(("SUCCESS", "SKIPPED")),
            )
        ).scalar()
    shortfalls = [
        (_label(e), e.expected_ratio, e.achieved_ratio)
        for e in executions
        if e.expected_ratio and e.achieved_ratio
    ]
    large = [(_label(e), e.space_saved) for e in executions if e.space_saved]
    return HealthFigures(
        sum(recent.values()),
        recent.get("FAILED", 0),
        backlog,
        _utc(last_ok),
        _utc(first),
        shortfalls,
        large,
        enqueued,
        executed,
    )


def raise_alerts(
    engine: Engine, config: HousekeepingConfig, now: datetime, notify: Callable[[Alert], None]
) -> list[Alert]:
    found = check(health_figures(engine, config, now), config.health, now)
    with engine.connect() as conn:
        last = dict(
            conn.execute(
                select(alerts.c.alert_key, func.max(alerts.c.raised_at)).group_by(
                    alerts.c.alert_key
                )
            ).all()
        )
    fresh = deduplicate(found, {k: _utc(v) for k, v in last.items()}, config.health, now)
    if fresh:
        with engine.begin() as conn:
            conn.execute(
                insert(alerts),
                [
                    {
                        "alert_key": a.key,
                        "severity": a.severity,
                        "message": a.message,
                        "raised_at": now,
                    }
                    for a in fresh
                ],
            )
    for alert in fresh:
        notify(alert)
    return fresh


def _label(row) -> str:
    parts = [f"{row.owner}.{row.table_name}", row.partition_name, row.subpartition_name]
    return ":".join(p for p in parts if p)


def _utc(value):
    # Aggregates (max/min) bypass the column type on SQLite and come back naive or as text.
    return UtcDateTime().process_result_value(value, None)

"""Housekeeping: retention, recovery of what dead workers left RUNNING, health checks and the
delivery of their de-duplicated alerts.

A RUNNING item is never marked FAILED without looking: recovery (services/recovery.py) reads
the live dictionary and records what really happened. An item untouched for
``stuck_running_hours`` counts as lost even if its own lease says otherwise. Without a
warehouse to look at, stuck items are only counted.

Airflow-free: what only Airflow knows (whether the maintenance DAGs are paused, whether a run
is alive) and what the warehouse knows (tablespace usage) come in through callables, and the
alert channels are built by the operator from Airflow's connections and Variables.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select
from sqlalchemy.engine import Engine

from hcc_operators.core.alerts import Alert, AlertChannel
from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.health import (
    DagState,
    DurationFigure,
    HealthFigures,
    TablespaceFigure,
    check,
)
from hcc_operators.core.housekeeping_config import HousekeepingConfig
from hcc_operators.core.models import TablespaceInfo
from hcc_operators.core.queue_control import FINISHED
from hcc_operators.core.units import GIB
from hcc_operators.repository.column_types import UtcDateTime
from hcc_operators.repository.evaluation_reads import purge_before
from hcc_operators.repository.tables import (
    alerts,
    compression_executions,
    execution_log,
    ilm_batches,
    ilm_queue,
    queue_changes,
)
from hcc_operators.services import recovery
from hcc_operators.services.alert_delivery import DeliveryReport, deliver
from hcc_operators.services.recovery import DagRunAlive, RunAlive
from hcc_operators.warehouse.base import Warehouse

log = logging.getLogger(__name__)


def run_housekeeping(
    engine: Engine,
    config: HousekeepingConfig,
    *,
    now: datetime,
    channels: Sequence[AlertChannel] = (),
    where: str = "hcc",
    read_tablespaces: Callable[[], Mapping[str, TablespaceInfo]] | None = None,
    read_dags: Callable[[], Sequence[DagState]] | None = None,
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
    raised, delivery = raise_alerts(
        engine,
        config,
        now,
        channels,
        where=where,
        read_tablespaces=read_tablespaces,
        read_dags=read_dags,
    )
    return {
        "purged": purged,
        "recovered": recovered,
        "stuck_running": count_stuck(engine, now - stuck),
        "alerts": [{"key": a.key, "severity": a.severity, "message": a.message} for a in raised],
        "delivery": delivery.to_dict(),
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
            # An item's audit trail goes with the item, not before it.
            "queue_changes": conn.execute(
                delete(queue_changes).where(
                    queue_changes.c.queue_id.not_in(select(ilm_queue.c.queue_id))
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


def health_figures(
    engine: Engine,
    config: HousekeepingConfig,
    now: datetime,
    *,
    read_tablespaces: Callable[[], Mapping[str, TablespaceInfo]] | None = None,
    read_dags: Callable[[], Sequence[DagState]] | None = None,
) -> HealthFigures:
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
        failures_by_tablespace = _failures_by_tablespace(conn, since)
        durations = _durations(conn, config, now)
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
        tablespaces=_tablespaces(read_tablespaces, failures_by_tablespace),
        dags=tuple(read_dags()) if read_dags else (),
        durations=durations,
    )


# Oracle names the tablespace in its space errors ("... in tablespace TS_ARCHIVE"), and so do
# the package's own pre-checks ("tablespace TS_ARCHIVE has 0 bytes free").
_TABLESPACE_IN_MESSAGE = re.compile(r"\btablespace\s+\"?([A-Za-z][A-Za-z0-9_$#]*)", re.IGNORECASE)


def _tablespace_of(message: str | None, *candidates: str | None) -> str | None:
    found = _TABLESPACE_IN_MESSAGE.search(message or "")
    if found:
        return found.group(1).upper()
    return next((c for c in candidates if c), None)


def _failures_by_tablespace(conn, since: datetime) -> dict[str, Counter]:
    """ORA codes of ILM actions (FAILED or DEFERRED) and compressions (FAILED) since ``since``,
    by the tablespace each concerned: the one its error names, else where it was going, else
    where it was."""
    x, c = execution_log.c, compression_executions.c
    rows = list(
        conn.execute(
            select(x.error_code, x.error_message, x.tablespace_after, x.tablespace_before).where(
                x.started_at >= since, x.status.in_(("FAILED", "DEFERRED"))
            )
        )
    ) + list(
        conn.execute(
            select(c.error_code, c.error_message, c.tablespace_to, c.tablespace_from).where(
                c.started_at >= since, c.status == "FAILED"
            )
        )
    )
    found: dict[str, Counter] = {}
    for code, message, going, was in rows:
        name = _tablespace_of(message, going, was)
        if name:
            found.setdefault(name, Counter())[code or "no code"] += 1
    return found


def _tablespaces(
    read: Callable[[], Mapping[str, TablespaceInfo]] | None, failures: dict[str, Counter]
) -> tuple[TablespaceFigure, ...]:
    if read is None:
        return ()
    try:
        spaces = read()
    except WarehouseError as err:
        # Retention and the other checks still run; the next housekeeping run checks again.
        log.warning("tablespace usage unavailable, tablespace_full not checked: %s", err)
        return ()
    figures = []
    for ts in sorted(spaces.values(), key=lambda t: t.name):
        codes = failures.get(ts.name, Counter())
        # Most frequent first; ties by code, so the message does not depend on row order.
        ordered = sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))
        figures.append(
            TablespaceFigure(
                ts.name, ts.used_percent, sum(codes.values()), tuple(c for c, _ in ordered)
            )
        )
    return tuple(figures)


def _durations(conn, config: HousekeepingConfig, now: datetime) -> tuple[DurationFigure, ...]:
    """Seconds per GiB per kind of execution, recent against the baseline before it."""
    h = config.health
    recent_from = now - timedelta(days=h.duration_recent_days)
    baseline_from = recent_from - timedelta(days=h.duration_baseline_days)
    x, c = execution_log.c, compression_executions.c
    periods: dict[str, dict[str, tuple[int, float, int]]] = {}
    for period, start, end in (
        ("recent", recent_from, now),
        ("baseline", baseline_from, recent_from),
    ):
        ilm = conn.execute(
            select(x.action, func.count(), func.sum(x.duration_s), func.sum(x.bytes_before))
            .where(
                x.status == "SUCCESS",
                x.duration_s > 0,
                x.bytes_before > 0,
                x.started_at >= start,
                x.started_at < end,
            )
            .group_by(x.action)
        ).all()
        compress = conn.execute(
            select(func.count(), func.sum(c.duration_s), func.sum(c.bytes_before)).where(
                c.operation == "COMPRESS",
                c.status == "SUCCESS",
                c.duration_s > 0,
                c.bytes_before > 0,
                c.started_at >= start,
                c.started_at < end,
            )
        ).one()
        rows = [(f"ILM {kind}", n, secs, size) for kind, n, secs, size in ilm]
        rows.append(("hcc_compress", *compress))
        for kind, n, secs, size in rows:
            if n:
                periods.setdefault(kind, {})[period] = (n, float(secs), int(size))
    figures = []
    for kind, by_period in sorted(periods.items()):
        recent_n, recent_rate = _rate(by_period.get("recent"))
        baseline_n, baseline_rate = _rate(by_period.get("baseline"))
        figures.append(DurationFigure(kind, recent_rate, recent_n, baseline_rate, baseline_n))
    return tuple(figures)


def _rate(period: tuple[int, float, int] | None) -> tuple[int, float | None]:
    if period is None:
        return 0, None
    n, seconds, size = period
    return n, seconds / (size / GIB) if size else None


def raise_alerts(
    engine: Engine,
    config: HousekeepingConfig,
    now: datetime,
    channels: Sequence[AlertChannel],
    *,
    where: str,
    read_tablespaces: Callable[[], Mapping[str, TablespaceInfo]] | None = None,
    read_dags: Callable[[], Sequence[DagState]] | None = None,
) -> tuple[list[Alert], DeliveryReport]:
    """Check every declared alert (core.health.ALERTS) and deliver what it finds."""
    figures = health_figures(
        engine, config, now, read_tablespaces=read_tablespaces, read_dags=read_dags
    )
    found = check(figures, config.health, now)
    report = deliver(
        engine,
        found,
        channels,
        now=now,
        quiet=timedelta(minutes=config.health.dedupe_minutes),
        where=where,
    )
    return found, report


def _label(row) -> str:
    parts = [f"{row.owner}.{row.table_name}", row.partition_name, row.subpartition_name]
    return ":".join(p for p in parts if p)


def _utc(value):
    # Aggregates (max/min) bypass the column type on SQLite and come back naive or as text.
    return UtcDateTime().process_result_value(value, None)

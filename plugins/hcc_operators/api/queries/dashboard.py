"""Series behind the dashboard charts and its two tables."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from hcc_operators.api.links import Links
from hcc_operators.api.models import (
    DashboardData,
    DayValue,
    FailureOut,
    LabelValue,
    RatioPoint,
    TemperatureTier,
)
from hcc_operators.api.queries import advisor
from hcc_operators.api.queries.rows import label
from hcc_operators.api.queries.savings import Saving, savings
from hcc_operators.core.names import Dag
from hcc_operators.repository import failures as failures_read
from hcc_operators.repository.tables import (
    compression_executions,
    ilm_queue,
    partition_access,
)

#: The DAG each dashboard action starts (its confirmation asks whether that DAG is paused);
#: each warehouse has its own (``Links.dag_id``).
START_DAGS = {
    "analyse": Dag.ADVISOR,
    "compress": Dag.COMPRESS,
    "rollback": Dag.COMPRESS_ROLLBACK,
}
TOP_CANDIDATES = 10
RECENT_FAILURES = 10
RATIO_POINTS = 50
BACKLOG_DAYS = 30
TEMPERATURE_ORDER = {"HOT": 0, "WARM": 1, "COLD": 2, "FROZEN": 3}


def savings_by_schema(events: list[Saving]) -> list[LabelValue]:
    totals: dict[str, int] = defaultdict(int)
    for s in events:
        totals[s.owner] += s.bytes
    return [LabelValue(label=k, value=v) for k, v in sorted(totals.items(), key=lambda i: -i[1])]


def space_saved_over_time(events: list[Saving]) -> list[DayValue]:
    per_day: dict[str, int] = defaultdict(int)
    for s in events:
        per_day[s.at.date().isoformat()] += s.bytes
    running, series = 0, []
    for day in sorted(per_day):
        running += per_day[day]
        series.append(DayValue(day=day, value=running))
    return series


def recommendations_by_type(engine: Engine) -> list[LabelValue]:
    with engine.connect() as conn:
        counts = advisor.recommendations_by_type(conn)
    return [LabelValue(label=t, value=n) for t, n in counts.items()]


def estimated_vs_achieved(engine: Engine) -> list[RatioPoint]:
    c = compression_executions.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(compression_executions)
            .where(
                c.operation == "COMPRESS",
                c.status.in_(("SUCCESS", "ROLLED_BACK")),
                c.expected_ratio.is_not(None),
                c.achieved_ratio.is_not(None),
            )
            .order_by(c.execution_id.desc())
            .limit(RATIO_POINTS)
        ).all()
    return [
        RatioPoint(
            object=label(r),
            compression=r.compression_to,
            estimated=r.expected_ratio,
            achieved=r.achieved_ratio,
        )
        for r in reversed(rows)
    ]


def partitions_by_temperature(engine: Engine) -> list[TemperatureTier]:
    p = partition_access.c
    tier = func.coalesce(p.tablespace_name, "?")
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                p.temperature, tier, func.count(), func.coalesce(func.sum(p.size_bytes), 0)
            ).group_by(p.temperature, tier)
        ).all()
    items = [
        TemperatureTier(temperature=t, tablespace=ts, partitions=n, size_bytes=int(b))
        for t, ts, n, b in rows
    ]
    return sorted(items, key=lambda i: (TEMPERATURE_ORDER.get(i.temperature, 9), i.tablespace))


def backlog_over_time(engine: Engine, now: datetime) -> list[DayValue]:
    """Pending items at the end of each day, reconstructed from the queue rows.

    The queue keeps no status history, so an item that is no longer PENDING is taken to have
    been pending from enqueued_at until its last update: exact for items finished in one step,
    and an underestimate only for items that went back to PENDING after a failure.
    """
    q = ilm_queue.c
    with engine.connect() as conn:
        rows = conn.execute(select(q.status, q.enqueued_at, q.updated_at)).all()
    if not rows:
        return []
    today = now.astimezone(UTC).date()
    first = max(min(r.enqueued_at for r in rows).date(), today - timedelta(days=BACKLOG_DAYS - 1))
    series = []
    day = first
    while day <= today:
        end = min(datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC), now)
        pending = sum(
            1
            for r in rows
            if r.enqueued_at <= end and (r.status == "PENDING" or r.updated_at > end)
        )
        series.append(DayValue(day=day.isoformat(), value=pending))
        day += timedelta(days=1)
    return series


def recent_failures(engine: Engine, links: Links) -> list[FailureOut]:
    with engine.connect() as conn:
        failures = failures_read.recent_failures(conn, RECENT_FAILURES)
    return [
        FailureOut(
            source=f.source,
            object=f.object,
            action=f.action,
            error_code=f.error_code,
            error_message=f.error_message,
            at=f.at,
            dag_id=links.work_dag(f.source, f.operation),
            dag_run_id=f.dag_run_id,
            map_index=f.map_index,
            ui_url=links.work(f.source, f.operation, f.dag_run_id, f.map_index),
            resolved=f.resolved,
            resolved_at=f.resolved_at,
            resolved_by=f.resolved_by,
            warehouse=links.warehouse,
        )
        for f in failures
    ]


def dashboard_data(engine: Engine, *, now: datetime, links: Links) -> DashboardData:
    top = advisor.recommendations(
        engine,
        run_id=None,
        schema=None,
        compression_type=None,
        min_savings=None,
        limit=TOP_CANDIDATES,
        offset=0,
    )
    events = savings(engine)
    return DashboardData(
        generated_at=now,
        warehouse=links.warehouse,
        start_dags={action: links.dag_id(dag) for action, dag in START_DAGS.items()},
        latest_run=advisor.get_run(engine, None, now=now, links=links),
        savings_by_schema=savings_by_schema(events),
        recommendations_by_type=recommendations_by_type(engine),
        estimated_vs_achieved=estimated_vs_achieved(engine),
        partitions_by_temperature=partitions_by_temperature(engine),
        space_saved_over_time=space_saved_over_time(events),
        backlog_over_time=backlog_over_time(engine, now),
        top_candidates=top.items,
        recent_failures=recent_failures(engine, links),
    )

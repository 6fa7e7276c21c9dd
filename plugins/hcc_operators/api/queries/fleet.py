"""The fleet overview: per warehouse, the dashboard's headline figures and its next window.

Each figure is the dashboard's own definition, read from that warehouse's repository: space
saved is the sum of ``savings()`` (what the dashboard's *Space saved* charts add up), backlog is
the PENDING queue items, failures are the dashboard's *Recent failures* list (its latest
``RECENT_FAILURES``) and how many of them no later attempt has resolved. Windows come from the
warehouse's own schedule (its time zone, holidays and blackouts: core.windows).

One warehouse's failure is that warehouse's row (``status: unreachable`` with the reason), never
the whole answer's: the repositories are read one by one, a few at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from hcc_operators.api.dependencies import RepositoryUnavailable, describe_error
from hcc_operators.api.models import FleetWarehouseOut, WindowOut
from hcc_operators.api.queries.dashboard import RECENT_FAILURES
from hcc_operators.api.queries.savings import savings
from hcc_operators.core.fleet import Fleet, WarehouseSpec
from hcc_operators.core.names import Dag, dag_id
from hcc_operators.core.windows import Window, WindowCalendar
from hcc_operators.repository import failures as failures_read
from hcc_operators.repository.tables import ilm_queue

log = logging.getLogger(__name__)

#: Repositories read at once: a fleet of 20 with one slow database still answers in the time
#: of the slowest few, not of all in a row.
PARALLEL_READS = 8


@dataclass(frozen=True)
class Figures:
    space_saved_bytes: int
    backlog: int
    backlog_bytes: int
    recent_failures: int
    open_failures: int


def figures(engine: Engine) -> Figures:
    """The headline figures of one repository (raises when it cannot be read)."""
    saved = sum(s.bytes for s in savings(engine))
    q = ilm_queue.c
    pending = q.status == "PENDING"
    with engine.connect() as conn:
        backlog, backlog_bytes = conn.execute(
            select(func.count(), func.coalesce(func.sum(q.size_bytes), 0)).where(pending)
        ).one()
        recent = failures_read.recent_failures(conn, RECENT_FAILURES)
    return Figures(
        space_saved_bytes=int(saved),
        backlog=int(backlog),
        backlog_bytes=int(backlog_bytes or 0),
        recent_failures=len(recent),
        open_failures=sum(1 for f in recent if not f.resolved),
    )


def window_out(window: Window, calendar: WindowCalendar) -> WindowOut:
    return WindowOut(
        day=window.day.isoformat(),
        kind=window.kind.value,
        opens_at=window.start,
        closes_at=window.end,
        opens_local=window.start.astimezone(calendar.zone),
        closes_local=window.end.astimezone(calendar.zone),
    )


def windows(spec: WarehouseSpec, now: datetime) -> dict:
    """timezone, current_window, next_window and window_error of one warehouse."""
    timezone = None
    try:
        schedule = spec.schedule
        timezone = schedule.timezone
        calendar = WindowCalendar(schedule)
        current = calendar.window_at(now)
        upcoming = calendar.next_window(now)
    except Exception as err:  # a bad schedule or holiday table is this row's
        log.warning("warehouse %s: no window: %s", spec.name, err)
        return {
            "timezone": timezone,
            "current_window": None,
            "next_window": None,
            "window_error": describe_error(err),
        }
    return {
        "timezone": timezone,
        "current_window": window_out(current, calendar) if current else None,
        "next_window": window_out(upcoming, calendar),
        "window_error": None,
    }


def warehouse_row(
    spec: WarehouseSpec, figures_of: Callable[[WarehouseSpec], Figures], now: datetime
) -> FleetWarehouseOut:
    base = {
        "name": spec.name,
        "description": spec.description,
        "conn_id": spec.conn_id,
        "is_default": spec.is_default,
        "dag_ids": {dag.value: dag_id(dag, spec.name) for dag in Dag},
        **windows(spec, now),
    }
    try:
        found = figures_of(spec)
    except Exception as err:  # one warehouse down is its row, not a 500
        log.warning("warehouse %s: repository unreadable: %s", spec.name, err)
        # The row names the warehouse already: say what went wrong with it.
        cause = err.cause if isinstance(err, RepositoryUnavailable) else err
        return FleetWarehouseOut(
            **base,
            status="unreachable",
            error=describe_error(cause),
            space_saved_bytes=None,
            backlog=None,
            backlog_bytes=None,
            recent_failures=None,
            open_failures=None,
        )
    return FleetWarehouseOut(**base, status="ok", error=None, **found.__dict__)


def fleet_rows(
    fleet: Fleet | list[WarehouseSpec],
    figures_of: Callable[[WarehouseSpec], Figures],
    now: datetime,
) -> list[FleetWarehouseOut]:
    """One row per warehouse, in the fleet's order."""
    specs = list(fleet)
    if len(specs) <= 1:
        return [warehouse_row(spec, figures_of, now) for spec in specs]
    with ThreadPoolExecutor(max_workers=min(PARALLEL_READS, len(specs))) as pool:
        return list(pool.map(lambda spec: warehouse_row(spec, figures_of, now), specs))

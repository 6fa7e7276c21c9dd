"""Once-a-day trigger instants at a wall-clock time in a time zone, DST-safe.

The daily DAGs (advisor, refresh, housekeeping) run at a local time from schedule.yaml.
Each day's trigger is that wall time resolved by core.local_time's one rule: on the spring
night a missing time runs at the instant the clocks jump, on the autumn night a doubled time
runs once, at its first occurrence. Triggers are therefore exactly one per local day and
always increase, which is what the timetable (timetables.DailyTimetable) needs.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hcc_operators.core.local_time import as_utc, resolve_wall_time

_DAY = timedelta(days=1)


def trigger_on(day, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``day``'s run (``day`` a local calendar date)."""
    return resolve_wall_time(datetime.combine(day, at), zone)


def _around(instant: datetime, at: time, zone: ZoneInfo) -> list[datetime]:
    local_day = as_utc(instant).astimezone(zone).date()
    return [trigger_on(local_day + n * _DAY, at, zone) for n in (-1, 0, 1)]


def next_trigger(after: datetime, at: time, zone: ZoneInfo, *, inclusive: bool) -> datetime:
    """The first trigger at or after ``after`` (``inclusive``) or strictly after it."""
    moment = as_utc(after, name="after")
    for candidate in _around(moment, at, zone):
        if candidate > moment or (inclusive and candidate == moment):
            return candidate
    raise AssertionError("a trigger lies within one day of every instant")


def previous_trigger(before: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The last trigger at or before ``before``."""
    moment = as_utc(before, name="before")
    return max(c for c in _around(moment, at, zone) if c <= moment)

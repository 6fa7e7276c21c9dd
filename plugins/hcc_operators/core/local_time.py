"""Turning local wall-clock times into instants, with one rule for DST nights.

A maintenance window is written in wall-clock time ("22:00-06:00 Europe/Berlin"), but slots
and Airflow data intervals must be instants. Twice a year a wall time is either missing or
shown twice, and the rule below is what keeps slot boundaries in order:

* a time that does not exist (spring forward) resolves FORWARD to the instant the clocks jump,
  i.e. the first instant after the gap. Several wall times inside one gap therefore collapse
  onto the same instant (callers drop the resulting empty intervals) and never reorder.
* a time shown twice (fall back) resolves to its FIRST occurrence (fold=0). For a window's
  close that is the earlier, more conservative end: work stops the first time the clock says
  so, which is what the people depending on the system being back expect.

With both rules the mapping wall time -> instant never decreases, so boundaries computed in
wall-clock order stay in order in absolute time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_SECOND = timedelta(seconds=1)


def resolve_wall_time(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the clocks in ``zone`` show the naive ``wall`` time."""
    if wall.tzinfo is not None:
        raise ValueError(f"resolve_wall_time expects a naive wall-clock time, got {wall!r}")
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    return _transition_into_gap(wall, zone, after=first)


def _transition_into_gap(wall: datetime, zone: ZoneInfo, *, after: datetime) -> datetime:
    # Inside a gap, fold=1 applies the offset after the jump (an instant before the transition)
    # and fold=0 the offset before it (an instant after): the jump lies between the two.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    target = after.astimezone(zone).utcoffset()
    while after - before > _SECOND:
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == target:
            after = middle
        else:
            before = middle
    return after


def as_utc(instant: datetime, *, name: str = "instant") -> datetime:
    """``instant`` in UTC; refuses naive datetimes, whose meaning would depend on the host."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant!r}")
    return instant.astimezone(UTC)

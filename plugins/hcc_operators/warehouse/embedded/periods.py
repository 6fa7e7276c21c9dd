"""Month arithmetic and the partition periods a table layout produces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from the month of ``earlier`` to the month of ``later``."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


@dataclass(frozen=True)
class Period:
    name: str
    start: date
    end: date | None  # exclusive upper bound; None for MAXVALUE
    interval: bool = False


def monthly(first: date, last_start: date) -> list[Period]:
    periods, month = [], month_start(first)
    while month <= last_start:
        periods.append(Period(f"P_{month:%Y_%m}", month, add_months(month, 1)))
        month = add_months(month, 1)
    return periods


def yearly(first_year: int, last_year: int) -> list[Period]:
    return [
        Period(f"P_{y}", date(y, 1, 1), date(y + 1, 1, 1)) for y in range(first_year, last_year + 1)
    ]


@lru_cache(maxsize=1024)
def layout_periods(
    layout: str,
    start: date,
    today: date,
    *,
    yearly_until: int | None = None,
    maxvalue: bool = False,
    interval_names: tuple[str, ...] | None = None,
) -> tuple[Period, ...]:
    """Partitions of a table from ``start`` up to ``today``.

    Range-partitioned tables have the next period pre-created (as DBAs do so loads never
    fail); interval tables get a partition only when rows arrive, so they stop at today.
    """
    this_month = month_start(today)
    if layout in ("MONTHLY", "COMPOSITE"):
        periods = monthly(start, add_months(this_month, 1))
    elif layout == "YEARLY":
        periods = yearly(start.year, today.year + 1)
    elif layout == "YEARLY_THEN_MONTHLY":
        cut = min(yearly_until or start.year, today.year - 1)
        periods = yearly(start.year, cut) + monthly(date(cut + 1, 1, 1), add_months(this_month, 1))
    elif layout == "INTERVAL":
        months = monthly(start, this_month)
        names = interval_names or []
        periods = months[:1] + [
            Period(names[i] if i < len(names) else p.name, p.start, p.end, interval=True)
            for i, p in enumerate(months[1:])
        ]
    else:
        raise ValueError(f"layout {layout!r} has no partitions")
    if maxvalue:
        last_end = periods[-1].end or today
        periods.append(Period("P_MAX", last_end, None))
    return tuple(periods)

"""Facts about a partition that depend on its neighbours: newest, and its consolidation period.

A range partition holds ``[lower, upper)``, where ``lower`` is the bound of the partition below
it. It lies wholly within a calendar period (a year or a quarter) when its rows can only be of
that period; the first partition has no lower bound, so it lies within none. The partitions
wholly within one period are what a MERGE consolidates into one partition named for the period
(``P_2019``, ``P_2019_Q3``): one multi-partition MERGE per period, never a partition at a time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta


class Period(enum.StrEnum):
    YEAR = "year"
    QUARTER = "quarter"


#: The names a policy may use for consolidation, and the period each means.
PERIOD_OF = {"yearly": Period.YEAR, "quarterly": Period.QUARTER}

#: Default names of a consolidated partition (policies may give their own template).
DEFAULT_NAME_TEMPLATE = {Period.YEAR: "P_{year}", Period.QUARTER: "P_{year}_Q{quarter}"}


@dataclass(frozen=True)
class PartitionBounds:
    name: str
    position: int
    upper_bound: datetime | None  # None for MAXVALUE / non-date bounds
    tablespace: str | None
    size_bytes: int = 0


@dataclass(frozen=True)
class PeriodFacts:
    """The period a partition lies wholly within, and the partitions sharing it."""

    period: Period
    year: int
    quarter: int  # 1..4 for a quarter, 0 for a year
    last_day: date  # the period's last day
    members: tuple[str, ...]  # partitions wholly within the period, ascending bound order
    bytes: int

    @property
    def key(self) -> str:
        return str(self.year) if self.period is Period.YEAR else f"{self.year}Q{self.quarter}"

    def result_name(self, template: str | None = None) -> str:
        """The consolidated partition's name (not validated here; core.identifiers does)."""
        text = template or DEFAULT_NAME_TEMPLATE[self.period]
        return text.format(year=self.year, quarter=self.quarter)

    def is_last(self, name: str) -> bool:
        return bool(self.members) and self.members[-1] == name


@dataclass(frozen=True)
class LayoutFacts:
    is_newest: bool
    periods: dict[Period, PeriodFacts | None] = field(default_factory=dict)


def last_day(bound: datetime) -> date:
    """The last day a partition bounded by ``bound`` holds rows for: a bound at midnight
    excludes that day, a bound with a time still admits rows on it."""
    day = bound.date()
    return day - timedelta(days=1) if bound.time() == datetime.min.time() else day


def period_of(day: date, period: Period) -> tuple[int, int, date, date]:
    """(year, quarter, first day, last day) of the period holding ``day``."""
    quarter = (day.month - 1) // 3 + 1
    if period is Period.YEAR:
        return day.year, quarter, date(day.year, 1, 1), date(day.year, 12, 31)
    first = date(day.year, 3 * quarter - 2, 1)
    following = date(day.year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return day.year, quarter, first, following - timedelta(days=1)


def layout_facts(partitions: list[PartitionBounds]) -> dict[str, LayoutFacts]:
    """Facts for every partition of ONE table."""
    ordered = sorted(partitions, key=lambda p: p.position)
    within: dict[Period, list[tuple[int, int, date] | None]] = {}
    for period in Period:
        keys: list[tuple[int, int, date] | None] = []
        for i, part in enumerate(ordered):
            lower = ordered[i - 1].upper_bound if i > 0 else None
            keys.append(_within(lower, part.upper_bound, period))
        within[period] = keys
    groups: dict[Period, dict[tuple[int, int, date], list[PartitionBounds]]] = {}
    for period, keys in within.items():
        found: dict[tuple[int, int, date], list[PartitionBounds]] = {}
        for part, key in zip(ordered, keys, strict=True):
            if key is not None:
                found.setdefault(key, []).append(part)
        groups[period] = found
    facts: dict[str, LayoutFacts] = {}
    for i, part in enumerate(ordered):
        periods: dict[Period, PeriodFacts | None] = {}
        for period in Period:
            key = within[period][i]
            if key is None:
                periods[period] = None
                continue
            members = groups[period][key]
            periods[period] = PeriodFacts(
                period=period,
                year=key[0],
                quarter=key[1],
                last_day=key[2],
                members=tuple(m.name for m in members),
                bytes=sum(m.size_bytes for m in members),
            )
        facts[part.name] = LayoutFacts(is_newest=(i == len(ordered) - 1), periods=periods)
    return facts


def _within(
    lower: datetime | None, upper: datetime | None, period: Period
) -> tuple[int, int, date] | None:
    """(year, quarter, last day of the period) when [lower, upper) lies wholly in one period."""
    if lower is None or upper is None:
        return None
    year, quarter, first, last = period_of(last_day(upper), period)
    # Rows from ``lower`` on are in the partition: none before the period's first day.
    if lower.replace(tzinfo=None) < datetime.combine(first, datetime.min.time()):
        return None
    # A year's partitions are one group whatever quarter each falls in.
    return year, quarter if period is Period.QUARTER else 0, last

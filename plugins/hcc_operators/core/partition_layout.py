"""Facts about a partition that depend on its neighbours: newest, and its merge target.

Monthly-into-yearly merging works pairwise: a monthly partition merges into the partition just
below it when that one holds only the same calendar year and sits in the same tablespace, so
repeated merges fold a year's months into one segment (Oracle keeps the lower partition's name).
A partition never merges across a year boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class PartitionBounds:
    name: str
    position: int
    upper_bound: datetime | None  # None for MAXVALUE / non-date bounds
    tablespace: str | None


@dataclass(frozen=True)
class LayoutFacts:
    is_newest: bool
    merge_target: str | None


def _last_day(bound: datetime) -> date:
    # A bound at midnight excludes that day; a bound with a time still admits rows on it.
    day = bound.date()
    return day - timedelta(days=1) if bound.time() == datetime.min.time() else day


def layout_facts(partitions: list[PartitionBounds]) -> dict[str, LayoutFacts]:
    """Facts for every partition of ONE table."""
    ordered = sorted(partitions, key=lambda p: p.position)
    facts: dict[str, LayoutFacts] = {}
    for i, part in enumerate(ordered):
        target = None
        if i > 0 and part.upper_bound is not None:
            below = ordered[i - 1]
            lower_of_below = ordered[i - 2].upper_bound if i > 1 else None
            if _same_year_only(below, lower_of_below, _last_day(part.upper_bound).year) and (
                below.tablespace == part.tablespace
            ):
                target = below.name
        facts[part.name] = LayoutFacts(is_newest=(i == len(ordered) - 1), merge_target=target)
    return facts


def _same_year_only(below: PartitionBounds, lower_of_below: datetime | None, year: int) -> bool:
    """Does ``below`` hold rows of ``year`` only (so merging keeps a one-year partition)?"""
    if below.upper_bound is None or _last_day(below.upper_bound).year != year:
        return False
    # Without a lower neighbour the first partition's range is unbounded below: not one year.
    return lower_of_below is not None and lower_of_below >= datetime(year, 1, 1)

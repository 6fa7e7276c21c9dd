"""How old a partition is and how warm that makes it.

A range partition holds rows *before* its HIGH_VALUE, so the youngest row it can hold is dated
the day before the bound. Age counts from that last day: on the bound date itself a partition is
1 day old, and a partition whose bound is still in the future (it is being loaded) is 0 days and
0 months old. Counting from the last day rather than the bound means "older than 3 months" is
true only once every row in the partition is older than 3 months.

Months follow Oracle's ADD_MONTHS: a date on the last day of its month maps to the last day of
the target month, so monthly partitions (whose last day is always a month end) age by one month
on each month end.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta


class Temperature(enum.StrEnum):
    HOT = "HOT"
    WARM = "WARM"
    COLD = "COLD"
    FROZEN = "FROZEN"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Upper age limits (exclusive, in days) of the HOT, WARM and COLD bands."""

    hot_days: int
    warm_days: int
    cold_days: int

    def __post_init__(self) -> None:
        if self.hot_days < 1:
            raise ValueError(f"hot_days must be at least 1, got {self.hot_days}")
        if not self.hot_days < self.warm_days < self.cold_days:
            raise ValueError(
                "thresholds must be strictly increasing (hot_days < warm_days < cold_days), "
                f"got {self.hot_days}/{self.warm_days}/{self.cold_days}"
            )


#: Used when the configuration defines no DEFAULT profile: about 3 months, 1 year, 3 years.
BUILTIN_THRESHOLDS = Thresholds(hot_days=90, warm_days=365, cold_days=1095)


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def last_day(upper_bound: date | datetime) -> date:
    """The last day a partition bounded by ``upper_bound`` can hold rows for.

    A bound with a time of day after midnight still admits rows on that day.
    """
    if isinstance(upper_bound, datetime) and upper_bound.time() != datetime.min.time():
        return upper_bound.date()
    return _as_date(upper_bound) - timedelta(days=1)


def age_days(upper_bound: date | datetime, reference: date | datetime) -> int:
    return max((_as_date(reference) - last_day(upper_bound)).days, 0)


def add_months(day: date, months: int) -> date:
    """Oracle ADD_MONTHS: month-end dates stay month-end, other days clamp to the month length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    month_len = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, month_len)
    return date(year, month, min(day.day, month_len))


def age_months(upper_bound: date | datetime, reference: date | datetime) -> int:
    """Whole months from the partition's last day to ``reference``."""
    start = last_day(upper_bound)
    ref = _as_date(reference)
    if ref <= start:
        return 0
    months = (ref.year - start.year) * 12 + ref.month - start.month
    if add_months(start, months) > ref:
        months -= 1
    return max(months, 0)


def band(days: int, thresholds: Thresholds) -> Temperature:
    if days < thresholds.hot_days:
        return Temperature.HOT
    if days < thresholds.warm_days:
        return Temperature.WARM
    if days < thresholds.cold_days:
        return Temperature.COLD
    return Temperature.FROZEN


def days_since(moment: date | datetime | None, reference: date | datetime) -> int | None:
    if moment is None:
        return None
    return max((_as_date(reference) - _as_date(moment)).days, 0)


def temperature(
    days: int, thresholds: Thresholds, *, last_access_days: int | None = None
) -> Temperature:
    """The band for ``days`` of age, warmed to HOT by a recent Heat Map access.

    Heat Map only ever warms a partition: an old partition read yesterday is HOT, but a young
    partition nobody reads stays in its age band, because a missing access may just mean Heat
    Map was off or its tracking window is shorter than the partition's life.
    """
    if last_access_days is not None and last_access_days < thresholds.hot_days:
        return Temperature.HOT
    return band(days, thresholds)


def partition_temperature(
    upper_bound: date | datetime,
    reference: date | datetime,
    thresholds: Thresholds,
    *,
    last_access: date | datetime | None = None,
) -> Temperature:
    return temperature(
        age_days(upper_bound, reference),
        thresholds,
        last_access_days=days_since(last_access, reference),
    )

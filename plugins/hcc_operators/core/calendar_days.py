"""What kind of day a local calendar date is: weekday, weekend, holiday or blackout.

The kind of the day a window OPENS on decides that window (see core.windows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from hcc_operators.core import holiday_source
from hcc_operators.core.schedule_config import HolidaySpec, ScheduleConfig, Treatment


class DayKind(StrEnum):
    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # a holiday treated as a weekend day
    BLACKOUT = "blackout"  # a holiday on which no window opens


@dataclass(frozen=True)
class DayInfo:
    day: date
    kind: DayKind
    holidays: tuple[str, ...] = ()  # names of the holidays on this date, treated or ignored


class DayCalendar:
    """Classifies local dates from a ScheduleConfig; holiday years are computed on demand."""

    def __init__(self, config: ScheduleConfig):
        self._config = config
        self._weekend_days = frozenset(d.index for d in config.weekend.days)
        spec = config.holidays
        self._table = (
            holiday_source.country_holidays(spec.country, spec.subdivision, spec.language)
            if spec.country
            else None
        )
        self._by_name = {name.casefold(): t for name, t in spec.by_name.items()}

    def info(self, day: date) -> DayInfo:
        names = self._holiday_names(day)
        treatment = self._treatment(day, names) if names else Treatment.IGNORE
        if treatment is Treatment.BLACKOUT:
            kind = DayKind.BLACKOUT
        elif treatment is Treatment.WEEKEND:
            kind = DayKind.HOLIDAY
        elif day.weekday() in self._weekend_days:
            kind = DayKind.WEEKEND
        else:
            kind = DayKind.WEEKDAY
        return DayInfo(day, kind, names)

    def kind(self, day: date) -> DayKind:
        return self.info(day).kind

    def _holiday_names(self, day: date) -> tuple[str, ...]:
        names: list[str] = []
        if self._table is not None and day in self._table:
            names.extend(self._table.get_list(day))
        extra = self._config.holidays.extra_dates.get(day)
        if extra is not None and extra not in names:
            names.append(extra)
        return tuple(names)

    def _treatment(self, day: date, names: tuple[str, ...]) -> Treatment:
        spec: HolidaySpec = self._config.holidays
        if day in spec.by_date:
            return spec.by_date[day]
        # Several holidays on one date: the strictest treatment protects all of them.
        treatments = [self._by_name.get(n.casefold(), spec.treatment) for n in names]
        return max(treatments, key=lambda t: t.strictness)

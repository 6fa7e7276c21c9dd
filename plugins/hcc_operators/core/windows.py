"""Maintenance windows and their run slots as instants, from schedule.yaml.

Rules (the tests hold the examples):

* A window belongs to the local date on which it OPENS, and that date's kind picks it:
  weekday -> the weekday window; weekend day or holiday treated as weekend -> the weekend window
  (none at all when weekends are disabled); blackout holiday -> no window.
  So Friday night is a weekday night (22:00 Fri -> 06:00 Sat) and Sunday night, although
  Monday is a working day, is a weekend night (20:00 Sun -> 08:00 Mon). Sunday night is as quiet
  as Saturday night in most shops, and the config refuses a weekend close later than the
  weekday open, so it never eats into Monday's business hours more than the config says.
  A blackout date opens no window, but the previous evening's window still runs into its early
  morning; make the eve a blackout too (holidays.extra_dates) to freeze that night as well.
* Slots follow the wall clock: open, open + every, ... and the last is cut at close, so on every
  night runs start at the same local times (22:00, 00:00, 02:00, 04:00). Wall times become
  instants by core.local_time's rule (gap -> forward to the jump, repeated hour -> first
  occurrence), boundaries that collapse onto one instant are dropped, and so on DST nights a
  slot or window is an hour shorter or longer in absolute time, never empty, never doubled,
  and consecutive slots of a window stay contiguous.
* Every interval is half-open [start, end). Every datetime handed out is aware and in UTC:
  Python subtracts two datetimes that share one ZoneInfo by wall clock, ignoring DST, which is
  exactly the mistake this module exists to avoid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from hcc_operators.core.calendar_days import DayCalendar, DayKind
from hcc_operators.core.errors import WindowError
from hcc_operators.core.local_time import as_utc, resolve_wall_time
from hcc_operators.core.schedule_config import ScheduleConfig, WindowSpec, load_schedule

#: How far ahead to look for a window before concluding the calendar has none.
MAX_SEARCH_DAYS = 400
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    day: date  # the local date the window opens on
    kind: DayKind  # the kind of that date (weekday, weekend or holiday)
    start: datetime
    end: datetime
    every: timedelta
    wall_open: datetime  # naive local wall-clock time of the open, as configured
    wall_close: datetime  # naive local wall-clock time of the close

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def contains(self, instant: datetime) -> bool:
        return self.start <= as_utc(instant) < self.end


@dataclass(frozen=True)
class Slot:
    window: Window
    index: int  # 0 for the slot starting at the window's open
    start: datetime
    end: datetime
    wall_start: datetime  # naive local wall-clock time this slot is scheduled at
    last: bool  # the slot ends when the window closes

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def contains(self, instant: datetime) -> bool:
        return self.start <= as_utc(instant) < self.end


class WindowCalendar:
    """Window and slot arithmetic over one ScheduleConfig. Cheap to build, caches per day."""

    def __init__(self, config: ScheduleConfig):
        self.config = config
        self.zone = config.zone
        self.days = DayCalendar(config)
        self._windows: dict[date, Window | None] = {}
        self._slots: dict[date, tuple[Slot, ...]] = {}

    @classmethod
    def load(cls, path: str | Path | None = None) -> WindowCalendar:
        return cls(load_schedule(path))

    def window_for_day(self, day: date) -> Window | None:
        """The window opening on local date ``day``, or None (blackout, weekend off, DST gap)."""
        if day not in self._windows:
            self._windows[day] = self._build_window(day)
        return self._windows[day]

    def windows_between(self, start: datetime, end: datetime) -> list[Window]:
        """Windows overlapping [start, end), in order."""
        start, end = _span(start, end)
        day, last_day = self._local_date(start) - _DAY, self._local_date(end)
        found = []
        while day <= last_day:
            window = self.window_for_day(day)
            if window is not None and window.start < end and window.end > start:
                found.append(window)
            day += _DAY
        return found

    def window_at(self, instant: datetime) -> Window | None:
        """The window open at ``instant``, or None when no window is open."""
        moment = as_utc(instant)
        today = self._local_date(moment)
        for day in (today - _DAY, today):
            window = self.window_for_day(day)
            if window is not None and window.start <= moment < window.end:
                return window
        return None

    def next_window(self, after: datetime) -> Window:
        """The first window opening strictly after ``after``."""
        moment = as_utc(after)
        for window in self._windows_from(self._local_date(moment) - _DAY):
            if window.start > moment:
                return window
        raise self._nothing_ahead("window", moment)

    def slots(self, window: Window) -> list[Slot]:
        """The window cut into run slots, contiguous from its start to its end."""
        if window.day not in self._slots:
            self._slots[window.day] = self._build_slots(window)
        return list(self._slots[window.day])

    def slots_between(self, start: datetime, end: datetime) -> list[Slot]:
        """Slots overlapping [start, end), in order."""
        start, end = _span(start, end)
        return [
            slot
            for window in self.windows_between(start, end)
            for slot in self.slots(window)
            if slot.end > start and slot.start < end
        ]

    def slot_at(self, instant: datetime) -> Slot | None:
        """The slot containing ``instant``, or None outside every window."""
        window = self.window_at(instant)
        if window is None:
            return None
        moment = as_utc(instant)
        return next(s for s in self.slots(window) if s.start <= moment < s.end)

    def next_slot(self, after: datetime, *, inclusive: bool = False) -> Slot:
        """The first slot starting after ``after`` (at or after it when ``inclusive``)."""
        moment = as_utc(after)
        if inclusive:
            return self._first_slot(lambda start: start >= moment, moment)
        return self._first_slot(lambda start: start > moment, moment)

    def current_or_next_slot(self, instant: datetime) -> Slot:
        """The slot containing ``instant``, else the next one to start."""
        return self.slot_at(instant) or self.next_slot(instant)

    def remaining(self, instant: datetime) -> timedelta:
        """Time until the window open at ``instant`` closes; zero when no window is open."""
        window = self.window_at(instant)
        return window.end - as_utc(instant) if window is not None else timedelta(0)

    def _spec(self, kind: DayKind) -> WindowSpec | None:
        if kind is DayKind.WEEKDAY:
            return self.config.weekday if self.config.weekday.enabled else None
        if kind in (DayKind.WEEKEND, DayKind.HOLIDAY) and self.config.weekend.enabled:
            return self.config.weekend
        return None

    def _build_window(self, day: date) -> Window | None:
        kind = self.days.kind(day)
        spec = self._spec(kind)
        if spec is None:
            return None
        wall_open = datetime.combine(day, spec.open)
        wall_close = datetime.combine(day + _DAY * spec.crosses_midnight, spec.close)
        start = resolve_wall_time(wall_open, self.zone)
        end = resolve_wall_time(wall_close, self.zone)
        if end <= start:
            # The whole window lies inside a spring-forward gap: it does not happen that night.
            return None
        return Window(day, kind, start, end, spec.every, wall_open, wall_close)

    def _build_slots(self, window: Window) -> tuple[Slot, ...]:
        starts: list[tuple[datetime, datetime]] = []
        wall = window.wall_open
        while wall < window.wall_close:
            instant = resolve_wall_time(wall, self.zone)
            # Wall times inside a spring-forward gap collapse onto one instant: keep the first.
            if instant < window.end and (not starts or instant > starts[-1][1]):
                starts.append((wall, instant))
            wall += window.every
        ends = [instant for _, instant in starts[1:]] + [window.end]
        return tuple(
            Slot(window, index, start, end, wall_start, last=index == len(starts) - 1)
            for index, ((wall_start, start), end) in enumerate(zip(starts, ends, strict=True))
        )

    def _windows_from(self, first_day: date) -> Iterator[Window]:
        for offset in range(MAX_SEARCH_DAYS):
            window = self.window_for_day(first_day + offset * _DAY)
            if window is not None:
                yield window

    def _first_slot(self, wanted: Callable[[datetime], bool], moment: datetime) -> Slot:
        for window in self._windows_from(self._local_date(moment) - _DAY):
            if window.end <= moment:
                continue
            for slot in self.slots(window):
                if wanted(slot.start):
                    return slot
        raise self._nothing_ahead("slot", moment)

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _nothing_ahead(self, what: str, moment: datetime) -> WindowError:
        return WindowError(
            f"no maintenance {what} within {MAX_SEARCH_DAYS} days after {moment.isoformat()}; "
            "check schedule.yaml: every day is a blackout or has its window disabled"
        )


def _span(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    start, end = as_utc(start, name="start"), as_utc(end, name="end")
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    return start, end

"""schedule.yaml: maintenance windows, holidays and the daily run times, validated.

Times are wall-clock times in ``timezone``; durations are written "2h", "90m" or "1h30m".
Every problem is reported as a ConfigError naming the file and the dotted field, because the
person reading it edits YAML, not Python.
"""

from __future__ import annotations

import difflib
import math
import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BeforeValidator,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from hcc_operators.core import holiday_source
from hcc_operators.core.config_model import ConfigModel
from hcc_operators.core.config_yaml import load_config_file
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.paths import config_dir

SCHEDULE_FILE = "schedule.yaml"

# Matched whole (fullmatch): a trailing newline is not part of a duration.
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?")
_WALL_TIME = re.compile(r"(\d{1,2}):(\d{2})")
#: Longest duration the file may give: a window is shorter than a day, and so is all in it.
MAX_DURATION = timedelta(hours=24)
# More digits than this cannot be under MAX_DURATION in any unit; checked before int().
_MAX_DURATION_DIGITS = 6
#: Largest accepted duration_margin: beyond it hardly anything fits a window.
MAX_DURATION_MARGIN = 10.0
#: Years around today whose holiday names a by_name override may refer to.
_NAME_YEARS_BACK, _NAME_YEARS_AHEAD = 2, 6


def _parse_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        duration = value
    elif isinstance(value, str) and (found := _DURATION.fullmatch(value.replace(" ", "").lower())):
        hours, minutes = found.groups()
        if hours is None and minutes is None:
            raise ValueError(f"{value!r} is not a duration like '2h', '90m' or '1h30m'")
        if max(len(hours or ""), len(minutes or "")) > _MAX_DURATION_DIGITS:
            raise _too_long(value)
        # Minutes are added as integers: timedelta(hours=10**20) itself would overflow.
        duration = timedelta(minutes=int(hours or 0) * 60 + int(minutes or 0))
    else:
        raise ValueError(f"{value!r} is not a duration like '2h', '90m' or '1h30m'")
    if duration > MAX_DURATION:
        raise _too_long(value)
    if duration <= timedelta(0):
        raise ValueError(f"{value!r} must be longer than zero")
    if duration % timedelta(minutes=1):
        raise ValueError(f"{value!r} must be a whole number of minutes")
    return duration


def _too_long(value: Any) -> ValueError:
    return ValueError(
        f"{value!r} is longer than {format_duration(MAX_DURATION)}; no maintenance window is "
        "that long"
    )


def format_duration(duration: timedelta) -> str:
    """'2h', '90m' -> '1h30m', the spelling schedule.yaml uses."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")


def parse_wall_time(value: Any) -> time:
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo:
            raise ValueError(f"{value!r} must be a plain HH:MM time")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 22:00 as the base-60 number 1320.
        raise ValueError(
            f"got the number {value}; YAML reads an unquoted time such as 22:00 as a number, "
            "quote it: '22:00'"
        )
    if isinstance(value, str) and (found := _WALL_TIME.fullmatch(value.strip())):
        hour, minute = int(found.group(1)), int(found.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"{value!r} is not a wall-clock time HH:MM between 00:00 and 23:59")


def _format_wall_time(value: time) -> str:
    return value.strftime("%H:%M")


def _wall_length(opens: time, closes: time) -> timedelta:
    """Wall-clock length of a window; a close at or before the open is the next morning."""
    start = datetime.combine(date.min, opens)
    end = datetime.combine(date.min + timedelta(days=int(closes <= opens)), closes)
    return end - start


Duration = Annotated[
    timedelta,
    BeforeValidator(_parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
]
WallTime = Annotated[
    time,
    BeforeValidator(parse_wall_time),
    PlainSerializer(_format_wall_time, return_type=str, when_used="json"),
]


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def index(self) -> int:
        """Monday is 0, as ``date.weekday()`` counts."""
        return list(Weekday).index(self)

    @classmethod
    def _missing_(cls, value: object) -> Weekday | None:
        # Accept "Saturday", "SAT", "sat".
        if isinstance(value, str) and len(value.strip()) >= 3:
            text = value.strip().lower()
            for member in cls:
                if text in (member.value, _FULL_DAY_NAMES[member.value]):
                    return member
        return None


_FULL_DAY_NAMES = {
    "mon": "monday",
    "tue": "tuesday",
    "wed": "wednesday",
    "thu": "thursday",
    "fri": "friday",
    "sat": "saturday",
    "sun": "sunday",
}


class Treatment(StrEnum):
    """What a holiday does to its day's maintenance window."""

    BLACKOUT = "blackout"  # no window opens on that day
    WEEKEND = "weekend"  # the day behaves like a weekend day (weekend window, if enabled)
    IGNORE = "ignore"  # the holiday changes nothing; the day keeps its weekday/weekend type

    @property
    def strictness(self) -> int:
        return {Treatment.IGNORE: 0, Treatment.WEEKEND: 1, Treatment.BLACKOUT: 2}[self]


_Model = ConfigModel


class WindowSpec(_Model):
    """A nightly window: opens at ``open`` on its day, closes at ``close`` (next day if earlier).

    Runs are cut every ``every`` starting at ``open``; the last run is shortened to end at
    ``close``.
    """

    open: WallTime
    close: WallTime
    every: Duration
    enabled: bool = True

    @field_validator("close")
    @classmethod
    def _not_empty(cls, close: time, info: ValidationInfo) -> time:
        if info.data.get("open") == close:
            raise ValueError(
                f"close {_format_wall_time(close)} equals open; a window needs a length "
                "(a close earlier than open means the window ends the next morning)"
            )
        return close

    @field_validator("every")
    @classmethod
    def _fits(cls, every: timedelta, info: ValidationInfo) -> timedelta:
        opens, closes = info.data.get("open"), info.data.get("close")
        if opens is None or closes is None:
            return every  # open or close failed; that error is reported already
        length = _wall_length(opens, closes)
        if every > length:
            raise ValueError(
                f"{format_duration(every)} is longer than the window "
                f"{_format_wall_time(opens)}-{_format_wall_time(closes)} "
                f"({format_duration(length)}); it would start one run per window at most, "
                "so give at most the window's length"
            )
        return every

    @property
    def crosses_midnight(self) -> bool:
        return self.close < self.open

    @property
    def wall_length(self) -> timedelta:
        return _wall_length(self.open, self.close)

    def describe(self) -> str:
        return (
            f"{_format_wall_time(self.open)}-{_format_wall_time(self.close)} "
            f"every {format_duration(self.every)}"
        )


class WeekendSpec(WindowSpec):
    days: tuple[Weekday, ...] = (Weekday.SAT, Weekday.SUN)

    @field_validator("days")
    @classmethod
    def _distinct(cls, days: tuple[Weekday, ...]) -> tuple[Weekday, ...]:
        if len(set(days)) != len(days):
            raise ValueError(f"lists a day twice: {[d.value for d in days]}")
        return tuple(sorted(days, key=lambda d: d.index))


class HolidaySpec(_Model):
    """Public holidays from the ``holidays`` package plus the company's own closing days.

    ``treatment`` applies to every holiday; ``by_name`` (names as the package spells them in
    ``language``) and ``by_date`` override it, ``by_date`` winning. When one date carries
    several holidays the strictest treatment wins (blackout > weekend > ignore).
    """

    country: str | None = None
    subdivision: str | None = None
    language: str | None = None
    treatment: Treatment = Treatment.BLACKOUT
    extra_dates: dict[date, str] = {}
    by_name: dict[str, Treatment] = {}
    by_date: dict[date, Treatment] = {}

    @field_validator("country")
    @classmethod
    def _known_country(cls, country: str | None) -> str | None:
        return None if country is None else holiday_source.check_country(country)

    @field_validator("subdivision")
    @classmethod
    def _known_subdivision(cls, subdivision: str | None, info: ValidationInfo) -> str | None:
        if subdivision is None:
            return None
        country = info.data.get("country")
        if country is None:
            if "country" in info.data:
                raise ValueError("a subdivision needs a country")
            return subdivision  # the country itself failed; that error is reported already
        return holiday_source.check_subdivision(country, subdivision)

    @field_validator("language")
    @classmethod
    def _known_language(cls, language: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if language is not None and country is not None:
            holiday_source.resolve_language(country, language)
        return language

    @field_validator("extra_dates")
    @classmethod
    def _named(cls, extra: dict[date, str]) -> dict[date, str]:
        for day, name in extra.items():
            if not name.strip():
                raise ValueError(f"{day.isoformat()} needs a name, e.g. 'Year-end freeze'")
        return extra

    @field_validator("by_name")
    @classmethod
    def _known_names(cls, by_name: dict[str, Treatment], info: ValidationInfo) -> dict:
        if not by_name or not {"country", "subdivision", "language"} <= info.data.keys():
            return by_name
        known = set(info.data.get("extra_dates", {}).values())
        if info.data["country"] is not None:
            this_year = date.today().year
            known |= holiday_source.holiday_names(
                info.data["country"],
                info.data["subdivision"],
                info.data["language"],
                range(this_year - _NAME_YEARS_BACK, this_year + _NAME_YEARS_AHEAD + 1),
            )
        folded = {name.casefold() for name in known}
        for name in by_name:
            if name.casefold() not in folded:
                close = difflib.get_close_matches(name, sorted(known), n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                raise ValueError(f"{name!r} is not the name of a holiday or extra date{hint}")
        return by_name

    @field_validator("by_date")
    @classmethod
    def _known_dates(cls, by_date: dict[date, Treatment], info: ValidationInfo) -> dict:
        if not by_date or not {"country", "subdivision", "language"} <= info.data.keys():
            return by_date
        extra = info.data.get("extra_dates", {})
        table = None
        if info.data["country"] is not None:
            table = holiday_source.country_holidays(
                info.data["country"], info.data["subdivision"], info.data["language"]
            )
        for day in by_date:
            if day not in extra and (table is None or day not in table):
                raise ValueError(
                    f"{day.isoformat()} is neither a holiday nor an extra date; add it to "
                    "holidays.extra_dates to give it a treatment"
                )
        return by_date


class DailyTimes(_Model):
    """Wall-clock times of the once-a-day DAGs, in the schedule's timezone."""

    advisor: WallTime = time(19, 0)
    refresh: WallTime = time(21, 0)
    evaluate: WallTime = time(21, 30)
    housekeeping: WallTime = time(18, 15)


class ScheduleConfig(_Model):
    timezone: str
    weekday: WindowSpec = WindowSpec(open=time(22, 0), close=time(6, 0), every=timedelta(hours=2))
    weekend: WeekendSpec = WeekendSpec(open=time(20, 0), close=time(8, 0), every=timedelta(hours=4))
    holidays: HolidaySpec = HolidaySpec()
    max_batch_duration: Duration | None = None
    duration_margin: float = 1.5
    daily: DailyTimes = DailyTimes()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            # OSError: ZoneInfo looks the name up as a file; a very long one is ENAMETOOLONG.
            close = difflib.get_close_matches(name, sorted(available_timezones()), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"{name!r} is not an IANA time zone name{hint}") from None
        return name

    @field_validator("weekend")
    @classmethod
    def _no_overlap(cls, weekend: WeekendSpec, info: ValidationInfo) -> WeekendSpec:
        # A window closing the next morning must be closed before the next day's window opens,
        # otherwise two windows would claim the same hours.
        weekday: WindowSpec | None = info.data.get("weekday")
        if weekday is None:
            return weekend
        weekday_nights = weekday.enabled and len(weekend.days) < len(Weekday)
        weekend_nights = weekend.enabled and len(weekend.days) > 0
        if not (weekday_nights or weekend_nights):
            raise ValueError(
                "no maintenance window on any day: "
                f"weekday.enabled is {str(weekday.enabled).lower()}, weekend.enabled is "
                f"{str(weekend.enabled).lower()} and weekend.days lists {len(weekend.days)} "
                "day(s); ILM would never run. Enable a window"
            )
        if not weekend.enabled:
            return weekend
        for first, second, first_name, second_name in (
            (weekday, weekend, "weekday", "weekend"),
            (weekend, weekday, "weekend", "weekday"),
        ):
            if first.crosses_midnight and first.close > second.open:
                raise ValueError(
                    f"{first_name}.close {_format_wall_time(first.close)} (next morning) is after "
                    f"{second_name}.open {_format_wall_time(second.open)}: a {first_name} night "
                    f"followed by a {second_name} day would overlap"
                )
        return weekend

    @field_validator("max_batch_duration")
    @classmethod
    def _fits_a_window(cls, duration: timedelta | None, info: ValidationInfo) -> timedelta | None:
        if duration is None:
            return None
        specs = [s for s in (info.data.get("weekday"), info.data.get("weekend")) if s is not None]
        if specs and duration > max(s.wall_length for s in specs):
            raise ValueError(
                f"{format_duration(duration)} is longer than the longest maintenance window "
                f"({format_duration(max(s.wall_length for s in specs))})"
            )
        return duration

    @field_validator("duration_margin")
    @classmethod
    def _sane_margin(cls, margin: float) -> float:
        if not math.isfinite(margin) or margin < 1.0:
            raise ValueError(
                f"{margin} is below 1: an action would start although it is predicted to end "
                "after the window closes (1.5 lets actions run 50% longer than predicted)"
            )
        if margin > MAX_DURATION_MARGIN:
            raise ValueError(
                f"{margin} is above {MAX_DURATION_MARGIN:g}: the window would stay mostly "
                "idle; improve the throughput history instead"
            )
        return margin

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe and accepted back by ``parse_schedule``."""
        return self.model_dump(mode="json")


def weekends_only(config: ScheduleConfig) -> ScheduleConfig:
    """The same schedule with the weekday windows switched off (e.g. for heavy compression)."""
    return config.model_copy(
        update={"weekday": config.weekday.model_copy(update={"enabled": False})}
    )


def parse_schedule(data: Any, *, source: str) -> ScheduleConfig:
    """Validate already-loaded schedule data; ``source`` names it in error messages."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"expected a mapping of settings, got {type(data).__name__}", source=source
        )
    try:
        return ScheduleConfig.model_validate(data)
    except ValidationError as exc:
        raise _config_error(exc, source) from None


def load_schedule(path: str | Path | None = None) -> ScheduleConfig:
    """Read and validate schedule.yaml (default: ``config_dir()/schedule.yaml``)."""
    file = Path(path) if path is not None else config_dir() / SCHEDULE_FILE
    data = load_config_file(file)
    return parse_schedule({} if data is None else data, source=str(file))


def _config_error(exc: ValidationError, source: str) -> ConfigError:
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or None
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] not in ("value_error", "missing") and _is_scalar(error.get("input")):
            message += f" (got {error['input']!r})"
        problems.append((field, message))
    field, message = problems[0]
    if len(problems) > 1:
        others = "; ".join(f"{f or '(top level)'}: {m}" for f, m in problems[1:])
        message += f" (also: {others})"
    return ConfigError(message, source=source, field=field)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | date | time)

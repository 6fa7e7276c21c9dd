"""The package's timetables: MaintenanceWindowTimetable (one DAG run per maintenance-window
slot) and DailyTimetable (once a day at a wall-clock time in the schedule's zone).

Each run's data interval is one slot of core.windows, and the run is due when its slot OPENS
(run_after = slot start), not when it ends as with Airflow's interval timetables: the batch has
to execute inside the window, and waiting for the slot's end would push the last run of every
night past the close.

The window math is core.windows, not Airflow's cron timetables, because those mishandle DST
nights in 3.3. For the same reason the daily DAGs use DailyTimetable (core.daily_times)
instead of a CronTriggerTimetable; its summary names the zone, since the Airflow UI shows the
schedule beside a Next Run in the UI's own time zone (UTC unless the user changes it). The timetable serializes the schedule's values, not a file path, so the
scheduler and API server never need schedule.yaml. This module imports no DB or network code
and is cheap enough to build at DAG parse time.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pendulum
from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable
from pendulum import DateTime

from hcc_operators.core.daily_times import next_trigger, previous_trigger
from hcc_operators.core.errors import ConfigError, WindowError
from hcc_operators.core.schedule_config import (
    ScheduleConfig,
    load_schedule,
    parse_schedule,
    parse_wall_time,
)
from hcc_operators.core.schedule_text import describe, summarize
from hcc_operators.core.windows import Slot, WindowCalendar

log = logging.getLogger(__name__)

_SERIALIZED_SOURCE = "serialized MaintenanceWindowTimetable"
_SERIALIZED_DAILY = "serialized DailyTimetable"


def _utcnow() -> DateTime:
    return pendulum.now("UTC")


class MaintenanceWindowTimetable(Timetable):
    """Runs once per slot of the weekday/weekend maintenance windows in schedule.yaml."""

    def __init__(self, config: ScheduleConfig):
        self._config = config
        # Kept: Airflow hashes a DAG (and so its timetable) every time a task is linked, and
        # the key is the config's JSON (one model_dump per hash was 8% of a 20-warehouse
        # parse). The config is frozen, so the key never changes.
        self._key = _key(config)
        self._calendar = _calendar(self._key)
        self.description = describe(config)

    @classmethod
    def from_config(cls, path: str | Path | None = None) -> MaintenanceWindowTimetable:
        """Build from schedule.yaml (default: the project's include/config/schedule.yaml)."""
        return cls(load_schedule(path))

    @property
    def config(self) -> ScheduleConfig:
        return self._config

    @property
    def calendar(self) -> WindowCalendar:
        return self._calendar

    @property
    def summary(self) -> str:
        return summarize(self._config)

    def serialize(self) -> dict[str, Any]:
        return {"schedule": self._config.to_dict()}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> MaintenanceWindowTimetable:
        if not isinstance(data, dict) or "schedule" not in data:
            raise ConfigError("has no 'schedule' settings", source=_SERIALIZED_SOURCE)
        return cls(_parse(json.dumps(data["schedule"], sort_keys=True, default=str)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MaintenanceWindowTimetable):
            return NotImplemented
        return self._config == other._config

    def __hash__(self) -> int:
        return hash(self._key)

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        """The slot running at ``run_after``, or the next one when no window is open."""
        return _interval(self._calendar.current_or_next_slot(run_after))

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
    ) -> DagRunInfo | None:
        floors = [restriction.earliest]
        if last_automated_data_interval is not None:
            floors.append(last_automated_data_interval.end)
        floor = max((f for f in floors if f is not None), default=None)
        try:
            slot = self._next_slot(floor, catchup=restriction.catchup)
        except WindowError as exc:
            log.warning("%s", exc)
            return None
        if restriction.latest is not None and slot.start > restriction.latest:
            return None
        return DagRunInfo(run_after=_pendulum(slot.start), data_interval=_interval(slot))

    def _next_slot(self, floor: DateTime | None, *, catchup: bool) -> Slot:
        # With catchup every slot from the floor (start date or previous run) onwards gets a
        # run; without it, slots already over are skipped but the one running now still counts.
        if catchup and floor is not None:
            return self._calendar.next_slot(floor, inclusive=True)
        slot = self._calendar.current_or_next_slot(_utcnow())
        if floor is not None:
            slot = max(slot, self._calendar.next_slot(floor, inclusive=True), key=_start)
        return slot


class DailyTimetable(Timetable):
    """Once a day at ``at`` on the clocks of ``timezone`` (schedule.yaml's daily times).

    Like a CronTriggerTimetable: a run is due at its trigger, its data interval is that
    instant, and without catchup only the latest trigger that has passed (or the next one)
    gets a run. Unlike Airflow 3.3's cron timetables it keeps one run per local day across DST
    changes (core.daily_times), and its summary names the zone.
    """

    def __init__(self, at: time, timezone: str):
        self._at = at
        self._timezone = timezone
        self._zone = ZoneInfo(timezone)
        self.description = (
            f"Once a day at {at:%H:%M} {timezone} time (the clocks of {timezone}, summer and "
            f"winter time alike). On the night the clocks go forward a time that does not "
            f"exist runs when they jump; when they go back it runs once."
        )

    @property
    def summary(self) -> str:
        return f"daily {self._at:%H:%M} {self._timezone}"

    def serialize(self) -> dict[str, Any]:
        return {"at": f"{self._at:%H:%M}", "timezone": self._timezone}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> DailyTimetable:
        try:
            return cls(parse_wall_time(data["at"]), str(data["timezone"]))
        except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError) as err:
            raise ConfigError(
                f"bad daily timetable {data!r}: {err}", source=_SERIALIZED_DAILY
            ) from err

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DailyTimetable):
            return NotImplemented
        return (self._at, self._timezone) == (other._at, other._timezone)

    def __hash__(self) -> int:
        return hash((self._at, self._timezone))

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        return DataInterval(run_after, run_after)

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
    ) -> DagRunInfo | None:
        at, zone = self._at, self._zone
        after_last = (
            next_trigger(last_automated_data_interval.end, at, zone, inclusive=False)
            if last_automated_data_interval is not None
            else None
        )
        from_start = (
            next_trigger(restriction.earliest, at, zone, inclusive=True)
            if restriction.earliest is not None
            else None
        )
        if restriction.catchup:
            chosen = after_last or from_start or next_trigger(_utcnow(), at, zone, inclusive=True)
        else:
            # As Airflow's trigger timetables: the latest trigger already passed still runs,
            # older ones are skipped, and never before the start date or the last run.
            candidates = [previous_trigger(_utcnow(), at, zone), after_last, from_start]
            chosen = max(c for c in candidates if c is not None)
        if restriction.latest is not None and chosen > restriction.latest:
            return None
        return DagRunInfo.exact(_pendulum(chosen))


def _start(slot: Slot) -> datetime:
    return slot.start


def _interval(slot: Slot) -> DataInterval:
    return DataInterval(_pendulum(slot.start), _pendulum(slot.end))


def _pendulum(instant: datetime) -> DateTime:
    return pendulum.instance(instant, tz="UTC")


def _key(config: ScheduleConfig) -> str:
    return json.dumps(config.to_dict(), sort_keys=True)


# The scheduler deserializes timetables over and over; validation looks holidays up, so the
# parsed config and its calendar (with its per-day caches) are shared per distinct schedule.
@lru_cache(maxsize=32)
def _parse(key: str) -> ScheduleConfig:
    return parse_schedule(json.loads(key), source=_SERIALIZED_SOURCE)


@lru_cache(maxsize=32)
def _calendar(key: str) -> WindowCalendar:
    return WindowCalendar(_parse(key))

from __future__ import annotations

import json
from datetime import timedelta

import pendulum
import pytest
from airflow.timetables.base import DataInterval, TimeRestriction

from hcc_operators import timetables
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.schedule_config import parse_schedule
from hcc_operators.timetables import MaintenanceWindowTimetable

BERLIN = "Europe/Berlin"


def timetable(timezone: str = BERLIN, **sections) -> MaintenanceWindowTimetable:
    data = {"timezone": timezone, "holidays": {"country": "DE"}, **sections}
    return MaintenanceWindowTimetable(parse_schedule(data, source="test"))


def berlin(*parts: int) -> pendulum.DateTime:
    return pendulum.datetime(*parts, tz=BERLIN)


@pytest.fixture
def now(monkeypatch):
    def freeze(instant: pendulum.DateTime) -> None:
        monkeypatch.setattr(timetables, "_utcnow", lambda: instant.in_timezone("UTC"))

    return freeze


def local_hours(interval: DataInterval) -> tuple[str, str]:
    return (
        interval.start.in_timezone(BERLIN).format("ddd HH:mm"),
        interval.end.in_timezone(BERLIN).format("ddd HH:mm"),
    )


def run_sequence(tt, restriction, count, last=None):
    runs = []
    for _ in range(count):
        info = tt.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        if info is None:
            break
        runs.append(info)
        last = info.data_interval
    return runs


def test_catchup_walks_every_slot_from_the_start_date():
    tt = timetable()
    # Friday 2025-06-13 12:00: the first slot is Friday 22:00.
    runs = run_sequence(tt, TimeRestriction(berlin(2025, 6, 13, 12), None, True), 9)
    assert [local_hours(r.data_interval) for r in runs] == [
        ("Fri 22:00", "Sat 00:00"),
        ("Sat 00:00", "Sat 02:00"),
        ("Sat 02:00", "Sat 04:00"),
        ("Sat 04:00", "Sat 06:00"),
        ("Sat 20:00", "Sun 00:00"),
        ("Sun 00:00", "Sun 04:00"),
        ("Sun 04:00", "Sun 08:00"),
        ("Sun 20:00", "Mon 00:00"),
        ("Mon 00:00", "Mon 04:00"),
    ]
    for run in runs:
        # The run is due when its slot opens, so the batch executes inside the window.
        assert run.run_after == run.data_interval.start
        assert isinstance(run.run_after, pendulum.DateTime)
        assert run.run_after.tzinfo.name == "UTC"


def test_catchup_start_date_inside_a_slot_begins_with_the_next_slot():
    tt = timetable()
    (run,) = run_sequence(tt, TimeRestriction(berlin(2025, 6, 13, 23), None, True), 1)
    assert local_hours(run.data_interval) == ("Sat 00:00", "Sat 02:00")


def test_catchup_skips_blackout_holidays():
    tt = timetable()
    # Thursday before Good Friday 2025: Thursday's window, then nothing until Saturday 20:00.
    runs = run_sequence(tt, TimeRestriction(berlin(2025, 4, 17, 12), None, True), 5)
    assert [r.data_interval.start for r in runs][-1] == berlin(2025, 4, 19, 20)


def test_no_catchup_starts_with_the_slot_running_now(now):
    tt = timetable()
    now(berlin(2025, 6, 18, 1, 30))  # Tuesday night, slot 00:00-02:00 Wednesday
    info = tt.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(berlin(2025, 1, 1), None, False),
    )
    assert info.data_interval.start == berlin(2025, 6, 18, 0)
    assert info.run_after == info.data_interval.start  # already due: runs at once


def test_no_catchup_outside_a_window_waits_for_the_next_slot(now):
    tt = timetable()
    now(berlin(2025, 6, 18, 12))
    last = DataInterval(berlin(2025, 3, 1, 22), berlin(2025, 3, 2, 0))  # months ago
    info = tt.next_dagrun_info(
        last_automated_data_interval=last,
        restriction=TimeRestriction(berlin(2025, 1, 1), None, False),
    )
    assert info.data_interval.start == berlin(2025, 6, 18, 22)


def test_no_catchup_does_not_repeat_the_slot_already_run(now):
    tt = timetable()
    now(berlin(2025, 6, 18, 1, 30))
    last = DataInterval(berlin(2025, 6, 18, 0), berlin(2025, 6, 18, 2))
    info = tt.next_dagrun_info(
        last_automated_data_interval=last,
        restriction=TimeRestriction(berlin(2025, 1, 1), None, False),
    )
    assert info.data_interval.start == berlin(2025, 6, 18, 2)


def test_no_catchup_respects_a_future_start_date(now):
    tt = timetable()
    now(berlin(2025, 6, 18, 1, 30))
    info = tt.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(berlin(2025, 7, 4, 12), None, False),
    )
    assert info.data_interval.start == berlin(2025, 7, 4, 22)


def test_no_start_date_with_catchup_begins_now(now):
    tt = timetable()
    now(berlin(2025, 6, 18, 3))
    info = tt.next_dagrun_info(
        last_automated_data_interval=None, restriction=TimeRestriction(None, None, True)
    )
    assert info.data_interval.start == berlin(2025, 6, 18, 2)


def test_latest_is_inclusive():
    tt = timetable()
    earliest = berlin(2025, 6, 13, 12)
    assert tt.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest, berlin(2025, 6, 13, 22), True),
    ).data_interval.start == berlin(2025, 6, 13, 22)
    assert (
        tt.next_dagrun_info(
            last_automated_data_interval=None,
            restriction=TimeRestriction(earliest, berlin(2025, 6, 13, 21, 59), True),
        )
        is None
    )
    runs = run_sequence(tt, TimeRestriction(earliest, berlin(2025, 6, 14, 2), True), 10)
    assert [r.data_interval.start for r in runs] == [
        berlin(2025, 6, 13, 22),
        berlin(2025, 6, 14, 0),
        berlin(2025, 6, 14, 2),
    ]


def test_dst_nights_through_the_timetable():
    tt = timetable()
    restriction = TimeRestriction(berlin(2025, 3, 29, 12), None, True)
    spring = run_sequence(tt, restriction, 3)
    assert [r.data_interval.end - r.data_interval.start for r in spring] == [
        timedelta(hours=4),
        timedelta(hours=3),
        timedelta(hours=4),
    ]
    fall = run_sequence(tt, TimeRestriction(berlin(2025, 10, 25, 12), None, True), 3)
    assert [r.data_interval.end - r.data_interval.start for r in fall] == [
        timedelta(hours=4),
        timedelta(hours=5),
        timedelta(hours=4),
    ]
    assert local_hours(fall[1].data_interval) == ("Sun 00:00", "Sun 04:00")
    for runs in (spring, fall):
        for before, after in zip(runs, runs[1:], strict=False):
            assert before.data_interval.end == after.data_interval.start


@pytest.mark.parametrize("zone", [BERLIN, "America/New_York", "Australia/Sydney"])
def test_a_year_of_runs_never_repeats_or_overlaps(zone):
    tt = timetable(zone)
    start, end = pendulum.datetime(2025, 1, 1, tz=zone), pendulum.datetime(2026, 1, 1, tz=zone)
    runs = run_sequence(tt, TimeRestriction(start, end, True), 3000)
    assert 1000 < len(runs) < 3000
    starts = [r.data_interval.start for r in runs]
    assert starts == sorted(set(starts))
    for before, after in zip(runs, runs[1:], strict=False):
        assert before.data_interval.start < before.data_interval.end <= after.data_interval.start


def test_infer_manual_data_interval_inside_and_outside_a_window():
    tt = timetable()
    inside = tt.infer_manual_data_interval(run_after=berlin(2025, 6, 18, 3, 10))
    assert (inside.start, inside.end) == (berlin(2025, 6, 18, 2), berlin(2025, 6, 18, 4))
    outside = tt.infer_manual_data_interval(run_after=berlin(2025, 6, 18, 9))
    assert (outside.start, outside.end) == (berlin(2025, 6, 18, 22), berlin(2025, 6, 19, 0))
    assert isinstance(outside.start, pendulum.DateTime)


def test_serialize_round_trip_stores_values_not_a_path():
    tt = timetable(
        weekday={"open": "21:00", "close": "05:00", "every": "90m"},
        holidays={"country": "DE", "subdivision": "BY", "by_name": {"Labor Day": "weekend"}},
    )
    data = tt.serialize()
    text = json.dumps(data)
    assert "schedule.yaml" not in text and '"open": "21:00"' in text
    again = MaintenanceWindowTimetable.deserialize(json.loads(text))
    assert again == tt and hash(again) == hash(tt)
    assert again.summary == tt.summary and again.description == tt.description
    probe = berlin(2025, 5, 1, 23)
    assert again.infer_manual_data_interval(run_after=probe) == tt.infer_manual_data_interval(
        run_after=probe
    )
    assert again != timetable()


def test_deserialize_rejects_broken_data_with_a_config_error():
    with pytest.raises(ConfigError, match="serialized MaintenanceWindowTimetable: timezone"):
        MaintenanceWindowTimetable.deserialize({"schedule": {"timezone": "Nowhere"}})
    with pytest.raises(ConfigError, match="no 'schedule'"):
        MaintenanceWindowTimetable.deserialize({})


def test_round_trip_through_airflows_dag_serializer(monkeypatch):
    from airflow import plugins_manager
    from airflow.serialization.decoders import decode_timetable
    from airflow.serialization.encoders import encode_timetable

    registered = {"hcc_operators.timetables.MaintenanceWindowTimetable": MaintenanceWindowTimetable}
    monkeypatch.setattr(plugins_manager, "get_timetables_plugins", lambda: registered)
    tt = timetable()
    assert decode_timetable(json.loads(json.dumps(encode_timetable(tt)))) == tt


def test_summary_and_description_in_words():
    tt = timetable()
    assert tt.summary == (
        "Mon-Fri 22:00-06:00 every 2h, Sat-Sun 20:00-08:00 every 4h, Europe/Berlin, "
        "DE holidays as blackout"
    )
    assert tt.description.startswith("Maintenance windows in Europe/Berlin: Mon-Fri 22:00-06:00")
    assert tt.periodic and tt.can_be_scheduled


def test_from_config_reads_schedule_yaml(tmp_path):
    path = tmp_path / "schedule.yaml"
    path.write_text(
        "timezone: America/New_York\nweekend: {enabled: false, open: '20:00', "
        "close: '08:00', every: 4h}\n"
    )
    tt = MaintenanceWindowTimetable.from_config(path)
    assert tt.config.timezone == "America/New_York"
    assert "Sat-Sun no window" in tt.summary
    assert MaintenanceWindowTimetable.from_config().config.timezone == "Europe/Berlin"


def test_holiday_years_are_computed_when_runs_are_planned_not_when_the_dag_is_defined(
    monkeypatch,
):
    from hcc_operators.core import holiday_source

    asked: list[str] = []
    real = holiday_source._cached
    monkeypatch.setattr(
        holiday_source, "_cached", lambda key, compute: asked.append(key) or real(key, compute)
    )
    # A schedule no other test uses, so no shared calendar has expanded a year already.
    tt = timetable("Europe/Vienna", holidays={"country": "AT", "treatment": "weekend"})
    again = MaintenanceWindowTimetable.deserialize(json.loads(json.dumps(tt.serialize())))
    assert again == tt and tt.summary and tt.description
    assert [k for k in asked if k.startswith(("year|", "names|"))] == []

    restriction = TimeRestriction(pendulum.datetime(2026, 12, 20, tz="Europe/Vienna"), None, True)
    run_sequence(again, restriction, 3)
    assert [k for k in asked if k.startswith("year|")] == ["year|AT||en_US|2026"]


# --- DailyTimetable: once a day at a wall-clock time, the zone in its summary ----------------


def daily(at: str = "19:00") -> timetables.DailyTimetable:
    from hcc_operators.core.schedule_config import parse_wall_time

    return timetables.DailyTimetable(parse_wall_time(at), BERLIN)


def test_the_daily_summary_names_the_time_zone():
    tt = daily()
    assert tt.summary == "daily 19:00 Europe/Berlin"
    assert "Europe/Berlin" in tt.description


def test_a_daily_timetable_survives_serialization():
    tt = daily("02:30")
    again = timetables.DailyTimetable.deserialize(json.loads(json.dumps(tt.serialize())))
    assert again == tt and again.summary == tt.summary
    with pytest.raises(ConfigError):
        timetables.DailyTimetable.deserialize({"at": "25:00", "timezone": BERLIN})
    with pytest.raises(ConfigError):
        timetables.DailyTimetable.deserialize({"at": "02:30", "timezone": "Mars/Olympus"})


def test_daily_runs_keep_local_time_across_both_dst_changes():
    tt = daily("02:30")
    runs = run_sequence(tt, TimeRestriction(berlin(2026, 3, 27, 12), None, True), 4)
    # 02:30 does not exist on 29 March: that run is when the clocks jump to 03:00.
    assert [r.run_after.in_timezone(BERLIN).format("DD HH:mm") for r in runs] == [
        "28 02:30",
        "29 03:00",
        "30 02:30",
        "31 02:30",
    ]
    runs = run_sequence(tt, TimeRestriction(berlin(2026, 10, 24, 12), None, True), 3)
    # 02:30 happens twice on 25 October: one run, at the first (summer time, UTC 00:30).
    assert [r.run_after.in_timezone("UTC").format("DD HH:mm") for r in runs] == [
        "25 00:30",
        "26 01:30",
        "27 01:30",
    ]
    assert all(r.data_interval.start == r.data_interval.end == r.run_after for r in runs)


def test_without_catchup_only_the_latest_passed_trigger_runs(now):
    tt = daily()
    now(berlin(2026, 3, 10, 20, 30))  # today's 19:00 has passed
    first = tt.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(berlin(2026, 1, 1), None, False),
    )
    assert first.run_after == berlin(2026, 3, 10, 19)
    following = tt.next_dagrun_info(
        last_automated_data_interval=first.data_interval,
        restriction=TimeRestriction(berlin(2026, 1, 1), None, False),
    )
    assert following.run_after == berlin(2026, 3, 11, 19)
    assert (
        tt.next_dagrun_info(
            last_automated_data_interval=first.data_interval,
            restriction=TimeRestriction(berlin(2026, 1, 1), berlin(2026, 3, 11, 18), False),
        )
        is None
    )

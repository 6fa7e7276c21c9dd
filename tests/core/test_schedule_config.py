from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.schedule_config import (
    ScheduleConfig,
    Treatment,
    Weekday,
    format_duration,
    load_schedule,
    parse_schedule,
)


def write(tmp_path, text: str):
    path = tmp_path / "schedule.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_schedule_yaml_is_valid():
    config = load_schedule()  # include/config/schedule.yaml of this project
    assert config.timezone == "Europe/Berlin"
    assert (config.weekday.open, config.weekday.close) == (time(22), time(6))
    assert config.weekday.every == timedelta(hours=2)
    assert config.weekend.every == timedelta(hours=4) and config.weekend.enabled
    assert config.holidays.country == "DE"
    assert config.daily.evaluate == time(21, 30)


def test_defaults_need_only_a_timezone(tmp_path):
    config = load_schedule(write(tmp_path, "timezone: America/New_York\n"))
    assert config.weekday.describe() == "22:00-06:00 every 2h"
    assert config.weekend.describe() == "20:00-08:00 every 4h"
    assert config.weekend.days == (Weekday.SAT, Weekday.SUN)
    assert config.holidays.country is None
    assert config.holidays.treatment is Treatment.BLACKOUT
    assert config.max_batch_duration is None  # a batch plans up to the window's close
    assert config.duration_margin == 1.5
    assert (config.daily.advisor, config.daily.refresh) == (time(19), time(21))


def test_default_path_follows_hcc_config_dir(tmp_path, monkeypatch):
    write(tmp_path, "timezone: UTC\n")
    monkeypatch.setenv("HCC_CONFIG_DIR", str(tmp_path))
    assert load_schedule().timezone == "UTC"


def test_round_trip_through_a_json_dict():
    config = parse_schedule(
        {
            "timezone": "Europe/Berlin",
            "weekday": {"open": "21:15", "close": "05:45", "every": "1h30m"},
            "holidays": {
                "country": "de",
                "subdivision": "by",
                "extra_dates": {"2026-12-24": "Christmas Eve"},
                "by_name": {"Labor Day": "weekend"},
                "by_date": {"2026-12-24": "ignore"},
            },
        },
        source="test",
    )
    data = config.to_dict()
    assert data["weekday"] == {"open": "21:15", "close": "05:45", "every": "1h30m", "enabled": True}
    assert data["holidays"]["country"] == "DE" and data["holidays"]["subdivision"] == "BY"
    assert parse_schedule(data, source="again") == config
    assert config.holidays.by_date == {date(2026, 12, 24): Treatment.IGNORE}


@pytest.mark.parametrize(
    ("text", "duration"), [("2h", 120), ("90m", 90), ("1h30m", 90), ("1h 5m", 65)]
)
def test_durations(text, duration):
    config = parse_schedule({"timezone": "UTC", "max_batch_duration": text}, source="t")
    assert config.max_batch_duration == timedelta(minutes=duration)
    assert format_duration(config.max_batch_duration) in (text, text.replace(" ", ""), "1h30m")


@pytest.mark.parametrize(
    ("yaml_text", "field", "fragment"),
    [
        ("timezone: Europe/Berln\n", "timezone", "did you mean Europe/Berlin"),
        ("weekday: {open: '22:00', close: '06:00', every: 2h}\n", "timezone", "Field required"),
        (
            "timezone: UTC\nweekday: {open: 22:00, close: '06:00', every: 2h}\n",
            "weekday.open",
            "quote it: '22:00'",
        ),
        (
            "timezone: UTC\nweekday: {open: '25:00', close: '06:00', every: 2h}\n",
            "weekday.open",
            "HH:MM",
        ),
        (
            "timezone: UTC\nweekday: {open: '22:00', close: '22:00', every: 2h}\n",
            "weekday.close",
            "equals open",
        ),
        (
            "timezone: UTC\nweekday: {open: '22:00', close: '06:00', every: 2 hours}\n",
            "weekday.every",
            "not a duration",
        ),
        (
            "timezone: UTC\nweekday: {open: '22:00', close: '06:00', every: 0h}\n",
            "weekday.every",
            "longer than zero",
        ),
        (
            "timezone: UTC\nweekday: {open: '22:00', close: '06:00', evry: 2h}\n",
            "weekday.every",
            "Field required",
        ),
        (
            "timezone: UTC\nweekend: {open: '05:00', close: '09:00', every: 2h}\n",
            "weekend",
            "would overlap",
        ),
        (
            "timezone: UTC\nweekend: {open: '20:00', close: '23:00', every: 2h}\n"
            "weekday: {open: '22:00', close: '21:00', every: 2h}\n",
            "weekend",
            "would overlap",
        ),
        (
            "timezone: UTC\nweekend: {days: [sat, sat], open: '20:00', close: '08:00', every: 4h}\n",
            "weekend.days",
            "twice",
        ),
        (
            "timezone: UTC\nweekend: {days: [caturday], open: '20:00', close: '08:00', every: 4h}\n",
            "weekend.days.0",
            "caturday",
        ),
        ("timezone: UTC\nholidays: {country: XX}\n", "holidays.country", "not a country code"),
        ("timezone: UTC\nholidays: {country: DE, subdivision: ZZ}\n", "holidays.subdivision", "BY"),
        ("timezone: UTC\nholidays: {subdivision: BY}\n", "holidays.subdivision", "needs a country"),
        (
            "timezone: UTC\nholidays: {country: DE, language: xx_XX}\n",
            "holidays.language",
            "available: ",
        ),
        (
            "timezone: UTC\nholidays: {country: DE, treatment: closed}\n",
            "holidays.treatment",
            "'closed'",
        ),
        (
            "timezone: UTC\nholidays: {country: DE, by_name: {Xmas Day: weekend}}\n",
            "holidays.by_name",
            "'Xmas Day'",
        ),
        (
            "timezone: UTC\nholidays: {country: DE, language: de, by_name: {Christmas Day: weekend}}"
            "\n",
            "holidays.by_name",
            "'Christmas Day'",
        ),
        (
            "timezone: UTC\nholidays: {country: DE, by_date: {2026-07-01: weekend}}\n",
            "holidays.by_date",
            "extra_dates",
        ),
        (
            "timezone: UTC\nholidays: {extra_dates: {2026-07-01: ' '}}\n",
            "holidays.extra_dates",
            "needs a name",
        ),
        (
            "timezone: UTC\nmax_batch_duration: 13h\n",
            "max_batch_duration",
            "longest maintenance window (12h)",
        ),
        (
            "timezone: UTC\nduration_margin: 0.8\n",
            "duration_margin",
            "0.8 is below 1: an action would start although it is predicted to end after",
        ),
        (
            "timezone: UTC\nduration_margin: 12\n",
            "duration_margin",
            "12.0 is above 10",
        ),
        (
            "timezone: UTC\nduration_margin: lots\n",
            "duration_margin",
            "valid number",
        ),
        (
            "timezone: UTC\ndaily: {advisor: '19:00', backup: '03:00'}\n",
            "daily.backup",
            "Extra inputs",
        ),
    ],
)
def test_errors_name_the_file_and_the_field(tmp_path, yaml_text, field, fragment):
    path = write(tmp_path, yaml_text)
    with pytest.raises(ConfigError) as caught:
        load_schedule(path)
    assert caught.value.source == str(path)
    assert caught.value.field == field
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"{path}: {field}: ")


def test_max_batch_duration_may_be_null_or_a_duration(tmp_path):
    config = load_schedule(write(tmp_path, "timezone: UTC\nmax_batch_duration: null\n"))
    assert config.max_batch_duration is None
    assert parse_schedule(config.to_dict(), source="t") == config
    config = load_schedule(write(tmp_path, "timezone: UTC\nmax_batch_duration: 1h45m\n"))
    assert config.max_batch_duration == timedelta(hours=1, minutes=45)
    assert config.to_dict()["max_batch_duration"] == "1h45m"
    assert parse_schedule(config.to_dict(), source="t") == config


def test_several_problems_are_reported_together(tmp_path):
    path = write(tmp_path, "timezone: Mars/Olympus\nmax_batch_duration: soon\n")
    with pytest.raises(ConfigError) as caught:
        load_schedule(path)
    assert caught.value.field == "timezone"
    assert "also: max_batch_duration:" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("timezone: [unclosed\n", "not valid YAML at line"),
        ("- timezone: UTC\n", "expected a mapping of settings, got list"),
    ],
)
def test_file_level_errors_name_the_file(tmp_path, text, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=fragment) as caught:
        load_schedule(path)
    assert caught.value.source == str(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found") as caught:
        load_schedule(tmp_path / "nope.yaml")
    assert caught.value.source.endswith("nope.yaml")


def test_direct_construction_validates_too():
    with pytest.raises(ValueError, match="IANA"):
        ScheduleConfig(timezone="Nowhere/Special")


def test_weekday_names_and_window_lengths():
    config = parse_schedule(
        {
            "timezone": "UTC",
            "weekend": {
                "days": ["SUNDAY", "Sat"],
                "open": "20:00",
                "close": "08:00",
                "every": "4h",
            },
        },
        source="t",
    )
    assert config.weekend.days == (Weekday.SAT, Weekday.SUN)
    assert config.weekend.wall_length == timedelta(hours=12)
    assert config.weekday.crosses_midnight
    assert [d.index for d in Weekday] == list(range(7))


# --- values that used to pass silently or crash (issue 16) ----------------------------------


def _error(data: dict) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_schedule({"timezone": "UTC", **data}, source="schedule.yaml")
    return caught.value


def test_every_longer_than_its_window_is_refused():
    err = _error({"weekday": {"open": "22:00", "close": "23:00", "every": "2h"}})
    assert err.field == "weekday.every"
    assert "2h is longer than the window 22:00-23:00 (1h)" in str(err)
    # As long as the window is fine: one run per window.
    parse_schedule(
        {"timezone": "UTC", "weekday": {"open": "22:00", "close": "23:00", "every": "1h"}},
        source="schedule.yaml",
    )


@pytest.mark.parametrize("every", ["99999999999999999999h", "25h", "1441m", "9" * 5000 + "m"])
def test_durations_beyond_a_day_are_refused_not_overflowed(every):
    err = _error({"weekday": {"open": "22:00", "close": "06:00", "every": every}})
    assert err.field == "weekday.every"
    assert "longer than 24h" in str(err)


def test_a_schedule_without_any_window_is_refused():
    both_off = {
        "weekday": {"open": "22:00", "close": "06:00", "every": "2h", "enabled": False},
        "weekend": {"open": "20:00", "close": "08:00", "every": "4h", "enabled": False},
    }
    err = _error(both_off)
    assert err.field == "weekend" and "no maintenance window on any day" in str(err)
    # Weekday windows only on days that are not weekend days: all seven taken, weekend off.
    every_day_weekend = {
        "weekend": {
            "open": "20:00",
            "close": "08:00",
            "every": "4h",
            "enabled": False,
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        }
    }
    assert "no maintenance window on any day" in str(_error(every_day_weekend))


def test_an_impossible_date_key_names_its_field(tmp_path):
    path = write(
        tmp_path, "timezone: UTC\nholidays:\n  extra_dates:\n    2026-02-30: Leap of faith\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_schedule(path)
    assert caught.value.source == str(path)
    assert caught.value.field.startswith("holidays.extra_dates.2026-02-30")

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hcc_operators.core.calendar_days import DayKind
from hcc_operators.core.errors import WindowError
from hcc_operators.core.local_time import resolve_wall_time
from hcc_operators.core.schedule_config import parse_schedule
from hcc_operators.core.windows import WindowCalendar

BERLIN = ZoneInfo("Europe/Berlin")


def calendar(timezone: str = "Europe/Berlin", **sections) -> WindowCalendar:
    return WindowCalendar(parse_schedule({"timezone": timezone, **sections}, source="test.yaml"))


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


def wall(window_or_slot_time: datetime, zone: ZoneInfo = BERLIN) -> tuple:
    moment = window_or_slot_time.astimezone(zone)
    return (moment.month, moment.day, moment.hour, moment.minute)


# --- day types and the opening-day rule ------------------------------------------------------


def test_friday_night_is_a_weekday_window_closing_on_saturday_morning():
    cal = calendar()
    friday = cal.window_for_day(date(2025, 6, 6))
    assert friday.kind is DayKind.WEEKDAY
    assert wall(friday.start) == (6, 6, 22, 0)
    assert wall(friday.end) == (6, 7, 6, 0)


def test_saturday_and_sunday_nights_use_the_weekend_window():
    cal = calendar()
    saturday, sunday = cal.window_for_day(date(2025, 6, 7)), cal.window_for_day(date(2025, 6, 8))
    assert (saturday.kind, sunday.kind) == (DayKind.WEEKEND, DayKind.WEEKEND)
    assert (wall(saturday.start), wall(saturday.end)) == ((6, 7, 20, 0), (6, 8, 8, 0))
    # Sunday night before a working Monday still belongs to Sunday: it closes 08:00 Monday.
    assert (wall(sunday.start), wall(sunday.end)) == ((6, 8, 20, 0), (6, 9, 8, 0))
    monday = cal.window_for_day(date(2025, 6, 9))
    assert monday.kind is DayKind.WEEKDAY and wall(monday.start) == (6, 9, 22, 0)


@pytest.mark.parametrize(
    ("instant", "opening_day"),
    [
        (local(BERLIN, 2025, 6, 7, 3, 0), date(2025, 6, 6)),  # Sat 03:00: Friday's window
        (local(BERLIN, 2025, 6, 7, 7, 0), None),  # Sat 07:00: closed
        (local(BERLIN, 2025, 6, 8, 7, 59), date(2025, 6, 7)),  # Sun 07:59: Saturday's window
        (local(BERLIN, 2025, 6, 9, 7, 30), date(2025, 6, 8)),  # Mon 07:30: Sunday's window
        (local(BERLIN, 2025, 6, 9, 8, 0), None),  # close is exclusive
        (local(BERLIN, 2025, 6, 9, 22, 0), date(2025, 6, 9)),  # open is inclusive
        (local(BERLIN, 2025, 6, 9, 12, 0), None),
    ],
)
def test_window_at_across_weekday_weekend_transitions(instant, opening_day):
    window = calendar().window_at(instant)
    assert (window.day if window else None) == opening_day


def test_window_crossing_midnight_is_found_from_either_side():
    cal = calendar()
    before, after = local(BERLIN, 2025, 6, 10, 23, 30), local(BERLIN, 2025, 6, 11, 1, 30)
    assert cal.window_at(before) == cal.window_at(after) == cal.window_for_day(date(2025, 6, 10))


def test_window_not_crossing_midnight():
    cal = calendar(weekday={"open": "01:00", "close": "05:00", "every": "1h"})
    window = cal.window_for_day(date(2025, 6, 10))
    assert (wall(window.start), wall(window.end)) == ((6, 10, 1, 0), (6, 10, 5, 0))
    assert [wall(s.start)[2] for s in cal.slots(window)] == [1, 2, 3, 4]


# --- slots -----------------------------------------------------------------------------------


def test_weekday_and_weekend_slots_follow_the_run_interval():
    cal = calendar()
    weekday = cal.slots(cal.window_for_day(date(2025, 6, 10)))
    weekend = cal.slots(cal.window_for_day(date(2025, 6, 14)))
    assert [wall(s.start)[2] for s in weekday] == [22, 0, 2, 4]
    assert all(s.duration == timedelta(hours=2) for s in weekday)
    assert [wall(s.start)[2] for s in weekend] == [20, 0, 4]
    assert [s.index for s in weekend] == [0, 1, 2]
    assert [s.last for s in weekend] == [False, False, True]


def test_last_slot_is_cut_at_the_close():
    cal = calendar(weekday={"open": "22:00", "close": "06:00", "every": "3h"})
    slots = cal.slots(cal.window_for_day(date(2025, 6, 10)))
    assert [(wall(s.start)[2], s.duration) for s in slots] == [
        (22, timedelta(hours=3)),
        (1, timedelta(hours=3)),
        (4, timedelta(hours=2)),
    ]


def test_interval_as_long_as_the_window_gives_one_slot():
    # A longer interval is refused by schedule.yaml's validation (test_schedule_config).
    cal = calendar(weekday={"open": "22:00", "close": "23:00", "every": "1h"})
    (slot,) = cal.slots(cal.window_for_day(date(2025, 6, 10)))
    assert slot.duration == timedelta(hours=1) and slot.last


def test_slot_at_next_slot_and_current_or_next():
    cal = calendar()
    inside = local(BERLIN, 2025, 6, 11, 1, 15)  # Tuesday's window, slot 00:00-02:00
    slot = cal.slot_at(inside)
    assert wall(slot.start) == (6, 11, 0, 0) and wall(slot.end) == (6, 11, 2, 0)
    assert cal.current_or_next_slot(inside) == slot
    assert wall(cal.next_slot(inside).start) == (6, 11, 2, 0)
    # On a boundary: strict skips the slot starting there, inclusive keeps it.
    boundary = local(BERLIN, 2025, 6, 11, 2, 0)
    assert wall(cal.next_slot(boundary).start) == (6, 11, 4, 0)
    assert wall(cal.next_slot(boundary, inclusive=True).start) == (6, 11, 2, 0)
    # Outside any window the next slot is the next window's first.
    midday = local(BERLIN, 2025, 6, 11, 12, 0)
    assert cal.slot_at(midday) is None
    assert wall(cal.current_or_next_slot(midday).start) == (6, 11, 22, 0)


def test_next_window_is_strictly_after():
    cal = calendar()
    tuesday = cal.window_for_day(date(2025, 6, 10))
    assert cal.next_window(tuesday.start - timedelta(seconds=1)) == tuesday
    assert cal.next_window(tuesday.start).day == date(2025, 6, 11)
    # Friday 23:00 is inside Friday's window: the next to open is Saturday's weekend window.
    nxt = cal.next_window(local(BERLIN, 2025, 6, 13, 23, 0))
    assert (nxt.day, nxt.kind) == (date(2025, 6, 14), DayKind.WEEKEND)


def test_windows_between_and_slots_between_return_overlapping_intervals():
    cal = calendar()
    start, end = local(BERLIN, 2025, 6, 7, 3, 0), local(BERLIN, 2025, 6, 9, 12, 0)
    assert [w.day for w in cal.windows_between(start, end)] == [
        date(2025, 6, 6),
        date(2025, 6, 7),
        date(2025, 6, 8),
    ]
    slots = cal.slots_between(start, end)
    assert wall(slots[0].start) == (6, 7, 2, 0)  # the slot already running at `start`
    assert len(slots) == 1 + 1 + 3 + 3
    assert cal.windows_between(end, end) == []
    with pytest.raises(ValueError, match="before start"):
        cal.windows_between(end, start)


# --- remaining -------------------------------------------------------------------------------


def test_remaining_counts_to_the_window_close_in_any_input_zone():
    cal = calendar()
    instant = local(BERLIN, 2025, 6, 11, 4, 30)
    assert cal.remaining(instant) == timedelta(hours=1, minutes=30)
    assert cal.remaining(instant.astimezone(ZoneInfo("Asia/Tokyo"))) == timedelta(minutes=90)
    assert cal.remaining(local(BERLIN, 2025, 6, 11, 6, 0)) == timedelta(0)
    assert cal.remaining(local(BERLIN, 2025, 6, 11, 12, 0)) == timedelta(0)


def test_remaining_is_absolute_time_on_a_fall_back_night():
    # Saturday 2025-10-25 20:00 CEST -> Sunday 08:00 CET is 13 hours of real time.
    cal = calendar()
    opened = local(BERLIN, 2025, 10, 25, 20, 0)
    assert cal.remaining(opened) == timedelta(hours=13)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar().window_at(datetime(2025, 6, 10, 23, 0))


# --- holidays --------------------------------------------------------------------------------

GOOD_FRIDAY, EASTER_MONDAY = date(2025, 4, 18), date(2025, 4, 21)


def test_holiday_before_a_weekend_as_blackout():
    cal = calendar(holidays={"country": "DE", "treatment": "blackout"})
    assert cal.days.kind(GOOD_FRIDAY) is DayKind.BLACKOUT
    assert cal.window_for_day(GOOD_FRIDAY) is None
    # Thursday's window still runs into the blackout morning: it opened on a working day.
    thursday = cal.window_for_day(date(2025, 4, 17))
    assert wall(thursday.end) == (4, 18, 6, 0)
    assert cal.window_at(local(BERLIN, 2025, 4, 18, 23, 0)) is None
    assert cal.window_for_day(date(2025, 4, 19)).kind is DayKind.WEEKEND


def test_holiday_after_a_weekend_as_blackout():
    cal = calendar(holidays={"country": "DE"})
    sunday = cal.window_for_day(date(2025, 4, 20))
    assert wall(sunday.end) == (4, 21, 8, 0)
    assert cal.window_for_day(EASTER_MONDAY) is None
    assert cal.next_window(sunday.start).day == date(2025, 4, 22)


def test_holidays_as_weekend_use_the_weekend_window_on_either_side_of_a_weekend():
    cal = calendar(holidays={"country": "DE", "treatment": "weekend"})
    for day in (GOOD_FRIDAY, EASTER_MONDAY):
        window = cal.window_for_day(day)
        assert window.kind is DayKind.HOLIDAY
        assert (wall(window.start)[2:], wall(window.end)[2:]) == ((20, 0), (8, 0))
        assert len(cal.slots(window)) == 3
    # Four weekend-style nights in a row, from Good Friday to Easter Monday.
    nights = cal.windows_between(local(BERLIN, 2025, 4, 18, 12), local(BERLIN, 2025, 4, 22, 12))
    assert [w.kind for w in nights] == [
        DayKind.HOLIDAY,
        DayKind.WEEKEND,
        DayKind.WEEKEND,
        DayKind.HOLIDAY,
    ]


def test_overrides_by_name_and_by_date():
    cal = calendar(
        holidays={
            "country": "DE",
            "treatment": "blackout",
            "by_name": {"good friday": "weekend", "Easter Monday": "ignore"},
            "by_date": {"2026-04-03": "blackout"},  # Good Friday 2026: the date wins
        }
    )
    assert cal.days.kind(GOOD_FRIDAY) is DayKind.HOLIDAY
    assert cal.days.kind(EASTER_MONDAY) is DayKind.WEEKDAY
    assert cal.days.info(EASTER_MONDAY).holidays == ("Easter Monday",)
    assert cal.days.kind(date(2026, 4, 3)) is DayKind.BLACKOUT
    assert cal.days.kind(date(2025, 10, 3)) is DayKind.BLACKOUT  # German Unity Day: default


def test_ignored_holiday_on_a_weekend_stays_a_weekend_day():
    cal = calendar(holidays={"country": "DE", "treatment": "ignore"})
    assert cal.days.kind(date(2025, 4, 20)) is DayKind.WEEKEND  # Easter Sunday
    assert cal.days.kind(GOOD_FRIDAY) is DayKind.WEEKDAY


def test_extra_dates_are_holidays_with_the_default_treatment():
    cal = calendar(
        holidays={
            "extra_dates": {"2025-12-23": "Inventory", "2025-12-24": "Christmas Eve"},
            "by_date": {"2025-12-24": "weekend"},
        }
    )
    assert cal.window_for_day(date(2025, 12, 23)) is None
    assert cal.window_for_day(date(2025, 12, 24)).kind is DayKind.HOLIDAY
    assert cal.days.info(date(2025, 12, 23)).holidays == ("Inventory",)
    assert cal.window_for_day(date(2025, 12, 22)).kind is DayKind.WEEKDAY


def test_strictest_treatment_wins_when_two_holidays_share_a_date():
    cal = calendar(
        holidays={
            "country": "DE",
            "treatment": "weekend",
            "extra_dates": {"2025-05-01": "Plant shutdown"},
            "by_name": {"Plant shutdown": "blackout"},
        }
    )
    info = cal.days.info(date(2025, 5, 1))
    assert set(info.holidays) == {"Labor Day", "Plant shutdown"}
    assert info.kind is DayKind.BLACKOUT


def test_subdivision_holidays_apply_only_there():
    corpus_christi = date(2025, 6, 19)
    assert calendar(holidays={"country": "DE"}).days.kind(corpus_christi) is DayKind.WEEKDAY
    bavaria = calendar(holidays={"country": "DE", "subdivision": "BY"})
    assert bavaria.days.kind(corpus_christi) is DayKind.BLACKOUT


# --- weekends --------------------------------------------------------------------------------


def test_weekends_disabled_means_no_window_on_weekend_days_or_weekend_holidays():
    cal = calendar(
        weekend={"enabled": False, "open": "20:00", "close": "08:00", "every": "4h"},
        holidays={"country": "DE", "treatment": "weekend"},
    )
    assert cal.window_for_day(date(2025, 6, 14)) is None
    assert cal.window_for_day(date(2025, 6, 15)) is None
    assert cal.window_for_day(GOOD_FRIDAY) is None
    friday = cal.window_for_day(date(2025, 6, 13))
    assert friday.kind is DayKind.WEEKDAY
    assert cal.next_window(friday.start).day == date(2025, 6, 16)


def test_configurable_weekend_days():
    cal = calendar(
        "Asia/Dubai",
        weekend={"days": ["Friday", "sat"], "open": "20:00", "close": "08:00", "every": "4h"},
    )
    kinds = [cal.days.kind(date(2025, 6, 8) + timedelta(days=i)) for i in range(7)]  # Sun..Sat
    assert kinds == [DayKind.WEEKDAY] * 5 + [DayKind.WEEKEND] * 2


def test_a_calendar_without_any_window_raises_window_error():
    cal = calendar()
    cal.days.kind = lambda day: DayKind.BLACKOUT  # as if every date were a blackout holiday
    with pytest.raises(WindowError, match="no maintenance slot within"):
        cal.next_slot(local(BERLIN, 2025, 6, 9, 0, 0))
    with pytest.raises(WindowError, match="no maintenance window within"):
        cal.next_window(local(BERLIN, 2025, 6, 9, 0, 0))


# --- DST -------------------------------------------------------------------------------------


def test_berlin_spring_forward_weekend_night_is_an_hour_shorter():
    cal = calendar()
    window = cal.window_for_day(date(2025, 3, 29))  # clocks jump 02:00 -> 03:00 on Sunday
    assert window.duration == timedelta(hours=11)
    slots = cal.slots(window)
    assert [wall(s.start)[2] for s in slots] == [20, 0, 4]
    assert [s.duration for s in slots] == [timedelta(hours=h) for h in (4, 3, 4)]


def test_berlin_fall_back_weekend_night_is_an_hour_longer():
    cal = calendar()
    window = cal.window_for_day(date(2025, 10, 25))
    assert window.duration == timedelta(hours=13)
    assert [s.duration for s in cal.slots(window)] == [timedelta(hours=h) for h in (4, 5, 4)]


def test_slot_start_in_a_gap_moves_forward_and_collapsed_slots_disappear():
    cal = calendar(weekend={"open": "20:00", "close": "08:00", "every": "30m"})
    slots = cal.slots(cal.window_for_day(date(2025, 3, 29)))
    starts = [s.start.astimezone(BERLIN).strftime("%H:%M") for s in slots]
    assert "01:30" in starts and "03:00" in starts and "02:30" not in starts
    jump = starts.index("03:00")
    assert slots[jump].wall_start == datetime(2025, 3, 30, 2, 0)  # scheduled 02:00, runs 03:00
    assert slots[jump + 1].wall_start == datetime(2025, 3, 30, 3, 30)
    assert slots[jump - 1].duration == timedelta(minutes=30)
    assert len(slots) == 12 * 2 - 2  # 02:00 and 02:30 collapse onto 03:00 with 03:00 itself


def test_new_york_dst_nights():
    ny = ZoneInfo("America/New_York")
    cal = calendar("America/New_York")
    spring, fall = cal.window_for_day(date(2025, 3, 8)), cal.window_for_day(date(2025, 11, 1))
    assert spring.duration == timedelta(hours=11) and fall.duration == timedelta(hours=13)
    assert wall(spring.end, ny)[2:] == wall(fall.end, ny)[2:] == (8, 0)
    assert [s.duration for s in cal.slots(fall)] == [timedelta(hours=h) for h in (4, 5, 4)]


# Weekday nights must close before an early weekend window opens.
SHORT_WEEKDAY = {"open": "22:00", "close": "01:00", "every": "1h"}


def test_window_opening_in_an_ambiguous_hour_opens_at_the_first_occurrence():
    cal = calendar(
        weekday=SHORT_WEEKDAY, weekend={"open": "02:30", "close": "07:00", "every": "1h"}
    )
    window = cal.window_for_day(date(2025, 10, 26))  # 02:30 happens twice in Berlin
    assert window.start == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert window.duration == timedelta(hours=5, minutes=30)
    # 02:30 CEST -> 03:30 CET spans the repeated hour; the rest keep their length.
    assert [s.duration for s in cal.slots(window)] == [
        timedelta(hours=2),
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(minutes=30),
    ]


def test_window_entirely_inside_the_spring_gap_does_not_happen():
    cal = calendar(
        weekday=SHORT_WEEKDAY, weekend={"open": "02:10", "close": "02:50", "every": "10m"}
    )
    assert cal.window_for_day(date(2025, 3, 30)) is None
    assert cal.window_for_day(date(2025, 4, 6)).duration == timedelta(minutes=40)


def test_window_opening_in_the_gap_opens_when_the_clocks_jump():
    cal = calendar(
        weekday=SHORT_WEEKDAY, weekend={"open": "02:30", "close": "07:00", "every": "1h"}
    )
    window = cal.window_for_day(date(2025, 3, 30))
    assert window.start == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert cal.slots(window)[0].wall_start == datetime(2025, 3, 30, 2, 30)


YEAR_CONFIGS = [
    {},
    {
        "weekday": {"open": "22:00", "close": "06:00", "every": "1h"},
        "weekend": {"open": "20:00", "close": "08:00", "every": "30m"},
    },
    {
        "weekday": {"open": "01:30", "close": "03:15", "every": "45m"},
        "weekend": {"open": "00:00", "close": "23:00", "every": "7h"},
    },
    {
        "weekday": {"open": "02:30", "close": "02:00", "every": "5h"},
        "weekend": {"enabled": False, "open": "20:00", "close": "08:00", "every": "4h"},
    },
]
YEAR_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe"]


@pytest.mark.parametrize("zone_name", YEAR_ZONES)
@pytest.mark.parametrize("sections", YEAR_CONFIGS, ids=range(len(YEAR_CONFIGS)))
def test_a_year_of_slots_is_ordered_contiguous_and_never_empty(zone_name, sections):
    zone = ZoneInfo(zone_name)
    cal = calendar(zone_name, holidays={"extra_dates": {"2025-07-01": "x"}}, **sections)
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    windows = cal.windows_between(start, end)
    assert len(windows) > 200
    previous_end = None
    for window in windows:
        assert window.start < window.end
        assert window.start.tzinfo is UTC and window.end.tzinfo is UTC
        assert previous_end is None or previous_end <= window.start  # windows never overlap
        previous_end = window.end
        slots = cal.slots(window)
        assert slots[0].start == window.start and slots[-1].end == window.end
        assert [s.index for s in slots] == list(range(len(slots)))
        assert [s.last for s in slots] == [False] * (len(slots) - 1) + [True]
        for slot, following in zip(slots, slots[1:], strict=False):
            assert slot.end == following.start  # contiguous in UTC
        for slot in slots:
            assert slot.start < slot.end
            assert slot.start == resolve_wall_time(slot.wall_start, zone)
            # A slot runs at its scheduled local time unless that time did not exist.
            shown = slot.start.astimezone(zone).replace(tzinfo=None)
            assert shown == slot.wall_start or shown > slot.wall_start
        assert sum((s.duration for s in slots), timedelta()) == window.duration
        # Every wall-clock step of the window is either a slot or inside a skipped gap.
        steps, step = 0, window.wall_open
        while step < window.wall_close:
            steps, step = steps + 1, step + window.every
        assert len(slots) <= steps
        assert abs(window.duration - (window.wall_close - window.wall_open)) <= timedelta(hours=1)
    assert len({s.start for w in windows for s in cal.slots(w)}) == sum(
        len(cal.slots(w)) for w in windows
    )


@pytest.mark.parametrize("zone_name", YEAR_ZONES)
def test_lookups_agree_with_the_slot_list_around_every_boundary(zone_name):
    cal = calendar(zone_name, weekend={"open": "20:00", "close": "08:00", "every": "90m"})
    tick = timedelta(microseconds=1)
    slots = cal.slots_between(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    for slot, following in zip(slots, slots[1:], strict=False):
        assert cal.slot_at(slot.start) == slot
        assert cal.slot_at(slot.end - tick) == slot
        assert cal.next_slot(slot.start) == following
        assert cal.next_slot(slot.start, inclusive=True) == slot
        assert cal.remaining(slot.start) == slot.window.end - slot.start
        if slot.last:
            assert cal.window_at(slot.end) is None or cal.window_at(slot.end) != slot.window
            assert cal.current_or_next_slot(slot.end) == following


def test_weekends_only_opens_no_window_on_a_working_day():
    from datetime import UTC, datetime, timedelta

    from hcc_operators.core.schedule_config import load_schedule, weekends_only
    from hcc_operators.core.schedule_text import summarize
    from hcc_operators.core.windows import WindowCalendar

    full = WindowCalendar(load_schedule())
    weekend = WindowCalendar(weekends_only(load_schedule()))
    start = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
    windows = weekend.windows_between(start, start + timedelta(days=28))
    assert windows and {w.kind.value for w in windows} <= {"weekend", "holiday"}
    assert len(full.windows_between(start, start + timedelta(days=28))) > len(windows)
    assert "Mon-Fri no window" in summarize(weekends_only(load_schedule()))

from __future__ import annotations

import pytest

from hcc_operators.core.schedule_config import parse_schedule
from hcc_operators.core.schedule_text import day_ranges, describe, summarize


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ({5, 6}, "Sat-Sun"),
        ({6, 0, 1, 2, 3}, "Sun-Thu"),
        ({0, 2}, "Mon, Wed"),
        ({0, 1, 3, 4}, "Mon-Tue, Thu-Fri"),
        (set(range(7)), "daily"),
        (set(), "never"),
    ],
)
def test_day_ranges(days, text):
    assert day_ranges(days) == text


def test_summary_of_the_usual_schedule():
    config = parse_schedule(
        {"timezone": "Europe/Berlin", "holidays": {"country": "DE"}}, source="t"
    )
    assert summarize(config) == (
        "Mon-Fri 22:00-06:00 every 2h, Sat-Sun 20:00-08:00 every 4h, Europe/Berlin, "
        "DE holidays as blackout"
    )
    assert "Public holidays of DE are blackout days (no window opens)." in describe(config)


def test_summary_with_weekends_off_and_exceptions():
    config = parse_schedule(
        {
            "timezone": "Asia/Dubai",
            "weekend": {
                "enabled": False,
                "days": ["fri", "sat"],
                "open": "20:00",
                "close": "08:00",
                "every": "4h",
            },
            "holidays": {
                "country": "DE",
                "subdivision": "BY",
                "treatment": "weekend",
                "extra_dates": {"2026-12-24": "Christmas Eve"},
                "by_date": {"2026-12-24": "blackout"},
            },
        },
        source="t",
    )
    assert summarize(config) == (
        "Sun-Thu 22:00-06:00 every 2h, Fri-Sat no window, Asia/Dubai, "
        "DE-BY holidays as weekend + 1 extra date (1 exception)"
    )
    text = describe(config)
    assert "no window on Fri-Sat" in text
    assert "except 2026-12-24 as blackout" in text


def test_describe_says_how_far_a_batch_plans_and_the_margin():
    config = parse_schedule({"timezone": "UTC"}, source="t")
    text = describe(config)
    assert "A batch plans work up to the window's close" in text
    assert "predicted duration x 1.5 ends before the close" in text
    capped = parse_schedule(
        {"timezone": "UTC", "max_batch_duration": "1h45m", "duration_margin": 2}, source="t"
    )
    text = describe(capped)
    assert "A batch plans work at most 1h45m, within the window" in text
    assert "predicted duration x 2 ends before the close" in text

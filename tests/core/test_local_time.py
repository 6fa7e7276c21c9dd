from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hcc_operators.core.local_time import as_utc, resolve_wall_time

BERLIN = ZoneInfo("Europe/Berlin")


def test_ordinary_time():
    assert resolve_wall_time(datetime(2025, 6, 10, 22, 0), BERLIN) == datetime(
        2025, 6, 10, 20, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("minute", [0, 1, 30, 59])
def test_nonexistent_time_resolves_forward_to_the_jump(minute):
    # Berlin 2025-03-30: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    got = resolve_wall_time(datetime(2025, 3, 30, 2, minute), BERLIN)
    assert got == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)


def test_ambiguous_time_resolves_to_the_first_occurrence():
    got = resolve_wall_time(datetime(2025, 10, 26, 2, 30), BERLIN)
    assert got == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # 02:30 CEST, not CET


def test_half_hour_dst_shift_of_lord_howe():
    zone = ZoneInfo("Australia/Lord_Howe")  # 2025-10-05: 02:00 +10:30 -> 02:30 +11:00
    assert resolve_wall_time(datetime(2025, 10, 5, 2, 15), zone) == datetime(
        2025, 10, 4, 15, 30, tzinfo=UTC
    )


def test_mapping_never_goes_backwards_across_a_whole_dst_day():
    for zone_name in ("Europe/Berlin", "America/New_York", "Australia/Sydney"):
        zone = ZoneInfo(zone_name)
        for day in (
            datetime(2025, 3, 30),
            datetime(2025, 10, 26),
            datetime(2025, 3, 9),
            datetime(2025, 11, 2),
            datetime(2025, 4, 6),
            datetime(2025, 10, 5),
        ):
            instants = [
                resolve_wall_time(day + timedelta(minutes=m), zone) for m in range(0, 24 * 60, 5)
            ]
            assert instants == sorted(instants)


def test_guards():
    with pytest.raises(ValueError, match="naive"):
        resolve_wall_time(datetime(2025, 1, 1, tzinfo=UTC), BERLIN)
    with pytest.raises(ValueError, match="timezone-aware"):
        as_utc(datetime(2025, 1, 1))
    plus_two = datetime(2025, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert as_utc(plus_two) == datetime(2025, 1, 1, tzinfo=UTC)

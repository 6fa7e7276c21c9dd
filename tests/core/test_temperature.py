from __future__ import annotations

from datetime import date, datetime

import pytest

from hcc_operators.core.temperature import (
    BUILTIN_THRESHOLDS,
    Temperature,
    Thresholds,
    add_months,
    age_days,
    age_months,
    band,
    days_since,
    last_day,
    partition_temperature,
    temperature,
)

T = Thresholds(90, 365, 1095)


def test_last_day_is_the_day_before_a_midnight_bound():
    assert last_day(date(2024, 2, 1)) == date(2024, 1, 31)
    assert last_day(datetime(2024, 2, 1)) == date(2024, 1, 31)


def test_a_bound_after_midnight_still_admits_rows_on_its_day():
    assert last_day(datetime(2024, 2, 1, 12, 0)) == date(2024, 2, 1)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (date(2024, 1, 15), 0),  # still being loaded
        (date(2024, 1, 31), 0),  # its last day
        (date(2024, 2, 1), 1),  # the bound day
        (date(2024, 3, 1), 30),
        (datetime(2024, 3, 1, 23, 59), 30),
    ],
)
def test_age_days_counts_from_the_last_day(reference, expected):
    assert age_days(date(2024, 2, 1), reference) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2023, 2, 28), 1, date(2023, 3, 31)),  # month end stays month end, as in Oracle
        (date(2024, 1, 30), 1, date(2024, 2, 29)),
        (date(2024, 1, 15), 1, date(2024, 2, 15)),
        (date(2024, 11, 30), 14, date(2026, 1, 31)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
    ],
)
def test_add_months_follows_oracle(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (date(2024, 2, 28), 0),
        (date(2024, 2, 29), 1),  # one month after the last day, 31 Jan
        (date(2024, 4, 29), 2),
        (date(2024, 4, 30), 3),
        (date(2025, 1, 31), 12),
        (date(2023, 12, 1), 0),  # future partition
    ],
)
def test_age_months_of_a_monthly_partition(reference, expected):
    assert age_months(date(2024, 2, 1), reference) == expected


def test_age_months_mid_month_bound():
    assert age_months(date(2024, 1, 16), date(2024, 2, 14)) == 0
    assert age_months(date(2024, 1, 16), date(2024, 2, 15)) == 1


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, Temperature.HOT),
        (89, Temperature.HOT),
        (90, Temperature.WARM),
        (364, Temperature.WARM),
        (365, Temperature.COLD),
        (1094, Temperature.COLD),
        (1095, Temperature.FROZEN),
        (10_000, Temperature.FROZEN),
    ],
)
def test_bands_are_lower_inclusive(days, expected):
    assert band(days, T) == expected


def test_builtin_thresholds_are_90_365_1095():
    assert Thresholds(90, 365, 1095) == BUILTIN_THRESHOLDS


def test_recent_access_makes_an_old_partition_hot():
    assert temperature(2000, T, last_access_days=10) is Temperature.HOT
    assert temperature(2000, T, last_access_days=89) is Temperature.HOT


def test_access_older_than_hot_days_does_not_warm():
    assert temperature(2000, T, last_access_days=90) is Temperature.FROZEN


def test_missing_access_never_cools_a_young_partition():
    assert temperature(10, T, last_access_days=None) is Temperature.HOT


@pytest.mark.parametrize(("hot", "warm", "cold"), [(90, 90, 100), (100, 90, 200), (0, 1, 2)])
def test_thresholds_must_increase(hot, warm, cold):
    with pytest.raises(ValueError, match="hot_days|strictly increasing"):
        Thresholds(hot, warm, cold)


def test_partition_temperature_combines_age_and_access():
    bound = date(2020, 1, 1)
    ref = date(2024, 1, 1)
    assert partition_temperature(bound, ref, T) is Temperature.FROZEN
    assert partition_temperature(bound, ref, T, last_access=datetime(2023, 12, 20)) is (
        Temperature.HOT
    )


def test_days_since():
    assert days_since(None, date(2024, 1, 1)) is None
    assert days_since(datetime(2023, 12, 30, 23, 0), date(2024, 1, 1)) == 2
    assert days_since(date(2024, 2, 1), date(2024, 1, 1)) == 0

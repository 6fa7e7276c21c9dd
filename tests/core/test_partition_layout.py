from __future__ import annotations

from datetime import date, datetime

import pytest

from hcc_operators.core.partition_layout import PartitionBounds, Period, layout_facts, period_of


def p(name, pos, bound, ts="DATA", size=100):
    return PartitionBounds(name, pos, bound, ts, size)


YEARLY_THEN_MONTHLY = [
    p("P_2021", 1, datetime(2022, 1, 1)),
    p("P_2022_01", 2, datetime(2022, 2, 1)),
    p("P_2022_02", 3, datetime(2022, 3, 1)),
    p("P_2022_03", 4, datetime(2022, 4, 1), ts="OTHER"),
    p("P_MAX", 5, None),
]


def test_newest_is_the_highest_position_whatever_the_input_order():
    facts = layout_facts(list(reversed(YEARLY_THEN_MONTHLY)))
    assert [n for n, f in facts.items() if f.is_newest] == ["P_MAX"]


def test_the_months_of_a_year_share_its_period():
    facts = layout_facts(YEARLY_THEN_MONTHLY)
    year = facts["P_2022_02"].periods[Period.YEAR]
    assert year.members == ("P_2022_01", "P_2022_02", "P_2022_03")
    assert (year.key, year.bytes, year.last_day) == ("2022", 300, date(2022, 12, 31))
    assert year.is_last("P_2022_03") and not year.is_last("P_2022_01")
    assert year.result_name() == "P_2022"
    # Tablespaces may differ: the merge's target storage decides where the result goes.
    assert facts["P_2022_03"].periods[Period.YEAR] == year


def test_the_first_partition_and_maxvalue_lie_in_no_period():
    facts = layout_facts(YEARLY_THEN_MONTHLY)
    # The first partition has no lower bound: it may hold rows of any earlier year.
    assert facts["P_2021"].periods[Period.YEAR] is None
    assert facts["P_MAX"].periods[Period.YEAR] is None


def test_a_partition_spanning_two_years_is_in_none():
    parts = [
        p("P_OLD", 1, datetime(2021, 7, 1)),
        p("P_2021_H2", 2, datetime(2022, 1, 1)),  # 2021-07..12: within 2021
        p("P_SPAN", 3, datetime(2022, 3, 1)),  # 2022-01..02 but its lower bound is 2022-01-01
        p("P_WIDE", 4, datetime(2023, 2, 1)),  # 2022-03 .. 2023-01: spans two years
    ]
    facts = layout_facts(parts)
    assert facts["P_2021_H2"].periods[Period.YEAR].members == ("P_2021_H2",)
    assert facts["P_SPAN"].periods[Period.YEAR].members == ("P_SPAN",)
    assert facts["P_WIDE"].periods[Period.YEAR] is None


def test_quarters():
    parts = [p("P0", 0, datetime(2022, 1, 1))] + [
        p(f"P_2022_{m:02d}", m, datetime(2022 + (m == 12), m % 12 + 1, 1)) for m in range(1, 13)
    ]
    facts = layout_facts(parts)
    q3 = facts["P_2022_08"].periods[Period.QUARTER]
    assert q3.members == ("P_2022_07", "P_2022_08", "P_2022_09")
    assert (q3.key, q3.result_name(), q3.last_day) == ("2022Q3", "P_2022_Q3", date(2022, 9, 30))
    assert facts["P_2022_12"].periods[Period.YEAR].members[0] == "P_2022_01"
    assert len(facts["P_2022_12"].periods[Period.YEAR].members) == 12


@pytest.mark.parametrize(
    ("day", "period", "expected"),
    [
        (date(2024, 2, 29), Period.QUARTER, (2024, 1, date(2024, 1, 1), date(2024, 3, 31))),
        (date(2024, 12, 31), Period.QUARTER, (2024, 4, date(2024, 10, 1), date(2024, 12, 31))),
        (date(2024, 7, 1), Period.YEAR, (2024, 3, date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_period_of(day, period, expected):
    assert period_of(day, period) == expected


def test_a_bound_with_a_time_keeps_its_day():
    # A bound at 2023-01-01 06:00 admits rows on 2023-01-01: the partition is not within 2022.
    parts = [p("A", 1, datetime(2022, 1, 1)), p("B", 2, datetime(2023, 1, 1, 6))]
    assert layout_facts(parts)["B"].periods[Period.YEAR] is None

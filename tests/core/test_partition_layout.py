from __future__ import annotations

from datetime import datetime

from hcc_operators.core.partition_layout import PartitionBounds, layout_facts


def p(name, pos, bound, ts="DATA"):
    return PartitionBounds(name, pos, bound, ts)


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


def test_month_merges_into_the_same_year_partition_below_in_the_same_tablespace():
    facts = layout_facts(YEARLY_THEN_MONTHLY)
    assert facts["P_2022_02"].merge_target == "P_2022_01"
    # January's lower neighbour holds 2021: never merge across a year boundary
    assert facts["P_2022_01"].merge_target is None
    # different tablespace
    assert facts["P_2022_03"].merge_target is None
    # first partition and MAXVALUE
    assert facts["P_2021"].merge_target is None
    assert facts["P_MAX"].merge_target is None


def test_a_partition_spanning_years_below_is_not_a_target():
    parts = [
        p("P_OLD", 1, datetime(2021, 7, 1)),
        p("P_2021_H2", 2, datetime(2022, 1, 1)),  # holds 2021-07..12 only: a valid 2021 target
        p("P_2022_01", 3, datetime(2022, 2, 1)),
    ]
    facts = layout_facts(parts)
    assert facts["P_2022_01"].merge_target is None
    parts2 = [
        p("P_OLD", 1, datetime(2021, 7, 1)),
        p("P_2021_JUL", 2, datetime(2021, 8, 1)),
        p("P_2021_AUG", 3, datetime(2021, 9, 1)),
    ]
    assert layout_facts(parts2)["P_2021_AUG"].merge_target == "P_2021_JUL"

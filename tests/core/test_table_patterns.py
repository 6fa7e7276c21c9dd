from __future__ import annotations

import pytest

from hcc_operators.core.table_patterns import PatternError, compile_pattern


@pytest.mark.parametrize(
    ("pattern", "owner", "table", "expected"),
    [
        ("SALES.ORDERS", "SALES", "ORDERS", True),
        ("sales.orders", "SALES", "ORDERS", True),
        ("SALES.ORDER*", "SALES", "ORDER_LINES", True),
        ("SALES.ORDER*", "SALES", "RETURNS", False),
        ("*.AUD_TRAIL", "AUDIT", "AUD_TRAIL", True),
        ("SALES.ORDERS_?", "SALES", "ORDERS_1", True),
        ("SALES.ORDERS_?", "SALES", "ORDERS_12", False),
    ],
)
def test_matching(pattern, owner, table, expected):
    assert compile_pattern(pattern).matches(owner, table) is expected


def test_star_does_not_span_owner_and_table():
    assert not compile_pattern("S*S.X").matches("S", "S.X")
    assert compile_pattern("*.*").matches("ANY", "THING")


def test_quoted_parts_match_exactly():
    pattern = compile_pattern('"Sales".Orders')
    assert pattern.matches("Sales", "ORDERS")
    assert not pattern.matches("SALES", "ORDERS")
    assert compile_pattern('SALES."My.Table*"').matches("SALES", "My.Table_1")


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("SALES", "one dot"),
        ("A.B.C", "one dot"),
        (".ORDERS", "empty owner"),
        ("SALES.", "empty table"),
        ("SALES.ORD[0-9]", "may only contain"),
        ("SALES.ORD ERS", "may only contain"),
        ('SALES."ORDERS', "unbalanced"),
        ("", "empty"),
    ],
)
def test_bad_patterns(pattern, message):
    with pytest.raises(PatternError, match=message):
        compile_pattern(pattern)


@pytest.mark.parametrize("text", ["SALES\n.ORDERS", "SALES.ORD\nERS", "SAL\nES.*"])
def test_a_newline_inside_a_pattern_part_is_refused(text):
    with pytest.raises(PatternError, match="may only contain"):
        compile_pattern(text)

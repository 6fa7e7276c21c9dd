from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcc_operators.core.high_value import Bound, HighValueKind, parse, upper_bound_date

K = HighValueKind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "TO_DATE(' 2024-02-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', 'NLS_CALENDAR=GREGORIAN')",
            datetime(2024, 2, 1),
        ),
        ("to_date('2024-02-01', 'YYYY-MM-DD')", datetime(2024, 2, 1)),
        ("TO_DATE(' 2024-02-01 13:45:10')", datetime(2024, 2, 1, 13, 45, 10)),
        ("TIMESTAMP' 2024-02-01 00:00:00'", datetime(2024, 2, 1)),
        ("TIMESTAMP ' 2024-02-01 00:00:00.250000'", datetime(2024, 2, 1, 0, 0, 0, 250000)),
        (
            "TO_TIMESTAMP(' 2024-03-01 00:00:00.000000000', 'SYYYY-MM-DD HH24:MI:SS.FF', "
            "'NLS_CALENDAR=GREGORIAN')",
            datetime(2024, 3, 1),
        ),
        ("DATE '2024-02-01'", datetime(2024, 2, 1)),
        (
            "TIMESTAMP' 2024-02-01 00:00:00 +02:00'",
            datetime(2024, 2, 1, tzinfo=timezone(timedelta(hours=2))),
        ),
    ],
)
def test_date_bounds(text: str, expected: datetime) -> None:
    value = parse(text)
    assert value.kind is K.DATE
    assert value.value == expected
    assert value.text == text
    assert upper_bound_date(text) == expected


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("MAXVALUE", K.MAXVALUE, None),
        (" maxvalue ", K.MAXVALUE, None),
        ("DEFAULT", K.DEFAULT, None),
        ("NULL", K.NULL, None),
        ("100", K.NUMBER, Decimal(100)),
        ("-5.25", K.NUMBER, Decimal("-5.25")),
        ("1e3", K.NUMBER, Decimal("1e3")),
        ("'EU'", K.STRING, "EU"),
        ("'O''Brien'", K.STRING, "O'Brien"),
        ("'a, b'", K.STRING, "a, b"),
        ("N'x'", K.STRING, "x"),
    ],
)
def test_scalar_bounds(text: str, kind: HighValueKind, value) -> None:
    parsed = parse(text)
    assert (parsed.kind, parsed.value) == (kind, value)
    assert upper_bound_date(text) is None


def test_list_partition_values_are_all_kept() -> None:
    parsed = parse("'EU', 'UK', NULL")
    assert parsed.kind is K.STRING
    assert parsed.value == "EU"
    assert parsed.values == (Bound(K.STRING, "EU"), Bound(K.STRING, "UK"), Bound(K.NULL))


def test_multi_column_range_key_is_led_by_the_first_column() -> None:
    text = "TO_DATE(' 2024-02-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', 'NLS_CALENDAR=GREGORIAN'), 10"
    parsed = parse(text)
    assert parsed.kind is K.DATE
    assert parsed.values[1] == Bound(K.NUMBER, Decimal(10))
    assert parse("MAXVALUE, MAXVALUE").kind is K.MAXVALUE


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "SYSDATE",
        "ADD_MONTHS(SYSDATE, 1)",
        "TO_DATE(' 2024-02-01 00:00:00', 'DD-MON-RR')",
        "TO_DATE(' 2024-02-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', 'NLS_CALENDAR=PERSIAN')",
        "TO_DATE('-4712-01-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS')",
        "TO_DATE(' 2024-13-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS')",
        "TIMESTAMP' 2024-02-30 00:00:00'",
        "DATE '0000-01-01'",
        "'unterminated",
        "(1",
        "1)",
        "1,,2",
        "'a', SYSDATE",
        "1; DROP TABLE x",
        "__import__('os').system('x')",
    ],
)
def test_unrecognised_text_is_unknown(text: str) -> None:
    parsed = parse(text)
    assert parsed.kind is K.UNKNOWN
    assert parsed.value is None
    assert upper_bound_date(text) is None


def test_non_text_is_unknown() -> None:
    assert parse(None).kind is K.UNKNOWN
    assert parse(42).kind is K.UNKNOWN  # type: ignore[arg-type]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=120))
def test_arbitrary_text_never_raises(text: str) -> None:
    parsed = parse(text)
    assert parsed.text == text
    if parsed.kind is K.DATE:
        assert isinstance(parsed.value, datetime)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)))
def test_every_representable_date_round_trips(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    text = (
        f"TO_DATE(' {moment.year:04d}-{moment:%m-%d %H:%M:%S}', 'SYYYY-MM-DD HH24:MI:SS', "
        "'NLS_CALENDAR=GREGORIAN')"
    )
    assert upper_bound_date(text) == moment

"""Dictionary values read into core models (docs/oracle-rules.md CMP-*)."""

from __future__ import annotations

import pytest

from hcc_operators.core.models import CompressionType, ObjectRef, UnknownCompression

C = CompressionType


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, C.NONE),
        ("", C.NONE),
        ("DISABLED", C.NONE),
        ("BASIC", C.BASIC),
        ("OLTP", C.ADVANCED),
        ("ADVANCED", C.ADVANCED),
        ("QUERY LOW", C.QUERY_LOW),
        ("QUERY HIGH", C.QUERY_HIGH),
        ("ARCHIVE LOW", C.ARCHIVE_LOW),
        ("ARCHIVE HIGH", C.ARCHIVE_HIGH),
        ("QUERY HIGH ROW LEVEL LOCKING", C.QUERY_HIGH),
        ("ARCHIVE LOW NO ROW LEVEL LOCKING", C.ARCHIVE_LOW),
        ("query_low  row level locking", C.QUERY_LOW),
        ("FOR ALL OPERATIONS", C.ADVANCED),
        ("DIRECT LOAD ONLY", C.BASIC),
    ],
)
def test_every_documented_compress_for_value(text, expected):
    assert CompressionType.parse(text) is expected


@pytest.mark.parametrize("text", ["ENABLED", "QUERY MEDIUM", "COLUMNAR 2", "ROW LEVEL LOCKING"])
def test_an_unknown_value_raises_with_the_raw_text(text):
    with pytest.raises(UnknownCompression) as err:
        CompressionType.parse(text)
    assert err.value.raw == text and repr(text) in str(err.value)


@pytest.mark.parametrize(
    ("ref", "typed"),
    [
        (ObjectRef("AUDIT", "AUD_TRAIL", "P_2025_12"), '"AUDIT".AUD_TRAIL:P_2025_12'),
        (ObjectRef("SALES", "Mixed", "p1"), 'SALES."Mixed":"p1"'),
        (ObjectRef("SALES", "ORDERS", "P1", "SP1"), "SALES.ORDERS:P1:SP1"),
        (ObjectRef("SALES", "TABLE"), 'SALES."TABLE"'),
    ],
)
def test_user_text_is_read_back_to_the_same_object(ref, typed):
    assert ref.user_text == typed
    assert ObjectRef.from_user_text(typed) == ref

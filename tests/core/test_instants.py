from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hcc_operators.core.instants import as_utc


def test_naive_is_read_as_utc_and_aware_is_converted():
    assert as_utc(datetime(2026, 1, 1, 12)) == datetime(2026, 1, 1, 12, tzinfo=UTC)
    plus2 = datetime(2026, 1, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    converted = as_utc(plus2)
    assert converted == datetime(2026, 1, 1, 12, tzinfo=UTC) and converted.tzinfo is UTC
    assert as_utc(None) is None

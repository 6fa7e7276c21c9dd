"""Partition bounds written exactly as Oracle keeps them in ALL_TAB_PARTITIONS.HIGH_VALUE.

``bound_key`` is the sortable form the simulation orders and checks adjacency by; the text is
what callers see and must parse.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

MAXVALUE = "MAXVALUE"
MAXVALUE_KEY = "9999-12-31"


def date_bound(day: date) -> str:
    return (
        f"TO_DATE(' {day:%Y-%m-%d} 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', 'NLS_CALENDAR=GREGORIAN')"
    )


def timestamp_bound(day: date) -> str:
    return f"TIMESTAMP' {day:%Y-%m-%d} 00:00:00'"


@lru_cache(maxsize=4096)
def range_bound(key_type: str, day: date | None) -> tuple[str, str]:
    """(HIGH_VALUE text, bound_key) of a range partition; ``day`` None means MAXVALUE."""
    if day is None:
        return MAXVALUE, MAXVALUE_KEY
    text = timestamp_bound(day) if key_type == "TIMESTAMP" else date_bound(day)
    return text, day.isoformat()


def list_bound(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)

"""Whether an action's effect is already present in the live state, and what a rewrite needs.

A cleared or retried task checks this before any DDL, so work that completed before a lost
connection is reported SKIPPED instead of being repeated. Each kind says how its result shows
in the dictionary (``ActionSpec.applied`` in core.actions).
"""

from __future__ import annotations

from hcc_operators.core.actions import Live, spec
from hcc_operators.core.models import Action, SegmentInfo


def is_applied(action: Action, live: Live) -> bool | None:
    """True/False from the live state; None when the kind's result cannot be read from it."""
    check = spec(action.kind).applied
    return None if check is None else check(action, live)


def rewrite_bytes_needed(current: SegmentInfo, expected_bytes_after: int | None = None) -> int:
    """Free bytes the target tablespace needs while the rewrite runs.

    A MOVE builds the new segment before dropping the old one, so the whole new segment must fit
    even when source and target tablespace are the same. Without an estimate, assume the new
    segment is as large as the old one: over-asking is safer than ORA-01688 half way through.
    """
    if expected_bytes_after is not None and expected_bytes_after > 0:
        return min(expected_bytes_after, current.bytes)
    return current.bytes

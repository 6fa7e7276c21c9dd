"""Whether an action's effect is already present in the live state of its target.

A cleared or retried task calls this before any DDL, so work that completed before a lost
connection is reported SKIPPED instead of being repeated.
"""

from __future__ import annotations

from hcc_operators.core.models import Action, ActionKind, SegmentInfo


def is_applied(
    action: Action, target: SegmentInfo | None, *, merge_source_exists: bool = True
) -> bool:
    """True when ``target`` (the live segment of ``action.ref``) already shows the action's result.

    For MERGE, ``target`` is the live ``merge_into`` partition and ``merge_source_exists`` says
    whether ``action.ref`` still exists: the merge is done once the source partition is gone.
    """
    kind = action.kind
    if kind is ActionKind.DROP:
        return target is None
    if kind is ActionKind.MERGE:
        return target is not None and not merge_source_exists
    if target is None:
        return False
    if kind is ActionKind.COMPRESS:
        return target.compression == action.compression and _in_tablespace(action, target)
    if kind is ActionKind.MOVE:
        same_compression = action.compression is None or target.compression == action.compression
        return _in_tablespace(action, target) and same_compression
    if kind is ActionKind.READ_ONLY:
        return target.read_only
    if kind is ActionKind.TRUNCATE:
        return target.num_rows == 0
    return False


def _in_tablespace(action: Action, target: SegmentInfo) -> bool:
    return action.tablespace is None or (target.tablespace or "") == action.tablespace


def rewrite_bytes_needed(current: SegmentInfo, expected_bytes_after: int | None = None) -> int:
    """Free bytes the target tablespace needs while the rewrite runs.

    A MOVE builds the new segment before dropping the old one, so the whole new segment must fit
    even when source and target tablespace are the same. Without an estimate, assume the new
    segment is as large as the old one: over-asking is safer than ORA-01688 half way through.
    """
    if expected_bytes_after is not None and expected_bytes_after > 0:
        return min(expected_bytes_after, current.bytes)
    return current.bytes

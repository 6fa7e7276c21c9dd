"""A queue row resolved against the live dictionary: the action it means now, or why there
is nothing to run. Shared by execution (services/ilm_execute.py) and by recovery
(services/recovery.py), which must read an item the same way to tell whether it was applied.

An item whose partition no longer exists (merged or dropped since it was queued) is never a
failure: it is skipped, naming the partition whose range holds its rows now, and the next
evaluation decides for the partition that exists now. A MERGE finds its period's partitions
by the bound the item was queued with, so it is always right about what exists now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pydantic import ValidationError

from hcc_operators.core.actions import ActionParams, parse_params
from hcc_operators.core.errors import ConfigError, NothingToDo, PolicyError, Transience
from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import Action, ActionKind, ActionStatus, ObjectRef, SegmentInfo
from hcc_operators.core.outcomes import ActionOutcome
from hcc_operators.services.action_runner import table_segments
from hcc_operators.warehouse.base import Warehouse

#: The codes a statement naming a partition or subpartition that no longer exists gets
#: (rule book OBJ-02, OBJ-03).
MISSING_OBJECT_CODES = ("ORA-02149", "ORA-14251")


@dataclass(frozen=True)
class Resolved:
    """``action`` to run, or ``outcome`` saying why there is none. A CUSTOM item has neither:
    its strategy resolves its own object."""

    params: ActionParams | None
    action: Action | None = None
    outcome: ActionOutcome | None = None


def row_ref(row) -> ObjectRef:
    return ObjectRef(row.owner, row.table_name, row.partition_name)


def resolve_row(warehouse: Warehouse, row) -> Resolved:
    """Parse ``row``'s parameters and resolve its action against the live partitions."""
    ref = row_ref(row)
    try:
        params = parse_params(row.action_params, row.action)
    except (ValueError, ValidationError) as err:
        outcome = ActionOutcome(ActionStatus.FAILED, row.action, ref.label)
        outcome.message = f"queue item {row.queue_id} has unreadable parameters: {err}"
        outcome.error_code, outcome.transience = "HCC-BAD-PARAMS", Transience.PERMANENT.value
        return Resolved(None, outcome=outcome)
    table = table_segments(warehouse, ref)
    gone = gone_reason(params, ref, table, row.upper_bound)
    if gone is not None:
        return Resolved(params, outcome=skipped(params, ref, gone))
    if params.kind is ActionKind.CUSTOM:
        return Resolved(params)
    try:
        action = params.to_action(ref, table=table, upper_bound=row.upper_bound)
    except NothingToDo as why:
        return Resolved(params, outcome=skipped(params, ref, str(why)))
    except (PolicyError, ConfigError) as err:
        outcome = ActionOutcome(ActionStatus.FAILED, params.kind.value, ref.label, str(err))
        outcome.transience = Transience.PERMANENT.value
        return Resolved(params, outcome=outcome)
    return Resolved(params, action=action)


def skipped(params: ActionParams, ref: ObjectRef, why: str) -> ActionOutcome:
    return ActionOutcome(ActionStatus.SKIPPED, params.kind.value, ref.label, message=why)


def gone_reason(
    params: ActionParams, ref: ObjectRef, table: list[SegmentInfo], upper_bound
) -> str | None:
    """Why an item whose partition no longer exists has nothing to do, or None.

    A MERGE finds its partitions by the item's bound. A DROP of a missing partition sends
    nothing either, but its partition may be gone because it was merged into another (whose
    rows were not dropped), so the text says both. Any other action's partition was merged or
    dropped since the evaluation queued it."""
    if params.kind is ActionKind.MERGE:
        return None
    partitions = [s for s in table if not s.ref.subpartition]
    if any(s.ref.partition == ref.partition for s in partitions):
        return None
    holder = holding_partition(partitions, upper_bound)
    if params.kind is ActionKind.DROP:
        merged = f", or merged into {holder} (its rows are there, not dropped)" if holder else ""
        return (
            f"{ref.label} no longer exists: already dropped{merged}; nothing sent. The next "
            "evaluation decides for the partitions that exist now"
        )
    where = f"; its rows are now in {holder}" if holder else ""
    return (
        f"{ref.label} no longer exists (merged or dropped since it was queued){where}; the "
        "next evaluation decides for the partition that exists now"
    )


def holding_partition(partitions, upper_bound) -> str | None:
    """The live partition whose range holds the day before ``upper_bound``."""
    if upper_bound is None:
        return None
    day = upper_bound.replace(tzinfo=None) - timedelta(microseconds=1)
    for seg in sorted(partitions, key=lambda s: s.position or 0):
        bound = upper_bound_date(seg.high_value)
        if bound is None or bound.replace(tzinfo=None) > day:
            return seg.ref.partition
    return None


def vanished_during(warehouse: Warehouse, row, outcome: ActionOutcome) -> ActionOutcome:
    """A statement refused because its partition no longer exists (changed outside this
    package between the live read and the DDL): re-read, and skip with the reason instead of
    failing when the partition is indeed gone now."""
    if outcome.status is not ActionStatus.FAILED or outcome.error_code not in MISSING_OBJECT_CODES:
        return outcome
    resolved = resolve_row(warehouse, row)
    if resolved.outcome is not None and resolved.outcome.status is ActionStatus.SKIPPED:
        resolved.outcome.message += f" (the statement got {outcome.error_code})"
        resolved.outcome.statements = outcome.statements
        return resolved.outcome
    return outcome

"""Run one physical action safely: verify, pre-check, apply, measure, reconcile.

Shared by compression execution, rollback and ILM execute, so every path gets the same
guarantees: live state is read first (a retry never repeats finished DDL), space and storage are
checked before any DDL, row counts are reconciled around rewrites, and a lost connection after
commit is resolved by re-reading the dictionary instead of guessing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from hcc_operators.core.action_state import is_applied, rewrite_bytes_needed
from hcc_operators.core.actions import Live
from hcc_operators.core.errors import (
    ConfigError,
    NothingToDo,
    PolicyError,
    Transience,
    WarehouseError,
)
from hcc_operators.core.licences import check_level, decide_online
from hcc_operators.core.models import (
    Action,
    ActionKind,
    ActionStatus,
    CompressionType,
    ObjectRef,
    SegmentInfo,
)
from hcc_operators.core.outcomes import ActionOutcome
from hcc_operators.warehouse.base import Warehouse

__all__ = ["ActionOutcome", "BeforeDdl", "live_state", "raise_for_failure", "run_action"]

#: Called with the outcome holding the measured before-state, just before the first DDL is
#: sent: ILM execution writes it to the attempt's log row, so that if the worker dies between
#: the DDL and its recording, recovery knows the real before-state and that DDL was sent.
BeforeDdl = Callable[[ActionOutcome], None]


def run_action(
    warehouse: Warehouse,
    action: Action,
    *,
    ddl_lock_timeout_s: int = 30,
    expected_bytes_after: int | None = None,
    on_before_ddl: BeforeDdl | None = None,
) -> ActionOutcome:
    """Apply ``action`` unless its effect is already there. Never raises WarehouseError."""
    outcome = ActionOutcome(ActionStatus.RUNNING, action.kind.value, action.ref.label)
    try:
        return _run(
            warehouse, action, outcome, ddl_lock_timeout_s, expected_bytes_after, on_before_ddl
        )
    except NothingToDo as why:
        outcome.status = ActionStatus.SKIPPED
        outcome.message = str(why)
        return outcome
    except WarehouseError as err:
        return _failed(outcome, err)
    except (PolicyError, ConfigError) as err:
        # A person must change the policy or the connection: fail fast, never retry.
        return _failed(outcome, WarehouseError(str(err), transience=Transience.PERMANENT))


def licensed(
    warehouse: Warehouse, action: Action, current: SegmentInfo | None
) -> tuple[Action, str | None]:
    """The action as the connection's licences allow it (core.licences): the compression
    level checked, ``online: auto`` decided. Returns the action and a note for the log: the
    licence decision, and what the kind's DDL leaves undone (``ActionSpec.note``)."""
    if not action.kind.rewrites_segment:
        return action, None
    check_level(action.compression, warehouse.licences)
    online, note = decide_online(
        action.online,
        action.compression,
        current.compression if current else CompressionType.NONE,
        warehouse.licences,
    )
    said = action.kind.spec.note(action) if action.kind.spec.note else None
    return replace(action, online=online), "; ".join(n for n in (note, said) if n) or None


def table_segments(warehouse: Warehouse, ref: ObjectRef) -> list[SegmentInfo]:
    """Every partition and subpartition of ``ref``'s table, read now."""
    table = ObjectRef(ref.owner, ref.table)
    return [s for s in warehouse.list_segments([ref.owner], [table]) if s.ref.partition]


def live_state(warehouse: Warehouse, action: Action) -> Live:
    """What the dictionary shows now about the action's objects."""
    target = warehouse.segment(action.ref)
    needs_table = action.kind is ActionKind.MERGE or (
        target is not None and target.has_subpartitions
    )
    table = table_segments(warehouse, action.ref) if needs_table else []
    present = {s.ref.partition for s in table if not s.ref.subpartition}
    return Live(
        target=target,
        table=table,
        sources_left=tuple(s for s in action.merge_sources if s in present),
    )


def _sources(live: Live, action: Action) -> list[SegmentInfo]:
    wanted = set(action.merge_sources)
    return [s for s in live.table if not s.ref.subpartition and s.ref.partition in wanted]


def _before(live: Live, action: Action) -> SegmentInfo | None:
    """The storage the action starts from: its segment, or for a MERGE its sources together."""
    if action.kind is not ActionKind.MERGE:
        return live.target
    sources = _sources(live, action)
    if not sources:
        return live.target
    return replace(
        sources[-1],
        ref=action.ref,
        bytes=sum(s.bytes for s in sources),
        blocks=sum(s.blocks for s in sources),
        num_rows=sum(s.num_rows for s in sources),
        compression=max((s.compression for s in sources), key=lambda c: c.rank),
    )


def _run(
    warehouse, action, outcome, ddl_lock_timeout_s, expected_bytes_after, on_before_ddl
) -> ActionOutcome:
    live = live_state(warehouse, action)
    before = _before(live, action)
    _record_before(outcome, before)

    if is_applied(action, live):
        outcome.status = ActionStatus.SKIPPED
        outcome.message = "already applied: the live state shows the action's result"
        _record_after(outcome, live.target)
        return outcome
    if before is None:
        raise WarehouseError(
            f"{action.ref.label} does not exist; re-run the evaluation to refresh the queue",
            code="ORA-02149" if action.ref.partition else "ORA-00942",
        )

    action, note = licensed(warehouse, action, before)
    _precheck(warehouse, action, before, expected_bytes_after)
    rows_before = _rows_before(warehouse, action)
    outcome.rows_before = rows_before
    if on_before_ddl is not None:
        on_before_ddl(outcome)

    started = time.monotonic()
    try:
        applied = warehouse.apply(action, ddl_lock_timeout_s=ddl_lock_timeout_s)
    except WarehouseError as err:
        if not err.committed:
            raise
        # The DDL committed but the reply was lost: believe the dictionary, not the exception.
        if not is_applied(action, live_state(warehouse, action)):
            raise
        outcome.message = f"connection lost after commit ({err.code}); verified applied"
        outcome.duration_s = round(time.monotonic() - started, 3)
    else:
        outcome.statements = list(applied.statements)
        outcome.duration_s = round(applied.duration_s, 3)
        outcome.simulated = applied.simulated

    after = warehouse.segment(action.ref)
    _record_after(outcome, after)
    if action.kind.rewrites_segment and after is not None:
        outcome.rows_after = warehouse.row_count(action.ref)
        if rows_before is not None and outcome.rows_after != rows_before:
            outcome.status = ActionStatus.FAILED
            outcome.error_code = "ROW_COUNT_MISMATCH"
            outcome.message = (
                f"row count changed across the rewrite: {rows_before} before, "
                f"{outcome.rows_after} after; investigate before any further action"
            )
            return outcome
    outcome.status = ActionStatus.SUCCESS
    outcome.message = outcome.message or ("applied" + (f" ({note})" if note else ""))
    return outcome


def _rows_before(warehouse: Warehouse, action: Action) -> int | None:
    """The rows this action itself rewrites: its segment's, or a MERGE's sources' together,
    each read for that partition, never the table's. Nothing else changes these partitions
    between this read and the one after the DDL: one action per table at a time
    (services/table_lock.py)."""
    if not action.kind.rewrites_segment:
        return None
    if action.kind is ActionKind.MERGE:
        return sum(
            warehouse.row_count(replace(action.ref, partition=name))
            for name in action.merge_sources
        )
    return warehouse.row_count(action.ref)


def _precheck(
    warehouse: Warehouse, action: Action, live: SegmentInfo, expected_bytes_after: int | None
) -> None:
    if not action.kind.rewrites_segment:
        return
    spaces = warehouse.tablespaces()
    target_name = action.tablespace or live.tablespace
    target = spaces.get(target_name or "")
    if target is None:
        raise WarehouseError(f"tablespace {target_name} does not exist", code="ORA-00959")
    if action.compression is not None and action.compression.is_hcc and not target.hcc_supported:
        raise WarehouseError(
            f"tablespace {target.name} is not on storage that supports Hybrid Columnar "
            f"Compression; choose an HCC-capable tablespace for {action.compression.value}",
            code="ORA-64307",
        )
    needed = rewrite_bytes_needed(live, expected_bytes_after)
    if target.free_bytes < needed:
        raise WarehouseError(
            f"tablespace {target.name} has {target.free_bytes} bytes free, the rewrite of "
            f"{action.ref.label} needs about {needed}; left for a later window",
            code="ORA-01688",
            transience=Transience.SKIP_FOR_NOW,
        )


def _record_before(outcome: ActionOutcome, seg: SegmentInfo | None) -> None:
    if seg is not None:
        outcome.compression_before = seg.compression.value
        outcome.tablespace_before = seg.tablespace
        outcome.bytes_before = seg.bytes


def _record_after(outcome: ActionOutcome, seg: SegmentInfo | None) -> None:
    if seg is None:
        outcome.bytes_after = 0
        return
    outcome.compression_after = seg.compression.value
    outcome.tablespace_after = seg.tablespace
    outcome.bytes_after = seg.bytes


def _failed(outcome: ActionOutcome, err: WarehouseError) -> ActionOutcome:
    outcome.status = ActionStatus.FAILED
    outcome.error_code = err.code
    outcome.transience = err.transience.value
    outcome.message = str(err)
    return outcome


def raise_for_failure(result: ActionOutcome | dict) -> None:
    """Re-raise a FAILED outcome as the WarehouseError it came from (for task failure)."""
    data = result.to_dict() if isinstance(result, ActionOutcome) else result
    raise WarehouseError(
        f"{data['label']}: {data['message']}",
        code=data.get("error_code"),
        transience=Transience(data["transience"]) if data.get("transience") else None,
    )

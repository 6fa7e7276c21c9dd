"""Run one physical action safely: verify, pre-check, apply, measure, reconcile.

Shared by compression execution, rollback and ILM execute, so every path gets the same
guarantees: live state is read first (a retry never repeats finished DDL), space and storage are
checked before any DDL, row counts are reconciled around rewrites, and a lost connection after
commit is resolved by re-reading the dictionary instead of guessing.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

from hcc_operators.core.action_state import is_applied, rewrite_bytes_needed
from hcc_operators.core.errors import Transience, WarehouseError
from hcc_operators.core.models import Action, ActionKind, ActionStatus, ObjectRef, SegmentInfo
from hcc_operators.warehouse.base import Warehouse


@dataclass
class ActionOutcome:
    status: ActionStatus
    action: str
    label: str
    message: str = ""
    compression_before: str | None = None
    compression_after: str | None = None
    tablespace_before: str | None = None
    tablespace_after: str | None = None
    bytes_before: int | None = None
    bytes_after: int | None = None
    rows_before: int | None = None
    rows_after: int | None = None
    duration_s: float = 0.0
    simulated: bool = False
    statements: list[str] = field(default_factory=list)
    error_code: str | None = None
    transience: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.bytes_before and self.bytes_after:
            return round(self.bytes_before / self.bytes_after, 3)
        return None

    @property
    def space_saved(self) -> int | None:
        if self.bytes_before is None or self.bytes_after is None:
            return None
        return self.bytes_before - self.bytes_after

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.value
        data["ratio"] = self.ratio
        data["space_saved"] = self.space_saved
        return data


def run_action(
    warehouse: Warehouse,
    action: Action,
    *,
    ddl_lock_timeout_s: int = 30,
    expected_bytes_after: int | None = None,
) -> ActionOutcome:
    """Apply ``action`` unless its effect is already there. Never raises WarehouseError."""
    outcome = ActionOutcome(ActionStatus.RUNNING, action.kind.value, action.ref.label)
    try:
        return _run(warehouse, action, outcome, ddl_lock_timeout_s, expected_bytes_after)
    except WarehouseError as err:
        return _failed(outcome, err)


def _run(warehouse, action, outcome, ddl_lock_timeout_s, expected_bytes_after) -> ActionOutcome:
    live = warehouse.segment(action.ref)
    result_ref = _result_ref(action)
    result_live = warehouse.segment(result_ref) if result_ref != action.ref else live
    _record_before(outcome, live if live is not None else result_live)

    if is_applied(action, result_live, merge_source_exists=live is not None):
        outcome.status = ActionStatus.SKIPPED
        outcome.message = "already applied: the live state shows the action's result"
        _record_after(outcome, result_live)
        return outcome
    if live is None:
        raise WarehouseError(
            f"{action.ref.label} does not exist; re-run the evaluation to refresh the queue",
            code="ORA-02149" if action.ref.partition else "ORA-00942",
        )

    if action.kind is ActionKind.MERGE and result_live is not None:
        # Without explicit storage Oracle gives the merged partition the TABLE's defaults, which
        # would silently decompress an archived year: keep the surviving partition's storage.
        action = replace(
            action,
            compression=action.compression or result_live.compression,
            tablespace=action.tablespace or result_live.tablespace,
        )
    _precheck(warehouse, action, live, expected_bytes_after)
    rows_before = _rows_before(warehouse, action, live)
    outcome.rows_before = rows_before

    started = time.monotonic()
    try:
        applied = warehouse.apply(action, ddl_lock_timeout_s=ddl_lock_timeout_s)
    except WarehouseError as err:
        if not err.committed:
            raise
        # The DDL committed but the reply was lost: believe the dictionary, not the exception.
        after = warehouse.segment(result_ref)
        if not is_applied(
            action, after, merge_source_exists=warehouse.segment(action.ref) is not None
        ):
            raise
        outcome.message = f"connection lost after commit ({err.code}); verified applied"
        outcome.duration_s = round(time.monotonic() - started, 3)
    else:
        outcome.statements = list(applied.statements)
        outcome.duration_s = round(applied.duration_s, 3)
        outcome.simulated = applied.simulated

    after = warehouse.segment(result_ref)
    _record_after(outcome, after)
    if action.kind.rewrites_segment and after is not None:
        outcome.rows_after = warehouse.row_count(result_ref)
        if rows_before is not None and outcome.rows_after != rows_before:
            outcome.status = ActionStatus.FAILED
            outcome.error_code = "ROW_COUNT_MISMATCH"
            outcome.message = (
                f"row count changed across the rewrite: {rows_before} before, "
                f"{outcome.rows_after} after; investigate before any further action"
            )
            return outcome
    outcome.status = ActionStatus.SUCCESS
    outcome.message = outcome.message or "applied"
    return outcome


def _result_ref(action: Action) -> ObjectRef:
    if action.kind is ActionKind.MERGE and action.merge_into:
        return replace(action.ref, partition=action.merge_into, subpartition=None)
    return action.ref


def _rows_before(warehouse: Warehouse, action: Action, live: SegmentInfo) -> int | None:
    if not action.kind.rewrites_segment:
        return None
    rows = warehouse.row_count(action.ref)
    if action.kind is ActionKind.MERGE:
        rows += warehouse.row_count(_result_ref(action))
    return rows


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


def raise_for_failure(result: dict) -> None:
    """Re-raise a FAILED outcome dict as the WarehouseError it came from (for task failure)."""
    raise WarehouseError(
        f"{result['label']}: {result['message']}",
        code=result.get("error_code"),
        transience=Transience(result["transience"]) if result.get("transience") else None,
    )

"""CUSTOM queue items of the ILM pipeline, run through the strategy runner.

The queue row carries the policy's CustomParams (strategy name and its parameters) in
action_params. The result is returned as the ActionOutcome
the execute stage already logs for built-in actions, with the storage state read before and
after so the execution log shows what the strategy changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Engine

from hcc_operators.core.actions import parse_params
from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import ActionKind, ActionStatus, ObjectRef, SegmentInfo
from hcc_operators.core.outcomes import ActionOutcome
from hcc_operators.strategies.registry import StrategyRegistry
from hcc_operators.strategies.runner import run_strategy
from hcc_operators.warehouse.base import Warehouse


def run_custom_item(
    warehouse: Warehouse,
    engine: Engine,
    row: Any,
    *,
    now,
    registry: StrategyRegistry | None = None,
    context: Mapping[str, Any] | None = None,
) -> ActionOutcome:
    """Run the strategy a CUSTOM queue row names; never raises for a strategy's failure."""
    ref = ObjectRef(row.owner, row.table_name, row.partition_name)
    params = parse_params(row.action_params, ActionKind.CUSTOM)
    outcome = ActionOutcome(ActionStatus.RUNNING, ActionKind.CUSTOM.value, ref.label)
    _record(outcome, _live(warehouse, ref), before=True)
    run = run_strategy(
        warehouse,
        engine,
        params.strategy,
        ref,
        params.params,
        now,
        registry=registry,
        context={"queue_id": row.queue_id, "policy": row.policy_name, **(context or {})},
    )
    result = run.result
    outcome.status = result.status
    outcome.message = f"{run.strategy}: {result.message} (operation {run.operation_id})"
    outcome.statements = list(result.statements)
    outcome.duration_s = float(result.details.get("simulated_s") or run.duration_s)
    outcome.simulated = "simulated_s" in result.details
    outcome.error_code = result.error_code
    outcome.transience = run.transience
    _record(outcome, _live(warehouse, ref), before=False)
    return outcome


def _live(warehouse: Warehouse, ref: ObjectRef) -> SegmentInfo | None:
    try:
        return warehouse.segment(ref)
    except WarehouseError:
        return None  # the log columns stay empty; the strategy's own result says what failed


def _record(outcome: ActionOutcome, seg: SegmentInfo | None, *, before: bool) -> None:
    if seg is None:
        return
    side = "before" if before else "after"
    setattr(outcome, f"compression_{side}", seg.compression.value)
    setattr(outcome, f"tablespace_{side}", seg.tablespace)
    setattr(outcome, f"bytes_{side}", seg.bytes)

"""A custom strategy as a user would write one, registered by dotted path in the tests."""

from __future__ import annotations

from pydantic import Field

from hcc_operators.core.models import ActionStatus, ObjectRef
from hcc_operators.strategies.base import BaseStrategy, StrategyParams, StrategyResult


class RowCountParams(StrategyParams):
    min_rows: int = Field(0, ge=0)


class RecordRowCount(BaseStrategy):
    """Records the exact row count of a partition; SKIPPED below ``min_rows``."""

    name = "record_row_count"
    Params = RowCountParams

    def execute(self, warehouse, target: ObjectRef, params: RowCountParams) -> StrategyResult:
        rows = warehouse.row_count(target)
        seg = warehouse.segment(target)
        details = {"rows": rows, "bytes": seg.bytes if seg else None}
        if rows < params.min_rows:
            return StrategyResult(ActionStatus.SKIPPED, f"{rows} rows < {params.min_rows}", details)
        return StrategyResult(ActionStatus.SUCCESS, f"{target.label} holds {rows} rows", details)


class NotAStrategy:
    name = "not_a_strategy"


class WrongName(RecordRowCount):
    name = "something_else"

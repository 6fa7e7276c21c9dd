"""Run one strategy on one target and record it in hcc_operation_log.

Every attempt leaves a row, including one refused before it started (unknown strategy, bad
params): an operator reading the log must see that a policy tried and why it did nothing.
Failures the package understands (ConfigError, WarehouseError) become a FAILED result with the
reason; anything else is a bug in the strategy, so it is recorded and then re-raised for the
task log's traceback.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.engine import Engine

from hcc_operators.core.errors import ConfigError, Transience, WarehouseError
from hcc_operators.core.models import ActionStatus, ObjectRef
from hcc_operators.repository.tables import operation_log
from hcc_operators.strategies.base import StrategyResult
from hcc_operators.strategies.registry import StrategyRegistry, load_registry
from hcc_operators.warehouse.base import Warehouse


@dataclass(frozen=True)
class StrategyRun:
    operation_id: int
    strategy: str
    target: ObjectRef
    result: StrategyResult
    duration_s: float
    transience: str | None = None  # of the WarehouseError that failed the run, if any

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation_id": self.operation_id,
            "strategy": self.strategy,
            "target": self.target.label,
            "duration_s": self.duration_s,
            "transience": self.transience,
            **self.result.to_dict(),
        }


def run_strategy(
    warehouse: Warehouse,
    engine: Engine,
    name: str,
    target: ObjectRef,
    params: dict[str, Any] | None,
    now: datetime,
    *,
    registry: StrategyRegistry | None = None,
    context: dict[str, Any] | None = None,
) -> StrategyRun:
    """Validate, execute and log ``name`` on ``target``; ``context`` is stored with the row."""
    base_context = {"params": params or {}, "backend": warehouse.backend, **(context or {})}
    operation_id = _start(engine, name, target, now, base_context)
    started = time.monotonic()
    transience = None
    try:
        strategy = (registry or load_registry()).get(name)
        validated = strategy.validate(target, params or {})
        base_context["params"] = validated.model_dump(mode="json")
        result = strategy.execute(warehouse, target, validated)
        if not isinstance(result, StrategyResult):
            raise TypeError(
                f"strategy {name!r} returned {type(result).__name__}, not a StrategyResult"
            )
    except ConfigError as err:
        result = StrategyResult(ActionStatus.FAILED, str(err), error_code="CONFIG")
        transience = Transience.PERMANENT.value
    except WarehouseError as err:
        result = StrategyResult(ActionStatus.FAILED, str(err), error_code=err.code)
        transience = err.transience.value
    except Exception as err:
        _finish(
            engine,
            operation_id,
            now,
            time.monotonic() - started,
            base_context,
            StrategyResult(
                ActionStatus.FAILED, f"{type(err).__name__}: {err}", error_code="STRATEGY_BUG"
            ),
        )
        raise
    duration = time.monotonic() - started
    _finish(engine, operation_id, now, duration, base_context, result)
    return StrategyRun(operation_id, name, target, result, round(duration, 3), transience)


def _start(engine: Engine, name: str, target: ObjectRef, now: datetime, context: dict) -> int:
    with engine.begin() as conn:
        return conn.execute(
            insert(operation_log).values(
                strategy=name,
                target=target.label,
                status=ActionStatus.RUNNING.value,
                started_at=now,
                context=json.dumps(context, default=str),
            )
        ).inserted_primary_key[0]


def _finish(
    engine: Engine,
    operation_id: int,
    started_at: datetime,
    duration_s: float,
    context: dict,
    result: StrategyResult,
) -> None:
    failed = result.status is ActionStatus.FAILED
    with engine.begin() as conn:
        conn.execute(
            update(operation_log)
            .where(operation_log.c.operation_id == operation_id)
            .values(
                status=result.status.value,
                finished_at=started_at + timedelta(seconds=duration_s),
                duration_s=round(duration_s, 3),
                context=json.dumps({**context, "result": result.to_dict()}, default=str),
                error=result.message if failed else None,
            )
        )

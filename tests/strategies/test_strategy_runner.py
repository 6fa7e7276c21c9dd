from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import ActionStatus, ObjectRef
from hcc_operators.repository.tables import operation_log
from hcc_operators.strategies.base import BaseStrategy, StrategyResult
from hcc_operators.strategies.registry import StrategyRegistry, StrategySource, load_registry
from hcc_operators.strategies.runner import run_strategy

NOW = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
REF = ObjectRef("SALES", "ORDERS_FACT", "P_2020_01")


class _Warehouse:
    backend = "fake"


class Locked(BaseStrategy):
    name = "locked"

    def execute(self, warehouse, target, params):
        raise WarehouseError("resource busy", code="ORA-00054")


class Buggy(BaseStrategy):
    name = "buggy"

    def execute(self, warehouse, target, params):
        raise ZeroDivisionError("division by zero")


class Fine(BaseStrategy):
    name = "fine"

    def execute(self, warehouse, target, params):
        return StrategyResult(ActionStatus.SUCCESS, "done", {"n": 1}, ("ALTER ...",))


REGISTRY = StrategyRegistry(
    StrategySource(cls.name, f"{__name__}:{cls.__name__}", "test") for cls in (Locked, Buggy, Fine)
)


def _rows(engine):
    with engine.connect() as conn:
        return list(conn.execute(select(operation_log).order_by(operation_log.c.operation_id)))


def test_success_is_logged_with_context(sqlite_engine):
    run = run_strategy(
        _Warehouse(),
        sqlite_engine,
        "fine",
        REF,
        {},
        NOW,
        registry=REGISTRY,
        context={"queue_id": 7},
    )
    assert run.result.status is ActionStatus.SUCCESS
    (row,) = _rows(sqlite_engine)
    assert (row.operation_id, row.strategy, row.target, row.status) == (
        run.operation_id,
        "fine",
        REF.label,
        "SUCCESS",
    )
    assert row.started_at == NOW and row.finished_at >= NOW
    assert row.duration_s is not None and row.error is None
    context = json.loads(row.context)
    assert context["queue_id"] == 7 and context["backend"] == "fake"
    assert context["result"]["details"] == {"n": 1}
    assert context["result"]["statements"] == ["ALTER ..."]


def test_unknown_strategy_is_logged_as_failed(sqlite_engine, tmp_path):
    registry = load_registry(tmp_path, include_entry_points=False)
    run = run_strategy(_Warehouse(), sqlite_engine, "nope", REF, {}, NOW, registry=registry)
    assert run.result.status is ActionStatus.FAILED
    assert run.result.error_code == "CONFIG" and run.transience == "PERMANENT"
    (row,) = _rows(sqlite_engine)
    assert row.status == "FAILED" and "unknown strategy 'nope'" in row.error


def test_bad_params_are_logged_naming_the_field(sqlite_engine):
    run = run_strategy(_Warehouse(), sqlite_engine, "fine", REF, {"x": 1}, NOW, registry=REGISTRY)
    assert run.result.status is ActionStatus.FAILED
    (row,) = _rows(sqlite_engine)
    assert "strategy fine: params.x: unknown parameter" in row.error


def test_warehouse_error_keeps_code_and_transience(sqlite_engine):
    run = run_strategy(_Warehouse(), sqlite_engine, "locked", REF, None, NOW, registry=REGISTRY)
    assert run.result.error_code == "ORA-00054"
    assert run.transience == "TRANSIENT"
    assert _rows(sqlite_engine)[0].status == "FAILED"


def test_a_bug_is_logged_then_raised(sqlite_engine):
    with pytest.raises(ZeroDivisionError):
        run_strategy(_Warehouse(), sqlite_engine, "buggy", REF, {}, NOW, registry=REGISTRY)
    (row,) = _rows(sqlite_engine)
    assert row.status == "FAILED" and "ZeroDivisionError" in row.error

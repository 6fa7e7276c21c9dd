"""The pre-flight task: passes on a fully granted account, fails naming what is missing."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowFailException

from hcc_operators.operators.preflight import HccPreflightOperator
from hcc_operators.warehouse import factory
from hcc_operators.warehouse.embedded import build_warehouse


@pytest.fixture
def warehouse_path(tmp_path, monkeypatch):
    path = tmp_path / "wh.db"
    build_warehouse(path, seed=3).close()

    def open_warehouse(conn_id):
        from hcc_operators.warehouse.embedded import EmbeddedWarehouse

        return EmbeddedWarehouse(path)

    monkeypatch.setattr(factory, "warehouse_from_conn_id", open_warehouse)
    return path


def test_a_granted_account_passes_and_the_repository_is_not_touched(warehouse_path):
    import sqlite3

    result = HccPreflightOperator(task_id="preflight").execute({})
    assert result["status"] == "OK" and result["simulated"] is True
    with sqlite3.connect(warehouse_path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    # The pre-flight runs before any CREATE TABLE of the repository.
    assert not any(name.startswith("hcc_") for name in tables)


def test_a_missing_privilege_fails_the_task_naming_it(warehouse_path):
    from hcc_operators.warehouse.embedded import EmbeddedWarehouse

    with EmbeddedWarehouse(warehouse_path) as wh:
        wh.revoke_privilege("CREATE SEQUENCE")
    with pytest.raises(AirflowFailException, match="CREATE SEQUENCE: missing; needed"):
        HccPreflightOperator(task_id="preflight").execute({})

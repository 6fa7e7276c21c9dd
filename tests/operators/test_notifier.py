"""The failure notifier records the alert; what it needs is imported only when it runs.

Delivery by e-mail and webhook is in test_alert_channels.py, against real local servers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from hcc_operators.operators.notifier import HccFailureNotifier, failure_of
from hcc_operators.repository.tables import alerts
from hcc_operators.warehouse import factory


class FakeWarehouse:
    def __init__(self, engine):
        self.engine = engine
        self.closed = False

    def repository_engine(self):
        return self.engine

    def close(self):
        self.closed = True


def context(**extra):
    ti = SimpleNamespace(task_id="execute_action", map_index=3)
    return {"dag": SimpleNamespace(dag_id="hcc_ilm_execute"), "run_id": "r1", "ti": ti, **extra}


@pytest.mark.parametrize(
    ("failed_dag", "opened_conn"),
    [("hcc_ilm_execute", factory.DEFAULT_CONN_ID), ("hcc_ilm_execute__dw_amer", "hcc_dw_amer")],
)
def test_an_alert_goes_to_the_repository_of_the_failed_dags_warehouse(
    sqlite_engine, monkeypatch, failed_dag, opened_conn
):
    """One notifier serves every DAG of a fleet: the DAG id names the warehouse
    (warehouses.yaml ships dw_amer on hcc_dw_amer)."""
    opened = []

    def open_warehouse(conn_id):
        opened.append(conn_id)
        return FakeWarehouse(sqlite_engine)

    monkeypatch.setattr(factory, "warehouse_from_conn_id", open_warehouse)
    no_channels(monkeypatch)
    failed = context(exception=RuntimeError("ORA-01652"))
    failed["dag"] = SimpleNamespace(dag_id=failed_dag)
    HccFailureNotifier().notify(failed)
    assert opened == [opened_conn]


def test_a_failed_task_is_recorded_in_hcc_alerts(sqlite_engine, monkeypatch):
    opened = []

    def open_warehouse(conn_id):
        opened.append(conn_id)
        return FakeWarehouse(sqlite_engine)

    monkeypatch.setattr(factory, "warehouse_from_conn_id", open_warehouse)
    no_channels(monkeypatch)
    HccFailureNotifier(conn_id="my_conn").notify(context(exception=RuntimeError("ORA-01652")))
    with sqlite_engine.connect() as conn:
        rows = conn.execute(
            select(alerts.c.alert_key, alerts.c.severity, alerts.c.message, alerts.c.status)
        ).all()
    assert opened == ["my_conn"]
    assert rows == [
        (
            "task_failed:hcc_ilm_execute.execute_action",
            "CRITICAL",
            "hcc_ilm_execute.execute_action[3] failed in run r1: ORA-01652",
            "LOGGED",  # no channel configured
        )
    ]


def no_channels(monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_HCC_NOTIFY_EMAIL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_HCC_ALERT_WEBHOOK", raising=False)


def test_a_repository_that_cannot_be_reached_never_masks_the_failure(monkeypatch):
    def broken(conn_id):
        raise RuntimeError("connection refused")

    monkeypatch.setattr(factory, "warehouse_from_conn_id", broken)
    no_channels(monkeypatch)
    notifier = HccFailureNotifier()
    said: list[str] = []
    record = SimpleNamespace(
        error=lambda msg, *a: said.append(msg % a), warning=lambda msg, *a: said.append(msg % a)
    )
    monkeypatch.setattr(HccFailureNotifier, "log", record)
    notifier.notify(context())  # raises nothing
    assert said[0].startswith("HCC ALERT [CRITICAL]")
    assert said[1] == "could not record the alert in the repository: connection refused"


@pytest.mark.parametrize(
    ("ctx", "key"),
    [
        (context(), "task_failed:hcc_ilm_execute.execute_action"),
        ({"dag": SimpleNamespace(dag_id="d"), "run_id": "r", "reason": "timeout"}, "dag_failed:d"),
    ],
)
def test_the_alert_names_the_task_or_the_dag(ctx, key):
    assert failure_of(ctx).key == key

"""Who an Airflow run acts as, for the audit trail of what it changes (policy versions)."""

from __future__ import annotations

from types import SimpleNamespace

from hcc_operators.core.queue_control import Actor
from hcc_operators.operators.ilm import SCHEDULER, _actor


def test_a_triggered_run_acts_as_the_user_who_triggered_it():
    context = {
        "dag_run": SimpleNamespace(triggering_user_name="alice"),
        "run_id": "manual__2026-03-10T12:00:00+00:00",
    }
    assert _actor(context) == Actor("alice", "dag run manual__2026-03-10T12:00:00+00:00")


def test_a_scheduled_or_asset_triggered_run_acts_as_the_scheduler():
    context = {"dag_run": SimpleNamespace(triggering_user_name=None), "run_id": "asset__x"}
    assert _actor(context) == Actor(SCHEDULER, "dag run asset__x")

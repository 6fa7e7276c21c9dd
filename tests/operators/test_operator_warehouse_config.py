"""Operators resolve their warehouse's files when they run; a bad file fails the task at once
with the message (no retry can fix it), before any DDL."""

from __future__ import annotations

import shutil

import pytest
from airflow.sdk.exceptions import AirflowFailException

from hcc_operators.core.paths import config_dir
from hcc_operators.operators.ilm import HccIlmPlanBatchOperator


@pytest.fixture
def folder(tmp_path, monkeypatch):
    for path in config_dir().glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("HCC_CONFIG_DIR", str(tmp_path))
    return tmp_path


def test_plan_batch_fails_fast_on_an_invalid_policies_file(folder):
    """hcc_ilm_execute does not validate policies.yaml at parse (its parse budget): its first
    task refuses the file with the same message an import error would show."""
    (folder / "policies.yaml").write_text("policies:\n  - name: broken\n    priority: -5\n")
    task = HccIlmPlanBatchOperator(task_id="plan_batch")
    with pytest.raises(AirflowFailException, match=r"policies\.yaml"):
        task.ilm_settings()


def test_each_warehouse_reads_its_own_overrides(folder):
    (folder / "warehouses.yaml").write_text(
        "warehouses:\n"
        "  - {name: default, conn_id: hcc_warehouse}\n"
        "  - name: dw_amer\n"
        "    conn_id: hcc_dw_amer\n"
        "    overrides: {schedule: {timezone: America/New_York}}\n"
    )
    berlin = HccIlmPlanBatchOperator(task_id="a").ilm_settings()
    new_york = HccIlmPlanBatchOperator(task_id="b", warehouse="dw_amer").ilm_settings()
    assert (berlin.schedule.timezone, new_york.schedule.timezone) == (
        "Europe/Berlin",
        "America/New_York",
    )
    assert HccIlmPlanBatchOperator(task_id="c", warehouse="dw_amer").spec().conn_id == (
        "hcc_dw_amer"
    )


def test_an_unknown_warehouse_fails_the_task_naming_the_fleet(folder):
    with pytest.raises(AirflowFailException, match="no warehouse named 'dw_gone'"):
        HccIlmPlanBatchOperator(task_id="d", warehouse="dw_gone").spec()

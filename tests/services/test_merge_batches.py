"""MERGE policies through refresh, evaluation, planning and execution, as a night runs them.

A forced batch of nothing but merges (issue 17, item 2): every item consolidates one period in
one statement whose partitions are read from the live dictionary when it runs, so no merge
names a partition an earlier merge of the same batch removed (ORA-02149), and a failed merge
that is retried after the table changed merges what exists then.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from test_ilm_execute import SETTINGS, T0, partitions

from hcc_operators.core.models import Action, ActionKind, ObjectRef
from hcc_operators.core.policy_config import parse_policies
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import execution_log
from hcc_operators.services import ilm_evaluate, ilm_execute, ilm_finish, ilm_plan, ilm_refresh
from hcc_operators.services.ilm_settings import IlmSettings
from hcc_operators.warehouse.embedded import build_warehouse

NOW = T0 + timedelta(hours=12)
TABLES = ("SALES.RETURNS", "LOGISTICS.WAREHOUSE_STOCK")
MERGE_ONLY = f"""
policies:
  - name: merge_quarters
    priority: 10
    tables: [{", ".join(TABLES)}]
    action: {{type: MERGE, period: quarterly, online: false}}
    conditions:
      min_age_months: 3
"""


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=11, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


@pytest.fixture
def settings():
    return IlmSettings(parse_policies(MERGE_ONLY), SETTINGS.schedule)


def _evaluate(wh, settings):
    engine = wh.repository_engine()
    ilm_refresh.refresh_partition_access(
        wh,
        engine,
        is_target=settings.is_target,
        thresholds_for=settings.thresholds_for,
        now=NOW,
    )
    ilm_evaluate.evaluate_policies(wh, engine, settings.policies, now=NOW, evaluation_id="e1")


def _plan(wh, settings, run="night-1"):
    return ilm_plan.plan_batch(
        wh,
        wh.repository_engine(),
        dag_run_id=run,
        run_type="manual",
        force=True,
        max_operations=None,
        now=NOW,
        settings=settings,
    )


def _execute(wh, settings, item, *, attempt=1, map_index=0):
    return ilm_execute.execute_item(
        wh,
        wh.repository_engine(),
        item,
        dag_run_id="night-1",
        map_index=map_index,
        attempt=attempt,
        now_fn=lambda: NOW,
        settings=settings,
    )


def test_a_forced_merge_only_batch_merges_every_period_without_ora_02149(wh, settings):
    _evaluate(wh, settings)
    batch = _plan(wh, settings)
    assert len(batch.items) >= 12 and {i["action"] for i in batch.items} == {"MERGE"}
    results = [_execute(wh, settings, item, map_index=n) for n, item in enumerate(batch.items)]
    failed = [
        (i["label"], r.get("error_code"), r["message"])
        for i, r in zip(batch.items, results, strict=True)
        if r["status"] != "SUCCESS"
    ]
    assert failed == []
    with wh.repository_engine().connect() as conn:
        codes = conn.execute(select(execution_log.c.error_code)).scalars().all()
    assert "ORA-02149" not in codes
    for result in results:
        (statement,) = result["statements"]
        # One statement per period, into the period's own name (P_2023_Q2).
        assert " MERGE PARTITIONS " in statement and "_Q" in statement.rsplit("INTO", 1)[1]
    done = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=NOW)
    assert done["failed"] == 0 and done["succeeded"] == len(batch.items)
    # Every quarter that was old enough is now one partition named for it.
    for label in TABLES:
        owner, table = label.split(".")
        names = {s.ref.partition for s in partitions(wh, owner, table)}
        assert "P_2022_Q1" in names and "P_2022_01" not in names


def test_a_failed_merge_cleared_after_the_table_changed_merges_what_exists_now(wh, settings):
    _evaluate(wh, settings)
    batch = _plan(wh, settings)
    item = next(i for i in batch.items if i["label"] == "SALES.RETURNS:P_2023_03")
    # The merge's statement names the period's partition (P_2023_Q1): make it fail once.
    wh.inject_fault("SALES.RETURNS:P_2023_Q1", "LOCK_HELD", times=1)
    first = _execute(wh, settings, item)
    assert first["status"] == "FAILED" and first["error_code"] == "ORA-00054"
    # Before the task is cleared a DBA merges two of the quarter's months by hand.
    wh.apply(
        Action(
            ActionKind.MERGE,
            ObjectRef("SALES", "RETURNS", "P_2023_02"),
            merge_sources=("P_2023_01", "P_2023_02"),
            online=False,
        )
    )
    retried = _execute(wh, settings, item, attempt=2)
    assert retried["status"] == "SUCCESS", retried["message"]
    (statement,) = retried["statements"]
    # Resolved again when it ran: the partitions that exist now, not those planned.
    assert 'MERGE PARTITIONS "P_2023_02", "P_2023_03" INTO PARTITION "P_2023_Q1"' in statement
    assert wh.segment(ObjectRef("SALES", "RETURNS", "P_2023_Q1")) is not None
    assert wh.segment(ObjectRef("SALES", "RETURNS", "P_2023_02")) is None

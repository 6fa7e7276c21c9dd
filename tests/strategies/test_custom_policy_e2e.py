"""A strategy registered by dotted path runs through a CUSTOM ILM policy, end to end."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

from sqlalchemy import select

from hcc_operators.core.paths import project_root
from hcc_operators.repository.tables import execution_log, ilm_queue, operation_log
from hcc_operators.services.ilm_evaluate import evaluate_policies
from hcc_operators.services.ilm_execute import execute_item
from hcc_operators.services.ilm_plan import plan_batch
from hcc_operators.services.ilm_refresh import refresh_partition_access
from hcc_operators.services.ilm_settings import load_ilm_settings

NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # outside any window: the batch is forced

POLICIES = """
policies:
  - name: count_old_orders
    priority: 5
    tables: [SALES.ORDERS_FACT]
    action: {type: CUSTOM, strategy: record_row_count, params: {min_rows: 1}}
    conditions: {min_age_months: 60}
"""


def test_custom_policy_runs_the_registered_strategy(
    tmp_path, monkeypatch, example_on_path, demo_warehouse
):
    config = tmp_path / "config"
    config.mkdir()
    (config / "policies.yaml").write_text(POLICIES)
    (config / "strategies.yaml").write_text(
        "strategies:\n  record_row_count: custom_strategy_example:RecordRowCount\n"
    )
    shutil.copy(project_root() / "include" / "config" / "schedule.yaml", config)
    monkeypatch.setenv("HCC_CONFIG_DIR", str(config))
    wh = demo_warehouse
    engine = wh.repository_engine()
    settings = load_ilm_settings()

    refresh_partition_access(
        wh, engine, is_target=settings.is_target, thresholds_for=settings.thresholds_for, now=NOW
    )
    evaluation = evaluate_policies(wh, engine, settings.policies, now=NOW, evaluation_id="e2e")
    assert evaluation["enqueued"] > 0
    plan = plan_batch(
        wh,
        engine,
        dag_run_id="manual__e2e",
        run_type="manual",
        force=True,
        max_operations=2,
        now=NOW,
        settings=settings,
    )
    assert len(plan.items) == 2
    results = [
        execute_item(
            wh,
            engine,
            item,
            dag_run_id="manual__e2e",
            map_index=i,
            attempt=1,
            now_fn=lambda: NOW,
            settings=settings,
        )
        for i, item in enumerate(plan.items)
    ]

    assert [r["status"] for r in results] == ["SUCCESS", "SUCCESS"]
    with engine.connect() as conn:
        ops = list(conn.execute(select(operation_log).order_by(operation_log.c.operation_id)))
        logs = list(conn.execute(select(execution_log).order_by(execution_log.c.log_id)))
        queue = {
            r.queue_id: r.status
            for r in conn.execute(select(ilm_queue).where(ilm_queue.c.batch_id == plan.batch_id))
        }
    assert [op.target for op in ops] == [item["label"] for item in plan.items]
    for op, item, log in zip(ops, plan.items, logs, strict=True):
        assert (op.strategy, op.status, op.error) == ("record_row_count", "SUCCESS", None)
        context = json.loads(op.context)
        assert context["queue_id"] == item["queue_id"]
        assert context["policy"] == "count_old_orders"
        assert context["params"] == {"min_rows": 1}
        ref = item["label"]
        owner_table, partition = ref.split(":")
        from hcc_operators.core.models import ObjectRef

        live_rows = wh.row_count(ObjectRef(*owner_table.split("."), partition))
        assert context["result"]["details"]["rows"] == live_rows
        assert (log.action, log.status, log.queue_id) == ("CUSTOM", "SUCCESS", item["queue_id"])
    assert set(queue.values()) == {"SUCCESS"}

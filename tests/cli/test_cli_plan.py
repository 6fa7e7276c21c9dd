from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import create_engine, func, insert, select

from hcc_operators.repository.tables import ilm_batches, ilm_queue

NOW = "2026-03-06T12:00:00+00:00"


def _enqueue(dsn):
    engine = create_engine(dsn)
    at = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [
        ("P_2020_01", "COMPRESS", {"level": "ARCHIVE HIGH"}, 10),
        ("P_2020_02", "READ_ONLY", {}, 30),
        ("P_2020_03", "CUSTOM", {"strategy": "recompress_if_decayed", "params": {}}, 20),
    ]
    with engine.begin() as conn:
        for partition, action, params, priority in rows:
            conn.execute(
                insert(ilm_queue).values(
                    policy_name=f"p_{action.lower()}",
                    policy_version=1,
                    priority=priority,
                    owner="SALES",
                    table_name="ORDERS_FACT",
                    partition_name=partition,
                    action=action,
                    action_params=json.dumps(params),
                    size_bytes=500 * 2**20,
                    status="PENDING",
                    attempts=0,
                    carried_over=False,
                    enqueued_at=at,
                    updated_at=at,
                )
            )
    return engine


def test_plan_shows_order_timing_and_exact_ddl_without_changing_anything(
    hcc, demo_dsn, config_copy
):
    engine = _enqueue(demo_dsn)
    code, out, err = hcc(
        "plan",
        "--dsn",
        demo_dsn,
        "--config-dir",
        str(config_copy),
        "--force",
        "--at",
        NOW,
        "--json",
    )
    assert code == 0, err
    plan = json.loads(out)
    assert [i["action"] for i in plan["items"]] == ["COMPRESS", "CUSTOM", "READ_ONLY"]
    compress = plan["items"][0]
    assert compress["ddl"] == [
        'ALTER TABLE "SALES"."ORDERS_FACT" MOVE PARTITION "P_2020_01" '
        "COLUMN STORE COMPRESS FOR ARCHIVE HIGH UPDATE INDEXES ONLINE"
    ]
    assert compress["predicted_s"] == 100.0  # 500 MiB at the default 5 MiB/s
    assert plan["margin"] == 1.0  # a forced run has no window to keep clear
    assert "priority 10" in compress["why"]
    assert "strategy recompress_if_decayed" in plan["items"][1]["ddl"][0]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ilm_batches)).scalar() == 0
        assert {(r.status, r.batch_id) for r in conn.execute(select(ilm_queue))} == {
            ("PENDING", None)
        }


def test_plan_as_text_and_with_a_cap(hcc, demo_dsn, config_copy):
    _enqueue(demo_dsn)
    code, out, _ = hcc(
        "plan",
        "--dsn",
        demo_dsn,
        "--config-dir",
        str(config_copy),
        "--force",
        "--at",
        NOW,
        "--max-operations",
        "1",
    )
    assert code == 0
    assert "would run" in out and "would wait" in out
    assert 'ALTER TABLE "SALES"."ORDERS_FACT" MOVE PARTITION "P_2020_01"' in out
    assert "beyond max_operations" in out
    assert "an action starts only if" not in out  # forced: no window to keep clear


def test_a_cap_beyond_airflow_s_mapping_limit_is_refused(hcc, demo_dsn, config_copy):
    code, _, err = hcc(
        "plan",
        "--dsn",
        demo_dsn,
        "--config-dir",
        str(config_copy),
        "--force",
        "--at",
        NOW,
        "--max-operations",
        "1025",
    )
    assert code == 1
    assert "--max-operations: '1025' is not a whole number from 1 to 1024" in err


def test_outside_a_window_plans_for_the_next_one(hcc, demo_dsn, config_copy):
    _enqueue(demo_dsn)
    code, out, _ = hcc(
        "plan", "--dsn", demo_dsn, "--config-dir", str(config_copy), "--at", NOW, "--json"
    )
    assert code == 0
    plan = json.loads(out)
    assert "no window is open now" in plan["note"]
    assert plan["margin"] == 1.5
    code, out, _ = hcc("plan", "--dsn", demo_dsn, "--config-dir", str(config_copy), "--at", NOW)
    assert "an action starts only if predicted x 1.5 ends before the close" in out
    assert plan["at"] == plan["window_start"] > NOW

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import create_engine, insert

from hcc_operators.cli.config_descriptions import DESCRIPTIONS
from hcc_operators.cli.config_reference import DOC_PATH, documented_fields, generate
from hcc_operators.core.paths import project_root
from hcc_operators.repository.tables import execution_log, ilm_queue
from hcc_operators.services import run_control

T = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)


def test_status_shows_backlog_failures_and_runs(hcc, demo_dsn):
    engine = create_engine(demo_dsn)
    with engine.begin() as conn:
        conn.execute(
            insert(ilm_queue).values(
                policy_name="p",
                policy_version=1,
                priority=1,
                owner="S",
                table_name="T",
                partition_name="P1",
                action="COMPRESS",
                size_bytes=2**30,
                status="PENDING",
                attempts=0,
                carried_over=False,
                enqueued_at=T,
                updated_at=T,
            )
        )
        conn.execute(
            insert(execution_log).values(
                owner="S",
                table_name="T",
                partition_name="P0",
                action="MOVE",
                status="FAILED",
                error_code="ORA-01688",
                error_message="unable to extend",
                started_at=T,
            )
        )
    run_id = run_control.start_run(engine, "hcc_ilm_execute", "manual__1", "manual", T)
    run_control.finish_run(engine, run_id, now=T, actions_done=1, errors=1)

    code, out, _ = hcc("status", "--dsn", demo_dsn, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["backlog"] == [
        {
            "policy": "p",
            "action": "COMPRESS",
            "items": 1,
            "bytes": 2**30,
            "oldest": data["backlog"][0]["oldest"],
        }
    ]
    assert data["failures"][0]["error_code"] == "ORA-01688"
    assert data["dag_runs"][0]["status"] == "PARTIAL"
    code, out, _ = hcc("status", "--dsn", demo_dsn)
    assert "1.0 GiB" in out and "ORA-01688" in out and "PARTIAL" in out


def test_status_marks_a_failure_a_retry_fixed_and_links_each_task_instance(hcc, demo_dsn):
    engine = create_engine(demo_dsn)
    attempt = dict(owner="S", table_name="T", action="COMPRESS", dag_run_id="manual__9")
    with engine.begin() as conn:
        conn.execute(
            insert(execution_log).values(
                **attempt,
                queue_id=1,
                partition_name="P1",
                status="FAILED",
                attempt=1,
                map_index=3,
                error_code="ORA-00054",
                started_at=T,
            )
        )
        conn.execute(
            insert(execution_log).values(
                **attempt,
                queue_id=1,
                partition_name="P1",
                status="SUCCESS",
                attempt=2,
                map_index=3,
                started_at=T,
                finished_at=T,
            )
        )
        conn.execute(
            insert(execution_log).values(
                **attempt,
                queue_id=2,
                partition_name="P2",
                status="FAILED",
                attempt=1,
                map_index=4,
                error_code="ORA-01688",
                started_at=T,
            )
        )
    code, out, _ = hcc("status", "--dsn", demo_dsn, "--json")
    assert code == 0
    failures = {f["object"]: f for f in json.loads(out)["failures"]}
    assert failures["S.T:P1"]["resolved"] is True
    assert failures["S.T:P1"]["resolved_by"] == "attempt 2 SUCCESS in run manual__9"
    assert failures["S.T:P2"]["resolved"] is False
    # Without Airflow set up here the link is the UI path (core/ui_links.py's route).
    assert failures["S.T:P2"]["task_url"] == (
        "/dags/hcc_ilm_execute/runs/manual__9/tasks/execute_action/mapped/4"
    )
    code, out, _ = hcc("status", "--dsn", demo_dsn)
    assert "resolved: attempt 2 SUCCESS" in out and "open" in out


def test_committed_reference_is_the_generated_one():
    committed = (project_root() / DOC_PATH).read_text(encoding="utf-8")
    assert committed == generate(), "run: hcc config-reference --write"


def test_every_field_is_described_and_no_description_is_stale():
    fields = set(documented_fields())
    assert fields, "the walk found no fields"
    assert not (set(DESCRIPTIONS) - fields), "descriptions of fields that no longer exist"


def test_config_reference_command_prints_it(hcc):
    code, out, _ = hcc("config-reference")
    assert code == 0
    assert out == generate()


def test_pools_come_from_the_names_and_airflow_settings_match(hcc):
    import json

    import yaml

    from hcc_operators.core.names import POOL_SLOTS, Pool
    from hcc_operators.core.paths import project_root

    code, out, _ = hcc("pools")
    pools = json.loads(out)
    assert code == 0 and pools["hcc_oracle_ddl"]["slots"] == POOL_SLOTS[Pool.DDL]
    settings = yaml.safe_load((project_root() / "airflow_settings.yaml").read_text())
    declared = {p["pool_name"]: p["pool_slot"] for p in settings["airflow"]["pools"]}
    assert declared == {name: spec["slots"] for name, spec in pools.items()}

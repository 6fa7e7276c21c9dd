"""finish_batch names every failed partition (map index and error) and leaves the batch's outcome
for the DAG run note, on a real batch of the embedded warehouse (the operator's warehouse is
the test's file; the task context is a stand-in)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy import insert

from hcc_operators.core.models import CompressionType
from hcc_operators.core.names import OUTCOME_XCOM
from hcc_operators.operators.ilm import HccIlmFinishBatchOperator
from hcc_operators.repository.failures import batch_failed_items
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import ilm_queue
from hcc_operators.services import ilm_execute, ilm_plan
from hcc_operators.services.ilm_settings import load_ilm_settings
from hcc_operators.warehouse import factory
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, FaultKind, build_warehouse

SETTINGS = load_ilm_settings()
T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
NOW = SETTINGS.calendar.next_window(T0).start + timedelta(minutes=5)


class RecordingTi:
    def __init__(self):
        self.xcom = {}

    def xcom_push(self, key, value):
        self.xcom[key] = value


@pytest.fixture
def path(tmp_path, monkeypatch):
    path = tmp_path / "wh.db"
    with build_warehouse(path, seed=11, today=T0.date()) as wh:
        create_all(wh.repository_engine())
    monkeypatch.setattr(factory, "warehouse_from_conn_id", lambda conn_id: EmbeddedWarehouse(path))
    monkeypatch.setenv("HCC_NOW", NOW.isoformat())
    return path


def _uncompressed_partitions(wh, n):
    spaces = wh.tablespaces()
    found = [
        s
        for s in wh.list_segments(["SALES"])
        if s.ref.partition
        and not s.ref.subpartition
        and not s.has_subpartitions
        and s.compression is CompressionType.NONE
        and s.num_rows
        and not s.read_only
        and spaces[s.tablespace].hcc_supported
    ]
    return found[:n]


def _batch_with_failures(path, locked: int) -> tuple[int, list[dict]]:
    """Three COMPRESS items in one forced batch; ``locked`` of them hit ORA-00054."""
    with EmbeddedWarehouse(path) as wh:
        engine = wh.repository_engine()
        with engine.begin() as conn:
            for seg in _uncompressed_partitions(wh, 3):
                conn.execute(
                    insert(ilm_queue).values(
                        policy_name="p",
                        policy_version=1,
                        priority=10,
                        owner=seg.ref.owner,
                        table_name=seg.ref.table,
                        partition_name=seg.ref.partition,
                        action="COMPRESS",
                        action_params=json.dumps({"level": "QUERY HIGH"}),
                        size_bytes=seg.bytes,
                        status="PENDING",
                        attempts=0,
                        carried_over=False,
                        enqueued_at=T0,
                        updated_at=T0,
                    )
                )
        plan = ilm_plan.plan_batch(
            wh,
            engine,
            dag_run_id="run-1",
            run_type="manual",
            force=True,
            max_operations=None,
            now=NOW,
            settings=SETTINGS,
        )
        for item in plan.items[-locked:] if locked else []:
            wh.inject_fault(item["label"], FaultKind.LOCK_HELD)
        for index, item in enumerate(plan.items):
            ilm_execute.execute_item(
                wh,
                engine,
                item,
                dag_run_id="run-1",
                map_index=index,
                attempt=1,
                now_fn=lambda: NOW,
                settings=SETTINGS,
            )
    return plan.batch_id, plan.items


def _finish(batch_id):
    ti = RecordingTi()
    context = {
        "ti": ti,
        "run_id": "run-1",
        "dag": SimpleNamespace(dag_id="hcc_ilm_execute"),
        "dag_run": SimpleNamespace(run_type="manual"),
    }
    operator = HccIlmFinishBatchOperator(task_id="finish_batch", batch_id=batch_id)
    try:
        return operator.execute(context), ti, None
    except AirflowFailException as err:
        return None, ti, str(err)


def test_the_failure_names_each_failed_partition_with_its_map_index_and_error(path):
    batch_id, items = _batch_with_failures(path, locked=2)
    _, ti, message = _finish(batch_id)
    failed = [(1, items[1]["label"]), (2, items[2]["label"])]
    assert message is not None and message.startswith(
        f"batch {batch_id}: 2 partition action(s) failed: "
    )
    for index, label in failed:
        assert f"{label} -> COMPRESS (map index {index}): ORA-00054" in message
    assert items[0]["label"] not in message
    assert "clear those execute_action instances" in message
    # The same partitions, in the outcome left for the DAG run's note.
    outcome = ti.xcom[OUTCOME_XCOM]
    assert outcome.startswith(f"HCC batch {batch_id} FAILED: 3 planned; 1 succeeded")
    assert "2 failed." in outcome and "(map index 1): ORA-00054" in outcome


def test_a_batch_without_failures_succeeds_and_notes_its_counts(path):
    batch_id, _ = _batch_with_failures(path, locked=0)
    result, ti, message = _finish(batch_id)
    assert message is None and result["failed"] == 0
    assert ti.xcom[OUTCOME_XCOM] == (
        f"HCC batch {batch_id} COMPLETED: 3 planned; 3 succeeded, 0 skipped (already done), "
        "0 failed."
    )


def test_a_retry_that_succeeded_is_no_longer_named(path):
    batch_id, items = _batch_with_failures(path, locked=1)
    with EmbeddedWarehouse(path) as wh:
        engine = wh.repository_engine()
        with engine.connect() as conn:
            assert [f.label for f in batch_failed_items(conn, batch_id)] == [items[2]["label"]]
        ilm_execute.execute_item(
            wh,
            engine,
            items[2],
            dag_run_id="run-1",
            map_index=2,
            attempt=2,
            now_fn=lambda: NOW,
            settings=SETTINGS,
        )
        with engine.connect() as conn:
            assert batch_failed_items(conn, batch_id) == []
    result, _, message = _finish(batch_id)
    assert message is None and result["succeeded"] == 3

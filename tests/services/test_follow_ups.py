"""Follow-ups are queue items: statistics after a rewrite, consolidation once a MOVE completed
a period; queued once, run in a later batch, verified like any action."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_ilm_execute import SETTINGS, T0, enqueue, partitions

from hcc_operators.core.actions.move import MoveParams
from hcc_operators.core.models import ObjectRef
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import ilm_queue
from hcc_operators.services import ilm_execute
from hcc_operators.warehouse.embedded import build_warehouse

NOW = T0


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=11, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def run(wh, queue_id, label, action):
    item = {
        "queue_id": queue_id,
        "batch_id": 1,
        "policy": "p",
        "label": label,
        "action": action,
        "predicted_s": 1,
        "forced": True,
    }
    return ilm_execute.execute_item(
        wh,
        wh.repository_engine(),
        item,
        dag_run_id="run-1",
        map_index=0,
        attempt=1,
        now_fn=lambda: NOW,
        settings=SETTINGS,
    )


def follow_ups(wh, parent):
    with wh.repository_engine().connect() as conn:
        return conn.execute(select(ilm_queue).where(ilm_queue.c.parent_queue_id == parent)).all()


def months_2022(wh):
    return [s for s in partitions(wh, "SALES", "RETURNS") if s.ref.partition.startswith("P_2022_")]


def test_a_rewrite_with_gather_stats_queues_statistics_that_run_once(wh):
    seg = months_2022(wh)[0]
    params = MoveParams(tablespace="SALES_ARCH", compression="ARCHIVE HIGH", gather_stats=True)
    parent = enqueue(wh, seg.ref, "MOVE", params.model_dump(mode="json"))
    result = run(wh, parent, seg.ref.label, "MOVE")
    assert result["status"] == "SUCCESS", result["message"]
    (stats,) = follow_ups(wh, parent)
    assert (stats.action, stats.status, stats.carried_over) == ("GATHER_STATS", "PENDING", True)
    assert result["follow_ups"] == [
        f"GATHER_STATS on {seg.ref.label} queued (item {stats.queue_id})"
    ]
    done = run(wh, stats.queue_id, seg.ref.label, "GATHER_STATS")
    assert done["status"] == "SUCCESS", done["message"]
    assert "DBMS_STATS.GATHER_TABLE_STATS" in done["statements"][0]
    assert "-- binds: ownname='SALES'" in done["statements"][0]
    assert wh.segment(seg.ref).last_analyzed is not None
    assert run(wh, stats.queue_id, seg.ref.label, "GATHER_STATS")["status"] == "SKIPPED"
    # The parent cleared and retried: already applied, and its follow-up is not queued twice.
    with wh.repository_engine().begin() as conn:
        conn.execute(
            ilm_queue.update().where(ilm_queue.c.queue_id == parent).values(status="FAILED")
        )
    again = run(wh, parent, seg.ref.label, "MOVE")
    assert again["status"] == "SKIPPED" and "already queued by this item" in again["follow_ups"][0]
    assert len(follow_ups(wh, parent)) == 1


def test_consolidation_is_queued_only_by_the_move_that_completes_the_year(wh):
    months = months_2022(wh)
    params = MoveParams(tablespace="SALES_ARCH", consolidate="yearly")
    json_params = params.model_dump(mode="json")
    queued = []
    for seg in months:
        parent = enqueue(wh, seg.ref, "MOVE", json_params)
        result = run(wh, parent, seg.ref.label, "MOVE")
        assert result["status"] == "SUCCESS", result["message"]
        queued += follow_ups(wh, parent)
        if seg is not months[-1]:
            assert queued == [] and "not yet in SALES_ARCH" in result["follow_ups"][0]
    (merge,) = queued
    assert (merge.action, merge.partition_name) == ("MERGE", "P_2022_12")
    done = run(wh, merge.queue_id, "SALES.RETURNS:P_2022_12", "MERGE")
    assert done["status"] == "SUCCESS", done["message"]
    year = wh.segment(ObjectRef("SALES", "RETURNS", "P_2022"))
    assert year.tablespace == "SALES_ARCH"
    assert year.num_rows == sum(s.num_rows for s in months)


def test_without_consolidate_a_move_that_completes_a_year_merges_nothing(wh):
    months = months_2022(wh)
    params = MoveParams(tablespace="SALES_ARCH").model_dump(mode="json")
    assert params["consolidate"] == "off"
    for seg in months:
        parent = enqueue(wh, seg.ref, "MOVE", params)
        assert run(wh, parent, seg.ref.label, "MOVE")["status"] == "SUCCESS"
        assert follow_ups(wh, parent) == []
    # Twelve months in the archive tier, each still its own partition under its own name.
    assert all(wh.segment(s.ref).tablespace == "SALES_ARCH" for s in months)
    assert wh.segment(ObjectRef("SALES", "RETURNS", "P_2022")) is None


@pytest.mark.parametrize(("period", "name"), [("quarterly", "P_2022_Q4"), ("yearly", "P_2022")])
def test_consolidation_names_the_merged_partition_for_its_period(wh, period, name):
    months = months_2022(wh)
    params = MoveParams(tablespace="SALES_ARCH", consolidate=period).model_dump(mode="json")
    merge = None
    for seg in months[9:] if period == "quarterly" else months:
        parent = enqueue(wh, seg.ref, "MOVE", params)
        assert run(wh, parent, seg.ref.label, "MOVE")["status"] == "SUCCESS"
        merge = merge or next(iter(follow_ups(wh, parent)), None)
    assert merge is not None and merge.partition_name == "P_2022_12"
    done = run(wh, merge.queue_id, "SALES.RETURNS:P_2022_12", "MERGE")
    assert done["status"] == "SUCCESS", done["message"]
    merged = wh.segment(ObjectRef("SALES", "RETURNS", name))
    assert merged is not None and merged.tablespace == "SALES_ARCH"
    # No month keeps a name it no longer describes (the old P_2022_07 holding July-December).
    assert all(wh.segment(s.ref) is None for s in months[9 if period == "quarterly" else 0 :])

"""finish_batch decides the items its run's dead instances left RUNNING before it counts.

The case: a worker is killed during an instance's last try; Airflow fails the instance for its
missing heartbeats and, every instance having ended, runs finish_batch (trigger rule ALL_DONE)
while the item is still RUNNING. Found by the distributed end-to-end test
(tests/e2e_distributed/), where the batch used to close COMPLETED with "1 planned: 0 succeeded,
0 skipped" and keep those counts after housekeeping had recovered the item as SUCCESS.

The kill is simulated in-process, as in test_recovery.py: an exception nothing catches, raised
before or after the DDL, leaves the repository as SIGKILL would.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import ilm_batches, ilm_queue
from hcc_operators.services import ilm_finish, run_control
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse
from ilm_support import IN_WINDOW, T0, enqueue, execute, left_running, log_rows, pick, plan
from ilm_support import queue_row as item_row

MOVE = {"tablespace": "SALES_ARCH", "compression": "QUERY HIGH"}


class Killed(BaseException):
    """Stands for SIGKILL: nothing in the package catches it, so nothing is recorded."""


class DiesOnce(EmbeddedWarehouse):
    point: str | None = None  # "before_ddl" or "after_ddl"

    def apply(self, action, **kwargs):
        point, self.point = self.point, None
        if point == "before_ddl":
            raise Killed
        result = super().apply(action, **kwargs)
        if point == "after_ddl":
            raise Killed
        return result


@pytest.fixture
def wh(tmp_path):
    path = tmp_path / "wh.db"
    build_warehouse(path, seed=11, today=T0.date()).close()
    warehouse = DiesOnce(path)
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def killed_last_try(wh, point, *, run="run-1"):
    """One planned MOVE whose (last) try died at ``point``; its item is left RUNNING."""
    seg = pick(wh)
    queue_id = enqueue(wh, seg.ref, "MOVE", MOVE)
    run_control.start_run(wh.repository_engine(), "hcc_ilm_execute", run, "forced", IN_WINDOW)
    batch = plan(wh, run=run)
    (item,) = batch.items
    wh.point = point
    with pytest.raises(Killed):
        execute(wh, item, run=run, attempt=3)
    assert item_row(wh, queue_id).status == "RUNNING"
    return seg, queue_id, batch


def batch_row(wh, batch_id):
    with wh.repository_engine().connect() as conn:
        return conn.execute(select(ilm_batches).where(ilm_batches.c.batch_id == batch_id)).one()


def test_an_applied_action_is_counted_success_with_its_real_sizes(wh):
    seg, queue_id, batch = killed_last_try(wh, "after_ddl")
    live = wh.segment(seg.ref)
    done = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=IN_WINDOW)

    assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETED", 1, 0)
    (found,) = done["recovered"]
    assert (found["queue_id"], found["status"]) == (queue_id, "SUCCESS")
    assert "run-1#0 ended without recording a result" in found["note"]
    row = batch_row(wh, batch.batch_id)
    assert (row.status, row.succeeded) == ("COMPLETED", 1)
    assert f"after their worker was lost: {seg.ref.label} SUCCESS" in row.reason
    (log,) = log_rows(wh, queue_id)
    assert (log.status, log.attempt) == ("SUCCESS", 3)
    assert (log.bytes_before, log.bytes_after) == (seg.bytes, live.bytes)
    assert log.tablespace_after == "SALES_ARCH"
    assert item_row(wh, queue_id).status == "SUCCESS"
    counts = left_running(wh.repository_engine())
    assert counts["hcc_ilm_queue"] == counts["hcc_ilm_execution_log"] == 0
    assert counts["hcc_table_locks"] == 0


def test_an_action_that_did_not_take_effect_waits_for_the_next_batch(wh):
    seg, queue_id, batch = killed_last_try(wh, "before_ddl")
    done = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=IN_WINDOW)

    assert (done["status"], done["succeeded"], done["left_pending"]) == ("INTERRUPTED", 0, 1)
    assert [r["status"] for r in done["recovered"]] == ["PENDING"]
    row = item_row(wh, queue_id)
    assert row.status == "PENDING" and row.carried_over
    assert [r.status for r in log_rows(wh, queue_id)] == ["LOST"]
    assert wh.segment(seg.ref).tablespace == seg.tablespace


def test_an_item_another_run_holds_is_left_to_that_run(wh):
    seg, queue_id, batch = killed_last_try(wh, "after_ddl")
    # Another run took the item over (its holder names that run): not this finish's to decide.
    with wh.repository_engine().begin() as conn:
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.queue_id == queue_id)
            .values(lease_holder="run-10#0")
        )
    done = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=IN_WINDOW)
    assert "recovered" not in done
    assert item_row(wh, queue_id).status == "RUNNING"


def test_a_batch_without_lost_items_is_finished_as_before(wh):
    seg = pick(wh)
    queue_id = enqueue(wh, seg.ref, "MOVE", MOVE)
    batch = plan(wh)
    (item,) = batch.items
    assert execute(wh, item)["status"] == "SUCCESS"
    done = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=IN_WINDOW)
    assert (done["status"], done["succeeded"]) == ("COMPLETED", 1) and "recovered" not in done
    assert "worker was lost" not in batch_row(wh, batch.batch_id).reason
    assert item_row(wh, queue_id).status == "SUCCESS"

"""Queue items that point at partitions merged away since they were queued (issue 16 item 2).

For every action kind but MERGE (which finds its period by bound), an item whose partition no
longer exists is skipped with the reason and the partition holding its rows now: never a
failure, never DDL. The cases are generated from the registry, so a new kind must be added.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from hcc_operators.core.models import Action, ActionKind, ObjectRef
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import ilm_queue
from hcc_operators.services import ilm_finish
from hcc_operators.services.action_runner import run_action
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse
from ilm_support import (
    IN_WINDOW,
    T0,
    enqueue,
    execute,
    item_of,
    log_rows,
    partitions,
    plan,
    queue_row,
)

#: Parameters for one item of each kind (the smallest a queue item of that kind may carry).
PARAMS = {
    ActionKind.COMPRESS: {"level": "QUERY HIGH"},
    ActionKind.MOVE: {"tablespace": "SALES_ARCH", "consolidate": "yearly"},
    ActionKind.READ_ONLY: {},
    ActionKind.DROP: {},
    ActionKind.TRUNCATE: {},
    ActionKind.EXCHANGE: {},
    ActionKind.REBUILD_INDEXES: {},
    ActionKind.GATHER_STATS: {},
    ActionKind.CUSTOM: {"strategy": "rebuild_unusable_indexes"},
}


def test_every_kind_but_merge_has_a_case():
    assert set(PARAMS) == set(ActionKind) - {ActionKind.MERGE}


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=11, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def months_of_2022(wh):
    return [s for s in partitions(wh, "SALES", "RETURNS") if s.ref.partition.startswith("P_2022_")]


def merge_the_year(wh, months):
    merge = Action(
        ActionKind.MERGE,
        ObjectRef("SALES", "RETURNS", "P_2022"),
        merge_sources=tuple(m.ref.partition for m in months),
        online=False,
    )
    assert run_action(wh, merge).status.value == "SUCCESS"


def table_rows(wh):
    return sum(s.num_rows for s in partitions(wh, "SALES", "RETURNS"))


@pytest.mark.parametrize("kind", list(PARAMS), ids=lambda k: k.value)
def test_an_item_whose_partition_was_merged_away_is_skipped_for_every_kind(wh, kind):
    months = months_of_2022(wh)
    stale = enqueue(wh, months[4].ref, kind.value, PARAMS[kind])
    merge_the_year(wh, months)
    rows = table_rows(wh)
    result = execute(wh, item_of(stale, months[4].ref, kind.value))
    assert result["status"] == "SKIPPED", result["message"]
    assert "no longer exists" in result["message"] and "P_2022" in result["message"]
    assert result["statements"] == [] and result["follow_ups"] == []
    assert queue_row(wh, stale).status == "SKIPPED"
    (log,) = log_rows(wh, stale)
    assert log.status == "SKIPPED" and "no longer exists" in log.note
    assert table_rows(wh) == rows  # nothing was sent, nothing dropped or truncated


def test_a_drop_of_a_partition_merged_away_says_its_rows_were_not_dropped(wh):
    months = months_of_2022(wh)
    stale = enqueue(wh, months[0].ref, "DROP", {})
    merge_the_year(wh, months)
    result = execute(wh, item_of(stale, months[0].ref, "DROP"))
    assert result["status"] == "SKIPPED"
    assert "merged into P_2022 (its rows are there, not dropped)" in result["message"]


def test_clearing_an_item_that_failed_with_ora_02149_skips_it_and_the_batch_recounts(wh):
    # An item failed before the fix (ORA-02149 on a partition merged away) and its task is
    # cleared: the retry reads the live dictionary, skips it, and the batch is no longer failed.
    months = months_of_2022(wh)
    stale = enqueue(wh, months[6].ref, "COMPRESS", {"level": "ARCHIVE LOW"})
    batch = plan(wh)
    merge_the_year(wh, months)
    with wh.repository_engine().begin() as conn:
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.queue_id == stale)
            .values(status="FAILED", last_error="ORA-02149: specified partition does not exist")
        )
    (item,) = batch.items
    retried = execute(wh, item, attempt=2)
    assert retried["status"] == "SKIPPED" and "now in P_2022" in retried["message"]
    done = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=IN_WINDOW)
    assert (done["status"], done["failed"], done["skipped"]) == ("COMPLETED", 0, 1)


class MergesFirst(EmbeddedWarehouse):
    """Another session merges the year between the item's live read and its DDL."""

    months: list = []

    def apply(self, action, **kwargs):
        if action.kind is not ActionKind.MERGE and self.months:
            months, self.months = self.months, []
            merge_the_year(self, months)
        return super().apply(action, **kwargs)


def test_a_partition_merged_between_the_live_read_and_the_ddl_is_skipped_not_failed(tmp_path):
    path = tmp_path / "wh.db"
    build_warehouse(path, seed=11, today=T0.date()).close()
    wh = MergesFirst(path)
    create_all(wh.repository_engine())
    months = months_of_2022(wh)
    queue_id = enqueue(wh, months[3].ref, "COMPRESS", {"level": "ARCHIVE LOW"})
    wh.months = months
    result = execute(wh, item_of(queue_id, months[3].ref, "COMPRESS"))
    assert result["status"] == "SKIPPED", result["message"]
    assert "ORA-02149" in result["message"] and "now in P_2022" in result["message"]
    assert queue_row(wh, queue_id).status == "SKIPPED"
    wh.close()


def test_a_merge_item_whose_year_was_merged_meanwhile_is_already_applied(wh):
    months = months_of_2022(wh)
    queue_id = enqueue(wh, months[-1].ref, "MERGE", {})
    merge_the_year(wh, months)
    result = execute(wh, item_of(queue_id, months[-1].ref, "MERGE"), now=IN_WINDOW)
    assert result["status"] == "SKIPPED" and "already applied" in result["message"]

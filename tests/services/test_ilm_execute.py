"""ILM stage 3 on the embedded warehouse: every action type, retries, windows and the lease."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select, update

from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import ilm_batches, ilm_queue
from hcc_operators.services import ilm_finish, ilm_plan
from hcc_operators.warehouse.embedded import build_warehouse
from ilm_support import (
    CAL,
    IN_WINDOW,
    OUT_OF_WINDOW,
    SETTINGS,
    T0,
    enqueue,
    execute,
    log_rows,
    partitions,
    pick,
    plan,
    queue_row,
    run_one,
)


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=11, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def test_compress_rewrites_in_place_reconciles_rows_and_logs_the_ddl(wh):
    seg = pick(wh)
    queue_id, result = run_one(wh, seg.ref, "COMPRESS", {"level": "QUERY HIGH"})
    live = wh.segment(seg.ref)
    assert result["status"] == "SUCCESS"
    assert live.compression is CompressionType.QUERY_HIGH and live.bytes < seg.bytes
    assert result["rows_before"] == result["rows_after"] == wh.row_count(seg.ref)
    (log,) = log_rows(wh, queue_id)
    assert log.status == "SUCCESS" and "COMPRESS FOR QUERY HIGH" in log.ddl
    assert log.bytes_before == seg.bytes and log.bytes_after == live.bytes
    assert queue_row(wh, queue_id).status == "SUCCESS"


def test_a_rerun_of_a_done_item_and_a_new_item_for_applied_work_are_skipped(wh):
    seg = pick(wh)
    queue_id, _ = run_one(wh, seg.ref, "COMPRESS", {"level": "QUERY HIGH"})
    again = execute(
        wh,
        {
            "queue_id": queue_id,
            "batch_id": 1,
            "predicted_s": 1,
            "forced": True,
            "label": seg.ref.label,
            "action": "COMPRESS",
        },
    )
    assert again["status"] == "SKIPPED"
    _, fresh = run_one(wh, seg.ref, "COMPRESS", {"level": "QUERY HIGH"})
    assert fresh["status"] == "SKIPPED" and "already applied" in fresh["message"]


def test_move_changes_tablespace_and_accounts_space_on_both(wh):
    seg = pick(wh)
    before = wh.tablespaces()
    _, result = run_one(
        wh, seg.ref, "MOVE", {"tablespace": "SALES_ARCH", "compression": "ARCHIVE HIGH"}
    )
    live = wh.segment(seg.ref)
    after = wh.tablespaces()
    assert result["status"] == "SUCCESS"
    assert live.tablespace == "SALES_ARCH" and live.compression is CompressionType.ARCHIVE_HIGH
    assert after["SALES_ARCH"].used_bytes - before["SALES_ARCH"].used_bytes == live.bytes
    assert before[seg.tablespace].used_bytes - after[seg.tablespace].used_bytes == seg.bytes


def test_read_only_and_truncate(wh):
    seg = pick(wh)
    _, ro = run_one(wh, seg.ref, "READ_ONLY")
    assert ro["status"] == "SUCCESS" and wh.segment(seg.ref).read_only
    other = pick(wh, owner="AUDIT", tablespace_hcc=False)
    _, tr = run_one(wh, other.ref, "TRUNCATE")
    assert tr["status"] == "SUCCESS" and wh.row_count(other.ref) == 0


def test_a_merge_item_consolidates_its_year_in_one_statement(wh):
    months = [
        s for s in partitions(wh, "SALES", "RETURNS") if s.ref.partition.startswith("P_2022_")
    ]
    assert len(months) == 12
    rows = sum(wh.row_count(s.ref) for s in months)
    _, result = run_one(wh, months[-1].ref, "MERGE", {})
    assert result["status"] == "SUCCESS", result["message"]
    (statement,) = result["statements"]
    assert statement.startswith('ALTER TABLE "SALES"."RETURNS" MERGE PARTITIONS "P_2022_01", ')
    assert '"P_2022_12" INTO PARTITION "P_2022"' in statement
    year = wh.segment(ObjectRef("SALES", "RETURNS", "P_2022"))
    assert year is not None and wh.row_count(year.ref) == rows
    assert all(wh.segment(s.ref) is None for s in months)
    # Queued again (a stale item): the live dictionary shows the year done; nothing repeats.
    bound = _bound_of(months[-1])
    again = execute(wh, _item_of(enqueue(wh, months[-1].ref, "MERGE", {}, bound=bound), months[-1]))
    assert again["status"] == "SKIPPED" and "already applied" in again["message"]


def _bound_of(seg):
    return upper_bound_date(seg.high_value).replace(tzinfo=UTC)


def _item_of(queue_id, seg, action="MERGE"):
    return {
        "queue_id": queue_id,
        "batch_id": 1,
        "policy": "test",
        "label": seg.ref.label,
        "action": action,
        "predicted_s": 1,
        "forced": True,
    }


def test_an_item_whose_partition_was_merged_away_is_skipped_naming_where_its_rows_are(wh):
    months = [
        s for s in partitions(wh, "SALES", "RETURNS") if s.ref.partition.startswith("P_2022_")
    ]
    stale = enqueue(wh, months[2].ref, "COMPRESS", {"level": "ARCHIVE HIGH"})
    run_one(wh, months[-1].ref, "MERGE", {})
    item = {
        "queue_id": stale,
        "batch_id": 1,
        "policy": "test_compress",
        "label": months[2].ref.label,
        "action": "COMPRESS",
        "predicted_s": 1,
        "forced": True,
    }
    result = execute(wh, item)
    assert result["status"] == "SKIPPED"
    assert "no longer exists" in result["message"] and "now in P_2022" in result["message"]
    assert queue_row(wh, stale).status == "SKIPPED"


def test_drop_with_archive_exchanges_rows_out_then_drops(wh):
    seg = partitions(wh, "AUDIT", "AUD_TRAIL")[0]
    rows = wh.row_count(seg.ref)
    _, result = run_one(wh, seg.ref, "DROP", {"archive": True, "archive_table_suffix": "_ARCH"})
    assert result["status"] == "SUCCESS", result["message"]
    assert wh.segment(seg.ref) is None
    archive = ObjectRef("AUDIT", f"AUD_TRAIL_ARCH_{seg.ref.partition}")
    assert wh.row_count(archive) == rows
    assert any("EXCHANGE PARTITION" in s for s in result["statements"])


def test_one_failure_does_not_stop_the_others_and_a_retry_succeeds(wh):
    segs = [
        s
        for s in wh.list_segments(["SALES"])
        if s.ref.partition
        and not s.has_subpartitions
        and s.compression is CompressionType.NONE
        and not s.ref.subpartition
        and wh.tablespaces()[s.tablespace].hcc_supported
        and s.num_rows
    ][:3]
    ids = [enqueue(wh, s.ref, "COMPRESS", {"level": "QUERY LOW"}) for s in segs]
    wh.inject_fault(segs[1].ref.label, "LOCK_HELD", times=1)
    batch = plan(wh)
    results = {i["queue_id"]: execute(wh, i, map_index=n) for n, i in enumerate(batch.items)}
    assert [results[q]["status"] for q in ids] == ["SUCCESS", "FAILED", "SUCCESS"]
    assert results[ids[1]]["error_code"] == "ORA-00054"
    assert results[ids[1]]["transience"] == "TRANSIENT"
    assert queue_row(wh, ids[1]).status == "FAILED"
    first = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=IN_WINDOW)
    # Issue 17: a batch with a failed item was recorded COMPLETED.
    assert first["failed"] == 1 and first["status"] == "FAILED"
    assert "1 FAILED" in first["reason"]

    item = next(i for i in batch.items if i["queue_id"] == ids[1])
    retried = execute(wh, item, attempt=2, map_index=1)
    assert retried["status"] == "SUCCESS"
    assert [r.status for r in log_rows(wh, ids[1])] == ["FAILED", "SUCCESS"]
    assert [len(log_rows(wh, q)) for q in (ids[0], ids[2])] == [1, 1]
    again = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=IN_WINDOW)
    assert again["status"] == "COMPLETED" and again["failed"] == 0 and again["succeeded"] == 3


def test_connection_lost_after_commit_is_verified_not_repeated(wh):
    seg = pick(wh)
    wh.inject_fault(seg.ref.label, "CONNECTION_LOST_AFTER_COMMIT", times=1)
    queue_id, result = run_one(wh, seg.ref, "COMPRESS", {"level": "QUERY HIGH"})
    assert result["status"] == "SUCCESS" and "verified applied" in result["message"]
    assert wh.segment(seg.ref).compression is CompressionType.QUERY_HIGH
    assert len(log_rows(wh, queue_id)) == 1


def test_outside_a_window_the_batch_is_skipped_with_its_reason(wh):
    queue_id = enqueue(wh, pick(wh).ref, "COMPRESS", {"level": "QUERY HIGH"})
    result = plan(wh, force=False, now=OUT_OF_WINDOW)
    assert result.items == []
    with wh.repository_engine().connect() as conn:
        batch = conn.execute(select(ilm_batches)).one()
    assert batch.status == "SKIPPED" and "no maintenance window is open" in batch.reason
    assert queue_row(wh, queue_id).status == "PENDING"


def test_an_action_that_does_not_fit_the_window_is_left_pending(wh):
    queue_id = enqueue(wh, pick(wh).ref, "COMPRESS", {"level": "ARCHIVE HIGH"})
    (item,) = plan(wh, force=False).items
    window_end = CAL.window_at(IN_WINDOW).end
    late = window_end - timedelta(seconds=max(item["predicted_s"] / 2, 1))
    result = execute(wh, item, now=late)
    assert result["status"] == "DEFERRED"
    row = queue_row(wh, queue_id)
    assert row.status == "PENDING" and row.carried_over
    assert log_rows(wh, queue_id) == []


def test_a_second_batch_waits_for_the_lease(wh):
    enqueue(wh, pick(wh).ref, "COMPRESS", {"level": "QUERY HIGH"})
    first = plan(wh, run="run-a")
    second = plan(wh, run="run-b", now=IN_WINDOW + timedelta(minutes=1))
    assert first.items and second.items == []
    assert "another batch holds the execution lease (run-a, until" in second.reason
    assert second.lease_held


def test_an_item_left_running_by_a_killed_worker_is_reverified(wh):
    seg = pick(wh)
    queue_id = enqueue(wh, seg.ref, "COMPRESS", {"level": "QUERY HIGH"})
    with wh.repository_engine().begin() as conn:
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.queue_id == queue_id)
            .values(
                status="RUNNING",
                lease_holder="dead#0",
                lease_expires_at=IN_WINDOW - timedelta(minutes=1),
            )
        )
    batch = plan(wh)
    (item,) = batch.items
    row = queue_row(wh, queue_id)
    assert row.status == "PENDING" and row.carried_over
    assert "worker lost" in row.last_error and "expired" in row.last_error
    assert execute(wh, item)["status"] == "SUCCESS"


def test_no_space_in_the_target_defers_the_item_instead_of_failing_the_batch(wh):
    seg = pick(wh)
    assert wh.tablespaces()["ARCHIVE_FULL"].free_bytes < seg.bytes
    queue_id = enqueue(
        wh, seg.ref, "MOVE", {"tablespace": "ARCHIVE_FULL", "compression": "QUERY HIGH"}
    )
    batch = plan(wh)
    (item,) = batch.items
    result = execute(wh, item)
    assert result["status"] == "DEFERRED" and result["error_code"] == "ORA-01688"
    row = queue_row(wh, queue_id)
    assert row.status == "PENDING" and row.carried_over and "ORA-01688" in row.last_error
    (log,) = log_rows(wh, queue_id)
    assert log.status == "DEFERRED" and log.error_code == "ORA-01688"
    done = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=IN_WINDOW)
    assert done["status"] == "INTERRUPTED" and done["failed"] == 0 and done["left_pending"] == 1


def test_a_retried_failure_that_no_longer_fits_the_window_counts_as_waiting(wh):
    seg = pick(wh)
    queue_id = enqueue(wh, seg.ref, "COMPRESS", {"level": "ARCHIVE HIGH"})
    wh.inject_fault(seg.ref.label, "LOCK_HELD", times=1)
    batch = plan(wh, force=False)
    (item,) = batch.items
    assert execute(wh, item)["status"] == "FAILED"
    late = CAL.window_at(IN_WINDOW).end - timedelta(seconds=max(item["predicted_s"] / 2, 1))
    assert execute(wh, item, attempt=2, now=late)["status"] == "DEFERRED"
    assert [r.status for r in log_rows(wh, queue_id)] == ["FAILED", "DEFERRED"]
    done = ilm_finish.finish_batch(wh, wh.repository_engine(), batch.batch_id, now=late)
    assert done["failed"] == 0 and done["status"] == "INTERRUPTED"


def test_an_item_claimed_by_another_run_is_not_run_twice(wh):
    seg = pick(wh)
    queue_id = enqueue(wh, seg.ref, "COMPRESS", {"level": "QUERY HIGH"})
    (item,) = plan(wh).items
    with wh.repository_engine().begin() as conn:
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.queue_id == queue_id)
            .values(
                status="RUNNING",
                lease_holder="other#0",
                lease_expires_at=IN_WINDOW + timedelta(hours=1),
            )
        )
    result = execute(wh, item)
    assert result["status"] == "SKIPPED" and "another run" in result["message"]
    assert log_rows(wh, queue_id) == []


def test_a_retry_of_the_same_task_after_its_worker_died_reverifies(wh):
    seg = pick(wh)
    queue_id = enqueue(wh, seg.ref, "COMPRESS", {"level": "QUERY HIGH"})
    (item,) = plan(wh).items
    wh.inject_fault(seg.ref.label, "CONNECTION_LOST_AFTER_COMMIT", times=1)
    with wh.repository_engine().begin() as conn:  # the dead attempt left its own lease behind
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.queue_id == queue_id)
            .values(
                status="RUNNING",
                lease_holder="run-1#0",
                lease_expires_at=IN_WINDOW + timedelta(hours=1),
            )
        )
    result = execute(wh, item, attempt=2)
    assert result["status"] == "SUCCESS"
    assert queue_row(wh, queue_id).status == "SUCCESS"


def test_the_recheck_keeps_the_margin_before_the_window_closes(wh):
    margin = SETTINGS.schedule.duration_margin
    assert margin > 1
    queue_id = enqueue(wh, pick(wh).ref, "COMPRESS", {"level": "ARCHIVE HIGH"})
    (item,) = plan(wh, force=False).items
    predicted = item["predicted_s"]
    end = CAL.window_at(IN_WINDOW).end
    # Fits as predicted, but not if it ran margin x longer: it waits for the next window.
    tight = end - timedelta(seconds=predicted * (1 + margin) / 2)
    result = execute(wh, item, now=tight)
    assert result["status"] == "DEFERRED" and f"margin {margin:g}" in result["message"]
    assert queue_row(wh, queue_id).status == "PENDING"
    roomy = end - timedelta(seconds=predicted * margin + 1)
    assert execute(wh, item, now=roomy)["status"] == "SUCCESS"


def test_a_batch_plans_up_to_the_window_close(wh):
    enqueue(wh, pick(wh).ref, "COMPRESS", {"level": "QUERY HIGH"})
    result = plan(wh, force=False)
    assert result.items
    assert SETTINGS.schedule.max_batch_duration is None
    assert result.reason.endswith(f"within {CAL.remaining(IN_WINDOW)}")


def test_the_cap_counts_the_actions_chosen_and_what_it_leaves_is_not_interrupted(wh):
    segs = [s for s in wh.list_segments(["SALES"]) if s.ref.partition and not s.ref.subpartition]
    ids = [enqueue(wh, s.ref, "READ_ONLY", priority=10 + n) for n, s in enumerate(segs[:3])]
    result = plan(wh, force=False, max_operations=2)
    assert [i["queue_id"] for i in result.items] == ids[:2]
    with wh.repository_engine().connect() as conn:
        batch = conn.execute(select(ilm_batches)).one()
    assert batch.left_pending == 0 and batch.planned == 2


@pytest.mark.parametrize("cap", [0, -1, ilm_plan.MAX_MAP_LENGTH + 1])
def test_a_cap_outside_airflow_s_mapping_limit_is_refused_before_anything_is_recorded(wh, cap):
    with pytest.raises(ValueError, match="max_operations must be between 1 and 1024"):
        plan(wh, force=False, max_operations=cap)
    with wh.repository_engine().connect() as conn:
        assert conn.execute(select(ilm_batches)).all() == []


def test_batch_limits():
    schedule = SETTINGS.schedule
    forced = ilm_plan.batch_limits(schedule, CAL, OUT_OF_WINDOW, force=True)
    assert (forced.budget, forced.margin) == (ilm_plan.FORCED_BUDGET, 1.0)
    closed = ilm_plan.batch_limits(schedule, CAL, OUT_OF_WINDOW, force=False)
    assert closed.budget == timedelta(0)
    open_ = ilm_plan.batch_limits(schedule, CAL, IN_WINDOW, force=False)
    assert open_.budget == CAL.remaining(IN_WINDOW)
    assert open_.margin == schedule.duration_margin
    capped = schedule.model_copy(update={"max_batch_duration": timedelta(minutes=30)})
    limits = ilm_plan.batch_limits(capped, CAL, IN_WINDOW, force=False)
    assert limits.budget == timedelta(minutes=30)
    assert limits.window_left_s == CAL.remaining(IN_WINDOW).total_seconds()


def test_fits_before_close():
    assert ilm_plan.fits_before_close(100, 150, 1.5)
    assert not ilm_plan.fits_before_close(100, 149.9, 1.5)
    assert ilm_plan.fits_before_close(100, 100, 1.0)


def test_without_the_compression_option_rewrites_run_offline_and_advanced_is_refused(tmp_path):
    from hcc_operators.core.licences import Licences
    from hcc_operators.warehouse.embedded.warehouse import EmbeddedWarehouse

    path = tmp_path / "plain.db"
    build_warehouse(path, seed=11, today=T0.date()).close()
    plain = EmbeddedWarehouse(path, licences=Licences())
    create_all(plain.repository_engine())
    seg = pick(plain)
    _, auto = run_one(plain, seg.ref, "COMPRESS", {"level": "QUERY HIGH"})
    assert auto["status"] == "SUCCESS"
    assert "ONLINE" not in auto["statements"][0] and "offline" in auto["message"]
    other = pick(plain)
    _, advanced = run_one(plain, other.ref, "COMPRESS", {"level": "ADVANCED"})
    assert advanced["status"] == "FAILED" and advanced["transience"] == "PERMANENT"
    assert "LIC-03" in advanced["message"] and plain.segment(other.ref).compression.value == "NONE"
    _, insist = run_one(plain, other.ref, "COMPRESS", {"level": "QUERY LOW", "online": True})
    assert insist["status"] == "FAILED" and "Advanced Compression Option" in insist["message"]
    plain.close()


def test_the_runs_params_override_the_policys_online_and_parallel(wh):
    from hcc_operators.core.rewrite_options import OnlineChoice, RewriteOptions

    seg = pick(wh)
    queue_id = enqueue(wh, seg.ref, "COMPRESS", {"level": "QUERY HIGH", "online": True})
    (item,) = [i for i in plan(wh).items if i["queue_id"] == queue_id]
    result = execute(wh, item, options=RewriteOptions(OnlineChoice.OFFLINE, 4))
    assert result["status"] == "SUCCESS"
    (statement,) = result["statements"]
    assert "PARALLEL 4" in statement and "ONLINE" not in statement
    assert wh.segment(seg.ref).compression is CompressionType.QUERY_HIGH

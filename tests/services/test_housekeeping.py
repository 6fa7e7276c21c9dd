from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from hcc_operators.core.housekeeping_config import HousekeepingConfig
from hcc_operators.core.reasons import Reason
from hcc_operators.repository.tables import (
    alerts,
    evaluation_details,
    evaluation_objects,
    evaluations,
    execution_log,
    ilm_queue,
)
from hcc_operators.services.housekeeping import run_housekeeping

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CONFIG = HousekeepingConfig()


def queue_item(status, updated_at, **extra):
    return dict(
        policy_name="p",
        policy_version=1,
        priority=1,
        owner="S",
        table_name="T",
        partition_name=extra.pop("partition", "P"),
        action="COMPRESS",
        status=status,
        attempts=0,
        carried_over=False,
        enqueued_at=updated_at,
        updated_at=updated_at,
        **extra,
    )


def log_row(status, started_at):
    return dict(
        owner="S",
        table_name="T",
        partition_name="P",
        action="COMPRESS",
        status=status,
        attempt=1,
        simulated=True,
        started_at=started_at,
    )


def count(engine, table, *where):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()


def test_retention_stuck_items_and_deduplicated_alerts(sqlite_engine):
    old = NOW - timedelta(days=400)
    with sqlite_engine.begin() as conn:
        conn.execute(
            insert(execution_log),
            [log_row("SUCCESS", old), log_row("SUCCESS", NOW)]
            + [log_row("FAILED", NOW - timedelta(minutes=m)) for m in range(5)],
        )
        # An old evaluation of two pairs and a new one of one pair, with their snapshots.
        conn.execute(
            insert(evaluations),
            [
                dict(evaluation_no=1, evaluation_id="old", evaluated_at=NOW - timedelta(days=30)),
                dict(evaluation_no=2, evaluation_id="new", evaluated_at=NOW),
            ],
        )
        conn.execute(
            insert(evaluation_objects),
            [
                dict(
                    evaluation_no=n,
                    object_no=1,
                    owner="S",
                    table_name="T",
                    partition_name="P",
                    age_days=1,
                    size_bytes=1,
                    compression="NONE",
                    read_only=False,
                    is_newest=False,
                )
                for n in (1, 2)
            ],
        )
        conn.execute(
            insert(evaluation_details),
            [
                dict(evaluation_no=n, policy_id=p, object_no=1, reason=Reason.TOO_YOUNG.code)
                for n, p in ((1, 1), (1, 2), (2, 1))
            ],
        )
        conn.execute(
            insert(ilm_queue),
            [
                queue_item("SUCCESS", old, partition="DONE_LONG_AGO"),
                queue_item("PENDING", old, partition="STILL_WAITING"),
                queue_item("RUNNING", NOW - timedelta(hours=13), partition="STUCK"),
                queue_item("RUNNING", NOW - timedelta(hours=1), partition="BUSY"),
            ],
        )
    raised = []
    first = run_housekeeping(sqlite_engine, CONFIG, now=NOW, notify=raised.append)
    assert first["purged"]["execution_log"] == 1
    assert first["purged"]["evaluation_details"] == 2
    assert count(sqlite_engine, evaluations) == 1
    assert count(sqlite_engine, evaluation_objects) == 1
    assert count(sqlite_engine, evaluation_details) == 1
    assert first["purged"]["queue"] == 1  # finished long ago; the old PENDING item stays
    # Without a warehouse to look at, a stuck item is counted, never marked FAILED.
    assert first["stuck_running"] == 1
    with sqlite_engine.connect() as conn:
        statuses = dict(conn.execute(select(ilm_queue.c.partition_name, ilm_queue.c.status)).all())
    assert statuses == {"STILL_WAITING": "PENDING", "STUCK": "RUNNING", "BUSY": "RUNNING"}
    # 5 of 6 recent actions failed: above 20%
    assert "failure_rate" in first["alerts"] and [a.key for a in raised] == first["alerts"]

    again = run_housekeeping(
        sqlite_engine, CONFIG, now=NOW + timedelta(minutes=30), notify=raised.append
    )
    assert again["alerts"] == []  # de-duplicated within the interval
    later_now = NOW + timedelta(minutes=CONFIG.health.dedupe_minutes + 60)
    with sqlite_engine.begin() as conn:  # still failing after the quiet interval
        conn.execute(
            insert(execution_log),
            [log_row("FAILED", later_now - timedelta(minutes=m)) for m in range(3)],
        )
    later = run_housekeeping(sqlite_engine, CONFIG, now=later_now, notify=raised.append)
    assert "failure_rate" in later["alerts"]
    assert count(sqlite_engine, alerts, alerts.c.alert_key == "failure_rate") == 2

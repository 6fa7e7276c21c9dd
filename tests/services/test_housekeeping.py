from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.health import DagState, DagStatus
from hcc_operators.core.housekeeping_config import Health, HousekeepingConfig
from hcc_operators.core.models import TablespaceInfo
from hcc_operators.core.reasons import Reason
from hcc_operators.core.units import GIB as GB
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
    channel = RecordingChannel()
    first = run_housekeeping(sqlite_engine, CONFIG, now=NOW, channels=[channel])
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
    keys = [a["key"] for a in first["alerts"]]
    assert "failure_rate" in keys
    assert [[a.key for a in sent] for _, sent in channel.sent] == [keys]
    assert first["delivery"]["status"] == "SENT" and first["delivery"]["channels"] == ["test"]

    again = run_housekeeping(
        sqlite_engine, CONFIG, now=NOW + timedelta(minutes=30), channels=[channel]
    )
    assert "failure_rate" in [a["key"] for a in again["alerts"]]  # still found ...
    assert "failure_rate" in again["delivery"]["suppressed"]  # ... but not sent again
    assert len(channel.sent) == 1
    later_now = NOW + timedelta(minutes=CONFIG.health.dedupe_minutes + 60)
    with sqlite_engine.begin() as conn:  # still failing after the quiet interval
        conn.execute(
            insert(execution_log),
            [log_row("FAILED", later_now - timedelta(minutes=m)) for m in range(3)],
        )
    later = run_housekeeping(sqlite_engine, CONFIG, now=later_now, channels=[channel])
    assert "failure_rate" in later["delivery"]["sent"]
    assert len(channel.sent) == 2
    told = alerts.c.alert_key == "failure_rate"
    assert count(sqlite_engine, alerts, told, alerts.c.status == "SENT") == 2
    assert count(sqlite_engine, alerts, told, alerts.c.status == "SUPPRESSED") == 1


class RecordingChannel:
    name = "test"

    def __init__(self):
        self.sent = []

    def send(self, subject, alerts):
        self.sent.append((subject, list(alerts)))


def test_tablespace_dag_and_duration_figures_raise_their_alerts(sqlite_engine):
    """The three alerts housekeeping reads from outside the repository's own counters."""
    # executemany needs the same columns in every row
    x = dict(
        owner="S",
        table_name="T",
        action="MOVE",
        attempt=1,
        simulated=True,
        tablespace_before=None,
        tablespace_after=None,
        error_code=None,
        error_message=None,
        bytes_before=None,
        duration_s=None,
    )
    with sqlite_engine.begin() as conn:
        conn.execute(
            insert(execution_log),
            [
                # Deferred for space on TS_FULL: Oracle names the tablespace in the message.
                dict(
                    x,
                    partition_name="P1",
                    status="DEFERRED",
                    error_code="ORA-01688",
                    error_message="unable to extend table S.T partition P1 by 16 in "
                    "tablespace TS_FULL",
                    tablespace_before="USERS",
                    started_at=NOW - timedelta(hours=1),
                ),
                # A failure without a tablespace in its message counts where it was going.
                dict(
                    x,
                    partition_name="P2",
                    status="FAILED",
                    error_code="ORA-00054",
                    error_message="resource busy",
                    tablespace_before="USERS",
                    tablespace_after="TS_FULL",
                    started_at=NOW - timedelta(hours=2),
                ),
                # Too long ago for the failure window.
                dict(
                    x,
                    partition_name="P3",
                    status="FAILED",
                    error_code="ORA-01688",
                    error_message="... in tablespace USERS",
                    started_at=NOW - timedelta(days=2),
                ),
            ]
            # COMPRESS: 10 s/GiB in the baseline weeks, 20 s/GiB in the last days.
            + [
                dict(
                    x,
                    action="COMPRESS",
                    partition_name=f"B{i}",
                    status="SUCCESS",
                    bytes_before=GB,
                    duration_s=10.0,
                    started_at=NOW - timedelta(days=10 + i),
                )
                for i in range(6)
            ]
            + [
                dict(
                    x,
                    action="COMPRESS",
                    partition_name=f"R{i}",
                    status="SUCCESS",
                    bytes_before=2 * GB,
                    duration_s=40.0,
                    started_at=NOW - timedelta(days=1 + i),
                )
                for i in range(5)
            ],
        )
    spaces = {
        "TS_FULL": TablespaceInfo("TS_FULL", 100 * GB, 95 * GB, True),
        "USERS": TablespaceInfo("USERS", 100 * GB, 99 * GB, True),  # old failure only
    }
    asked = []

    def dags():
        asked.append(True)
        return [
            DagState("hcc_ilm_execute", DagStatus.PAUSED),
            DagState("hcc_ilm_refresh", DagStatus.ACTIVE),
        ]

    # The one failure in the window is all of its actions: keep failure_rate out of this test.
    config = HousekeepingConfig(health=Health(failure_rate_pct=100))
    result = run_housekeeping(
        sqlite_engine,
        config,
        now=NOW,
        read_tablespaces=lambda: spaces,
        read_dags=dags,
    )
    found = {a["key"]: a["message"] for a in result["alerts"]}
    assert set(found) == {
        "tablespace_full:TS_FULL",
        "dag_not_scheduled:hcc_ilm_execute",
        "duration_trend:ILM COMPRESS",
    }
    assert "2 action(s)" in found["tablespace_full:TS_FULL"]
    assert "(ORA-00054, ORA-01688)" in found["tablespace_full:TS_FULL"]
    assert "20.0 s/GiB" in found["duration_trend:ILM COMPRESS"]
    assert "10.0 s/GiB" in found["duration_trend:ILM COMPRESS"]
    assert asked == [True]
    # No channel configured: recorded and logged only, and that starts the quiet period.
    assert result["delivery"]["status"] == "LOGGED"
    assert count(sqlite_engine, alerts, alerts.c.status == "LOGGED") == 3


def test_an_unreadable_warehouse_skips_the_tablespace_check_only(sqlite_engine):
    def broken():
        raise WarehouseError("ORA-03113: end-of-file on communication channel")

    with sqlite_engine.begin() as conn:
        conn.execute(insert(execution_log), [log_row("FAILED", NOW) for _ in range(3)])
    result = run_housekeeping(sqlite_engine, CONFIG, now=NOW, read_tablespaces=broken)
    assert [a["key"] for a in result["alerts"]] == ["failure_rate"]

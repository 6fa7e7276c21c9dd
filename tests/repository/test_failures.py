"""Recent failures: newest first, and resolved only when a later attempt at the same work
fixed it (not an attempt at other work, not an earlier one, not another failure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from hcc_operators.repository.failures import recent_failures
from hcc_operators.repository.tables import compression_executions, execution_log

T0 = datetime(2026, 3, 10, 22, 0, tzinfo=UTC)


def _log(conn, log_id, queue_id, status, attempt, minutes, partition="P1", **extra):
    conn.execute(
        insert(execution_log).values(
            log_id=log_id,
            queue_id=queue_id,
            batch_id=1,
            owner="SALES",
            table_name="ORDERS",
            partition_name=partition,
            action="COMPRESS",
            status=status,
            attempt=attempt,
            dag_run_id=f"run{attempt}",
            map_index=queue_id,
            started_at=T0 + timedelta(minutes=minutes),
            finished_at=T0 + timedelta(minutes=minutes + 1),
            **extra,
        )
    )


def _execution(conn, execution_id, status, minutes, partition="P1", operation="COMPRESS", **kw):
    conn.execute(
        insert(compression_executions).values(
            execution_id=execution_id,
            dag_run_id=f"c{execution_id}",
            map_index=0,
            owner="SALES",
            table_name="ORDERS",
            partition_name=partition,
            operation=operation,
            compression_to="QUERY HIGH",
            status=status,
            started_at=T0 + timedelta(minutes=minutes),
            **kw,
        )
    )


def test_an_ilm_failure_fixed_by_a_later_attempt_is_resolved(sqlite_engine):
    with sqlite_engine.begin() as conn:
        _log(conn, 1, 7, "FAILED", 1, 0, error_code="ORA-00054")
        _log(conn, 2, 7, "FAILED", 2, 5, error_code="ORA-00054")
        _log(conn, 3, 7, "SUCCESS", 3, 10)
        # Another item on another partition failed and nothing fixed it; its neighbour's
        # success must not count for it.
        _log(conn, 4, 8, "FAILED", 1, 20, partition="P2", error_code="ORA-01688")
        _log(conn, 5, 9, "SUCCESS", 1, 30, partition="P3")
    with sqlite_engine.connect() as conn:
        failures = recent_failures(conn, 10)
    assert [(f.object, f.error_code, f.resolved) for f in failures] == [
        ("SALES.ORDERS:P2", "ORA-01688", False),
        ("SALES.ORDERS:P1", "ORA-00054", True),
        ("SALES.ORDERS:P1", "ORA-00054", True),
    ]
    fixed = failures[1]
    assert fixed.resolved_by == "attempt 3 SUCCESS in run run3"
    assert fixed.resolved_at == T0 + timedelta(minutes=11)
    assert (fixed.map_index, fixed.dag_run_id) == (7, "run2")


def test_an_already_applied_retry_resolves_and_a_later_failure_does_not(sqlite_engine):
    with sqlite_engine.begin() as conn:
        _log(conn, 1, 7, "FAILED", 1, 0)
        _log(conn, 2, 7, "SKIPPED", 2, 5)  # the live state already showed it applied
        _log(conn, 3, 8, "FAILED", 1, 0, partition="P2")
        _log(conn, 4, 8, "FAILED", 2, 5, partition="P2")
    with sqlite_engine.connect() as conn:
        by_object = {}
        for f in recent_failures(conn, 10):
            by_object.setdefault(f.object, []).append(f.resolved)
    assert by_object == {"SALES.ORDERS:P1": [True], "SALES.ORDERS:P2": [False, False]}


def test_a_compression_is_resolved_by_a_later_compress_of_the_same_object(sqlite_engine):
    with sqlite_engine.begin() as conn:
        _execution(conn, 1, "FAILED", 0, error_code="ORA-01652")
        _execution(conn, 2, "SUCCESS", 10)
        _execution(conn, 3, "SUCCESS", 5, partition="P2")  # before the failure: no fix
        _execution(conn, 4, "FAILED", 20, partition="P2", error_code="ORA-01652")
        _execution(conn, 5, "FAILED", 30, partition="P3", operation="ROLLBACK", rollback_of=4)
        _execution(conn, 6, "SUCCESS", 40, partition="P3", operation="ROLLBACK", rollback_of=9)
    with sqlite_engine.connect() as conn:
        failures = recent_failures(conn, 10)
    assert [(f.object, f.operation, f.resolved) for f in failures] == [
        ("SALES.ORDERS:P3", "ROLLBACK", False),  # a rollback of another execution
        ("SALES.ORDERS:P2", "COMPRESS", False),
        ("SALES.ORDERS:P1", "COMPRESS", True),
    ]
    assert failures[2].resolved_by == "execution 2 SUCCESS in run c2"


def test_the_limit_keeps_the_newest_of_both_kinds(sqlite_engine):
    with sqlite_engine.begin() as conn:
        for n in range(1, 6):
            _log(conn, n, n, "FAILED", 1, n * 10, partition=f"P{n}")
            _execution(conn, n, "FAILED", n * 10 + 5, partition=f"C{n}")
    with sqlite_engine.connect() as conn:
        failures = recent_failures(conn, 3)
    assert [f.object for f in failures] == ["SALES.ORDERS:C5", "SALES.ORDERS:P5", "SALES.ORDERS:C4"]

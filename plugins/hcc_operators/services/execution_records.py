"""Rows of hcc_ilm_execution_log: one per attempt at a queue item.

An attempt's row is inserted RUNNING when the item is claimed, gets the measured
before-state just before the first DDL is sent (``record_before``), and is completed with
the outcome. Recovery (services/recovery.py) completes the rows of attempts whose worker
died, from that before-state and the live dictionary.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection, Engine

from hcc_operators.core.outcomes import ActionOutcome
from hcc_operators.repository.tables import execution_log

#: The attempt's worker died before its DDL took effect; the item went back to PENDING.
LOST = "LOST"


def insert_attempt(
    conn: Connection,
    row,
    *,
    batch_id: int | None,
    status: str,
    dag_run_id: str,
    map_index: int,
    attempt: int,
    now: datetime,
    **extra,
) -> int:
    """One attempt of a queue item in the execution log; returns its log_id."""
    return conn.execute(
        insert(execution_log).values(
            queue_id=row.queue_id,
            batch_id=batch_id,
            policy_name=row.policy_name,
            owner=row.owner,
            table_name=row.table_name,
            partition_name=row.partition_name,
            action=row.action,
            status=status,
            attempt=attempt,
            dag_run_id=dag_run_id,
            map_index=map_index,
            started_at=now,
            **extra,
        )
    ).inserted_primary_key[0]


def record_before(engine: Engine, log_id: int, outcome: ActionOutcome) -> None:
    """The before-state, written before any DDL (bytes_before set = DDL may have been sent)."""
    with engine.begin() as conn:
        conn.execute(
            update(execution_log)
            .where(execution_log.c.log_id == log_id)
            .values(
                compression_before=outcome.compression_before,
                tablespace_before=outcome.tablespace_before,
                bytes_before=outcome.bytes_before if outcome.bytes_before is not None else 0,
                rows_before=outcome.rows_before,
            )
        )


def outcome_values(outcome: ActionOutcome) -> dict:
    return {
        "status": outcome.status.value,
        "compression_before": outcome.compression_before,
        "compression_after": outcome.compression_after,
        "tablespace_before": outcome.tablespace_before,
        "tablespace_after": outcome.tablespace_after,
        "bytes_before": outcome.bytes_before,
        "bytes_after": outcome.bytes_after,
        "rows_before": outcome.rows_before,
        "rows_after": outcome.rows_after,
        "ratio": outcome.ratio,
        "duration_s": outcome.duration_s,
        "simulated": outcome.simulated,
        "ddl": "\n".join(outcome.statements) or None,
        "error_code": outcome.error_code,
        "error_message": outcome.message if outcome.status.value == "FAILED" else None,
    }

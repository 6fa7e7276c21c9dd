"""Compression execution of advisor candidates, and rollback of an execution.

Every execution is recorded before its DDL runs (status RUNNING) and completed after, with sizes,
row counts, the ratio achieved and the exact statements, so a rollback can restore precisely the
previous compression and tablespace.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Engine

from hcc_operators import clock
from hcc_operators.core import ddl
from hcc_operators.core.actions.compress import CompressParams
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef
from hcc_operators.core.names import Dag, session_module
from hcc_operators.core.outcomes import ActionOutcome
from hcc_operators.repository.tables import advisor_results, advisor_runs, compression_executions
from hcc_operators.services.action_runner import licensed, run_action, table_segments
from hcc_operators.warehouse.base import Warehouse


def select_candidates(
    engine: Engine,
    *,
    objects: Sequence[str] = (),
    min_ratio: float = 2.0,
    max_objects: int = 20,
) -> list[dict]:
    """Latest successful advisor results recommending compression, coldest first."""
    if max_objects < 1:
        raise ConfigError("max_objects must be at least 1", field="max_objects")
    wanted = {ObjectRef.parse(o).label for o in objects}
    with engine.connect() as conn:
        latest = (
            select(func.max(advisor_runs.c.run_id))
            .where(advisor_runs.c.status.in_(("SUCCESS", "PARTIAL")))
            .scalar_subquery()
        )
        rows = conn.execute(
            select(advisor_results)
            .where(
                and_(
                    advisor_results.c.run_id == latest,
                    advisor_results.c.status == "SUCCESS",
                    advisor_results.c.recommended.is_not(None),
                    advisor_results.c.expected_ratio >= min_ratio,
                )
            )
            .order_by(advisor_results.c.hotness, advisor_results.c.estimated_savings.desc())
        )
        items = []
        for r in rows:
            ref = ObjectRef(r.owner, r.table_name, r.partition_name, r.subpartition_name)
            if wanted and ref.label not in wanted:
                continue
            items.append(
                {
                    "result_id": r.result_id,
                    "label": ref.label,
                    "compression": r.recommended,
                    "current_compression": r.current_compression,
                    "expected_ratio": r.expected_ratio,
                    "hotness": r.hotness,
                    "estimated_savings": r.estimated_savings,
                }
            )
    if wanted and not items:
        raise ConfigError(
            f"none of {sorted(wanted)} is a current candidate at ratio >= {min_ratio}",
            field="objects",
        )
    return items[:max_objects]


def compress_object(
    warehouse: Warehouse,
    engine: Engine,
    item: dict,
    *,
    dry_run: bool,
    dag_run_id: str,
    now: datetime,
    map_index: int | None = None,
) -> dict:
    ref = ObjectRef.parse(item["label"])
    target = CompressionType.parse(item["compression"])
    live = warehouse.segment(ref)
    # A composite partition is compressed subpartition by subpartition (its live list).
    table = table_segments(warehouse, ref) if live is not None and live.has_subpartitions else ()
    action = CompressParams(level=target).to_action(ref, table=table)
    base = {
        "dag_run_id": dag_run_id,
        "map_index": map_index,
        "result_id": item.get("result_id"),
        "owner": ref.owner,
        "table_name": ref.table,
        "partition_name": ref.partition,
        "subpartition_name": ref.subpartition,
        "operation": "COMPRESS",
        "compression_from": live.compression.value if live else None,
        "compression_to": target.value,
        "tablespace_from": live.tablespace if live else None,
        "expected_ratio": _expected_rewrite_ratio(live, item),
        "started_at": now,
    }
    stale = _stale_reason(live, target, item.get("current_compression"))
    if stale:
        with engine.begin() as conn:
            execution_id = conn.execute(
                insert(compression_executions).values(
                    **base,
                    status="SKIPPED",
                    error_message=stale,
                    finished_at=now,
                    bytes_before=live.bytes,
                    bytes_after=live.bytes,
                )
            ).inserted_primary_key[0]
        return {
            "execution_id": execution_id,
            "label": ref.label,
            "status": "SKIPPED",
            "message": stale,
            "statements": [],
        }
    if dry_run:
        licensed_action, note = licensed(warehouse, action, live)
        statements = ddl.render(licensed_action, version=warehouse.version())
        if note:
            statements.append(f"-- {note}")
        with engine.begin() as conn:
            execution_id = conn.execute(
                insert(compression_executions).values(
                    **base,
                    status="DRY_RUN",
                    ddl="\n".join(statements),
                    finished_at=now,
                    bytes_before=live.bytes if live else None,
                )
            ).inserted_primary_key[0]
        return {
            "execution_id": execution_id,
            "label": ref.label,
            "status": "DRY_RUN",
            "message": "dry run: the statements were rendered, not executed",
            "statements": statements,
        }
    with engine.begin() as conn:
        execution_id = conn.execute(
            insert(compression_executions).values(**base, status="RUNNING")
        ).inserted_primary_key[0]
    warehouse.set_session_info(session_module(Dag.COMPRESS), f"COMPRESS {ref.label}"[:64])
    outcome = run_action(warehouse, action)
    _complete(engine, execution_id, outcome, live.bytes if live else None)
    return {"execution_id": execution_id, **outcome.to_dict()}


def _expected_rewrite_ratio(live, item: dict) -> float | None:
    """The before/after ratio this rewrite should achieve, comparable with achieved_ratio.

    The advisor's ratio is against uncompressed data; for an object that is already compressed
    the rewrite can only shrink it by size / (size - estimated savings).
    """
    ratio = item.get("expected_ratio")
    savings = item.get("estimated_savings")
    if live is None or live.compression is CompressionType.NONE or not savings:
        return ratio
    if 0 < savings < live.bytes:
        return round(live.bytes / (live.bytes - savings), 4)
    return ratio


def _stale_reason(live, target: CompressionType, measured_as: str | None) -> str | None:
    """Why the recommendation no longer applies to the live object, or None.

    Advisor results age: ILM or a DBA may have rewritten the object since it was measured, and
    applying the old advice would then lower its compression and grow the segment.
    """
    if live is None:
        return None  # run_action reports the missing object with its ORA code
    if measured_as is not None and live.compression.value != measured_as:
        return (
            f"the object is now {live.compression.value}, not {measured_as} as the advisor "
            "measured it; re-run the advisor before compressing it"
        )
    if live.compression.rank >= target.rank and live.compression != target:
        return (
            f"the object is already {live.compression.value}, at or above "
            f"{target.value}; compression never goes to a lower level"
        )
    return None


def rollback_execution(
    warehouse: Warehouse, engine: Engine, execution_id: int, *, dag_run_id: str, now: datetime
) -> dict:
    """Move the object back to the compression and tablespace it had before the execution."""
    with engine.connect() as conn:
        row = conn.execute(
            select(compression_executions).where(
                compression_executions.c.execution_id == execution_id
            )
        ).first()
    if row is None:
        raise ConfigError(f"execution {execution_id} does not exist", field="execution_id")
    if row.operation != "COMPRESS" or row.status != "SUCCESS":
        raise ConfigError(
            f"execution {execution_id} is a {row.operation} with status {row.status}; only a "
            "successful COMPRESS can be rolled back",
            field="execution_id",
        )
    ref = ObjectRef(row.owner, row.table_name, row.partition_name, row.subpartition_name)
    live = warehouse.segment(ref)
    if live is None:
        raise ConfigError(
            f"{ref.label} no longer exists; nothing to roll back", field="execution_id"
        )
    if live.compression.value != row.compression_to:
        raise ConfigError(
            f"{ref.label} is now {live.compression.value}, not {row.compression_to} as left by "
            f"execution {execution_id}: it changed since, so rolling back would undo later work",
            field="execution_id",
        )
    previous = CompressionType.parse(row.compression_from)
    action = Action(
        ActionKind.COMPRESS,
        ref,
        compression=previous,
        tablespace=row.tablespace_from if row.tablespace_from != live.tablespace else None,
    )
    with engine.begin() as conn:
        rollback_id = conn.execute(
            insert(compression_executions).values(
                dag_run_id=dag_run_id,
                owner=ref.owner,
                table_name=ref.table,
                partition_name=ref.partition,
                subpartition_name=ref.subpartition,
                operation="ROLLBACK",
                compression_from=live.compression.value,
                compression_to=previous.value,
                tablespace_from=live.tablespace,
                tablespace_to=row.tablespace_from,
                status="RUNNING",
                rollback_of=execution_id,
                started_at=now,
            )
        ).inserted_primary_key[0]
    warehouse.set_session_info(session_module(Dag.COMPRESS), f"ROLLBACK {ref.label}"[:64])
    outcome = run_action(warehouse, action)
    _complete(engine, rollback_id, outcome, live.bytes)
    if outcome.status.value == "SUCCESS":
        with engine.begin() as conn:
            conn.execute(
                update(compression_executions)
                .where(compression_executions.c.execution_id == execution_id)
                .values(status="ROLLED_BACK")
            )
    return {"execution_id": rollback_id, "rollback_of": execution_id, **outcome.to_dict()}


def _complete(engine: Engine, execution_id: int, outcome: ActionOutcome, before: int | None):
    with engine.begin() as conn:
        conn.execute(
            update(compression_executions)
            .where(compression_executions.c.execution_id == execution_id)
            .values(
                status=outcome.status.value,
                bytes_before=outcome.bytes_before or before,
                bytes_after=outcome.bytes_after,
                rows_before=outcome.rows_before,
                rows_after=outcome.rows_after,
                achieved_ratio=outcome.ratio,
                space_saved=outcome.space_saved,
                duration_s=outcome.duration_s,
                simulated=outcome.simulated,
                tablespace_to=outcome.tablespace_after,
                ddl="\n".join(outcome.statements) or None,
                error_code=outcome.error_code,
                error_message=outcome.message if outcome.status.value == "FAILED" else None,
                finished_at=clock.now(),
            )
        )


def summarise(engine: Engine, dag_run_id: str) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                compression_executions.c.status,
                func.count(),
                func.coalesce(func.sum(compression_executions.c.space_saved), 0),
            )
            .where(compression_executions.c.dag_run_id == dag_run_id)
            .group_by(compression_executions.c.status)
        ).all()
    return {
        "by_status": {s: n for s, n, _ in rows},
        "space_saved_bytes": int(sum(saved for _, _, saved in rows)),
    }

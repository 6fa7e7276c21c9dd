"""Compression execution of advisor candidates, and rollback of an execution.

Every execution is recorded before its DDL runs (status RUNNING) and completed after, with sizes,
row counts, the ratio achieved and the exact statements, so a rollback can restore precisely the
previous compression and tablespace.

A rollback only undoes an execution whose object is exactly as the execution left it
(``changes_since``): the same compression, tablespace and partition bound (HIGH_VALUE), and no
later action recorded for it (a later compression, or an ILM action on the partition). Anything
else means later work (an ILM MOVE, a merge, a DBA) would be undone with it, so it is refused
with the list of what changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from hcc_operators import clock
from hcc_operators.core import ddl
from hcc_operators.core.actions.compress import CompressParams
from hcc_operators.core.actions.rewrite import resolve_segments
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef, SegmentInfo
from hcc_operators.core.names import Dag, session_module
from hcc_operators.core.outcomes import ActionOutcome
from hcc_operators.core.rewrite_options import AS_POLICIES, RewriteOptions
from hcc_operators.repository import advice
from hcc_operators.repository.tables import (
    advisor_results,
    compression_executions,
    execution_log,
)
from hcc_operators.services.action_runner import licensed, run_action, table_segments
from hcc_operators.warehouse.base import Warehouse

log = logging.getLogger(__name__)


def select_candidates(
    engine: Engine,
    warehouse: Warehouse,
    *,
    objects: Sequence[str] = (),
    min_ratio: float = 2.0,
    max_objects: int = 20,
) -> list[dict]:
    """The current advice recommending compression, coldest first, without the objects it no
    longer fits.

    An object is left out when the live dictionary shows it already at or above its
    recommended level, or at another level than the advisor measured (compressed, moved or
    merged since), or when it was rewritten after it was measured (a recompression done):
    picking it would only end SKIPPED, or repeat work, until the advisor measures it again.
    """
    if max_objects < 1:
        raise ConfigError("max_objects must be at least 1", field="max_objects")
    wanted = {ObjectRef.parse(o).label for o in objects}
    r = advisor_results.c
    with engine.connect() as conn:
        rows = conn.execute(
            advice.current_results()
            .add_columns(advice.rewritten_since_analysis().label("rewritten"))
            .where(
                r.status == "SUCCESS",
                r.recommended.is_not(None),
                r.expected_ratio >= min_ratio,
            )
            .order_by(r.hotness, r.estimated_savings.desc(), r.result_id)
        ).all()
    rows = [x for x in rows if not wanted or _ref(x).label in wanted]
    live = _live_segments(warehouse, rows)
    items, left_out = [], []
    for x in rows:
        ref = _ref(x)
        seg = live.get(ref)
        why = (
            f"{ref.label} no longer exists"
            if seg is None
            else "it was rewritten after the advisor measured it"
            if x.rewritten
            else _stale_reason(seg, CompressionType.parse(x.recommended), x.current_compression)
        )
        if why:
            left_out.append(f"{ref.label}: {why}")
            continue
        items.append(
            {
                "result_id": x.result_id,
                "label": ref.label,
                "compression": x.recommended,
                "current_compression": x.current_compression,
                "expected_ratio": x.expected_ratio,
                "hotness": x.hotness,
                "estimated_savings": x.estimated_savings,
            }
        )
    if left_out:
        log.info(
            "%s object(s) of the current advice left out: %s",
            len(left_out),
            "; ".join(left_out[:20]),
        )
    if wanted and not items:
        raise ConfigError(
            f"none of {sorted(wanted)} is a current candidate at ratio >= {min_ratio}"
            + (f" ({'; '.join(left_out)})" if left_out else ""),
            field="objects",
        )
    return items[:max_objects]


def _ref(row) -> ObjectRef:
    return ObjectRef(row.owner, row.table_name, row.partition_name, row.subpartition_name)


def _live_segments(warehouse: Warehouse, rows) -> dict[ObjectRef, SegmentInfo]:
    """The live dictionary entry of each row's object: one listing per table involved."""
    tables = sorted({ObjectRef(x.owner, x.table_name) for x in rows})
    if not tables:
        return {}
    owners = sorted({t.owner for t in tables})
    return {s.ref: s for s in warehouse.list_segments(owners, tables)}


def compress_object(
    warehouse: Warehouse,
    engine: Engine,
    item: dict,
    *,
    dry_run: bool,
    dag_run_id: str,
    now: datetime,
    options: RewriteOptions = AS_POLICIES,
    map_index: int | None = None,
) -> dict:
    """Compress one candidate; ``options`` are the run's ONLINE/PARALLEL overrides."""
    ref = ObjectRef.parse(item["label"])
    target = CompressionType.parse(item["compression"])
    live = warehouse.segment(ref)
    # A composite partition is compressed subpartition by subpartition (its live list).
    table = table_segments(warehouse, ref) if live is not None and live.has_subpartitions else ()
    action = options.apply(CompressParams(level=target).to_action(ref, table=table))
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
        # The bound it had: a rollback refuses once the partition's bounds changed.
        "high_value": live.high_value if live else None,
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
        # The size before is recorded with the RUNNING row: if the task is killed after its
        # DDL, recovery (services/compression_recovery.py) still knows what was saved.
        execution_id = conn.execute(
            insert(compression_executions).values(
                **base, status="RUNNING", bytes_before=live.bytes if live else None
            )
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
    with engine.connect() as conn:
        earlier = conn.execute(
            select(compression_executions.c.execution_id, compression_executions.c.status).where(
                compression_executions.c.rollback_of == execution_id,
                compression_executions.c.status.in_(("RUNNING", "SUCCESS")),
            )
        ).first()
    if earlier is not None:
        raise ConfigError(
            f"execution {execution_id} already has a rollback ({earlier.status}, execution "
            f"{earlier.execution_id}); a second one is refused",
            field="execution_id",
        )
    live = warehouse.segment(ref)
    if live is None:
        raise ConfigError(
            f"{ref.label} no longer exists; nothing to roll back", field="execution_id"
        )
    changed = changes_since(engine, row, live)
    if changed:
        raise ConfigError(
            f"{ref.label} is not as execution {execution_id} left it: {'; '.join(changed)}. "
            "Rolling back would undo that later work too; refused",
            field="execution_id",
        )
    previous = CompressionType.parse(row.compression_from)
    action = Action(
        ActionKind.COMPRESS,
        ref,
        compression=previous,
        tablespace=row.tablespace_from if row.tablespace_from != live.tablespace else None,
    )
    if live.has_subpartitions:
        # No segment to move (ORA-14257, COMPOSITE-01): back subpartition by subpartition,
        # with the defaults its subpartitioning allows (COMPOSITE-05).
        action = resolve_segments(action, table_segments(warehouse, ref))
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
                bytes_before=live.bytes,
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


def changes_since(engine: Engine, row, live) -> list[str]:
    """What differs between the object now and as COMPRESS execution ``row`` left it, and the
    later actions recorded for it (empty: unchanged, a rollback undoes only that execution)."""
    found: list[str] = []
    if live.compression.value != row.compression_to:
        found.append(f"compression is {live.compression.value}, was left {row.compression_to}")
    if row.tablespace_to is not None and live.tablespace != row.tablespace_to:
        found.append(f"tablespace is {live.tablespace}, was left in {row.tablespace_to}")
    if row.high_value is not None and live.high_value != row.high_value:
        found.append(f"partition bound is {live.high_value}, was {row.high_value}")
    # From its start: an ILM action that ran while it did counts as later work too.
    since = row.started_at
    c = compression_executions.c
    with engine.connect() as conn:
        later = conn.execute(
            select(c.execution_id, c.operation, c.compression_to).where(
                c.owner == row.owner,
                c.table_name == row.table_name,
                _same(c.partition_name, row.partition_name),
                _same(c.subpartition_name, row.subpartition_name),
                c.execution_id > row.execution_id,
                c.status == "SUCCESS",
            )
        ).all()
        found += [
            f"execution {e.execution_id} ({e.operation} to {e.compression_to}) ran later"
            for e in later
        ]
        if row.partition_name is not None:
            # ILM acts on partitions: a later action on the partition (or its subpartitions)
            # changed this object too.
            log = execution_log.c
            ilm = conn.execute(
                select(log.log_id, log.action, log.started_at).where(
                    log.owner == row.owner,
                    log.table_name == row.table_name,
                    log.partition_name == row.partition_name,
                    log.status == "SUCCESS",
                    log.started_at >= since,
                )
            ).all()
            found += [
                f"ILM {e.action} (log {e.log_id}) ran on it at {e.started_at.isoformat()}"
                for e in ilm
            ]
    return found


def _same(column, value):
    return column.is_(None) if value is None else column == value


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

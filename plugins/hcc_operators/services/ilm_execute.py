"""ILM stage 3b: execute one queue item (one mapped task), verified against live state.

Safety rules carried out here:
- the window is re-checked when the item starts: its predicted duration times schedule.yaml's
  ``duration_margin`` must end before the close, else it stays PENDING for the next window;
- the item is claimed atomically, so two runs never execute it twice;
- the action is resolved against the live dictionary when it runs (a MERGE finds its period's
  partitions, a composite partition its subpartitions, an item whose partition was merged
  away is skipped naming where its rows are), and it is verified before any DDL, so a cleared
  or retried task never repeats completed work;
- follow-ups (statistics, consolidation) are queued once the action is done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.actions import ActionParams, parse_params
from hcc_operators.core.actions.drop import DropParams
from hcc_operators.core.errors import ConfigError, NothingToDo, PolicyError, Transience
from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import ActionKind, ActionStatus, ObjectRef
from hcc_operators.core.names import Dag, session_module
from hcc_operators.core.outcomes import ActionOutcome, PlannedItem
from hcc_operators.core.queue_control import QueueStatus
from hcc_operators.repository.tables import execution_log, ilm_queue
from hcc_operators.services.action_runner import run_action, table_segments
from hcc_operators.services.archive_drop import archive_then_drop
from hcc_operators.services.custom_action import run_custom_item
from hcc_operators.services.follow_ups import queue_follow_ups
from hcc_operators.services.ilm_plan import fits_before_close
from hcc_operators.services.ilm_settings import IlmSettings, load_ilm_settings
from hcc_operators.warehouse.base import Warehouse


def execute_item(
    warehouse: Warehouse,
    engine: Engine,
    item: PlannedItem,
    *,
    dag_run_id: str,
    map_index: int,
    attempt: int,
    now_fn: Callable[[], datetime],
    settings: IlmSettings | None = None,
) -> dict:
    queue_id = item["queue_id"]
    now = now_fn()
    with engine.connect() as conn:
        row = conn.execute(select(ilm_queue).where(ilm_queue.c.queue_id == queue_id)).first()
    if row is None:
        return {"status": "SKIPPED", "message": f"queue item {queue_id} no longer exists"}
    if row.status in ("SUCCESS", "SKIPPED", "CANCELLED"):
        return {"status": "SKIPPED", "message": f"queue item already {row.status}"}
    if row.status == QueueStatus.HELD:
        # Held by an operator after the batch was planned: not run, and left HELD.
        return {"status": "SKIPPED", "message": "queue item is HELD; release it to run it"}
    if row.status == "FAILED":
        # A cleared task retries the item: it goes back to PENDING (recorded), then runs again,
        # and verify-before-DDL in run_action keeps a change that did land from repeating.
        _set_status(engine, queue_id, "PENDING", now)

    if not item.get("forced"):
        settings = settings or load_ilm_settings()
        left = settings.calendar.remaining(now)
        margin = settings.schedule.duration_margin
        if not fits_before_close(item["predicted_s"], left.total_seconds(), margin):
            message = (
                f"predicted {item['predicted_s']:.0f}s x margin {margin:g} does not fit in the "
                f"{left.total_seconds():.0f}s left in the window; left PENDING"
            )
            _set_status(engine, queue_id, "PENDING", now, carried_over=True)
            if row.status == "FAILED":
                # The failed attempt stays in the log; this row supersedes it as the item's
                # latest attempt, so finish_batch counts the item as waiting, not failed.
                _log_deferral(engine, row, item, message, dag_run_id, map_index, attempt, now)
            return {"status": "DEFERRED", "message": message}

    with engine.begin() as conn:
        claimed = conn.execute(
            update(ilm_queue)
            .where(
                ilm_queue.c.queue_id == queue_id,
                or_(
                    ilm_queue.c.status == "PENDING",
                    # a retry of this very task after its worker died, or an expired lease:
                    # take it back and let run_action re-verify the live state
                    and_(
                        ilm_queue.c.status == "RUNNING",
                        or_(
                            ilm_queue.c.lease_holder == f"{dag_run_id}#{map_index}",
                            ilm_queue.c.lease_expires_at < now,
                        ),
                    ),
                ),
            )
            .values(
                status="RUNNING",
                attempts=ilm_queue.c.attempts + 1,
                updated_at=now,
                lease_holder=f"{dag_run_id}#{map_index}",
                lease_expires_at=now + timedelta(seconds=3 * item["predicted_s"] + 600),
            )
        ).rowcount
        if not claimed:
            # Another run took the item between our read and this claim; it will finish it.
            return {"status": "SKIPPED", "message": "queue item taken by another run"}
        log_id = _insert_log(
            conn, row, item, "RUNNING", dag_run_id, map_index, attempt, now
        ).inserted_primary_key[0]

    warehouse.set_session_info(
        session_module(Dag.ILM_EXECUTE), f"{row.action} {row_ref(row).label}"[:64]
    )
    outcome, result_ref, params = run_queue_row(
        warehouse,
        engine,
        row,
        now=now,
        context={"batch_id": item["batch_id"], "dag_run_id": dag_run_id, "log_id": log_id},
    )
    follow_ups: list[str] = []
    if params is not None and outcome.status in (ActionStatus.SUCCESS, ActionStatus.SKIPPED):
        # Also after SKIPPED: an action that a killed attempt completed still owes its
        # follow-ups, and queue_follow_ups never queues one twice.
        # ``now`` is when this attempt claimed the item: the rewrite happened after it.
        follow_ups = queue_follow_ups(warehouse, engine, row, params, result_ref, now=now)

    done = now_fn()
    final = outcome.status.value
    deferred = final == "FAILED" and outcome.transience == Transience.SKIP_FOR_NOW.value
    # Space or resource pressure is not a failure of this item: it waits for a later window.
    # The log keeps the attempt (DEFERRED, with its ORA code); the queue item stays PENDING.
    log_status = "DEFERRED" if deferred else final
    queue_status = "PENDING" if deferred else final
    with engine.begin() as conn:
        conn.execute(
            update(execution_log)
            .where(execution_log.c.log_id == log_id)
            .values({**_log_values(outcome), "status": log_status, "finished_at": done})
        )
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.queue_id == queue_id)
            .values(
                status=queue_status,
                updated_at=done,
                lease_holder=None,
                lease_expires_at=None,
                last_error=outcome.message if final == "FAILED" else None,
                carried_over=queue_status == "PENDING",
            )
        )
    result = outcome.to_dict()
    result.update(queue_id=queue_id, log_id=log_id, follow_ups=follow_ups)
    if deferred:
        result["status"] = "DEFERRED"
    return result


def _insert_log(conn, row, item, status, dag_run_id, map_index, attempt, now, **extra):
    """One attempt of a queue item in the execution log."""
    return conn.execute(
        insert(execution_log).values(
            queue_id=row.queue_id,
            batch_id=item["batch_id"],
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
    )


def _log_deferral(engine, row, item, message, dag_run_id, map_index, attempt, now) -> None:
    with engine.begin() as conn:
        _insert_log(
            conn,
            row,
            item,
            "DEFERRED",
            dag_run_id,
            map_index,
            attempt,
            now,
            error_message=message,
            finished_at=now,
        )


def _set_status(engine, queue_id, status, now, carried_over=False) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(ilm_queue)
            .where(ilm_queue.c.queue_id == queue_id)
            .values(status=status, updated_at=now, carried_over=carried_over)
        )


def _log_values(outcome: ActionOutcome) -> dict:
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


def row_ref(row) -> ObjectRef:
    return ObjectRef(row.owner, row.table_name, row.partition_name)


def run_queue_row(
    warehouse: Warehouse, engine: Engine, row, *, now: datetime, context: dict
) -> tuple[ActionOutcome, ObjectRef, ActionParams | None]:
    """Run one queue row's action against the live dictionary: (what happened, the object
    the result is on, the parameters) -- never raises for the action's own failure."""
    ref = row_ref(row)
    try:
        params = parse_params(row.action_params, row.action)
    except (ValueError, ValidationError) as err:
        outcome = ActionOutcome(ActionStatus.FAILED, row.action, ref.label)
        outcome.message = f"queue item {row.queue_id} has unreadable parameters: {err}"
        outcome.error_code, outcome.transience = "HCC-BAD-PARAMS", Transience.PERMANENT.value
        return outcome, ref, None
    if params.kind is ActionKind.CUSTOM:
        return run_custom_item(warehouse, engine, row, now=now, context=context), ref, params
    table = table_segments(warehouse, ref)
    gone = _gone(params, ref, table, row.upper_bound)
    if gone is not None:
        outcome = ActionOutcome(ActionStatus.SKIPPED, params.kind.value, ref.label, message=gone)
        return outcome, ref, None
    try:
        action = params.to_action(ref, table=table, upper_bound=row.upper_bound)
    except NothingToDo as why:
        return (
            ActionOutcome(ActionStatus.SKIPPED, params.kind.value, ref.label, str(why)),
            ref,
            None,
        )
    except (PolicyError, ConfigError) as err:
        outcome = ActionOutcome(ActionStatus.FAILED, params.kind.value, ref.label, str(err))
        outcome.transience = Transience.PERMANENT.value
        return outcome, ref, None
    if isinstance(params, DropParams) and params.archive:
        return archive_then_drop(warehouse, action, params.archive_table_suffix), action.ref, params
    return run_action(warehouse, action), action.ref, params


def _gone(params: ActionParams, ref: ObjectRef, table, upper_bound) -> str | None:
    """Why an item whose partition no longer exists has nothing to do, or None.

    A DROP of a missing partition is done already (its applied check says so) and a MERGE
    finds its partitions by the item's bound; any other action's partition was merged or
    dropped since the evaluation queued it: the item is skipped, naming where its rows are
    now, and the next evaluation decides for that partition."""
    if params.kind in (ActionKind.DROP, ActionKind.MERGE):
        return None
    partitions = [s for s in table if not s.ref.subpartition]
    if any(s.ref.partition == ref.partition for s in partitions):
        return None
    holder = holding_partition(partitions, upper_bound)
    where = f"; its rows are now in {holder}" if holder else ""
    return (
        f"{ref.label} no longer exists (merged or dropped since it was queued){where}; the "
        "next evaluation decides for the partition that exists now"
    )


def holding_partition(partitions, upper_bound) -> str | None:
    """The live partition whose range holds the day before ``upper_bound``."""
    if upper_bound is None:
        return None
    day = upper_bound.replace(tzinfo=None) - timedelta(microseconds=1)
    for seg in sorted(partitions, key=lambda s: s.position or 0):
        bound = upper_bound_date(seg.high_value)
        if bound is None or bound.replace(tzinfo=None) > day:
            return seg.ref.partition
    return None

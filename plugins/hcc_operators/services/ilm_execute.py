"""ILM stage 3b: execute one queue item (one mapped task), verified against live state.

Safety rules carried out here:
- the window is re-checked when the item starts: its predicted duration times schedule.yaml's
  ``duration_margin`` must end before the close, else it stays PENDING for the next window;
- the item is claimed atomically together with its table: two runs never execute it twice,
  and one table never has two actions at once (services/table_lock.py: Oracle serialises
  DDL on one table, and a structural change would pull partitions from under the other);
- an item a dead attempt left RUNNING (this task's previous try, or an expired lease) is
  first recovered by reading the live dictionary (services/recovery.py): if the DDL took
  effect, that attempt is recorded SUCCESS with its real before/after and nothing runs again;
- the action is resolved against the live dictionary when it runs (a MERGE finds its period's
  partitions, a composite partition its subpartitions, an item whose partition was merged
  away is skipped naming where its rows are, services/queue_resolution.py), and it is
  verified before any DDL, so a cleared or retried task never repeats completed work;
- the measured before-state is written to the attempt's log row before the DDL is sent, so
  a worker killed between the DDL and its recording loses nothing;
- follow-ups (statistics, consolidation) are queued once the action is done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.actions import ActionParams
from hcc_operators.core.actions.drop import DropParams
from hcc_operators.core.errors import Transience
from hcc_operators.core.models import ActionStatus, ObjectRef
from hcc_operators.core.names import Dag, session_module
from hcc_operators.core.outcomes import ActionOutcome, PlannedItem
from hcc_operators.core.queue_control import QueueStatus
from hcc_operators.core.rewrite_options import AS_POLICIES, RewriteOptions
from hcc_operators.repository.tables import execution_log, ilm_queue
from hcc_operators.services import execution_records, recovery, table_lock
from hcc_operators.services.action_runner import run_action
from hcc_operators.services.archive_drop import archive_then_drop
from hcc_operators.services.custom_action import run_custom_item
from hcc_operators.services.follow_ups import queue_follow_ups
from hcc_operators.services.ilm_plan import fits_before_close
from hcc_operators.services.ilm_settings import IlmSettings, load_ilm_settings
from hcc_operators.services.queue_resolution import resolve_row, row_ref, vanished_during
from hcc_operators.services.table_lock import ClaimResult, LockWait
from hcc_operators.warehouse.base import Warehouse

#: Statuses a task never runs again (FAILED is not among them: clearing the task retries it).
SETTLED = ("SUCCESS", "SKIPPED", "CANCELLED")


def item_lease(predicted_s: float) -> timedelta:
    """How long a claimed item (and its table) is held before others may assume its worker
    died: three times the prediction plus ten minutes."""
    return timedelta(seconds=3 * predicted_s + 600)


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
    lock_wait: LockWait | None = None,
    options: RewriteOptions = AS_POLICIES,
) -> dict:
    """Run one planned item. ``options`` are the run's ONLINE/PARALLEL overrides (Params)."""
    queue_id = item["queue_id"]
    holder = f"{dag_run_id}#{map_index}"
    now = now_fn()
    row = _read(engine, queue_id)
    if row is None:
        return {"status": "SKIPPED", "message": f"queue item {queue_id} no longer exists"}
    if row.status == "RUNNING" and (
        row.lease_holder == holder
        or (row.lease_expires_at is not None and row.lease_expires_at < now)
    ):
        # This task's previous try died (Airflow retries only after it ended), or another
        # attempt's lease expired: find out from the live dictionary what that attempt did.
        why = (
            "the previous try of this task ended without recording its result"
            if row.lease_holder == holder
            else f"the lease of {row.lease_holder} expired at {row.lease_expires_at.isoformat()}"
        )
        found = recovery.recover_item(warehouse, engine, row, now=now, why=why)
        if found is not None and found.status != "PENDING":
            return {
                "status": found.status,
                "message": found.note,
                "queue_id": queue_id,
                "log_id": found.log_id,
                "follow_ups": list(found.follow_ups),
            }
        row = _read(engine, queue_id)
    if row.status in SETTLED:
        return {"status": "SKIPPED", "message": f"queue item already {row.status}"}
    if row.status == QueueStatus.HELD:
        # Held by an operator after the batch was planned: not run, and left HELD.
        return {"status": "SKIPPED", "message": "queue item is HELD; release it to run it"}
    was_failed = row.status == "FAILED"
    if was_failed:
        # A cleared task retries the item: it goes back to PENDING (recorded), then runs again,
        # and verify-before-DDL in run_action keeps a change that did land from repeating.
        _set_status(engine, queue_id, "PENDING", now)

    forced = bool(item.get("forced"))
    if not forced:
        settings = settings or load_ilm_settings()
    margin = 1.0 if forced else settings.schedule.duration_margin

    def can_still_start(at: datetime) -> bool:
        """The window re-check, made again at each poll while the item waits for its table."""
        if forced:
            return True
        left = settings.calendar.remaining(at).total_seconds()
        return fits_before_close(item["predicted_s"], left, margin)

    if not forced and not can_still_start(now):
        left = settings.calendar.remaining(now)
        message = (
            f"predicted {item['predicted_s']:.0f}s x margin {margin:g} does not fit in the "
            f"{left.total_seconds():.0f}s left in the window; left PENDING"
        )
        _set_status(engine, queue_id, "PENDING", now, carried_over=True)
        if was_failed:
            # The failed attempt stays in the log; this row supersedes it as the item's
            # latest attempt, so finish_batch counts the item as waiting, not failed.
            _log_deferral(engine, row, item, message, dag_run_id, map_index, attempt, now)
        return {"status": "DEFERRED", "message": message}

    claim = table_lock.claim_item(
        engine,
        row,
        holder=holder,
        lease_expires_at=lambda at: at + item_lease(item["predicted_s"]),
        now_fn=now_fn,
        can_still_start=can_still_start,
        record=partial(
            _record_claim,
            row=row,
            item=item,
            dag_run_id=dag_run_id,
            map_index=map_index,
            attempt=attempt,
        ),
        wait=lock_wait or LockWait(),
    )
    if claim.result is ClaimResult.TAKEN:
        # Another run took the item between our read and this claim; it will finish it.
        return {"status": "SKIPPED", "message": "queue item taken by another run"}
    if claim.result is ClaimResult.TABLE_BUSY:
        message = claim.busy_reason()
        _set_status(engine, queue_id, "PENDING", claim.now, carried_over=True, error=message)
        _log_deferral(engine, row, item, message, dag_run_id, map_index, attempt, claim.now)
        return {"status": "DEFERRED", "message": message}
    now, log_id = claim.now, claim.log_id

    warehouse.set_session_info(
        session_module(Dag.ILM_EXECUTE), f"{row.action} {row_ref(row).label}"[:64]
    )
    outcome, result_ref, params = run_queue_row(
        warehouse,
        engine,
        row,
        now=now,
        context={"batch_id": item["batch_id"], "dag_run_id": dag_run_id, "log_id": log_id},
        on_before_ddl=partial(execution_records.record_before, engine, log_id),
        options=options,
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
            .values(
                {
                    **execution_records.outcome_values(outcome),
                    "status": log_status,
                    "finished_at": done,
                    "note": _note(outcome, claim.waited_s),
                }
            )
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
        table_lock.release(conn, row, holder)
    result = outcome.to_dict()
    result.update(queue_id=queue_id, log_id=log_id, follow_ups=follow_ups)
    if deferred:
        result["status"] = "DEFERRED"
    return result


def _note(outcome: ActionOutcome, waited_s: float) -> str | None:
    parts = []
    if outcome.status is ActionStatus.SKIPPED and outcome.message:
        parts.append(outcome.message)
    if waited_s >= 1:
        parts.append(f"waited {waited_s:.0f}s for another action on the same table to finish")
    return "; ".join(parts) or None


def _read(engine: Engine, queue_id: int):
    with engine.connect() as conn:
        return conn.execute(select(ilm_queue).where(ilm_queue.c.queue_id == queue_id)).first()


def _record_claim(conn, now, *, row, item, dag_run_id, map_index, attempt) -> int:
    return execution_records.insert_attempt(
        conn,
        row,
        batch_id=item["batch_id"],
        status="RUNNING",
        dag_run_id=dag_run_id,
        map_index=map_index,
        attempt=attempt,
        now=now,
    )


def _log_deferral(engine, row, item, message, dag_run_id, map_index, attempt, now) -> None:
    with engine.begin() as conn:
        execution_records.insert_attempt(
            conn,
            row,
            batch_id=item["batch_id"],
            status="DEFERRED",
            dag_run_id=dag_run_id,
            map_index=map_index,
            attempt=attempt,
            now=now,
            error_message=message,
            note=message,
            finished_at=now,
        )


def _set_status(engine, queue_id, status, now, carried_over=False, error=None) -> None:
    values = dict(status=status, updated_at=now, carried_over=carried_over)
    if error is not None:
        values["last_error"] = error
    with engine.begin() as conn:
        conn.execute(update(ilm_queue).where(ilm_queue.c.queue_id == queue_id).values(**values))


def run_queue_row(
    warehouse: Warehouse,
    engine: Engine,
    row,
    *,
    now: datetime,
    context: dict,
    on_before_ddl=None,
    options: RewriteOptions = AS_POLICIES,
) -> tuple[ActionOutcome, ObjectRef, ActionParams | None]:
    """Run one queue row's action against the live dictionary: (what happened, the object
    the result is on, the parameters) -- never raises for the action's own failure."""
    ref = row_ref(row)
    resolved = resolve_row(warehouse, row)
    if resolved.outcome is not None:
        # Nothing to run: skipped with the reason, or a permanent failure. A skipped item
        # queues no follow-ups (its parameters are withheld).
        return resolved.outcome, ref, None
    params, action = resolved.params, resolved.action
    if action is None:  # CUSTOM: the strategy resolves its own object
        return run_custom_item(warehouse, engine, row, now=now, context=context), ref, params
    if isinstance(params, DropParams) and params.archive:
        outcome = archive_then_drop(
            warehouse, action, params.archive_table_suffix, on_before_ddl=on_before_ddl
        )
    else:
        outcome = run_action(warehouse, options.apply(action), on_before_ddl=on_before_ddl)
    checked = vanished_during(warehouse, row, outcome)
    if checked is not outcome:  # the partition vanished: skipped, and it owes no follow-ups
        return checked, ref, None
    return outcome, action.ref, params

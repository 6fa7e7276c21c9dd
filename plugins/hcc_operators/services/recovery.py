"""Recovery of what a killed task, worker or run left RUNNING, by reading the live state.

A `kill -9` leaves rows RUNNING: the queue item and its execution-log row, the batch, the
hcc_dag_runs row, a table lock. Nothing here assumes what happened; each is decided from the
live dictionary and, where Airflow can say it, from the state of the run:

- an item whose DDL took effect becomes SUCCESS with its real before-state (written to its
  log row before the DDL was sent, services/execution_records.py) and its after-state
  measured now from the dictionary; its follow-ups (statistics, consolidation) are queued;
  a rewrite whose rows changed is FAILED ROW_COUNT_MISMATCH, as it would have been live;
- an item whose DDL did not take effect goes back to PENDING (carried over, so the next batch
  runs it first); its attempt is logged LOST with the reason;
- an item whose result the dictionary cannot show (index rebuilds, custom strategies) goes
  back to PENDING to run again: those actions check their own state;
- a batch whose run ended without finish_batch gets its counts and status from the latest
  attempts, with the reason; the run's hcc_dag_runs row is closed FAILED, saying why;
- table locks whose item is no longer RUNNING are released;
- compression executions of hcc_compress runs that ended are decided the same way
  (services/compression_recovery.py).

Where it runs: at the start of every plan_batch, under the execution lease (so no other batch
plans at the same time), by every retry of a task whose previous try died (ilm_execute), and
by housekeeping. An item is only recovered when its worker is known gone: its item lease
expired, its run's lease was taken over or released as dead (hcc_lease_events), Airflow says
its run has ended (an injected predicate: services stay free of Airflow), or it has not
changed for housekeeping's ``stuck_running_hours``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, or_, select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.action_state import is_applied
from hcc_operators.core.actions import spec
from hcc_operators.core.names import Dag, Lease, lease, parse_dag_id
from hcc_operators.repository import lease_events, leases, table_locks
from hcc_operators.repository.tables import dag_run_log, execution_log, ilm_batches, ilm_queue
from hcc_operators.services import run_control
from hcc_operators.services.action_runner import live_state
from hcc_operators.services.batch_status import count_batch, describe
from hcc_operators.services.compression_recovery import CompressionRecovery, recover_compressions
from hcc_operators.services.execution_records import LOST, insert_attempt
from hcc_operators.services.follow_ups import queue_follow_ups
from hcc_operators.services.queue_resolution import resolve_row, row_ref
from hcc_operators.warehouse.base import Warehouse

#: Is the hcc_ilm_execute run with this run id still running? True, False, or None when it
#: cannot be told (another deployment's run, Airflow unreachable): None never counts as dead.
RunAlive = Callable[[str], bool | None]
#: The same for any DAG of the package: (dag_id, run_id).
DagRunAlive = Callable[[str, str], bool | None]

EXECUTE_LEASE = lease(Lease.ILM_EXECUTE)
#: A RUNNING batch that has not planned yet may still be planning (its run has not reached
#: the lease): it is left alone this long unless its run is known to have ended.
PLAN_GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class ItemRecovery:
    """What recovery decided for one item, and why (the note is also in its log row)."""

    queue_id: int
    label: str
    action: str
    status: str  # SUCCESS, SKIPPED, FAILED (row count changed), PENDING (runs again)
    note: str
    log_id: int | None
    follow_ups: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchRecovery:
    batch_id: int
    dag_run_id: str | None
    status: str
    reason: str


@dataclass
class RecoveryReport:
    items: list[ItemRecovery] = field(default_factory=list)
    logs_closed: int = 0
    batches: list[BatchRecovery] = field(default_factory=list)
    dag_runs_closed: int = 0
    table_locks_released: int = 0
    compressions: list[CompressionRecovery] = field(default_factory=list)

    @property
    def summary(self) -> str:
        by_status: dict[str, int] = {}
        for item in self.items:
            by_status[item.status] = by_status.get(item.status, 0) + 1
        items = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())) or "none"
        text = (
            f"recovered items: {items}; {len(self.batches)} batch(es) closed, "
            f"{self.dag_runs_closed} run record(s) closed, {self.logs_closed} stray log row(s)"
        )
        if self.compressions:
            text += f"; {len(self.compressions)} compression execution(s) decided"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [asdict(i) for i in self.items],
            "logs_closed": self.logs_closed,
            "batches": [asdict(b) for b in self.batches],
            "dag_runs_closed": self.dag_runs_closed,
            "table_locks_released": self.table_locks_released,
            "compressions": [asdict(c) for c in self.compressions],
            "summary": self.summary,
        }


def recover(
    warehouse: Warehouse,
    engine: Engine,
    *,
    now: datetime,
    run_alive: RunAlive | None = None,
    dag_run_alive: DagRunAlive | None = None,
    current_batch_id: int | None = None,
    stuck_after: timedelta | None = None,
) -> RecoveryReport:
    """Recover everything left RUNNING by workers that are gone (module doc)."""
    report = RecoveryReport()
    runs = _RunJudge(engine, run_alive)
    for row, why in _lost_items(engine, now, runs, stuck_after):
        found = recover_item(warehouse, engine, row, now=now, why=why)
        if found is not None:
            report.items.append(found)
    report.logs_closed = _close_stray_logs(engine, now)
    with engine.begin() as conn:
        report.table_locks_released = table_locks.release_stale(conn, now)
    report.batches = _close_dead_batches(engine, now, runs, current_batch_id)
    report.dag_runs_closed = _close_batch_runs(engine, now, report.batches)
    if dag_run_alive is not None:
        # Before the run records: a killed hcc_compress run's executions, then its record.
        report.compressions = recover_compressions(
            warehouse, engine, now=now, dag_run_alive=dag_run_alive
        )
        report.dag_runs_closed += _close_ended_runs(engine, now, dag_run_alive)
    return report


class _RunJudge:
    """Whether an hcc_ilm_execute run is gone: declared dead in the lease audit, or ended
    according to Airflow (asked once per run)."""

    def __init__(self, engine: Engine, run_alive: RunAlive | None):
        with engine.connect() as conn:
            self._dead = lease_events.declared_dead(conn)
        self._ask = run_alive
        self._asked: dict[str, bool | None] = {}

    def ended(self, run_id: str | None) -> bool:
        if run_id is None:
            return False
        if run_id in self._dead:
            return True
        if self._ask is None:
            return False
        if run_id not in self._asked:
            self._asked[run_id] = self._ask(run_id)
        return self._asked[run_id] is False

    def alive(self, run_id: str | None) -> bool:
        if run_id is None or self._ask is None or run_id in self._dead:
            return False
        if run_id not in self._asked:
            self._asked[run_id] = self._ask(run_id)
        return self._asked[run_id] is True


def _run_of(holder: str | None) -> str | None:
    """The DAG run id of an item lease holder (``dag_run_id#map_index``)."""
    return holder.rsplit("#", 1)[0] if holder else None


def _lost_items(engine, now, runs: _RunJudge, stuck_after):
    with engine.connect() as conn:
        rows = conn.execute(
            select(ilm_queue).where(ilm_queue.c.status == "RUNNING").order_by(ilm_queue.c.queue_id)
        ).all()
    for row in rows:
        run = _run_of(row.lease_holder)
        if row.lease_expires_at is None or row.lease_expires_at < now:
            expiry = row.lease_expires_at.isoformat() if row.lease_expires_at else "never set"
            yield row, f"the item lease of {row.lease_holder or 'no holder'} expired ({expiry})"
        elif runs.ended(run):
            yield row, f"run {run} has ended (Airflow, or its lease was released as dead)"
        elif stuck_after is not None and row.updated_at < now - stuck_after:
            yield (
                row,
                (
                    f"RUNNING without an update for more than {stuck_after.total_seconds() / 3600:g} h"
                ),
            )


def recover_item(
    warehouse: Warehouse, engine: Engine, row, *, now: datetime, why: str
) -> ItemRecovery | None:
    """Decide one RUNNING item from the live dictionary (module doc). None when the item is
    no longer RUNNING under the same holder (someone else decided it meanwhile)."""
    ref = row_ref(row)
    with engine.connect() as conn:
        log = conn.execute(
            select(execution_log)
            .where(execution_log.c.queue_id == row.queue_id, execution_log.c.status == "RUNNING")
            .order_by(execution_log.c.log_id.desc())
        ).first()
    sent = log is not None and log.bytes_before is not None
    resolved = resolve_row(warehouse, row)
    action = resolved.action
    verifiable = action is not None and spec(action.kind).applied is not None
    live = live_state(warehouse, action) if verifiable else None
    applied = bool(verifiable and is_applied(action, live))
    started = log.started_at if log is not None else row.updated_at

    if not applied:
        if resolved.outcome is not None:
            seen = f"the live dictionary leaves nothing to verify ({resolved.outcome.message})"
        elif not verifiable:
            seen = "its result cannot be read from the dictionary; it runs again (it checks its own state)"
        elif sent:
            seen = "the live dictionary shows its DDL did not take effect"
        else:
            seen = "it had sent no DDL"
        note = f"worker lost: {why}; {seen}. Back to PENDING for the next batch"
        return _decide(engine, row, log, now, status="PENDING", log_status=LOST, note=note)

    after = live.target
    values: dict[str, Any] = {
        "compression_after": after.compression.value if after else None,
        "tablespace_after": after.tablespace if after else None,
        "bytes_after": after.bytes if after else 0,
    }
    if not sent:
        # Applied before this attempt sent anything: nothing of it to record as done by it.
        note = f"worker lost: {why}; the live dictionary shows the result was already there"
        values.update(
            compression_before=values["compression_after"],
            tablespace_before=values["tablespace_after"],
            bytes_before=values["bytes_after"],
        )
        found = _decide(
            engine, row, log, now, status="SKIPPED", log_status="SKIPPED", note=note, **values
        )
    else:
        rows_after = (
            warehouse.row_count(action.ref)
            if action.kind.rewrites_segment and after is not None
            else None
        )
        values["rows_after"] = rows_after
        if log.bytes_before and values["bytes_after"]:
            values["ratio"] = round(log.bytes_before / values["bytes_after"], 3)
        if log.rows_before is not None and rows_after is not None and rows_after != log.rows_before:
            note = (
                f"worker lost: {why}; the DDL took effect but the row count changed across the "
                f"rewrite: {log.rows_before} before, {rows_after} after; investigate before any "
                "further action"
            )
            return _decide(
                engine,
                row,
                log,
                now,
                status="FAILED",
                log_status="FAILED",
                note=note,
                error_code="ROW_COUNT_MISMATCH",
                error_message=note,
                **values,
            )
        note = (
            f"worker lost after its DDL: {why}; the live dictionary shows the action applied: "
            "recorded SUCCESS with the before-state measured before the DDL and the "
            "after-state measured now"
        )
        found = _decide(
            engine, row, log, now, status="SUCCESS", log_status="SUCCESS", note=note, **values
        )
    if found is None:
        return None
    follow = queue_follow_ups(warehouse, engine, row, resolved.params, action.ref, now=started)
    return ItemRecovery(
        found.queue_id,
        ref.label,
        row.action,
        found.status,
        found.note,
        found.log_id,
        tuple(follow),
    )


def _decide(
    engine, row, log, now, *, status, log_status, note, **log_values
) -> ItemRecovery | None:
    """Record the decision on the item, its dead attempt's log row and its table lock, in one
    transaction, only if the item is still RUNNING under the same holder."""
    q = ilm_queue.c
    holder_matches = (
        q.lease_holder == row.lease_holder if row.lease_holder else q.lease_holder.is_(None)
    )
    with engine.begin() as conn:
        changed = conn.execute(
            update(ilm_queue)
            .where(q.queue_id == row.queue_id, q.status == "RUNNING", holder_matches)
            .values(
                status=status,
                updated_at=now,
                lease_holder=None,
                lease_expires_at=None,
                carried_over=status == "PENDING",
                last_error=note if status in ("PENDING", "FAILED") else None,
            )
        ).rowcount
        if not changed:
            return None
        values = {"status": log_status, "note": note, "finished_at": now, **log_values}
        if log is not None:
            conn.execute(
                update(execution_log).where(execution_log.c.log_id == log.log_id).values(**values)
            )
            log_id = log.log_id
        else:
            # An attempt that left no log row (an older release): record the decision anyway.
            log_id = insert_attempt(
                conn,
                row,
                batch_id=row.batch_id,
                dag_run_id=_run_of(row.lease_holder) or "",
                map_index=-1,
                attempt=row.attempts or 1,
                now=now,
                **values,
            )
        if row.lease_holder:
            table_locks.release(conn, row.owner, row.table_name, row.lease_holder)
    return ItemRecovery(row.queue_id, row_ref(row).label, row.action, status, note, log_id)


def _close_stray_logs(engine, now) -> int:
    """Log rows RUNNING whose item is not RUNNING under the same attempt: an older attempt
    that a later one superseded without closing it (an older release did that)."""
    q, log = ilm_queue.c, execution_log.c
    with engine.begin() as conn:
        stray = conn.execute(
            select(log.log_id, q.status)
            .select_from(execution_log.outerjoin(ilm_queue, q.queue_id == log.queue_id))
            .where(log.status == "RUNNING")
            .where(
                or_(
                    q.queue_id.is_(None),
                    q.status != "RUNNING",
                    q.lease_holder.is_(None),
                    q.lease_holder != log.dag_run_id + "#" + _text(log.map_index),
                )
            )
        ).all()
        for log_id, item_status in stray:
            conn.execute(
                update(execution_log)
                .where(execution_log.c.log_id == log_id)
                .values(
                    status=LOST,
                    finished_at=now,
                    note=(
                        "worker lost; a later attempt decided the item "
                        f"(now {item_status or 'gone from the queue'})"
                    ),
                )
            )
    return len(stray)


def _text(column):
    return cast(column, String)


def _close_dead_batches(engine, now, runs: _RunJudge, current_batch_id) -> list[BatchRecovery]:
    held = leases.current(engine, EXECUTE_LEASE)
    closed: list[BatchRecovery] = []
    with engine.connect() as conn:
        batches = conn.execute(
            select(ilm_batches)
            .where(ilm_batches.c.status == "RUNNING")
            .order_by(ilm_batches.c.batch_id)
        ).all()
    for batch in batches:
        if batch.batch_id == current_batch_id or runs.alive(batch.dag_run_id):
            continue
        with engine.connect() as conn:
            working = conn.execute(
                select(ilm_queue.c.queue_id).where(
                    ilm_queue.c.batch_id == batch.batch_id, ilm_queue.c.status == "RUNNING"
                )
            ).first()
        if working is not None:
            continue  # its items still run (or wait for their own recovery)
        if not runs.ended(batch.dag_run_id):
            holds = held is not None and held.holder == batch.dag_run_id and not held.expired(now)
            planning = batch.checkpoint is None and batch.started_at > now - PLAN_GRACE
            if holds or planning:
                continue
        with engine.begin() as conn:
            counts = count_batch(conn, batch)
            reason = (
                f"{batch.reason + ' | ' if batch.reason else ''}recovered at {now.isoformat()}: "
                f"run {batch.dag_run_id} ended without finish_batch; "
                f"{describe(counts, batch.planned)}"
            )
            changed = conn.execute(
                update(ilm_batches)
                .where(ilm_batches.c.batch_id == batch.batch_id, ilm_batches.c.status == "RUNNING")
                .values(status=counts.status, finished_at=now, reason=reason, **counts.to_dict())
            ).rowcount
        if changed:
            leases.release(engine, EXECUTE_LEASE, batch.dag_run_id or "")
            closed.append(BatchRecovery(batch.batch_id, batch.dag_run_id, counts.status, reason))
    return closed


def _close_batch_runs(engine, now, batches: list[BatchRecovery]) -> int:
    """The hcc_dag_runs rows of the runs whose batches were closed: FAILED, saying why."""
    closed = 0
    for batch in batches:
        with engine.connect() as conn:
            rows = conn.execute(
                select(dag_run_log).where(
                    dag_run_log.c.dag_run_id == batch.dag_run_id,
                    dag_run_log.c.status == "RUNNING",
                )
            ).all()
        for run in rows:
            parsed = parse_dag_id(run.dag_id)
            if parsed is None or parsed[0] is not Dag.ILM_EXECUTE:
                continue
            run_control.finish_run(
                engine,
                run.run_log_id,
                now=now,
                status="FAILED",
                summary={"recovered": batch.reason, "batch_id": batch.batch_id},
            )
            closed += 1
    return closed


def _close_ended_runs(engine, now, dag_run_alive: DagRunAlive) -> int:
    """hcc_dag_runs rows still RUNNING for runs Airflow says have ended."""
    with engine.connect() as conn:
        rows = conn.execute(select(dag_run_log).where(dag_run_log.c.status == "RUNNING")).all()
    closed = 0
    for run in rows:
        if dag_run_alive(run.dag_id, run.dag_run_id) is not False:
            continue
        run_control.finish_run(
            engine,
            run.run_log_id,
            now=now,
            status="FAILED",
            summary={
                "recovered": (
                    f"Airflow shows run {run.dag_run_id} of {run.dag_id} ended, but it never "
                    "recorded its finish (killed, or marked failed by hand); closed by "
                    f"recovery at {now.isoformat()}"
                )
            },
        )
        closed += 1
    return closed


__all__ = [
    "BatchRecovery",
    "DagRunAlive",
    "ItemRecovery",
    "RecoveryReport",
    "RunAlive",
    "recover",
    "recover_item",
]

"""ILM stage 3a: plan a batch for the open window.

Safety rules carried out here:
- no DDL outside an open window unless the run is forced (recorded as such);
- each item starts only if its predicted duration times schedule.yaml's ``duration_margin``
  fits before the window closes, else it stays PENDING for the next window and the batch ends
  INTERRUPTED: with a margin of 1.5 an action running 50% longer than predicted still ends
  inside the window;
- one batch at a time across deployments (a lease in the repository); a lease whose holder's
  run has ended (Airflow says so: ``run_alive``, injected by the operator) is taken over, and
  the takeover is recorded in hcc_lease_events;
- under the lease, before planning, whatever killed workers or runs left RUNNING is recovered
  from the live dictionary (services/recovery.py), never blindly re-run;
- one table's items are packed one after another, never side by side (one action per table at
  a time, services/table_lock.py), and handed to the mapped tasks in the order they start.

How a batch is sized (``batch_limits`` and ``plan_queue``, which ``hcc plan`` and the window
packing benchmark call as well):
- its budget is the rest of the window (or ``max_batch_duration`` when one is set): a batch
  plans work for every slot of the window up to its close, in ``DDL_SLOTS`` lanes, the size of
  the hcc_oracle_ddl pool. The DAG's later slot runs then top up: with max_active_runs=1 a run
  whose slot opens while the batch still runs starts when it ends, and plans what fits in the
  rest of the window. A fixed per-slot budget would leave the DDL slots idle whenever a batch
  ends early, and could never start an action longer than a slot;
- the PENDING queue is ordered (core.selection) and packed (core.packing); plan_batch reads it
  in that order a chunk at a time (``plan_from_queue``) rather than loading it. The cap on
  operations applies to the actions chosen, by default ``MAX_MAP_LENGTH``, the most mapped
  tasks Airflow creates for one run. What fills a batch is the window, not a count.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.actions import parse_params
from hcc_operators.core.models import ActionKind, CompressionType, ObjectRef
from hcc_operators.core.names import POOL_SLOTS, Lease, Pool, lease
from hcc_operators.core.outcomes import PlannedItem
from hcc_operators.core.packing import BEYOND_MAX_ITEMS, PackPlan, pack
from hcc_operators.core.schedule_config import ScheduleConfig
from hcc_operators.core.selection import QueueItem, first_per_object, select_batch
from hcc_operators.core.throughput import MIN_SECONDS, ExecutionSample, ThroughputModel
from hcc_operators.core.windows import WindowCalendar
from hcc_operators.repository import leases
from hcc_operators.repository.tables import execution_log, ilm_batches, ilm_queue
from hcc_operators.services import recovery
from hcc_operators.services.ilm_settings import IlmSettings, load_ilm_settings
from hcc_operators.services.queue_candidates import as_item, count_pending, pending_in_order
from hcc_operators.services.recovery import RecoveryReport, RunAlive
from hcc_operators.warehouse.base import Warehouse

LEASE = lease(Lease.ILM_EXECUTE)
#: Lanes the batch is packed into: the slots of the DDL pool, which is declared from this number.
DDL_SLOTS = POOL_SLOTS[Pool.DDL]
#: Airflow's default [core] max_map_length: no batch may map more tasks than this.
MAX_MAP_LENGTH = 1024
#: Actions one batch may start unless the run says otherwise (the DAG's max_operations Param).
#: The window budget sizes a batch; this only keeps the mapped tasks within Airflow's limit.
DEFAULT_MAX_OPERATIONS = MAX_MAP_LENGTH
FORCED_BUDGET = timedelta(hours=4)
HISTORY_ROWS = 500


@dataclass(frozen=True)
class BatchLimits:
    """What one batch may plan, from the clock and schedule.yaml (see ``batch_limits``)."""

    window_left_s: float  # until the window closes (the forced budget for a forced run)
    max_batch_s: float | None  # schedule.yaml's max_batch_duration, None: up to the close
    margin: float  # predicted x margin must end before the close

    @property
    def budget(self) -> timedelta:
        seconds = self.window_left_s
        if self.max_batch_s is not None:
            seconds = min(seconds, self.max_batch_s)
        return timedelta(seconds=max(seconds, 0.0))


def batch_limits(
    schedule: ScheduleConfig, calendar: WindowCalendar, now: datetime, *, force: bool
) -> BatchLimits:
    """A forced run has FORCED_BUDGET and no window to respect; any other run the rest of the
    window open at ``now`` (zero when none is), capped by max_batch_duration when set."""
    if force:
        return BatchLimits(FORCED_BUDGET.total_seconds(), None, 1.0)
    cap = schedule.max_batch_duration
    return BatchLimits(
        calendar.remaining(now).total_seconds(),
        cap.total_seconds() if cap is not None else None,
        schedule.duration_margin,
    )


def fits_before_close(predicted_s: float, window_left_s: float, margin: float) -> bool:
    """The re-check before an item starts: its predicted duration times the margin ends
    before the window closes."""
    return predicted_s * margin <= window_left_s


def max_operations_or_default(max_operations: int | None) -> int:
    """The run's cap on actions, else the default; never above MAX_MAP_LENGTH."""
    if max_operations is None:
        return DEFAULT_MAX_OPERATIONS
    if not 1 <= max_operations <= MAX_MAP_LENGTH:
        raise ValueError(
            f"max_operations must be between 1 and {MAX_MAP_LENGTH} (Airflow's "
            f"max_map_length), got {max_operations}"
        )
    return max_operations


def plan_queue(
    candidates: Sequence[QueueItem],
    *,
    now: datetime,
    seconds_of: Callable[[QueueItem], float],
    limits: BatchLimits,
    max_operations: int | None,
    slots: int = DDL_SLOTS,
) -> tuple[list[QueueItem], PackPlan[QueueItem]]:
    """The queue in execution order (core.selection: carried-over first, priority with the
    waiting boost, one action per object) packed into the batch (core.packing): returns the
    ordered items and the plan. Items after the cap are left over as beyond max_operations."""
    ordered = select_batch(candidates, now=now, max_operations=len(candidates))
    cap = max_operations_or_default(max_operations)
    return ordered, _pack(ordered, seconds_of, limits, cap, slots)


def _pack(
    ordered: Sequence[QueueItem],
    seconds_of: Callable[[QueueItem], float],
    limits: BatchLimits,
    cap: int,
    slots: int = DDL_SLOTS,
) -> PackPlan[QueueItem]:
    return pack(
        ordered,
        seconds_of=seconds_of,
        window_left_s=limits.window_left_s,
        max_batch_s=limits.max_batch_s,
        slots=slots,
        margin=limits.margin,
        max_items=cap,
        group_of=table_of,
    )


def table_of(item: QueueItem) -> tuple[str, str] | int:
    """The packing group of an item: its table (one action per table at a time)."""
    return (item.ref.owner, item.ref.table) if item.ref is not None else item.queue_id


CHUNK_ITEMS = 20_000
# How deep into the queue (in execution order) one batch looks. Once the slots are nearly
# full, packing keeps trying later items for the gaps, which could mean reading millions of
# rows for a few seconds of filler; beyond this depth items simply wait for a later batch.
LOOKAHEAD_ROWS = 100_000


def plan_from_queue(
    conn, now: datetime, model: ThroughputModel, limits: BatchLimits, max_operations: int | None
) -> tuple[PackPlan[QueueItem], dict, int, int]:
    """``plan_queue`` over the PENDING queue without loading it: the queue is read in
    execution order (services.queue_candidates) a chunk at a time, and reading stops once the
    batch is decided. Packing is prefix-stable (an item's placement depends only on the items
    before it), so the plan is the one the whole queue would give when reading stops because
    the cap is reached (every later item is beyond it) or not even the shortest prediction
    would fit (every later item waits). After LOOKAHEAD_ROWS rows it stops anyway, and the
    rest waits: the plan is then the whole queue's minus any filler further down. Returns the
    plan, the rows read by queue_id, and how many PENDING items wait for a later window (not
    those beyond the cap on operations; unread rows all count as waiting), and how many rows
    read wait behind an earlier action on the same partition (one action per partition per
    batch)."""
    cap = max_operations_or_default(max_operations)
    params: dict[tuple[str, str | None], CompressionType | None] = {}
    by_id: dict[int, object] = {}
    items: list[QueueItem] = []
    seen: set[ObjectRef] = set()
    rows = pending_in_order(conn, now)
    read = 0

    def seconds(item: QueueItem) -> float:
        row = by_id[item.queue_id]
        key = (row.action, row.action_params)
        if key not in params:  # one JSON text per policy: parse each once
            params[key] = parse_params(row.action_params, row.action).target_compression()
        return model.predict_seconds(item.action, params[key], item.size_bytes)

    while True:
        chunk = list(islice(rows, CHUNK_ITEMS))
        read += len(chunk)
        by_id.update((row.queue_id, row) for row in chunk)
        items.extend(first_per_object(map(as_item, chunk), seen))
        plan = _pack(items, seconds, limits, cap)
        waiting = sum(lo.reason != BEYOND_MAX_ITEMS for lo in plan.left_over)
        behind = read - len(items)
        if len(chunk) < CHUNK_ITEMS or len(plan.chosen) >= cap:
            return plan, by_id, waiting, behind
        full = not plan.has_room(
            window_left_s=limits.window_left_s,
            max_batch_s=limits.max_batch_s,
            margin=limits.margin,
            min_s=MIN_SECONDS,
        )
        if full or read >= LOOKAHEAD_ROWS:
            return plan, by_id, waiting + count_pending(conn) - read, behind


@dataclass
class BatchPlan:
    batch_id: int | None
    items: list[PlannedItem] = field(default_factory=list)
    reason: str = ""
    #: SKIPPED because another live batch holds the execution lease (the operator makes that
    #: visible: a skipped task with the reason, a failed run when the run was forced).
    lease_held: bool = False
    recovered: RecoveryReport | None = None


def plan_batch(
    warehouse: Warehouse,
    engine: Engine,
    *,
    dag_run_id: str,
    run_type: str,
    force: bool,
    max_operations: int | None,
    now: datetime,
    settings: IlmSettings | None = None,
    run_alive: RunAlive | None = None,
) -> BatchPlan:
    max_operations_or_default(max_operations)  # a bad cap fails before anything is recorded
    settings = settings or load_ilm_settings()
    calendar = settings.calendar
    window = calendar.window_at(now)
    batch_id = _start_batch(engine, dag_run_id, run_type, force, window, now)
    if window is None and not force:
        upcoming = calendar.next_window(now)
        return _end_plan(
            engine,
            batch_id,
            "SKIPPED",
            f"no maintenance window is open at {now.isoformat()}; the queue waits "
            f"for the next window at {upcoming.start.isoformat()} "
            "(use force=true for an emergency run)",
        )
    limits = batch_limits(settings.schedule, calendar, now, force=force)
    budget = limits.budget
    ttl = budget + timedelta(minutes=30)
    if not leases.acquire(engine, LEASE, dag_run_id, ttl, now) and not _take_over_dead(
        engine, dag_run_id, ttl, now, run_alive
    ):
        state = leases.current(engine, LEASE)
        held = f"{state.holder}, until {state.expires_at.isoformat()}" if state else "released"
        plan = _end_plan(
            engine,
            batch_id,
            "SKIPPED",
            f"another batch holds the execution lease ({held}); not overlapping. If that run "
            "is dead, `hcc lease status` shows it and `hcc lease release` frees it",
        )
        plan.lease_held = True
        return plan

    recovered = recovery.recover(
        warehouse, engine, now=now, run_alive=run_alive, current_batch_id=batch_id
    )
    with engine.connect() as conn:
        model = ThroughputModel(execution_history(conn))
        plan, by_id, waiting, behind = plan_from_queue(conn, now, model, limits, max_operations)
    beyond_cap = sum(lo.reason == BEYOND_MAX_ITEMS for lo in plan.left_over)
    # The mapped tasks take the pool's slots in map-index order: hand them over in the order
    # the plan starts them (a table's later items start when its earlier ones end).
    starts = sorted(plan.chosen, key=lambda p: (p.start_s, p.slot))
    items = [_item(by_id[p.item.queue_id], batch_id, p.finish_s - p.start_s, force) for p in starts]
    with engine.begin() as conn:
        for item in items:
            conn.execute(
                update(ilm_queue)
                .where(ilm_queue.c.queue_id == item["queue_id"])
                .values(batch_id=batch_id, predicted_s=item["predicted_s"], updated_at=now)
            )
        conn.execute(
            update(ilm_batches)
            .where(ilm_batches.c.batch_id == batch_id)
            .values(
                planned=len(items),
                left_pending=waiting,
                checkpoint=json.dumps({"planned": [i["queue_id"] for i in items], "done": []}),
                # Every PENDING item the batch read is in one of these counts, so they add up
                # to the queue the next batch finds (the demo report relies on it).
                reason=(
                    f"{len(items)} planned, {waiting} wait for a later window, "
                    f"{behind} wait behind another action on their partition, "
                    f"{beyond_cap} beyond max_operations; "
                    f"{recovered.summary}" + ("; forced run" if force else "")
                ),
            )
        )
    return BatchPlan(batch_id, items, f"{len(items)} planned within {budget}", recovered=recovered)


def _take_over_dead(
    engine: Engine, dag_run_id: str, ttl: timedelta, now: datetime, run_alive: RunAlive | None
) -> bool:
    """Take the lease from a holder whose run has ended (Airflow says so), with a record.
    An unknown answer (another deployment's run, Airflow unreachable) never takes it."""
    state = leases.current(engine, LEASE)
    if state is None or run_alive is None or run_alive(state.holder) is not False:
        return False
    return leases.take_over(
        engine,
        LEASE,
        dead_holder=state.holder,
        holder=dag_run_id,
        ttl=ttl,
        now=now,
        reason=(
            f"run {state.holder} has ended according to Airflow but still held the lease "
            f"until {state.expires_at.isoformat()}; taken over by run {dag_run_id}"
        ),
    )


def _start_batch(engine, dag_run_id, run_type, force, window, now) -> int:
    with engine.begin() as conn:
        return conn.execute(
            insert(ilm_batches).values(
                dag_run_id=dag_run_id,
                run_type="forced" if force else run_type,
                forced=force,
                window_start=window.start if window else None,
                window_end=window.end if window else None,
                status="RUNNING",
                started_at=now,
            )
        ).inserted_primary_key[0]


def _end_plan(engine, batch_id, status, reason) -> BatchPlan:
    with engine.begin() as conn:
        conn.execute(
            update(ilm_batches)
            .where(ilm_batches.c.batch_id == batch_id)
            .values(status=status, reason=reason)
        )
    return BatchPlan(batch_id, [], reason)


def execution_history(conn) -> list[ExecutionSample]:
    """Recent successful executions, the input of duration prediction (core.throughput)."""
    rows = conn.execute(
        select(
            execution_log.c.action,
            execution_log.c.compression_after,
            execution_log.c.bytes_before,
            execution_log.c.duration_s,
        )
        .where(execution_log.c.status == "SUCCESS", execution_log.c.duration_s > 0)
        .order_by(execution_log.c.log_id.desc())
        .limit(HISTORY_ROWS)
    )
    return [
        ExecutionSample(
            ActionKind(r.action),
            CompressionType.parse(r.compression_after) if r.compression_after else None,
            r.bytes_before or 0,
            r.duration_s,
        )
        for r in rows
    ]


def _item(row, batch_id, predicted_s, forced) -> PlannedItem:
    return PlannedItem(
        queue_id=row.queue_id,
        batch_id=batch_id,
        policy=row.policy_name,
        label=ObjectRef(row.owner, row.table_name, row.partition_name).label,
        action=row.action,
        predicted_s=round(predicted_s, 1),
        forced=forced,
    )

"""A month of nights on the embedded warehouse, run the way the daily DAGs run them.

Each night: the day's loads and updates (new partitions appear, HCC rows decay), then the
advisor (full the first night, incremental after), hcc_compress in every slot of a weekend
window, ILM refresh, evaluate and execute inside the maintenance window, housekeeping. The
services are called directly, as the DAGs' operators call them, under a frozen clock (HCC_NOW)
set to the time each DAG would run; nothing sleeps. ``Month.check`` holds what must be true
after every night.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from hcc_operators.api.queries import advisor as advisor_queries
from hcc_operators.api.queries.savings import savings
from hcc_operators.core.housekeeping_config import load_housekeeping
from hcc_operators.core.models import ObjectRef
from hcc_operators.repository.tables import (
    advisor_advice,
    advisor_results,
    compression_executions,
    execution_log,
    ilm_batches,
    ilm_queue,
    partition_access,
)
from hcc_operators.services import (
    advisor,
    compress,
    housekeeping,
    ilm_evaluate,
    ilm_execute,
    ilm_finish,
    ilm_plan,
    ilm_refresh,
)
from hcc_operators.services.ilm_settings import IlmSettings
from hcc_operators.services.reconciliation import reconcile_batch
from hcc_operators.warehouse.embedded.warehouse import EmbeddedWarehouse

#: Two advisor runs a night, quick enough to measure every night: SALES' largest objects
#: (click partitions, plain and HCC, which ILM also compresses, and order lines) and FINANCE's
#: (ledgers on storage without HCC, which no enabled policy compresses).
ADVISOR = (
    dict(schemas=("SALES",), min_size_mb=16384),
    dict(schemas=("FINANCE",), min_size_mb=512),
)
#: A day's arrivals (the demo tables' own monthly volumes, spread over the days).
LOADS = {
    ("SALES", "ORDERS_FACT"): 1_300_000,
    ("SALES", "WEB_CLICKS"): 5_000_000,
    ("FINANCE", "GL_JOURNAL"): 300_000,
}
COMPRESS_MAX_OBJECTS = 1
DECAYED_SHARE = 0.4  # rows updated in an HCC partition on a decay night: ~33% decay


@contextmanager
def frozen(moment: datetime) -> Iterator[datetime]:
    """HCC_NOW at ``moment`` (the package clock, and the embedded warehouse's SYSDATE)."""
    before = os.environ.get("HCC_NOW")
    os.environ["HCC_NOW"] = moment.astimezone(UTC).isoformat()
    try:
        yield moment
    finally:
        if before is None:
            os.environ.pop("HCC_NOW", None)
        else:
            os.environ["HCC_NOW"] = before


@dataclass
class Night:
    number: int
    day: date
    window_start: datetime
    advisor: list[dict] = field(default_factory=list)
    analysed: list[str] = field(default_factory=list)
    recommendations: int = 0
    compressed: list[dict] = field(default_factory=list)
    batches: list[dict] = field(default_factory=list)
    failed_items: list[int] = field(default_factory=list)
    new_partitions: list[str] = field(default_factory=list)
    decayed: list[str] = field(default_factory=list)
    saved_bytes: int = 0
    airflow_states: list[tuple[str, str]] = field(default_factory=list)
    #: Temperature of every partition the refresh stage recorded that night, by label.
    temperatures: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass
class Month:
    """Runs the nights and keeps what each showed."""

    warehouse: EmbeddedWarehouse
    settings: IlmSettings
    nights: list[Night] = field(default_factory=list)

    @property
    def engine(self):
        return self.warehouse.repository_engine()

    def window_of(self, day: date) -> datetime:
        start = self.settings.calendar.next_window(datetime.combine(day, time(12), UTC)).start
        assert start.astimezone(UTC).date() in (day, day + timedelta(days=1)), (day, start)
        return start

    # --- between nights -----------------------------------------------------------------

    def daytime_dml(self, night: Night) -> None:
        """The day's loads: into this month's partition, or a new one when the month is new."""
        with frozen(datetime.combine(night.day, time(12), UTC)):
            for (owner, table), rows in LOADS.items():
                known = self._partitions_of(owner, table)
                ref = self.warehouse.simulate_load(owner, table, day=night.day, rows=rows)
                if ref.partition not in known:
                    night.new_partitions.append(ref.label)
                    known.add(ref.partition)

    def decay(self, night: Night) -> None:
        """Updates to an HCC click partition the advisor has advice for and hcc_compress never
        touched: its rows leave their compression units (HCC-05), which the advisor's next
        incremental run measures."""
        touched = self._compressed_by_hcc_compress()
        with self.engine.connect() as conn:
            advised = set(conn.execute(select(advisor_advice.c.object_key)).scalars())
        with frozen(datetime.combine(night.day, time(13), UTC)):
            for seg in self.warehouse.list_segments(["SALES"], [ObjectRef("SALES", "WEB_CLICKS")]):
                label = seg.ref.label
                if (
                    seg.compression.is_hcc
                    and label in advised
                    and label not in touched
                    and label not in self._decayed
                ):
                    self.warehouse.simulate_dml(seg.ref, updates=int(seg.num_rows * DECAYED_SHARE))
                    self._decayed.add(label)
                    night.decayed.append(label)
                    return

    def _partitions_of(self, owner: str, table: str) -> set[str]:
        key = (owner, table)
        if key not in self._known:
            self._known[key] = {
                s.ref.partition
                for s in self.warehouse.list_segments([owner], [ObjectRef(owner, table)])
                if s.ref.partition and not s.ref.subpartition
            }
        return self._known[key]

    def __post_init__(self) -> None:
        self._known: dict[tuple[str, str], set[str]] = {}
        self._decayed: set[str] = set()
        self._saved = 0

    # --- the DAGs -----------------------------------------------------------------------

    def run_advisor(self, night: Night, *, incremental: bool, at: datetime | None = None) -> None:
        at = at or night.window_start - timedelta(hours=3)
        with frozen(at):
            for scope in ADVISOR:
                params = advisor.AdvisorParams(**scope, incremental=incremental)
                run_id, chunks = advisor.plan_analysis(
                    self.warehouse,
                    self.engine,
                    params,
                    dag_run_id=f"advisor__{night.day}__{scope['schemas'][0]}",
                    now=at,
                )
                for chunk in chunks:
                    advisor.analyse_chunk(
                        self.warehouse,
                        self.engine,
                        run_id=run_id,
                        objects=chunk["objects"],
                        now_fn=lambda: at,
                    )
                    night.analysed += chunk["objects"]
                night.advisor.append(advisor.finish_analysis(self.engine, run_id, now=at))

    def run_compress(self, night: Night) -> None:
        """hcc_compress in each slot of the weekend window (schedule.yaml's weekend `every`),
        with no advisor run in between: what one slot compressed, the next must not pick."""
        slot = night.window_start + timedelta(minutes=1)
        close = self.settings.calendar.window_at(slot).end
        while slot < close:
            with frozen(slot) as at:
                items = compress.select_candidates(
                    self.engine, self.warehouse, max_objects=COMPRESS_MAX_OBJECTS
                )
                for item in items:
                    night.compressed.append(
                        compress.compress_object(
                            self.warehouse,
                            self.engine,
                            item,
                            dry_run=False,
                            dag_run_id=f"compress__{at:%Y%m%dT%H%M}",
                            now=at,
                        )
                    )
            slot += self.settings.schedule.weekend.every

    def run_refresh_and_evaluate(self, night: Night, *, at: datetime | None = None) -> None:
        with frozen(at or night.window_start - timedelta(hours=1)) as at:
            ilm_refresh.refresh_partition_access(
                self.warehouse,
                self.engine,
                is_target=self.settings.is_target,
                thresholds_for=self.settings.thresholds_for,
                now=at,
            )
        with frozen(at + timedelta(minutes=30)) as at:
            ilm_evaluate.evaluate_policies(
                self.warehouse,
                self.engine,
                self.settings.policies,
                now=at,
                evaluation_id=f"evaluate__{night.day}__{at:%H%M}",
            )

    def run_execute(
        self,
        night: Night,
        *,
        run_type: str = "scheduled",
        faults: int = 0,
        at: datetime | None = None,
    ) -> dict:
        """One batch: plan in the window, one execute_item per planned item, finish and
        reconcile. ``faults`` items fail with ORA-00054 (another session's lock)."""
        at = at or night.window_start + timedelta(minutes=5)
        run_id = f"{run_type}__{night.day}"
        with frozen(at):
            plan = ilm_plan.plan_batch(
                self.warehouse,
                self.engine,
                dag_run_id=run_id,
                run_type=run_type,
                force=False,
                max_operations=None,
                now=at,
                settings=self.settings,
            )
            # Actions named by their own partition, so the lock is met by exactly that item.
            locked = [i for i in plan.items if i["action"] in ("COMPRESS", "MOVE", "READ_ONLY")]
            for item in locked[:faults]:
                self.warehouse.inject_fault(item["label"], "LOCK_HELD")
                night.failed_items.append(item["queue_id"])
            for n, item in enumerate(plan.items):
                ilm_execute.execute_item(
                    self.warehouse,
                    self.engine,
                    item,
                    dag_run_id=run_id,
                    map_index=n,
                    attempt=1,
                    now_fn=lambda: at,
                    settings=self.settings,
                )
            result = ilm_finish.finish_batch(self.warehouse, self.engine, plan.batch_id, now=at)
            report = reconcile_batch(self.warehouse, self.engine, plan.batch_id, now=at)
        result["run_type"] = run_type
        result["reconciliation"] = report
        night.batches.append(result)
        return result

    def run_housekeeping(self, night: Night) -> None:
        with frozen(night.window_start + timedelta(hours=7)) as at:
            housekeeping.run_housekeeping(
                self.engine, load_housekeeping(), now=at, warehouse=self.warehouse
            )

    # --- after every night ---------------------------------------------------------------

    def check(self, night: Night) -> None:
        """What must hold after every night; each broken rule is recorded with the night."""
        problems = night.problems
        page = advisor_queries.recommendations(
            self.engine,
            run_id=None,
            schema=None,
            compression_type=None,
            min_savings=None,
            limit=1,
            offset=0,
        )
        night.recommendations = page.total
        if not page.total:
            problems.append("no recommendation is shown")
        with self.engine.connect() as conn:
            problems += _compressed_twice(conn)
            problems += _actions_repeated(conn)
            problems += _queue_and_batches_disagree(conn)
        for batch in night.batches:
            report = batch["reconciliation"]
            if not report.ok:
                problems.append(
                    f"batch {batch['batch_id']} does not reconcile: "
                    + "; ".join(f"{f.check} {f.label}: {f.message}" for f in report.findings)
                )
        with self.engine.connect() as conn:
            p = partition_access.c
            night.temperatures = {
                f"{r.owner}.{r.table_name}:{r.partition_name}": r.temperature
                for r in conn.execute(
                    select(p.owner, p.table_name, p.partition_name, p.temperature)
                )
            }
        saved = sum(s.bytes for s in savings(self.engine))
        if saved < self._saved:
            problems.append(f"space saved went down: {self._saved} -> {saved}")
        self._saved = night.saved_bytes = saved

    def _compressed_by_hcc_compress(self) -> set[str]:
        c = compression_executions.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.owner, c.table_name, c.partition_name, c.subpartition_name).where(
                    c.operation == "COMPRESS", c.status == "SUCCESS"
                )
            ).all()
        return {ObjectRef(*r).label for r in rows}


def _compressed_twice(conn) -> list[str]:
    """hcc_compress compressed an object twice to the same level, re-picked an object only to
    skip it, or rebuilt an object at its own level without advice to recompress it."""
    c = compression_executions.c
    rows = conn.execute(
        select(compression_executions, advisor_results.c.recompression)
        .outerjoin(advisor_results, advisor_results.c.result_id == c.result_id)
        .where(c.operation == "COMPRESS")
    ).all()
    found = []
    done = Counter(
        (
            ObjectRef(r.owner, r.table_name, r.partition_name, r.subpartition_name).label,
            r.compression_to,
        )
        for r in rows
        if r.status == "SUCCESS"
    )
    found += [
        f"{label} compressed to {level} {n} times" for (label, level), n in done.items() if n > 1
    ]
    found += [
        f"hcc_compress picked {r.owner}.{r.table_name}:{r.partition_name} to skip it: "
        f"{r.error_message}"
        for r in rows
        if r.status == "SKIPPED"
    ]
    found += [
        f"{r.owner}.{r.table_name}:{r.partition_name} rebuilt at {r.compression_to} without "
        "a recompression advice"
        for r in rows
        if r.status == "SUCCESS" and r.compression_from == r.compression_to and not r.recompression
    ]
    return found


def _actions_repeated(conn) -> list[str]:
    """An ILM action that succeeded twice: one queue item twice, or the same action with the
    same parameters on the same partition twice."""
    x, q = execution_log.c, ilm_queue.c
    rows = conn.execute(
        select(x.queue_id, x.owner, x.table_name, x.partition_name, x.action, q.action_params)
        .join(ilm_queue, q.queue_id == x.queue_id)
        .where(x.status == "SUCCESS")
    ).all()
    per_item = Counter(r.queue_id for r in rows)
    per_action = Counter(
        (r.owner, r.table_name, r.partition_name, r.action, r.action_params) for r in rows
    )
    return [f"queue item {i} succeeded {n} times" for i, n in per_item.items() if n > 1] + [
        f"{o}.{t}:{p} {a} {params} succeeded {n} times"
        for (o, t, p, a, params), n in per_action.items()
        if n > 1
    ]


def _queue_and_batches_disagree(conn) -> list[str]:
    """Every queue item's status is its latest attempt's; no item is left RUNNING; every
    finished batch counts what its items' latest attempts say."""
    x, q, b = execution_log.c, ilm_queue.c, ilm_batches.c
    found = []
    latest = select(x.queue_id, func.max(x.log_id).label("log_id")).group_by(x.queue_id).subquery()
    rows = conn.execute(
        select(q.queue_id, q.status, x.status.label("logged"))
        .join(latest, latest.c.queue_id == q.queue_id)
        .join(execution_log, x.log_id == latest.c.log_id)
    ).all()
    for r in rows:
        # A deferred item waits PENDING, unless a later evaluation found it no longer
        # eligible and cancelled it (evaluation cancels only PENDING items).
        expected = {"DEFERRED": ("PENDING", "CANCELLED")}.get(r.logged, (r.logged,))
        if r.status not in expected:
            found.append(f"queue item {r.queue_id} is {r.status}, its last attempt {r.logged}")
    running = conn.scalar(select(func.count()).select_from(ilm_queue).where(q.status == "RUNNING"))
    if running:
        found.append(f"{running} queue item(s) left RUNNING")
    for batch in conn.execute(select(ilm_batches).where(b.status != "SKIPPED")).all():
        if batch.status == "RUNNING":
            found.append(f"batch {batch.batch_id} left RUNNING")
            continue
        counts = dict(
            conn.execute(
                select(x.status, func.count())
                .where(
                    x.log_id.in_(
                        select(func.max(x.log_id))
                        .where(x.batch_id == batch.batch_id)
                        .group_by(x.queue_id)
                    )
                )
                .group_by(x.status)
            ).all()
        )
        counted = (batch.succeeded, batch.failed, batch.skipped)
        logged = (counts.get("SUCCESS", 0), counts.get("FAILED", 0), counts.get("SKIPPED", 0))
        if counted != logged:
            found.append(
                f"batch {batch.batch_id} counts {counted} (ok/failed/skipped), its log {logged}"
            )
    return found

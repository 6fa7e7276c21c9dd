"""A repository filled by the real services on the embedded demo warehouse, for the dashboard.

`build_demo_repository` builds the demo warehouse (seed 42) and runs, task by task and without
Airflow, what the DAGs run: an advisor run, compression of a few of its candidates, the ILM
refresh and evaluation, and one forced ILM batch. Nothing is inserted by hand: the dashboard
shows what the pipeline recorded. Two things make the demo show more than a quiet night would:

- after the scheduled compression (the coldest candidates, all SALES click partitions), an
  operator picks two AUDIT candidates, as with the dashboard's "Compress selected" (the compress
  DAG with `objects`), so savings span two schemas;
- an application session holds a lock on one partition of the ILM batch (an injected LOCK_HELD
  fault), so that action fails with ORA-00054 and the dashboard lists a failure.

The stages are dated the way the schedule spreads them (advisor; compression the next day,
ILM refresh and evaluation that evening; the batch the day after), so the over-time charts have
more than one day to draw. `clock.now()` is frozen (HCC_NOW) while a stage runs, because
compress_object stamps finished_at with it.

Measuring every object of the demo takes over two minutes, so the advisor analyses SALES and
AUDIT objects of at least 5 GB (184 objects, ~20 s of CPU: most of the build); everything else
runs on the whole demo.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from hcc_operators.repository.schema import create_all
from hcc_operators.services import (
    advisor,
    compress,
    ilm_evaluate,
    ilm_execute,
    ilm_finish,
    ilm_plan,
    ilm_refresh,
)
from hcc_operators.services.ilm_settings import load_ilm_settings
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, FaultKind, build_warehouse

SEED = 42
#: SALES gets QUERY HIGH and ADVANCED recommendations, AUDIT ADVANCED ones.
ADVISOR_SCHEMAS = ("SALES", "AUDIT")
#: Only objects this large are measured (the balanced strategy's own floor is 256 MiB).
ADVISOR_MIN_SIZE_MB = 5120
COMPRESS_MIN_RATIO = 1.0
COMPRESS_MAX_OBJECTS = 4
#: Compressed on request, largest estimated savings first, as if picked in the dashboard.
PICKED_SCHEMA = "AUDIT"
PICKED_OBJECTS = 2
ILM_MAX_OPERATIONS = 20
#: map_index of the batch item whose partition is locked.
LOCKED_ITEM = 1


@dataclass
class DemoRepository:
    """The built warehouse, its repository engine, when the dashboard is looked at, and what
    each stage returned."""

    warehouse: EmbeddedWarehouse
    engine: Engine
    now: datetime
    stages: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        self.warehouse.close()


def build_demo_repository(
    directory: Path, *, seed: int = SEED, start: datetime | None = None
) -> DemoRepository:
    """Build the warehouse in `directory` and run the pipeline from `start` (default: this
    hour) over two days; the dashboard's `now` is two hours after the batch."""
    path = Path(directory) / "demo_warehouse.db"
    start = (start or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    build_warehouse(path, seed=seed).close()
    # Reopened without simulated DDL durations, whatever HCC_EMBEDDED_SLEEP_SCALE says.
    warehouse = EmbeddedWarehouse(path, sleep_scale=0.0)
    demo = DemoRepository(
        warehouse, warehouse.repository_engine(), now=start + timedelta(days=2, hours=2)
    )
    try:
        create_all(demo.engine)
        _run_pipeline(demo, start)
    except BaseException:
        demo.close()
        raise
    return demo


@contextmanager
def frozen_clock(at: datetime) -> Iterator[None]:
    """clock.now() returns `at` inside the block; HCC_NOW is restored afterwards."""
    before = os.environ.get("HCC_NOW")
    os.environ["HCC_NOW"] = at.isoformat()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HCC_NOW", None)
        else:
            os.environ["HCC_NOW"] = before


def ticking(start: datetime, step: timedelta = timedelta(seconds=30)) -> Callable[[], datetime]:
    """A now_fn that moves on by `step` at every call, so an item starts before it finishes."""
    state = {"at": start}

    def now() -> datetime:
        state["at"] += step
        return state["at"]

    return now


def _run_pipeline(demo: DemoRepository, start: datetime) -> None:
    wh, engine, stages = demo.warehouse, demo.engine, demo.stages
    settings = load_ilm_settings()

    # Day 0, hcc_advisor: plan, one mapped task per chunk, finish.
    at = start
    with frozen_clock(at):
        params = advisor.AdvisorParams(schemas=ADVISOR_SCHEMAS, min_size_mb=ADVISOR_MIN_SIZE_MB)
        run_id, chunks = advisor.plan_analysis(
            wh, engine, params, dag_run_id="scheduled__demo_advisor", now=at
        )
        now_fn = ticking(at)
        for chunk in chunks:
            advisor.analyse_chunk(
                wh, engine, run_id=run_id, objects=chunk["objects"], now_fn=now_fn
            )
        stages["advisor"] = advisor.finish_analysis(engine, run_id, now=now_fn())

    # Day 1, hcc_compress: the coldest candidates, one mapped task each.
    at = start + timedelta(days=1)
    with frozen_clock(at):
        coldest = compress.select_candidates(
            engine, wh, min_ratio=COMPRESS_MIN_RATIO, max_objects=COMPRESS_MAX_OBJECTS
        )
        stages["compress"] = _compress(wh, engine, coldest, "scheduled__demo_compress", at)

    # Two hours later, hcc_compress again with the `objects` an operator picked.
    at += timedelta(hours=2)
    with frozen_clock(at):
        pool = compress.select_candidates(
            engine, wh, min_ratio=COMPRESS_MIN_RATIO, max_objects=1024
        )
        mine = sorted(
            (c for c in pool if c["label"].startswith(f"{PICKED_SCHEMA}.")),
            key=lambda c: -(c["estimated_savings"] or 0),
        )
        picked = compress.select_candidates(
            engine,
            wh,
            objects=[c["label"] for c in mine[:PICKED_OBJECTS]],
            min_ratio=COMPRESS_MIN_RATIO,
            max_objects=PICKED_OBJECTS,
        )
        stages["compress_picked"] = _compress(wh, engine, picked, "manual__demo_picked", at)

    # Day 1 evening, hcc_ilm_refresh and hcc_ilm_evaluate.
    at = start + timedelta(days=1, hours=9)
    with frozen_clock(at):
        stages["ilm_refresh"] = ilm_refresh.refresh_partition_access(
            wh,
            engine,
            is_target=settings.is_target,
            thresholds_for=settings.thresholds_for,
            now=at,
        ).to_dict()
    at += timedelta(minutes=30)
    with frozen_clock(at):
        stages["ilm_evaluate"] = ilm_evaluate.evaluate_policies(
            wh, engine, settings.policies, now=at, evaluation_id="scheduled__demo_evaluate"
        )

    # Day 2, hcc_ilm_execute forced: plan, one mapped task per item, finish.
    at = start + timedelta(days=2)
    dag_run_id = "manual__demo_ilm_execute"
    with frozen_clock(at):
        plan = ilm_plan.plan_batch(
            wh,
            engine,
            dag_run_id=dag_run_id,
            run_type="manual",
            force=True,
            max_operations=ILM_MAX_OPERATIONS,
            now=at,
            settings=settings,
        )
        wh.inject_fault(plan.items[LOCKED_ITEM]["label"], FaultKind.LOCK_HELD)
        now_fn = ticking(at)
        stages["ilm_items"] = [
            ilm_execute.execute_item(
                wh,
                engine,
                item,
                dag_run_id=dag_run_id,
                map_index=i,
                attempt=1,
                now_fn=now_fn,
                settings=settings,
            )
            for i, item in enumerate(plan.items)
        ]
        stages["ilm_execute"] = ilm_finish.finish_batch(wh, engine, plan.batch_id, now=now_fn())


def _compress(wh, engine, items: list[dict], dag_run_id: str, at: datetime) -> list[dict]:
    return [
        compress.compress_object(wh, engine, item, dry_run=False, dag_run_id=dag_run_id, now=at)
        for item in items
    ]

"""Four workers on one table, batch after batch, with no fault injected (issue 16 item 1).

Scenarios are generated: for each (table, seed) the seed assigns each month of two years a
role (moves that consolidate their year or quarter as a follow-up, compressions beside a
merge of their own year, a truncate, read-only months), levels, and priorities that shuffle
the order. Every batch is executed by 4 threads, each with its own warehouse connection (as
4 pool slots would be 4 task processes), and the simulation sleeps after each statement, so
the actions really overlap in time. Figures: parallel runs, false failures (0), rows lost (0).
"""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import func, insert, select

from hcc_operators.core.models import ObjectRef
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import execution_log, ilm_queue
from hcc_operators.services import ilm_execute, ilm_finish
from hcc_operators.services.reconciliation import reconcile_batch
from hcc_operators.services.table_lock import LockWait
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse
from ilm_support import IN_WINDOW, SETTINGS, T0, bound_of, left_running, partitions, plan

WORKERS = 4
#: Seconds of real sleep per simulated second: long enough for 4 threads to overlap.
SLEEP_SCALE = 0.0004
MAX_BATCHES = 10
FAST_POLL = LockWait(poll_s=0.005, max_s=60)


@dataclass(frozen=True)
class Scenario:
    owner: str
    table: str
    target: str  # an HCC tablespace with room, for the moves
    seed: int

    @property
    def name(self) -> str:
        return f"{self.owner}.{self.table}-seed{self.seed}"


TABLES = [
    ("SALES", "ORDERS_FACT", "SALES_ARCH"),
    ("LOGISTICS", "SHIPMENTS", "CLICK_DATA"),
    ("SALES", "PAYMENTS", "SALES_ARCH"),
]
SCENARIOS = [Scenario(*table, seed) for seed, table in enumerate(TABLES * 2)]
LEVELS = ["QUERY LOW", "QUERY HIGH", "ARCHIVE LOW", "ARCHIVE HIGH"]
ROLES = ["move_yearly", "compress_and_merge", "move_quarterly_mixed", "read_only_mixed"]


def queue_scenario(wh, scenario: Scenario) -> dict[str, int]:
    """Queue the scenario's items; returns the partitions' rows before anything runs."""
    rng = random.Random(scenario.seed)
    months = [
        s for s in partitions(wh, scenario.owner, scenario.table) if len(s.ref.partition) == 9
    ]
    years = sorted({s.ref.partition[2:6] for s in months})[1:3]  # two closed, early years
    roles = rng.sample(ROLES, 2)
    items = []
    for year, role in zip(years, roles, strict=True):
        mine = [s for s in months if s.ref.partition[2:6] == year]
        level = rng.choice(LEVELS)
        truncated = rng.choice(mine[6:11])
        for n, seg in enumerate(mine):
            stats = rng.random() < 0.5
            if role == "move_yearly":
                params = {"tablespace": scenario.target, "compression": level}
                items.append((seg, "MOVE", {**params, "consolidate": "yearly"}))
            elif role == "compress_and_merge":
                last = n == len(mine) - 1
                params = {} if last else {"level": level, "gather_stats": stats}
                items.append((seg, "MERGE" if last else "COMPRESS", params))
            elif role == "move_quarterly_mixed":
                if n < 6:
                    move = {"tablespace": scenario.target, "consolidate": "quarterly"}
                    items.append((seg, "MOVE", {**move, "gather_stats": stats}))
                elif seg is truncated:
                    items.append((seg, "TRUNCATE", {}))
                else:
                    items.append((seg, "COMPRESS", {"level": rng.choice(LEVELS)}))
            else:
                kind = "READ_ONLY" if rng.random() < 0.4 else "COMPRESS"
                params = {} if kind == "READ_ONLY" else {"level": level, "gather_stats": stats}
                items.append((seg, kind, params))
    with wh.repository_engine().begin() as conn:
        for seg, action, params in items:
            conn.execute(
                insert(ilm_queue).values(
                    policy_name=f"reliability_{action.lower()}",
                    policy_version=1,
                    priority=rng.randint(1, 20),
                    owner=seg.ref.owner,
                    table_name=seg.ref.table,
                    partition_name=seg.ref.partition,
                    action=action,
                    action_params=json.dumps(params),
                    size_bytes=seg.bytes,
                    upper_bound=bound_of(wh, seg.ref),
                    status="PENDING",
                    attempts=0,
                    carried_over=False,
                    enqueued_at=T0,
                    updated_at=T0,
                )
            )
    return {s.ref.partition: s.num_rows for s in months}


def run_worker(path, item, run_id, index):
    worker = EmbeddedWarehouse(path, sleep_scale=SLEEP_SCALE)
    try:
        return ilm_execute.execute_item(
            worker,
            worker.repository_engine(),
            item,
            dag_run_id=run_id,
            map_index=index,
            attempt=1,
            now_fn=lambda: IN_WINDOW,
            settings=SETTINGS,
            lock_wait=FAST_POLL,
        )
    finally:
        worker.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_four_workers_on_one_table_no_false_failure_no_row_lost(tmp_path, scenario, figures):
    path = tmp_path / "wh.db"
    build_warehouse(path, seed=11, today=T0.date()).close()
    wh = EmbeddedWarehouse(path)
    engine = wh.repository_engine()
    create_all(engine)
    before = queue_scenario(wh, scenario)
    table = ObjectRef(scenario.owner, scenario.table)
    total_before = wh.row_count(table)

    runs = 0
    for n in range(MAX_BATCHES):
        run_id = f"{scenario.name}-batch{n}"
        batch = plan(wh, run=run_id)
        if batch.items:
            with ThreadPoolExecutor(WORKERS) as pool:
                results = list(
                    pool.map(
                        lambda pair, run_id=run_id: run_worker(path, pair[1], run_id, pair[0]),
                        enumerate(batch.items),
                    )
                )
            runs += len(results) > 1
            figures["parallel_actions"] += len(results)
        ilm_finish.finish_batch(wh, engine, batch.batch_id, now=IN_WINDOW)
        report = reconcile_batch(wh, engine, batch.batch_id, now=IN_WINDOW)
        assert report.ok, [f.message for f in report.findings]
        if not batch.items:
            break
    figures["parallel_runs"] += runs

    with engine.connect() as conn:
        failed = conn.execute(
            select(
                execution_log.c.partition_name,
                execution_log.c.error_code,
                execution_log.c.error_message,
            ).where(
                (execution_log.c.status == "FAILED")
                | (execution_log.c.error_code == "ROW_COUNT_MISMATCH")
            )
        ).all()
        truncated = {
            r.partition_name
            for r in conn.execute(
                select(execution_log.c.partition_name).where(
                    execution_log.c.action == "TRUNCATE", execution_log.c.status == "SUCCESS"
                )
            )
        }
        pending = conn.execute(
            select(func.count()).select_from(ilm_queue).where(ilm_queue.c.status == "PENDING")
        ).scalar()
    expected = total_before - sum(before[p] for p in truncated)
    lost = abs(expected - wh.row_count(table))
    figures["false_failures"] += len(failed)
    figures["rows_lost"] += lost
    assert failed == [], failed
    assert lost == 0
    assert runs >= 2, "the scenario must run batches of several workers"
    assert pending == 0, "every item ran (nothing deferred by a table that stayed busy)"
    assert sum(left_running(engine).values()) == 0
    wh.close()

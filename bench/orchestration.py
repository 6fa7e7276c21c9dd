"""Benchmark 4a: orchestration overhead of a mapped ILM execute run, through dag.test().

Ours: a demo warehouse is built in a temporary folder (the Airflow connection hcc_warehouse is
pointed at it in this process only, so `make demo`'s warehouse is untouched), stages 1 and 2
fill the queue untimed (the refresh and evaluate services, called as their operators call
them, with include/config), then the clock runs around
``hcc_ilm_execute.test(run_conf={"force": true, "max_operations": N})``: plan_batch, N mapped
execute_action tasks (the embedded warehouse simulates the DDL; nothing sleeps) and
finish_batch. Baseline: a DAG of the same shape, a task returning N items, a no-op task mapped
over them, and a final no-op, run the same way.

dag.test() writes the DAG to the metadata DB by parsing its whole bundle. So that both sides pay
for parsing one file, each side runs with a DAG bundle of its own ("hcc_bench", a temporary
folder holding a copy of just the DAG under test); the project's "dags-folder" bundle is not
re-synced from it. Each DAG is also parsed before the clock starts, and each side runs in its
own process so their peaks do not mix.

dag.test() runs every task in this one process, so these figures are Airflow's own per-task
bookkeeping (task instance rows, XCom, rendering, state changes) without the scheduler loop or
a worker process per task: a lower bound on what a deployment pays per mapped task.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.common import DAGS, peak_rss_mb, write_result

MAPPED = 100

NOOP_DAG = '''"""Baseline for the orchestration benchmark: the execute DAG's shape with no-op tasks."""
from datetime import datetime

from airflow.sdk import DAG, TriggerRule, task

with DAG(dag_id="bench_noop_mapped", schedule=None, start_date=datetime(2026, 1, 1),
         catchup=False):

    @task
    def plan():
        return list(range({n}))

    @task
    def noop(item):
        return None

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def finish():
        return None

    noop.expand(item=plan()) >> finish()
'''


def _use_bundle(folder: Path) -> None:
    """Point Airflow's DAG bundles at ``folder`` only; must run before airflow is imported."""
    if "airflow" in sys.modules:
        raise RuntimeError("the DAG bundle must be configured before airflow is imported")
    os.environ["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"] = json.dumps(
        [
            {
                "name": "hcc_bench",
                "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                "kwargs": {"path": str(folder)},
            }
        ]
    )
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(folder)


def _parse(path: Path, dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(path))
    if bag.import_errors:
        raise RuntimeError(f"import errors in {path}: {bag.import_errors}")
    return bag.dags[dag_id]


def _state(run) -> str:
    return str(getattr(run.state, "value", run.state))


def run_ours(n: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="hcc_bench_orch_"))
    bundle = tmp / "dags"
    bundle.mkdir()
    shutil.copy(DAGS / "hcc_ilm_execute.py", bundle / "hcc_ilm_execute.py")
    path = tmp / "warehouse.db"
    os.environ["AIRFLOW_CONN_HCC_WAREHOUSE"] = f"sqlite:///{path}"
    _use_bundle(bundle)

    from sqlalchemy import func, select

    from hcc_operators import clock
    from hcc_operators.repository.schema import create_all
    from hcc_operators.repository.tables import execution_log, ilm_batches, ilm_queue
    from hcc_operators.services import ilm_evaluate, ilm_refresh
    from hcc_operators.services.ilm_settings import load_ilm_settings
    from hcc_operators.warehouse.embedded import build_warehouse

    started = time.perf_counter()
    wh = build_warehouse(path, seed=42)
    engine = wh.repository_engine()
    create_all(engine)
    settings = load_ilm_settings()
    ilm_refresh.refresh_partition_access(
        wh,
        engine,
        is_target=settings.is_target,
        thresholds_for=settings.thresholds_for,
        now=clock.now(),
    )
    evaluated = ilm_evaluate.evaluate_policies(
        wh, engine, settings.policies, now=clock.now(), evaluation_id="bench_orchestration"
    )
    setup_s = time.perf_counter() - started
    with engine.connect() as conn:
        pending = conn.execute(
            select(func.count()).select_from(ilm_queue).where(ilm_queue.c.status == "PENDING")
        ).scalar()

    dag = _parse(bundle / "hcc_ilm_execute.py", "hcc_ilm_execute")
    started = time.perf_counter()
    run = dag.test(run_conf={"force": True, "max_operations": n})
    seconds = time.perf_counter() - started
    with engine.connect() as conn:
        batch = conn.execute(select(ilm_batches).order_by(ilm_batches.c.batch_id.desc())).first()
        logged = dict(
            conn.execute(
                select(execution_log.c.status, func.count())
                .where(execution_log.c.batch_id == batch.batch_id)
                .group_by(execution_log.c.status)
            ).all()
        )
    wh.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "state": _state(run),
        "seconds": seconds,
        "mapped_tasks": batch.planned,
        "queue_pending_before": pending,
        "eligible_after_evaluate": evaluated["eligible"],
        "batch_status": batch.status,
        "actions_by_status": logged,
        "setup_s": setup_s,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_noop(n: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="hcc_bench_noop_"))
    path = tmp / "bench_noop_mapped.py"
    path.write_text(NOOP_DAG.replace("{n}", str(n)))
    _use_bundle(tmp)
    dag = _parse(path, "bench_noop_mapped")
    started = time.perf_counter()
    run = dag.test()
    seconds = time.perf_counter() - started
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "state": _state(run),
        "seconds": seconds,
        "mapped_tasks": n,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--side", choices=("ours", "noop"), required=True)
    parser.add_argument("--mapped", type=int, default=MAPPED)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    result = run_ours(args.mapped) if args.side == "ours" else run_noop(args.mapped)
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A worker to be killed: runs ILM execution against a warehouse file and stops dead at a
chosen point, after announcing it in a marker file, until the test sends SIGKILL.

    python kill_harness.py item WAREHOUSE MARKER POINT ITEM_JSON RUN_ID MAP_INDEX
    python kill_harness.py batch WAREHOUSE MARKER POINT RUN_ID NTH

Points: ``claimed`` (the item is claimed with its table, nothing read yet), ``before_ddl``
(the before-state is written, the DDL not sent), ``after_ddl`` (the DDL committed, nothing
recorded). ``batch`` plans a forced batch as run RUN_ID (recording the run as Airflow's
first task would) and executes it with 4 threads; the NTH action to reach POINT stops the
whole process there, with the other threads wherever they are.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hcc_operators.services import ilm_execute, ilm_plan, run_control
from hcc_operators.services.table_lock import LockWait
from hcc_operators.warehouse.embedded import EmbeddedWarehouse
from ilm_support import IN_WINDOW, SETTINGS

POINTS = ("claimed", "before_ddl", "after_ddl")


class Stop:
    """Which arrival at the point stops the process (shared by the worker threads)."""

    def __init__(self, point: str, marker: Path, nth: int):
        self.point, self.marker, self.left = point, marker, nth
        self.lock = threading.Lock()

    def reached(self, point: str, what: str) -> None:
        if point != self.point:
            return
        with self.lock:
            self.left -= 1
            if self.left != 0:
                return
            self.marker.write_text(f"{point} {what}\n")
        time.sleep(3600)  # until SIGKILL


class Stopping(EmbeddedWarehouse):
    stop: Stop

    def set_session_info(self, module: str, action: str) -> None:
        super().set_session_info(module, action)  # called right after the claim
        self.stop.reached("claimed", action)

    def apply(self, action, **kwargs):
        self.stop.reached("before_ddl", action.ref.label)
        result = super().apply(action, **kwargs)
        self.stop.reached("after_ddl", action.ref.label)
        return result

    def execute_ddl(self, statements):  # the archive table of a DROP with archive
        self.stop.reached("before_ddl", "archive table")
        super().execute_ddl(statements)


def opened(path: str, stop: Stop) -> Stopping:
    warehouse = Stopping(path, sleep_scale=0.0004)
    warehouse.stop = stop
    return warehouse


def run_item(path, stop, item, run_id, map_index):
    warehouse = opened(path, stop)
    return ilm_execute.execute_item(
        warehouse,
        warehouse.repository_engine(),
        item,
        dag_run_id=run_id,
        map_index=map_index,
        attempt=1,
        now_fn=lambda: IN_WINDOW,
        settings=SETTINGS,
        lock_wait=LockWait(poll_s=0.005, max_s=60),
    )


def main(argv: list[str]) -> int:
    mode, path, marker, point = argv[:4]
    stop = Stop(point, Path(marker), int(argv[5]) if mode == "batch" else 1)
    if mode == "item":
        run_item(path, stop, json.loads(argv[4]), argv[5], int(argv[6]))
    else:
        run_id = argv[4]
        warehouse = opened(path, stop)
        engine = warehouse.repository_engine()
        run_control.start_run(engine, "hcc_ilm_execute", run_id, "forced", IN_WINDOW)
        batch = ilm_plan.plan_batch(
            warehouse,
            engine,
            dag_run_id=run_id,
            run_type="manual",
            force=True,
            max_operations=None,
            now=IN_WINDOW,
            settings=SETTINGS,
        )
        with ThreadPoolExecutor(4) as pool:
            list(
                pool.map(
                    lambda pair: run_item(path, stop, pair[1], run_id, pair[0]),
                    enumerate(batch.items),
                )
            )
    Path(marker).write_text("finished without reaching the point\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""`make demo`: build the embedded warehouses, run the pipeline through Airflow, print a report.

Every warehouse of warehouses.yaml whose connection is an embedded one (conn_type sqlite) is
built and run: the shipped fleet has two, `default` (Berlin, German holidays) and `dw_amer`
(New York, US holidays), each with its own DAGs, pools, connection and repository. A
warehouse on a real Oracle is never built or touched by the demo.

Every figure in the report is read back from each repository after the runs: nothing here
computes or invents a result of its own.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hcc_operators.core.names import Dag, dag_id

if TYPE_CHECKING:
    from hcc_operators.core.fleet import WarehouseSpec

PIPELINE = (
    (Dag.ADVISOR, {}),
    (Dag.COMPRESS, {"max_objects": 8}),
    (Dag.ILM_REFRESH, {}),
    (Dag.ILM_EVALUATE, {}),
    # The demo runs whenever you run it, so it forces the batch rather than wait for a window;
    # the batch is recorded as forced.
    (Dag.ILM_EXECUTE, {"force": True, "max_operations": 400}),
    (Dag.ILM_HOUSEKEEPING, {}),
)


@dataclass(frozen=True)
class DemoWarehouse:
    spec: WarehouseSpec
    path: Path
    seed: int

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def timezone(self) -> str:
        return self.spec.schedule.timezone


def demo_warehouses(seed: int) -> list[DemoWarehouse]:
    """The embedded warehouses of the fleet, each with the file its connection names and a
    seed of its own (so the two warehouses hold different data)."""
    from hcc_operators.core.fleet import load_fleet
    from hcc_operators.warehouse.factory import embedded_path_of

    found = []
    for index, spec in enumerate(load_fleet()):
        path = embedded_path_of(spec.conn_id)
        if path is None:
            print(f"warehouse {spec.name}: connection {spec.conn_id} is not embedded; skipped")
            continue
        found.append(DemoWarehouse(spec, path, seed + index))
    return found


def build(path: Path, seed: int) -> None:
    from hcc_operators.warehouse.embedded.generator import build_warehouse

    path.parent.mkdir(parents=True, exist_ok=True)
    build_warehouse(path, seed=seed).close()


def run_pipeline(warehouse: str | None = None, bag=None) -> dict[str, str]:
    """Every DAG of the pipeline of one warehouse (None: the default) through dag.test()."""
    from airflow.dag_processing.dagbag import DagBag

    if bag is None:
        bag = DagBag(dag_folder=os.environ.get("AIRFLOW__CORE__DAGS_FOLDER", "dags"))
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    states = {}
    for dag, conf in PIPELINE:
        name = dag_id(dag, warehouse)
        print(f"--> running {name} through Airflow (dag.test) ...", flush=True)
        run = bag.dags[name].test(run_conf=conf)
        states[name] = str(getattr(run.state, "value", run.state))
        print(f"    {name}: {states[name]}", flush=True)
    return states


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="build the warehouses that are missing, run nothing (for `make airflow`)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild existing warehouses")
    args = parser.parse_args(argv)

    fleet = demo_warehouses(args.seed)
    for wh in fleet:
        if args.rebuild or not wh.path.exists() or not args.prepare_only:
            print(f"building the embedded warehouse {wh.name} at {wh.path} (seed {wh.seed})")
            build(wh.path, wh.seed)
    if args.prepare_only:
        return 0

    from airflow.dag_processing.dagbag import DagBag

    from hcc_operators import clock
    from hcc_operators.core.windows import WindowCalendar
    from hcc_operators.demo_report import FleetRow, fleet_row, render_fleet, render_report
    from hcc_operators.warehouse.embedded.warehouse import EmbeddedWarehouse

    bag = DagBag(dag_folder=os.environ.get("AIRFLOW__CORE__DAGS_FOLDER", "dags"))
    states = {wh.name: run_pipeline(wh.name, bag) for wh in fleet}
    rows: list[FleetRow] = []
    for wh in fleet:
        warehouse = EmbeddedWarehouse(wh.path)
        try:
            about = wh.spec.description
            title = f"warehouse {wh.name}, {wh.timezone}" + (f": {about}" if about else "")
            print(render_report(warehouse, states[wh.name], title=title))
            calendar = WindowCalendar(wh.spec.schedule)
            rows.append(
                fleet_row(wh.name, wh.timezone, warehouse, calendar.next_window(clock.now()))
            )
        finally:
            warehouse.close()
    print(render_fleet(rows))
    ok = all(s == "success" for by_dag in states.values() for s in by_dag.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

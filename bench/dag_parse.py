"""Benchmark 1: DAG parse time, and no database or network access at parse.

Each measurement runs in a fresh child process forked from a parent that has already imported
``airflow.dag_processing.dagbag``: that is how Airflow 3's DAG processor parses (a pre-loaded
supervisor forks one process per file), so the clock sees what a DAG file adds to a process
where Airflow is loaded, and none of our modules are (the parent never imports them). Like
the DAG processor (``DagFileProcessorManager.before_run``), the parent calls ``gc.freeze()``
before forking, so a child does not pay a full collection of the parent's heap. In the
child, counting guards go on ``socket.socket.connect``/``connect_ex``,
``socket.create_connection``, ``socket.getaddrinfo`` and ``sqlite3.connect`` (an Oracle thin
connection goes through a socket, SQLAlchemy's SQLite driver through ``sqlite3.connect``), then
the clock runs around the import only: ``exec_module`` of one file the way DagBag loads it, or
``DagBag(dag_folder=...)`` for a whole folder. Repeats: median; the rounds of repeats
interleave all targets, baseline included, so load from elsewhere hits them alike.

The same is measured a second time for a fleet of 20 warehouses (FLEET_SIZE): a generated
warehouses.yaml whose warehouses differ in time zone, holiday calendar and windows (overrides
of the shared schedule), so each DAG file builds 20 DAGs with 20 distinct timetables. The
targets are the same per file and per folder: a fleet must not make the DAG processor late.

Baseline: a minimal airflow.sdk DAG (one DAG, no tasks) written to a temporary folder, timed
identically. The targets (file < 150 ms, folder < 1 s) are judged on the difference over that
baseline, i.e. on what our files add to what any DAG file costs, plus zero connection attempts;
absolute times are reported beside them. A first, untimed import of each target fills the OS
file cache, __pycache__ and the package's holiday cache (``HCC_CACHE_DIR``), as the first parse
after an install does; that first parse costs more (about 0.2 s with the holidays import).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.common import DAGS, median, peak_rss_mb, write_result

FILE_REPEATS = 7
FOLDER_REPEATS = 5
# Package modules every DAG file imports, timed alone to show where parse time goes.
SHARED_MODULES = (
    "hcc_operators.dag_defaults",
    "hcc_operators.timetables",
    "hcc_operators.operators.ilm",
)
FILE_TARGET_MS = 150.0
FOLDER_TARGET_MS = 1000.0
FLEET_SIZE = 20
#: (zone, holiday country) of the generated fleet, cycled: every region a team may run in.
FLEET_REGIONS = (
    ("Europe/Berlin", "DE"),
    ("America/New_York", "US"),
    ("Asia/Tokyo", "JP"),
    ("Australia/Sydney", "AU"),
    ("Europe/London", "GB"),
    ("America/Sao_Paulo", "BR"),
    ("Asia/Kolkata", "IN"),
    ("Europe/Paris", "FR"),
    ("America/Chicago", "US"),
    ("Asia/Singapore", "SG"),
)
# Set in the parent before forking: the children of the fleet targets read their
# configuration from here (HCC_CONFIG_DIR), the others from the project's include/config.
_FLEET_DIR: Path | None = None

EMPTY_DAG = '''"""The parse-time baseline: the least a DAG file can be."""
from datetime import datetime

from airflow.sdk import DAG

with DAG(dag_id="bench_empty", schedule=None, start_date=datetime(2026, 1, 1)):
    pass
'''


def _install_guards(counts: dict[str, int]) -> None:
    """Count (and let through) every connection attempt, so the import behaves as usual."""
    import socket
    import sqlite3

    def counting(name, original):
        def wrapper(*args, **kwargs):
            counts[name] = counts.get(name, 0) + 1
            return original(*args, **kwargs)

        return wrapper

    socket.socket.connect = counting("socket.connect", socket.socket.connect)
    socket.socket.connect_ex = counting("socket.connect_ex", socket.socket.connect_ex)
    socket.create_connection = counting("socket.create_connection", socket.create_connection)
    socket.getaddrinfo = counting("socket.getaddrinfo", socket.getaddrinfo)
    sqlite3.connect = counting("sqlite3.connect", sqlite3.connect)


def _import_file(path: str) -> dict:
    import importlib.util

    counts: dict[str, int] = {}
    _install_guards(counts)
    started = time.perf_counter()
    spec = importlib.util.spec_from_file_location(f"bench_dag_{Path(path).stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {"seconds": time.perf_counter() - started, "connects": counts}


def _import_module(name: str) -> dict:
    import importlib

    started = time.perf_counter()
    importlib.import_module(name)
    return {"seconds": time.perf_counter() - started, "connects": {}}


def _fill_dagbag(folder: str) -> dict:
    from airflow.dag_processing.dagbag import DagBag

    counts: dict[str, int] = {}
    _install_guards(counts)
    started = time.perf_counter()
    bag = DagBag(dag_folder=folder)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "connects": counts,
        "dags": len(bag.dags),
        "import_errors": {str(k): str(v)[:300] for k, v in bag.import_errors.items()},
    }


def write_fleet(folder: Path, size: int = FLEET_SIZE) -> Path:
    """A copy of include/config with a warehouses.yaml of ``size`` warehouses."""
    import shutil

    # The project's include/config, found without importing the package into the parent.
    for path in (DAGS.parent / "include" / "config").glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    lines = ["warehouses:"]
    for n in range(size):
        zone, country = FLEET_REGIONS[n % len(FLEET_REGIONS)]
        opens = f"{21 + n % 3}:00"
        lines += [
            f"  - name: dw_{n:02d}",
            f"    conn_id: hcc_dw_{n:02d}",
            "    overrides:",
            "      schedule:",
            f"        timezone: {zone}",
            f'        weekday: {{open: "{opens}"}}',
            f"        holidays: {{country: {country}, by_name: {{}}, by_date: {{}}}}",
        ]
    (folder / "warehouses.yaml").write_text("\n".join(lines) + "\n")
    return folder


def _in_fleet(work):
    """``work`` run with the generated fleet's configuration (in the forked child)."""

    def fleet_work(target: str) -> dict:
        os.environ["HCC_CONFIG_DIR"] = str(_FLEET_DIR)
        return work(target)

    return fleet_work


def _judge(by_file: dict, by_folder: dict) -> dict:
    baseline_file = by_file.pop("baseline")
    files = {}
    for name, m in by_file.items():
        m["over_baseline_ms"] = m["median_ms"] - baseline_file["median_ms"]
        m["met"] = m["over_baseline_ms"] < FILE_TARGET_MS and m["connect_attempts"] == 0
        files[name] = m
    baseline_folder, folder = by_folder["baseline"], by_folder["dags"]
    folder["over_baseline_ms"] = folder["median_ms"] - baseline_folder["median_ms"]
    folder["met"] = (
        folder["over_baseline_ms"] < FOLDER_TARGET_MS
        and folder["connect_attempts"] <= baseline_folder["connect_attempts"]
        and not folder["import_errors"]
    )
    return {
        "baseline_file": baseline_file,
        "baseline_folder": baseline_folder,
        "files": files,
        "folder": folder,
    }


def _in_fresh_child(work, target: Path | str) -> dict:
    """Run ``work(target)`` in a forked child; its JSON result comes back through a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the parent's code
        os.close(read_end)
        status = 0
        try:
            payload = json.dumps(work(str(target)))
        except BaseException as err:  # reported to the parent, which raises it
            payload = json.dumps({"error": f"{type(err).__name__}: {err}"})
            status = 1
        with os.fdopen(write_end, "w") as out:
            out.write(payload)
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end) as inp:
        payload = inp.read()
    os.waitpid(pid, 0)
    result = json.loads(payload)
    if "error" in result:
        raise RuntimeError(f"parsing {target} failed: {result['error']}")
    return result


def _measure_all(targets: dict[str, tuple], repeats: int) -> dict[str, dict]:
    """Median per target; rounds interleave the targets so a burst of load from elsewhere on
    the machine hits all of them (the baseline included) rather than one target's runs."""
    for work, target in targets.values():
        _in_fresh_child(work, target)  # warm-up, discarded
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for _ in range(repeats):
        for name, (work, target) in targets.items():
            runs[name].append(_in_fresh_child(work, target))
    return {name: _summarise(found) for name, found in runs.items()}


def _summarise(runs: list[dict]) -> dict:
    connects: dict[str, int] = {}
    for run in runs:
        for name, n in run["connects"].items():
            connects[name] = connects.get(name, 0) + n
    out = {
        "median_ms": median([r["seconds"] for r in runs]) * 1000,
        "runs_ms": [round(r["seconds"] * 1000, 1) for r in runs],
        "connect_attempts": sum(connects.values()),
        "connects_by_call": connects,
    }
    if "dags" in runs[0]:
        out["dags"] = runs[0]["dags"]
        out["import_errors"] = runs[0]["import_errors"]
    return out


def run() -> dict:
    # Pre-load what the DAG processor has loaded before it forks a file's parser.
    import airflow.dag_processing.dagbag  # noqa: F401

    # As DagFileProcessorManager.before_run does before forking parsers (airflow 3.3
    # dag_processing/manager.py): without it a child pays a full collection of the parent's
    # heap, copying its pages, whenever a file crosses the collector's threshold.
    gc.freeze()

    with tempfile.TemporaryDirectory(prefix="hcc_bench_empty_dag_") as tmp:
        empty_folder = Path(tmp)
        empty_file = empty_folder / "bench_empty_dag.py"
        empty_file.write_text(EMPTY_DAG)
        file_targets = {"baseline": (_import_file, empty_file)}
        file_targets |= {p.name: (_import_file, p) for p in sorted(DAGS.glob("*.py"))}
        file_targets |= {f"module:{m}": (_import_module, m) for m in SHARED_MODULES}
        by_file = _measure_all(file_targets, FILE_REPEATS)
        by_folder = _measure_all(
            {"baseline": (_fill_dagbag, empty_folder), "dags": (_fill_dagbag, DAGS)},
            FOLDER_REPEATS,
        )
        shared = {m: by_file.pop(f"module:{m}")["median_ms"] for m in SHARED_MODULES}
        shipped = _judge(by_file, by_folder)

        global _FLEET_DIR
        with tempfile.TemporaryDirectory(prefix="hcc_bench_fleet_") as fleet_tmp:
            _FLEET_DIR = write_fleet(Path(fleet_tmp))
            fleet_files = {"baseline": (_import_file, empty_file)}
            fleet_files |= {p.name: (_in_fleet(_import_file), p) for p in sorted(DAGS.glob("*.py"))}
            fleet = _judge(
                _measure_all(fleet_files, FILE_REPEATS),
                _measure_all(
                    {
                        "baseline": (_fill_dagbag, empty_folder),
                        "dags": (_in_fleet(_fill_dagbag), DAGS),
                    },
                    FOLDER_REPEATS,
                ),
            )
    return {
        "shared_imports": shared,
        **shipped,
        "fleet": {"warehouses": FLEET_SIZE, **fleet},
        "repeats": {"file": FILE_REPEATS, "folder": FOLDER_REPEATS},
        # The parse children are this process's only children: their largest peak.
        "peak_rss_mb": peak_rss_mb(include_children=True),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    write_result(args.out, run())
    return 0


if __name__ == "__main__":
    sys.exit(main())

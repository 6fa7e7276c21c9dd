"""Defining a DAG loads only what defines it: no repository, services, SQLAlchemy or holidays.

Each DAG file is loaded the way the DAG processor does it: in a child forked from a process that
has imported Airflow's DagBag, so the check sees what the file adds. It runs in a subprocess so
that whatever other tests imported cannot hide an import, whatever order the tests run in.
Timing is bench/dag_parse.py's business; this test pins the reason the parse is cheap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DAGS = Path(__file__).resolve().parents[2] / "dags"
# Needed only when a task runs (operators import them in execute()) or, for holidays, only
# when the holiday answers are not cached yet (core.holiday_source).
HEAVY = (
    "sqlalchemy",
    "hcc_operators.repository",
    "hcc_operators.services",
    "hcc_operators.warehouse",
    "hcc_operators.strategies",
    "hcc_operators.api",
    "holidays",
    "httpx",
    "oracledb",
)

PROBE = r"""
import importlib.util, json, os, sys
import airflow.dag_processing.dagbag  # noqa: F401  what the DAG processor has loaded

def load(path):
    spec = importlib.util.spec_from_file_location("dag_under_test", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))

for path in sys.argv[1:]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        before = set(sys.modules)
        load(path)
        added = sorted(set(sys.modules) - before)
        with os.fdopen(write_end, "w") as out:
            out.write(json.dumps({"path": path, "added": added}))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as inp:
        print(inp.read())
    _, status = os.waitpid(pid, 0)
    assert status == 0, f"loading {path} failed"
"""


def _added_modules(paths, cache_dir) -> dict[str, list[str]]:
    env = {**os.environ, "HCC_CACHE_DIR": str(cache_dir)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {Path(f["path"]).name: f["added"] for f in found}


def _heavy(modules: list[str], exclude: tuple[str, ...] = ()) -> list[str]:
    return [
        m
        for m in modules
        for prefix in HEAVY
        if prefix not in exclude and (m == prefix or m.startswith(prefix + "."))
    ]


def test_parsing_a_dag_file_imports_nothing_heavy(tmp_path):
    paths = sorted(DAGS.glob("*.py"))
    cold = _added_modules(paths, tmp_path)  # also fills the holiday cache, as a first parse does
    assert set(cold) == {p.name for p in paths}
    # Even on a first parse only the holiday answers may need the holidays package.
    assert {name: _heavy(added, exclude=("holidays",)) for name, added in cold.items()} == {
        p.name: [] for p in paths
    }
    warm = _added_modules(paths, tmp_path)
    assert {name: _heavy(added) for name, added in warm.items()} == {p.name: [] for p in paths}
    # The probe does see our modules: an empty diff would prove nothing.
    assert all("hcc_operators.dag_defaults" in added for added in warm.values())

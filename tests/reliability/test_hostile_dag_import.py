"""Hostile configuration at DAG parse: each damaged file or environment variable must become an
Airflow import error of exactly the DAG files that read it, ending in a ConfigError that names
the file (or the variable) and the field, never a bare traceback of some other exception.

The mutants are those of test_hostile_config.py (the same whole-file table, applied to the
files DAG files read at parse) plus one value mutation per file and a table of malformed
HCC_TASK_RETRIES / HCC_RETRY_DELAY_SECONDS values. Every case is parsed by Airflow's own
DagBag in one subprocess (the package's modules are dropped between cases, so module-level
settings such as dag_defaults' retries are read again).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from hcc_operators.core.config_yaml import load_config_file
from hcc_operators.core.fleet import load_fleet
from hcc_operators.core.names import Dag, dag_id
from hcc_operators.core.paths import project_root

from .figures import record
from .test_hostile_config import file_mutations
from .yaml_text import dump

ROOT = project_root()
DAGS = ROOT / "dags"
#: Which configuration files each DAG file reads while it is parsed.
#: Every one reads warehouses.yaml: it generates one set of DAGs per warehouse.
READS = {
    "hcc_advisor.py": {"warehouses.yaml", "schedule.yaml", "advisor.yaml"},
    "hcc_compress.py": {"warehouses.yaml", "schedule.yaml"},
    "hcc_ilm_housekeeping.py": {"warehouses.yaml", "schedule.yaml"},
    "hcc_ilm_refresh.py": {"warehouses.yaml", "schedule.yaml", "policies.yaml"},
    "hcc_ilm_evaluate.py": {"warehouses.yaml", "policies.yaml"},
    # policies.yaml: its plan_batch task fails instead (dags/hcc_ilm_execute.py says why).
    "hcc_ilm_execute.py": {"warehouses.yaml", "schedule.yaml"},
}
ENV_CASES = {
    "HCC_TASK_RETRIES": ["abc", "-1", "21", "99999999999999999999", "1.5", "١"],
    "HCC_RETRY_DELAY_SECONDS": ["abc", "-1", "nan", "inf", "1e400", "86401"],
}
#: (file, dotted path, value, field the error names, the file whose readers break): one value
#: mutation per file.
VALUE_CASES = [
    ("schedule.yaml", ("weekday", "every"), "99999999999999999999h", "weekday.every", None),
    ("advisor.yaml", ("defaults", "sample_rows"), 10**20, "defaults.sample_rows", None),
    ("policies.yaml", ("profiles", "DEFAULT", "hot_days"), 10**11, "hot_days", None),
    ("warehouses.yaml", ("warehouses", 1, "name"), "DW-AMER", "warehouses.1.name", None),
    # A warehouse's override of the shared schedule breaks the DAG files that read the
    # schedule (not hcc_ilm_evaluate), naming the warehouse's override.
    (
        "warehouses.yaml",
        ("warehouses", 1, "overrides", "schedule", "timezone"),
        "Mars/Olympus",
        "dw_amer.overrides.schedule",
        "schedule.yaml",
    ),
]

PROBE = r"""
import json, logging, os, sys
logging.disable(logging.CRITICAL)
from airflow.dag_processing.dagbag import DagBag

dags, cases = sys.argv[1], json.load(open(sys.argv[2]))
results = []
for case in cases:
    for name in [m for m in sys.modules if m == "hcc_operators" or m.startswith("hcc_operators.")]:
        del sys.modules[name]
    saved = dict(os.environ)
    os.environ.update(case["env"])
    try:
        bag = DagBag(dag_folder=dags)
        errors = {os.path.basename(p): e for p, e in bag.import_errors.items()}
        results.append({"name": case["name"], "errors": errors, "dags": sorted(bag.dag_ids)})
    finally:
        os.environ.clear()
        os.environ.update(saved)
print(json.dumps(results))
"""


def _set(data: dict, path: tuple, value) -> dict:
    holder = data
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return data


def _cases(tmp_path: Path) -> list[dict]:
    """Each case: a config folder (one file damaged) or an environment variable, and what
    the import errors must name."""
    base = tmp_path / "base"
    shutil.copytree(ROOT / "include" / "config", base)
    cases = [{"name": "baseline", "env": {"HCC_CONFIG_DIR": str(base)}, "file": None}]
    read_at_parse = sorted({f for files in READS.values() for f in files})
    for file in read_at_parse:
        original = (base / file).read_text()
        for mutant in file_mutations(file, original):
            if not mutant.refusal_due:
                continue
            folder = tmp_path / f"{file}-{mutant.name}"
            shutil.copytree(base, folder)
            mutant.write(folder / file)
            cases.append(
                {
                    "name": f"{file}: {mutant.name}",
                    "env": {"HCC_CONFIG_DIR": str(folder)},
                    "file": file,
                    "names": [str(folder / file)] + ([mutant.expect] if mutant.expect else []),
                }
            )
    for n, (file, path, value, field, affects) in enumerate(VALUE_CASES):
        folder = tmp_path / f"{file}-value-{n}"
        shutil.copytree(base, folder)
        data = _set(load_config_file(folder / file), path, value)
        (folder / file).write_text(dump(data))
        cases.append(
            {
                "name": f"{file}: {'.'.join(map(str, path))} = {value}",
                "env": {"HCC_CONFIG_DIR": str(folder)},
                "file": affects or file,
                "names": [str(folder / file), field],
            }
        )
    for variable, values in ENV_CASES.items():
        for value in values:
            cases.append(
                {
                    "name": f"{variable}={value}",
                    "env": {"HCC_CONFIG_DIR": str(base), variable: value},
                    "file": "*",
                    "names": [f"environment variable {variable}"],
                }
            )
    return cases


def _parse_all(cases: list[dict], tmp_path: Path) -> list[dict]:
    spec = tmp_path / "cases.json"
    spec.write_text(json.dumps(cases))
    home = Path(os.environ.get("AIRFLOW_HOME", ROOT / ".airflow"))
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")]),
        "HCC_PROJECT_ROOT": str(ROOT),
    }
    for variable in ENV_CASES:
        env.pop(variable, None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(DAGS), str(spec)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_damaged_configuration_is_an_import_error_naming_file_and_field(tmp_path):
    cases = _cases(tmp_path)
    results = {r["name"]: r for r in _parse_all(cases, tmp_path)}
    baseline = results["baseline"]
    shipped = {dag_id(d, w.name) for w in load_fleet(ROOT / "include" / "config") for d in Dag}
    assert baseline["errors"] == {} and set(baseline["dags"]) == shipped, baseline

    counts: Counter[str] = Counter()
    problems = []
    for case in cases[1:]:
        errors = results[case["name"]]["errors"]
        for dag_file, reads in READS.items():
            affected = case["file"] == "*" or case["file"] in reads
            error = errors.get(dag_file)
            if not affected:
                if error is not None:
                    problems.append(f"{case['name']}: {dag_file} broke though it does not read it")
                continue
            counts["import errors due"] += 1
            if error is None:
                problems.append(f"{case['name']}: {dag_file} imported silently")
                counts["silent imports"] += 1
                continue
            last = error.strip().splitlines()[-1]
            if not last.startswith("hcc_operators.core.errors.ConfigError:"):
                problems.append(f"{case['name']}: {dag_file}: bare traceback: {last[:200]}")
                counts["bare tracebacks"] += 1
            elif not all(name in last for name in case["names"]):
                problems.append(f"{case['name']}: {dag_file}: does not name {case['names']}")
                counts["unclear import errors"] += 1
            else:
                counts["clear import errors"] += 1
    figures = {
        "cases": len(cases) - 1,
        "DAG file parses": (len(cases) - 1) * len(READS),
        "import errors due": counts["import errors due"],
        "clear import errors": counts["clear import errors"],
        "bare tracebacks": counts["bare tracebacks"],
        "unclear import errors": counts["unclear import errors"],
        "silent imports": counts["silent imports"],
    }
    record("dag_import", figures, {"problems": problems[:20]})
    assert problems == []
    assert counts["clear import errors"] == counts["import errors due"] > 150

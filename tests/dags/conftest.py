"""Airflow environment for DAG tests: the project's AIRFLOW_HOME prepared by `make`.

Set before anything imports airflow, so the plugin's timetable is registered and the metadata
DB is the migrated SQLite file. Running pytest without `make` migrates it on first use.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("AIRFLOW_HOME", ROOT / ".airflow"))
os.environ.setdefault("AIRFLOW_HOME", str(HOME))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(ROOT / "plugins"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{HOME / 'airflow.db'}")

if not (HOME / ".ready").exists():
    HOME.mkdir(parents=True, exist_ok=True)
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)
    from hcc_operators.cli.pools import pool_definitions

    for pool, spec in pool_definitions().items():
        subprocess.run(
            [str(airflow), "pools", "set", pool, str(spec["slots"]), spec["description"]],
            check=True,
            capture_output=True,
        )
    (HOME / ".ready").touch()

"""`make env` gives a new shell what the Makefile gives its targets: `hcc` then finds the demo
warehouse through the Airflow connection, with no --dsn (a new shell used to get "no warehouse
to connect to")."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from hcc_operators.warehouse.embedded import build_warehouse

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def test_a_shell_with_make_env_reaches_the_demo_warehouse(tmp_path):
    warehouse = tmp_path / "demo.db"
    build_warehouse(warehouse, seed=7, today=date(2026, 3, 6)).close()
    script = (
        f'eval "$(make -s -C {ROOT} env HCC_WAREHOUSE_PATH={warehouse})" && '
        "hcc demo fault add 'SALES.*' LOCK_HELD && hcc demo fault list --json && "
        'echo "conn=$AIRFLOW_CONN_HCC_WAREHOUSE home=$AIRFLOW_HOME"'
    )
    # A login shell's environment at its barest: nothing of the Makefile's, no venv on PATH.
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", "-c", script], env=bare, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert '"target": "SALES.*"' in done.stdout
    assert f"conn=sqlite:///{warehouse} home={ROOT / '.airflow'}" in done.stdout

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from hcc_operators.cli.main import main
from hcc_operators.core.paths import project_root


@pytest.fixture
def demo_dsn(tmp_path):
    from hcc_operators.repository.schema import create_all
    from hcc_operators.warehouse.embedded import build_warehouse

    path = tmp_path / "demo.db"
    wh = build_warehouse(path, seed=7, today=date(2026, 3, 6))
    create_all(wh.repository_engine())
    wh.close()
    return f"sqlite:///{path}"


@pytest.fixture
def config_copy(tmp_path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(project_root() / "include" / "config", folder)
    return folder


@pytest.fixture
def hcc(capsys, monkeypatch, tmp_path):
    """Run `hcc ARGS...` as a piped process would; returns (exit code, stdout, stderr)."""
    for name in ("HCC_DSN", "AIRFLOW_HOME", "AIRFLOW_CONN_HCC_WAREHOUSE", "HCC_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    # No ~/airflow/airflow.cfg: the Airflow connection is not consulted.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def run(*argv: str):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run

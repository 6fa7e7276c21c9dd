from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 3, 6)


@pytest.fixture
def example_on_path(monkeypatch):
    """Make tests/strategies importable so strategies.yaml can name custom_strategy_example."""
    monkeypatch.syspath_prepend(str(HERE))


@pytest.fixture
def demo_warehouse(tmp_path):
    from hcc_operators.repository.schema import create_all
    from hcc_operators.warehouse.embedded import build_warehouse

    wh = build_warehouse(tmp_path / "demo.db", seed=7, today=TODAY)
    create_all(wh.repository_engine())
    yield wh
    wh.close()

"""A demo warehouse built once per test module (fast: under a second) for a fixed date."""

from __future__ import annotations

from datetime import date

import pytest

from hcc_operators.warehouse.embedded import build_warehouse

TODAY = date(2026, 11, 22)


@pytest.fixture
def warehouse(tmp_path):
    wh = build_warehouse(tmp_path / "wh.db", seed=7, today=TODAY)
    yield wh
    wh.close()

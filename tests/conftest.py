"""Shared fixtures. plugins/ is on sys.path through pyproject's pythonpath, as in Airflow."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HCC_PROJECT_ROOT", str(ROOT))
# The holiday cache goes to a per-session directory, not the user's ~/.cache.
os.environ.setdefault("HCC_CACHE_DIR", tempfile.mkdtemp(prefix="hcc_test_cache_"))


@pytest.fixture
def sqlite_engine(tmp_path):
    from sqlalchemy import create_engine

    from hcc_operators.repository.schema import create_all

    engine = create_engine(f"sqlite:///{tmp_path / 'repo.db'}")
    create_all(engine)
    yield engine
    engine.dispose()

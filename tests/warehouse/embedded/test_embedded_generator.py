from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from hcc_operators.core.errors import ConfigError
from hcc_operators.warehouse.embedded import build_warehouse
from hcc_operators.warehouse.embedded.schema import TABLES

TODAY = date(2026, 11, 22)


def _dump(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {
            name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            for name in TABLES
        }
    finally:
        conn.close()


def test_same_seed_and_day_give_identical_dictionaries(tmp_path):
    build_warehouse(tmp_path / "a.db", seed=5, today=TODAY).close()
    build_warehouse(tmp_path / "b.db", seed=5, today=TODAY).close()
    build_warehouse(tmp_path / "c.db", seed=6, today=TODAY).close()
    a, b, c = (_dump(tmp_path / f"{n}.db") for n in "abc")
    assert a == b
    assert a["sim_segments"] != c["sim_segments"]


def test_rebuilding_replaces_the_file(tmp_path):
    path = tmp_path / "w.db"
    first = build_warehouse(path, seed=5, today=TODAY)
    first.inject_fault("SALES.*", "LOCK_HELD")
    first.close()
    build_warehouse(path, seed=5, today=TODAY).close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM sim_faults").fetchone()[0] == 0


def test_integer_scale_builds_exactly_that_many_partitions_metadata_only(tmp_path):
    wh = build_warehouse(tmp_path / "bench.db", seed=1, today=TODAY, scale=1234)
    conn = sqlite3.connect(wh.path)
    assert conn.execute("SELECT count(*) FROM sim_segments").fetchone()[0] == 1234
    assert wh.metadata_only
    assert len(wh.list_segments(wh.list_schemas())) == 1234
    wh.close()


@pytest.mark.parametrize(
    "kwargs", [{"scale": "huge"}, {"scale": 0}, {"seed": "x"}, {"today": "2024-01-01"}]
)
def test_bad_arguments_are_named(tmp_path, kwargs):
    with pytest.raises(ConfigError):
        build_warehouse(tmp_path / "x.db", **kwargs)

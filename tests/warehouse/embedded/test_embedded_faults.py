from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from hcc_operators.core.errors import ConfigError, WarehouseError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef

REF = ObjectRef("SALES", "ORDERS_FACT", "P_2026_08")
COMPRESS = Action(ActionKind.COMPRESS, REF, CompressionType.QUERY_HIGH)
PLUGINS = str(Path(__file__).resolve().parents[3] / "plugins")


def test_lock_held_fires_times_then_stops(warehouse):
    warehouse.inject_fault(REF.label, "LOCK_HELD", times=2)
    for _ in range(2):
        with pytest.raises(WarehouseError) as err:
            warehouse.apply(COMPRESS)
        assert err.value.code == "ORA-00054" and err.value.transient
        assert warehouse.segment(REF).compression is CompressionType.NONE
    warehouse.apply(COMPRESS)
    assert warehouse.segment(REF).compression is CompressionType.QUERY_HIGH


def test_connection_lost_after_commit_leaves_the_change_applied(warehouse):
    warehouse.inject_fault(REF, "CONNECTION_LOST_AFTER_COMMIT")
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(COMPRESS)
    assert err.value.code == "ORA-03113" and err.value.committed and err.value.transient
    assert warehouse.segment(REF).compression is CompressionType.QUERY_HIGH


def test_connection_lost_before_changes_nothing(warehouse):
    before = warehouse.segment(REF)
    warehouse.inject_fault("SALES.ORDERS_FACT:*", "CONNECTION_LOST_BEFORE")
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(COMPRESS)
    assert err.value.code == "DPY-4011" and not err.value.committed
    assert warehouse.segment(REF) == before


def test_tablespace_full_fault_is_ora_01688(warehouse):
    warehouse.inject_fault("SALES.*", "TABLESPACE_FULL")
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(COMPRESS)
    assert err.value.code == "ORA-01688" and err.value.transience.value == "SKIP_FOR_NOW"


def test_slow_multiplies_the_duration_once(warehouse):
    warehouse.inject_fault(REF, "SLOW", factor=5.0)
    slow = warehouse.apply(COMPRESS)
    # Same partition, same target: the same simulated work, without the fault.
    again = warehouse.apply(COMPRESS)
    assert slow.duration_s == pytest.approx(5.0 * again.duration_s)


def test_faults_on_other_objects_do_not_fire(warehouse):
    warehouse.inject_fault("FINANCE.*", "LOCK_HELD")
    result = warehouse.apply(COMPRESS)
    assert result.statements and warehouse.segment(COMPRESS.ref).compression is (
        COMPRESS.compression
    )
    # The fault is still armed for the object it names.
    with pytest.raises(WarehouseError) as err:
        warehouse.apply(
            Action(
                ActionKind.READ_ONLY,
                next(
                    s.ref
                    for s in warehouse.list_segments(["FINANCE"])
                    if s.ref.partition and not s.ref.subpartition
                ),
            )
        )
    assert err.value.code == "ORA-00054"


def test_random_faults_are_repeatable_for_a_seed(tmp_path):
    from datetime import date

    from hcc_operators.warehouse.embedded import build_warehouse

    outcomes = []
    for run in range(2):
        wh = build_warehouse(tmp_path / f"r{run}.db", seed=1, today=date(2026, 11, 22))
        wh.inject_random_faults("LOCK_HELD", 0.5, seed=99)
        result = []
        for month in range(1, 13):
            ref = ObjectRef("SALES", "ORDERS_FACT", f"P_2021_{month:02d}")
            try:
                wh.apply(Action(ActionKind.READ_ONLY, ref))
                result.append(True)
            except WarehouseError as exc:
                assert exc.code == "ORA-00054"
                result.append(False)
        outcomes.append(result)
        wh.clear_faults()
        wh.apply(Action(ActionKind.READ_ONLY, ObjectRef("SALES", "ORDERS_FACT", "P_2022_01")))
        wh.close()
    assert outcomes[0] == outcomes[1]
    assert True in outcomes[0] and False in outcomes[0]


def test_bad_fault_arguments_are_named(warehouse):
    with pytest.raises(ConfigError, match="unknown fault kind"):
        warehouse.inject_fault(REF, "METEOR")
    with pytest.raises(ConfigError, match="times"):
        warehouse.inject_fault(REF, "SLOW", times=0)
    with pytest.raises(ConfigError, match="probability"):
        warehouse.inject_random_faults("SLOW", 1.5, seed=1)


def test_a_fault_inserted_here_fires_in_another_process(warehouse):
    warehouse.inject_fault(REF, "LOCK_HELD")
    code = (
        "import sys\n"
        "from hcc_operators.core.models import *\n"
        "from hcc_operators.warehouse.embedded import EmbeddedWarehouse\n"
        f"w = EmbeddedWarehouse({str(warehouse.path)!r})\n"
        f"a = Action(ActionKind.COMPRESS, ObjectRef.parse({REF.label!r}), CompressionType.QUERY_HIGH)\n"
        "try:\n    w.apply(a)\nexcept Exception as e:\n    print(e.code)\n"
        "w.apply(a)\nprint('done')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": PLUGINS},
        check=True,
    ).stdout.split()
    assert out == ["ORA-00054", "done"]
    assert warehouse.segment(REF).compression is CompressionType.QUERY_HIGH


def _compress_in_worker(args: tuple[str, str]) -> str:
    path, label = args
    from hcc_operators.warehouse.embedded import EmbeddedWarehouse

    wh = EmbeddedWarehouse(path)
    try:
        wh.apply(Action(ActionKind.COMPRESS, ObjectRef.parse(label), CompressionType.QUERY_LOW))
        return "ok"
    finally:
        wh.close()


def test_concurrent_processes_apply_to_the_same_file(warehouse):
    labels = [f"SALES.ORDERS_FACT:P_2020_{m:02d}" for m in range(1, 9)]
    before = sum(ts.used_bytes for ts in warehouse.tablespaces().values())
    sizes = sum(warehouse.segment(ObjectRef.parse(lbl)).bytes for lbl in labels)
    with ProcessPoolExecutor(max_workers=4) as pool:
        assert (
            list(pool.map(_compress_in_worker, [(str(warehouse.path), lbl) for lbl in labels]))
            == ["ok"] * 8
        )
    after_sizes = sum(warehouse.segment(ObjectRef.parse(lbl)).bytes for lbl in labels)
    after = sum(ts.used_bytes for ts in warehouse.tablespaces().values())
    assert before - after == sizes - after_sizes

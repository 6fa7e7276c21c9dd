"""api/links.py: the links of the default warehouse are core.ui_links' own (one link builder),
and another warehouse's differ only in the DAG id."""

from __future__ import annotations

import pytest

from hcc_operators.api.links import Links
from hcc_operators.core import ui_links
from hcc_operators.core.names import Dag

CASES = [
    ("ilm", "COMPRESS", "scheduled__b1", 3),
    ("ilm", "MOVE", "scheduled__b1", None),
    ("compression", "COMPRESS", "manual__2026-03-10T22:00:00+00:00", 2),
    ("compression", "COMPRESS", "manual__c1", None),
    ("compression", "ROLLBACK", "rollback__execution_4__attempt_1", None),
]


@pytest.mark.parametrize(("source", "operation", "run_id", "map_index"), CASES)
def test_the_default_warehouse_links_as_core_does(source, operation, run_id, map_index):
    links = Links(lambda path: path)
    assert links.work(source, operation, run_id, map_index) == ui_links.work_path(
        source, operation, run_id, map_index
    )
    assert links.work_dag(source, operation) == ui_links.work_dag(source, operation)


@pytest.mark.parametrize(("source", "operation", "run_id", "map_index"), CASES)
def test_another_warehouse_links_to_its_own_dag(source, operation, run_id, map_index):
    plain = Links(lambda path: path).work(source, operation, run_id, map_index)
    amer = Links(lambda path: "/ui" + path, "dw_amer")
    dag = ui_links.work_dag(source, operation)
    assert amer.work_dag(source, operation) == f"{dag}__dw_amer"
    assert amer.work(source, operation, run_id, map_index) == "/ui" + plain.replace(
        f"/dags/{dag}/", f"/dags/{dag}__dw_amer/", 1
    )


def test_no_run_no_link():
    links = Links(lambda path: path, "dw_amer")
    assert links.dag_run(Dag.ADVISOR, None) is None
    assert links.work("ilm", "COMPRESS", None, 1) is None
    assert links.dag(Dag.ILM_EXECUTE) == "/dags/hcc_ilm_execute__dw_amer"

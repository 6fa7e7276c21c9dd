from __future__ import annotations

import pytest

from hcc_operators.core import names
from hcc_operators.core.names import Dag, Pool, dag_id, parse_dag_id


def test_the_default_warehouse_keeps_the_plain_names():
    assert names.dag_id(Dag.ILM_EXECUTE) == "hcc_ilm_execute"
    assert names.dag_id(Dag.ILM_EXECUTE, names.DEFAULT_WAREHOUSE) == "hcc_ilm_execute"
    assert names.pool(Pool.DDL) == "hcc_oracle_ddl"
    assert names.asset_uri(names.AssetName.QUEUE) == "hcc://ilm/queue"


def test_other_warehouses_get_a_suffix_that_parses_back():
    assert names.dag_id(Dag.ILM_EXECUTE, "dw_emea") == "hcc_ilm_execute__dw_emea"
    assert names.pool(Pool.DDL, "dw_emea") == "hcc_oracle_ddl__dw_emea"
    assert names.asset_uri(names.AssetName.QUEUE, "dw_emea") == "hcc://ilm/queue/dw_emea"
    assert names.parse_dag_id("hcc_ilm_execute__dw_emea") == (Dag.ILM_EXECUTE, "dw_emea")
    assert names.parse_dag_id("hcc_advisor") == (Dag.ADVISOR, names.DEFAULT_WAREHOUSE)
    assert names.parse_dag_id("example_dag") is None
    assert names.parse_dag_id("hcc_advisor__Bad-Name") is None


@pytest.mark.parametrize("bad", ["", "DW", "1dw", "dw-emea", "d" * 41, None])
def test_warehouse_names_are_checked(bad):
    with pytest.raises(ValueError, match="warehouse name"):
        names.check_warehouse(bad)


def test_every_dag_has_its_file_and_every_mapped_task_is_a_task():
    from hcc_operators.core.paths import project_root

    files = {p.stem for p in (project_root() / "dags").glob("*.py")}
    assert {d.value for d in Dag} - files == {"hcc_compress_rollback"}  # beside hcc_compress
    assert set(names.MAPPED_TASK.values()) <= set(names.Task)
    assert set(names.POOL_SLOTS) == set(Pool) == set(names.POOL_DESCRIPTIONS)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("hcc_compress", (Dag.COMPRESS, "default")),
        ("hcc_compress__dw_amer", (Dag.COMPRESS, "dw_amer")),
        ("hcc_compress__", None),  # dag_id() never writes an empty suffix
        ("hcc_compress__default", None),  # nor the default's
        ("hcc_compress__DW", None),
        ("hcc_compressor", None),
    ],
)
def test_parse_dag_id_reads_back_only_what_dag_id_writes(text, parsed):
    assert parse_dag_id(text) == parsed
    if parsed is not None:
        assert dag_id(*parsed) == text

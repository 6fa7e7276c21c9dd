"""One behavioural contract, run on the embedded warehouse in `make test` and on a real Oracle
with `pytest -m oracle` (HCC_ORACLE_TEST_DSN). Every statement goes through the product's own
DDL builder (core.ddl) and the Warehouse protocol; what is asserted is what Oracle documents
(docs/oracle-rules.md, row ids in the comments). If the simulation and the builder shared a
wrong belief, the Oracle run of this file is where it shows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import Action, ActionKind, CompressionType
from hcc_operators.services.archive_drop import archive_table_for, archive_then_drop


def adjacent_pair(backend):
    """Two adjacent, writable, non-empty partitions of ``orders`` below its last one."""
    parts = backend.partitions(backend.orders)
    for low, high in zip(parts, parts[1:-1], strict=False):
        if not (low.read_only or high.read_only) and low.num_rows and high.num_rows:
            return low, high
    raise AssertionError("no adjacent writable pair")


def refused(call) -> str:
    with pytest.raises(WarehouseError) as err:
        call()
    return err.value.code


def rows(backend, ref):
    return backend.warehouse.row_count(ref)


# --- MERGE: bound, name, rows ---------------------------------------------------------------


def test_merge_two_adjacent_partitions_into_a_new_name(backend):  # MERGE-01, -02, -05
    low, high = adjacent_pair(backend)
    expected_rows = rows(backend, low.ref) + rows(backend, high.ref)
    result = replace(low.ref, partition="P_CT_MERGED")
    merge = Action(
        ActionKind.MERGE,
        result,
        merge_sources=(low.ref.partition, high.ref.partition),
        online=False,
    )
    backend.warehouse.apply(merge)
    merged = backend.warehouse.segment(result)
    assert merged is not None and merged.high_value == high.high_value
    assert rows(backend, result) == expected_rows
    assert backend.warehouse.segment(low.ref) is None
    assert backend.warehouse.segment(high.ref) is None


def test_merge_may_reuse_the_higher_name_only(backend):  # MERGE-03 (ORA-14275), MERGE-04
    low, high = adjacent_pair(backend)
    table = f'"{low.ref.owner}"."{low.ref.table}"'
    wrong = (
        f'ALTER TABLE {table} MERGE PARTITIONS "{low.ref.partition}", "{high.ref.partition}" '
        f'INTO PARTITION "{low.ref.partition}"'
    )
    assert refused(lambda: backend.warehouse.execute_ddl([wrong])) == "ORA-14275"
    assert backend.warehouse.segment(low.ref) is not None  # nothing changed
    expected_rows = rows(backend, low.ref) + rows(backend, high.ref)
    right = wrong.replace(
        f'INTO PARTITION "{low.ref.partition}"', f'INTO PARTITION "{high.ref.partition}"'
    )
    backend.warehouse.execute_ddl([right])
    assert rows(backend, high.ref) == expected_rows
    assert backend.warehouse.segment(high.ref).high_value == high.high_value


def test_the_product_keeps_the_lower_name_by_merging_up_then_renaming(backend):  # MERGE-16
    low, high = adjacent_pair(backend)
    expected_rows = rows(backend, low.ref) + rows(backend, high.ref)
    sources = (low.ref.partition, high.ref.partition)
    applied = backend.warehouse.apply(
        Action(ActionKind.MERGE, low.ref, merge_sources=sources, online=False)
    )
    assert any("RENAME PARTITION" in s for s in applied.statements)
    merged = backend.warehouse.segment(low.ref)
    assert merged.high_value == high.high_value and rows(backend, low.ref) == expected_rows
    assert backend.warehouse.segment(high.ref) is None


# --- composite partitions -----------------------------------------------------------------


def test_a_composite_partition_is_moved_subpartition_by_subpartition(backend):
    # COMPOSITE-01 (ORA-14257 for the partition as a whole), COMPOSITE-03/-04 (per
    # subpartition, defaults changed so new subpartitions follow).
    first = backend.partitions(backend.region)[0]
    assert first.has_subpartitions
    whole = Action(ActionKind.MOVE, first.ref, tablespace=backend.plain_tablespace, online=False)
    text = ddl.render(replace(whole, subpartitions=()), version=backend.warehouse.version())
    subs = backend.subpartitions(first.ref)
    before = {s.ref: rows(backend, s.ref) for s in subs}
    assert "MOVE PARTITION" in text[0]
    assert refused(lambda: backend.warehouse.execute_ddl(text)) == "ORA-14257"
    per_sub = replace(whole, subpartitions=tuple(s.ref.subpartition for s in subs))
    backend.warehouse.apply(per_sub)
    after = backend.subpartitions(first.ref)
    assert {s.tablespace for s in after} == {backend.plain_tablespace}
    assert {s.ref: rows(backend, s.ref) for s in after} == before


# --- EXCHANGE with a primary key and local indexes -----------------------------------------


def test_archive_before_drop_exchanges_with_a_primary_key_and_local_indexes(backend):
    # EXCHANGE-01/-02/-05, PRIV-04, PRIV-12: FOR EXCHANGE copies no index or key, so the
    # product builds their twins before EXCHANGE ... INCLUDING INDEXES.
    low, _ = adjacent_pair(backend)
    expected = rows(backend, low.ref)
    drop = Action(ActionKind.DROP, low.ref, online=False)
    outcome = archive_then_drop(backend.warehouse, drop, "_ARCH")
    assert outcome.status.value == "SUCCESS", outcome.message
    archive = archive_table_for(low.ref, "_ARCH", backend.warehouse.version())
    assert rows(backend, archive) == expected
    assert backend.warehouse.segment(low.ref) is None
    assert any("INCLUDING INDEXES" in s and "EXCHANGE PARTITION" in s for s in outcome.statements)
    keys = backend.warehouse.key_constraints(archive.owner, archive.table)
    assert [k.kind for k in keys] == ["P"]


# --- read-only partitions -----------------------------------------------------------------


def test_a_read_only_partition_refuses_truncate(backend):  # RO-01, RO-05 (ORA-14466)
    low, _ = adjacent_pair(backend)
    expected = rows(backend, low.ref)
    backend.warehouse.apply(Action(ActionKind.READ_ONLY, low.ref))
    assert backend.warehouse.segment(low.ref).read_only is True
    truncate = Action(ActionKind.TRUNCATE, low.ref)
    assert refused(lambda: backend.warehouse.apply(truncate)) == "ORA-14466"
    assert rows(backend, low.ref) == expected


# --- compression and COMPRESS_FOR ---------------------------------------------------------


def test_compress_advanced_reads_back_as_advanced(backend):  # CMP-*, LIC-03
    low, _ = adjacent_pair(backend)
    expected = rows(backend, low.ref)
    move = Action(
        ActionKind.COMPRESS,
        low.ref,
        compression=CompressionType.ADVANCED,
        tablespace=backend.plain_tablespace,
        online=False,
    )
    try:
        backend.warehouse.apply(move)
    except WarehouseError as err:
        if err.code == "ORA-00439":  # the edition has no Advanced Compression at all
            pytest.skip(f"Advanced Compression not available on this database: {err}")
        raise
    live = backend.warehouse.segment(low.ref)
    assert live.compression is CompressionType.ADVANCED
    assert live.tablespace == backend.plain_tablespace
    assert rows(backend, low.ref) == expected


def test_hcc_into_storage_without_hcc_is_refused(backend):  # HCC-01 (ORA-64307)
    low, _ = adjacent_pair(backend)
    move = Action(
        ActionKind.MOVE,
        low.ref,
        compression=CompressionType.QUERY_HIGH,
        tablespace=backend.plain_tablespace,
        online=False,
    )
    assert refused(lambda: backend.warehouse.apply(move)) == "ORA-64307"
    assert backend.warehouse.segment(low.ref).compression is low.compression


# --- privileges ---------------------------------------------------------------------------


def test_partition_ddl_without_the_privilege_is_refused(backend):  # PRIV-01, PRIV-06
    low, _ = adjacent_pair(backend)
    with backend.without("ALTER ANY TABLE") as limited:
        read_only = Action(ActionKind.READ_ONLY, low.ref)
        assert refused(lambda: limited.apply(read_only)) == "ORA-01031"
    assert backend.warehouse.segment(low.ref).read_only is False


def test_the_contract_tables_have_the_shapes_it_needs(backend):
    parts = backend.partitions(backend.orders)
    assert len(parts) >= 4 and all(not p.has_subpartitions for p in parts)
    indexes = backend.warehouse.index_definitions(backend.orders.owner, backend.orders.table)
    assert {i.locality for i in indexes} == {"LOCAL"}
    keys = backend.warehouse.key_constraints(backend.orders.owner, backend.orders.table)
    assert [k.kind for k in keys] == ["P"]

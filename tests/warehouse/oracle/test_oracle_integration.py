"""A small contract against a real Oracle, run with ``pytest -m oracle`` and
HCC_ORACLE_TEST_DSN (host:port/service), HCC_ORACLE_TEST_USER, HCC_ORACLE_TEST_PASSWORD.
The account needs the grants in include/sql/oracle/privileges/grants.sql and its default
tablespace serves as the advisor's scratch tablespace. See docs/oracle.md.
"""

from __future__ import annotations

import os

import oracledb
import pytest

from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef
from hcc_operators.warehouse.oracle import OracleWarehouse

DSN = os.environ.get("HCC_ORACLE_TEST_DSN")

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(
        not DSN,
        reason="no Oracle here: set HCC_ORACLE_TEST_DSN, HCC_ORACLE_TEST_USER and "
        "HCC_ORACLE_TEST_PASSWORD to run the Oracle contract (docs/oracle.md)",
    ),
]

TABLE = "HCC_IT_SCRATCH"


def _connect():
    return oracledb.connect(
        user=os.environ.get("HCC_ORACLE_TEST_USER"),
        password=os.environ.get("HCC_ORACLE_TEST_PASSWORD"),
        dsn=DSN,
    )


@pytest.fixture(scope="module")
def owner() -> str:
    with _connect() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT USER FROM dual")
        return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def scratch_table(owner: str):
    """A small range-partitioned table in the test account, dropped afterwards."""
    with _connect() as conn, conn.cursor() as cursor:
        cursor.execute(
            "BEGIN EXECUTE IMMEDIATE 'DROP TABLE " + TABLE + " PURGE'; "
            "EXCEPTION WHEN OTHERS THEN IF SQLCODE != -942 THEN RAISE; END IF; END;"
        )
        cursor.execute(
            f"CREATE TABLE {TABLE} (id NUMBER, created DATE, note VARCHAR2(100)) "
            "PARTITION BY RANGE (created) ("
            "PARTITION P_2024_01 VALUES LESS THAN (DATE '2024-02-01'), "
            "PARTITION P_MAX VALUES LESS THAN (MAXVALUE))"
        )
        cursor.execute(
            f"INSERT INTO {TABLE} SELECT level, DATE '2024-01-01' + MOD(level, 28), "
            "RPAD('x', 80, 'y') FROM dual CONNECT BY level <= 20000"
        )
        conn.commit()
    yield ObjectRef(owner, TABLE, "P_2024_01")
    with _connect() as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE} PURGE")


@pytest.fixture
def warehouse():
    with OracleWarehouse(connection_factory=_connect) as wh:
        yield wh


def test_version_and_schemas(warehouse: OracleWarehouse, owner: str) -> None:
    assert warehouse.version() >= (12, 2)
    assert owner in warehouse.list_schemas()


def test_segments_of_the_scratch_table(warehouse: OracleWarehouse, scratch_table) -> None:
    table = ObjectRef(scratch_table.owner, scratch_table.table)
    segments = warehouse.list_segments([scratch_table.owner], [table])
    by_ref = {s.ref: s for s in segments}
    assert scratch_table in by_ref
    assert by_ref[scratch_table].high_value.startswith("TO_DATE(' 2024-02-01")
    assert warehouse.row_count(scratch_table) == 20000


def test_estimate_ratio(warehouse: OracleWarehouse, scratch_table) -> None:
    ratio = warehouse.estimate_ratio(scratch_table, CompressionType.ADVANCED, sample_rows=1_000_000)
    assert ratio > 0


def test_move_with_advanced_compression(warehouse: OracleWarehouse, scratch_table) -> None:
    action = Action(ActionKind.COMPRESS, scratch_table, compression=CompressionType.ADVANCED)
    try:
        result = warehouse.apply(action, ddl_lock_timeout_s=10)
    except WarehouseError as err:
        if err.code == "ORA-00439":  # feature not enabled: Advanced Compression not available
            pytest.skip(f"Advanced Compression not available on this database: {err}")
        raise
    assert len(result.statements) == 1
    assert warehouse.segment(scratch_table).compression is CompressionType.ADVANCED
    assert warehouse.row_count(scratch_table) == 20000

"""The two backends the behavioural contract runs on, arranged to the same shapes.

Each backend offers, through the Warehouse protocol plus a few arrangement helpers:
- ``orders``: a RANGE-partitioned table with monthly partitions holding rows, a LOCAL index
  and a primary key enforced by a LOCAL unique index (what EXCHANGE ... INCLUDING INDEXES needs);
- ``region``: a RANGE-LIST composite table (partitions without segments of their own);
- ``plain_tablespace``: a tablespace whose storage does not support HCC;
- ``without(privilege)``: a warehouse whose account lacks one privilege on ``orders``.

The embedded backend arranges the simulation's dictionary the way a DBA's DDL would have (the
simulation has no CREATE TABLE ... PARTITION BY); the Oracle backend creates real tables in
the test account with the DDL below and drops them afterwards.
"""

from __future__ import annotations

import abc
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hcc_operators.core.models import ObjectRef
from hcc_operators.warehouse.base import Warehouse

DSN_ENV = "HCC_ORACLE_TEST_DSN"
ORACLE_SKIP = (
    "no Oracle here: set HCC_ORACLE_TEST_DSN, HCC_ORACLE_TEST_USER and "
    "HCC_ORACLE_TEST_PASSWORD to run the contract against Oracle (README, 'Oracle Free')"
)


@dataclass
class Backend(abc.ABC):
    name: str
    warehouse: Warehouse
    orders: ObjectRef
    region: ObjectRef
    plain_tablespace: str
    hcc_tablespace: str | None

    def partitions(self, table: ObjectRef) -> list:
        segs = self.warehouse.list_segments([table.owner], [table])
        return sorted(
            (s for s in segs if s.ref.partition and not s.ref.subpartition),
            key=lambda s: s.position,
        )

    def subpartitions(self, partition: ObjectRef) -> list:
        table = ObjectRef(partition.owner, partition.table)
        segs = self.warehouse.list_segments([table.owner], [table])
        return [s for s in segs if s.ref.partition == partition.partition and s.ref.subpartition]

    @abc.abstractmethod
    def without(self, privilege: str) -> contextlib.AbstractContextManager[Warehouse]:
        """A warehouse whose account lacks ``privilege`` on ``orders``."""


# --- embedded -------------------------------------------------------------------------------


class EmbeddedBackend(Backend):
    @contextlib.contextmanager
    def without(self, privilege: str) -> Iterator[Warehouse]:
        self.warehouse.revoke_privilege(privilege)
        try:
            yield self.warehouse
        finally:
            self.warehouse.grant_privilege(privilege)


def embedded(tmp_path: Path) -> EmbeddedBackend:
    from hcc_operators.warehouse.embedded import build_warehouse

    wh = build_warehouse(tmp_path / "contract.db", seed=5, today=date(2026, 3, 6))
    orders = ObjectRef("SALES", "RETURNS")
    _local_primary_key(wh, orders)
    return EmbeddedBackend(
        "embedded",
        wh,
        orders,
        ObjectRef("SALES", "SALES_BY_REGION"),
        plain_tablespace="USERS",
        hcc_tablespace="SALES_ARCH",
    )


def _local_primary_key(wh, table: ObjectRef) -> None:
    """What `CREATE UNIQUE INDEX ... (ID, PART_KEY) LOCAL` and `ADD PRIMARY KEY ... USING
    INDEX` would leave in the dictionary (the simulation does not parse CREATE INDEX LOCAL)."""
    conn = wh._conn
    name = f"{table.table}_PK"
    with conn:
        conn.execute(
            "INSERT INTO sim_indexes VALUES (?, ?, ?, ?, 'LOCAL', 'N/A', 'ID,PART_KEY', 'UNIQUE')",
            (table.owner, name, table.owner, table.table),
        )
        conn.execute(
            "INSERT INTO sim_index_partitions (owner, index_name, partition_name, status)"
            " SELECT owner, ?, partition_name, 'USABLE'"
            " FROM sim_segments WHERE owner = ? AND table_name = ? AND subpartition_name = ''"
            " AND partition_name <> ''",
            (name, table.owner, table.table),
        )
        conn.execute(
            "INSERT INTO sim_constraints VALUES (?, ?, ?, 'P', 'ID,PART_KEY', ?, 'ENABLED')",
            (table.owner, name, table.table, name),
        )


# --- Oracle ---------------------------------------------------------------------------------

ORDERS_DDL = """CREATE TABLE HCC_CT_ORDERS (
  id NUMBER NOT NULL, part_key DATE NOT NULL, note VARCHAR2(100)
) PARTITION BY RANGE (part_key) (
  PARTITION P_2024_01 VALUES LESS THAN (DATE '2024-02-01'),
  PARTITION P_2024_02 VALUES LESS THAN (DATE '2024-03-01'),
  PARTITION P_2024_03 VALUES LESS THAN (DATE '2024-04-01'),
  PARTITION P_2024_04 VALUES LESS THAN (DATE '2024-05-01'),
  PARTITION P_2024_05 VALUES LESS THAN (DATE '2024-06-01'),
  PARTITION P_2024_06 VALUES LESS THAN (DATE '2024-07-01')
)"""
ORDERS_SETUP = (
    "CREATE INDEX HCC_CT_ORDERS_LIX ON HCC_CT_ORDERS (part_key) LOCAL",
    "CREATE UNIQUE INDEX HCC_CT_ORDERS_PK ON HCC_CT_ORDERS (id, part_key) LOCAL",
    "ALTER TABLE HCC_CT_ORDERS ADD CONSTRAINT HCC_CT_ORDERS_PK PRIMARY KEY (id, part_key)"
    " USING INDEX HCC_CT_ORDERS_PK",
    "INSERT INTO HCC_CT_ORDERS SELECT level, DATE '2024-01-01' + MOD(level, 180),"
    " RPAD('x', 60, 'y') FROM dual CONNECT BY level <= 18000",
)
REGION_DDL = """CREATE TABLE HCC_CT_REGION (
  id NUMBER NOT NULL, part_key DATE NOT NULL, region VARCHAR2(10) NOT NULL
) PARTITION BY RANGE (part_key) SUBPARTITION BY LIST (region)
  SUBPARTITION TEMPLATE (
    SUBPARTITION EAST VALUES ('EAST'), SUBPARTITION WEST VALUES ('WEST')
  ) (
  PARTITION P_2024_01 VALUES LESS THAN (DATE '2024-02-01'),
  PARTITION P_2024_02 VALUES LESS THAN (DATE '2024-03-01')
)"""
REGION_SETUP = (
    "INSERT INTO HCC_CT_REGION SELECT level, DATE '2024-01-01' + MOD(level, 59),"
    " CASE MOD(level, 2) WHEN 0 THEN 'EAST' ELSE 'WEST' END FROM dual CONNECT BY level <= 6000",
)
TABLES = ("HCC_CT_ORDERS", "HCC_CT_REGION", "HCC_CT_ORDERS_ARCH_P_2024_01")


def _connect(
    user_env: str = "HCC_ORACLE_TEST_USER", password_env: str = "HCC_ORACLE_TEST_PASSWORD"
):
    import oracledb

    return oracledb.connect(
        user=os.environ.get(user_env),
        password=os.environ.get(password_env),
        dsn=os.environ[DSN_ENV],
    )


def _drop_all(cursor) -> None:
    for table in TABLES:
        cursor.execute(
            f"BEGIN EXECUTE IMMEDIATE 'DROP TABLE {table} PURGE'; "
            "EXCEPTION WHEN OTHERS THEN IF SQLCODE != -942 THEN RAISE; END IF; END;"
        )


class OracleBackend(Backend):
    @contextlib.contextmanager
    def without(self, privilege: str) -> Iterator[Warehouse]:
        """A second account (HCC_ORACLE_TEST_LIMITED_USER) that may read HCC_CT_ORDERS but was
        granted nothing else: Oracle refuses it ``privilege``'s statements."""
        import pytest

        from hcc_operators.core.licences import Licences
        from hcc_operators.warehouse.oracle import OracleWarehouse

        limited = os.environ.get("HCC_ORACLE_TEST_LIMITED_USER")
        if not limited:
            pytest.skip("set HCC_ORACLE_TEST_LIMITED_USER/_PASSWORD (CREATE SESSION only)")
        with _connect() as conn, conn.cursor() as cursor:
            cursor.execute(f"GRANT SELECT ON HCC_CT_ORDERS TO {limited}")
        with OracleWarehouse(
            connection_factory=lambda: _connect(
                "HCC_ORACLE_TEST_LIMITED_USER", "HCC_ORACLE_TEST_LIMITED_PASSWORD"
            ),
            licences=Licences(advanced_compression=True),
        ) as wh:
            yield wh


@contextlib.contextmanager
def oracle() -> Iterator[OracleBackend]:
    from hcc_operators.core.licences import Licences
    from hcc_operators.warehouse.oracle import OracleWarehouse

    with _connect() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT USER, default_tablespace FROM user_users")
        owner, tablespace = cursor.fetchone()
        _drop_all(cursor)
        for statement in (ORDERS_DDL, *ORDERS_SETUP, REGION_DDL, *REGION_SETUP):
            cursor.execute(statement)
        conn.commit()
        cursor.execute(
            "BEGIN DBMS_STATS.GATHER_TABLE_STATS(USER, 'HCC_CT_ORDERS');"
            " DBMS_STATS.GATHER_TABLE_STATS(USER, 'HCC_CT_REGION'); END;"
        )
    # Oracle Free runs on ordinary storage: no tablespace supports HCC (hcc_tablespaces=[]).
    wh = OracleWarehouse(
        connection_factory=_connect,
        licences=Licences(advanced_compression=True),
        hcc_tablespaces=[],
    )
    try:
        yield OracleBackend(
            "oracle",
            wh,
            ObjectRef(owner, "HCC_CT_ORDERS"),
            ObjectRef(owner, "HCC_CT_REGION"),
            plain_tablespace=tablespace,
            hcc_tablespace=None,
        )
    finally:
        wh.close()
        with _connect() as conn, conn.cursor() as cursor:
            _drop_all(cursor)

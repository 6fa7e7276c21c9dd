"""Build the Warehouse behind the `hcc_warehouse` connection (or a DSN given to the CLI).

conn_type `oracle` -> OracleWarehouse through the provider's OracleHook; conn_type `sqlite`
(the default from the Makefile and airflow_settings.yaml) -> the embedded demo warehouse on that
file. Nothing above this module knows which one it got.
"""

from __future__ import annotations

from pathlib import Path

from hcc_operators.core.conn_ids import DEFAULT_CONN_ID
from hcc_operators.core.errors import ConfigError
from hcc_operators.warehouse.base import Warehouse

__all__ = [
    "DEFAULT_CONN_ID",
    "embedded_path_from_uri",
    "embedded_path_of",
    "warehouse_from_conn_id",
    "warehouse_from_dsn",
]


def embedded_path_from_uri(uri: str) -> Path:
    prefix = "sqlite:///"
    if not uri.startswith(prefix) or len(uri) == len(prefix):
        raise ConfigError(f"{uri!r} is not a sqlite:///PATH URI", field="dsn")
    return Path(uri[len(prefix) :])


def warehouse_from_dsn(dsn: str) -> Warehouse:
    """sqlite:///path.db for the embedded warehouse, oracle+oracledb://user:pw@host:port/?service_name=X."""
    if dsn.startswith("sqlite:"):
        from hcc_operators.warehouse.embedded.warehouse import EmbeddedWarehouse

        return EmbeddedWarehouse(embedded_path_from_uri(dsn))
    if dsn.startswith("oracle"):
        from hcc_operators.warehouse.oracle import oracle_warehouse_from_dsn

        return oracle_warehouse_from_dsn(dsn)
    raise ConfigError(
        f"unsupported DSN scheme in {dsn.split(':', 1)[0]!r}; use sqlite:///PATH or oracle://...",
        field="dsn",
    )


def embedded_path_of(conn_id: str) -> Path | None:
    """The SQLite file of an embedded warehouse's connection; None for any other kind."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    if conn.conn_type != "sqlite":
        return None
    path = conn.schema or conn.host
    if not path:
        raise ConfigError(f"connection {conn_id!r} has no SQLite file path", field=conn_id)
    return Path(path)


def warehouse_from_conn_id(conn_id: str = DEFAULT_CONN_ID) -> Warehouse:
    """Resolve an Airflow connection. Imported lazily so core/CLI users need no Airflow setup."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    if conn.conn_type == "oracle":
        from hcc_operators.warehouse.oracle import oracle_warehouse_from_conn_id

        return oracle_warehouse_from_conn_id(conn_id)
    if conn.conn_type == "sqlite":
        path = conn.schema or conn.host
        if not path:
            raise ConfigError(f"connection {conn_id!r} has no SQLite file path", field=conn_id)
        from hcc_operators.core import licences
        from hcc_operators.warehouse.embedded.warehouse import DEMO_LICENCES, EmbeddedWarehouse

        declared = licences.from_extras(conn.extra_dejson, conn_id, default=DEMO_LICENCES)
        return EmbeddedWarehouse(Path(path), licences=declared)
    raise ConfigError(
        f"connection {conn_id!r} has conn_type {conn.conn_type!r}; use 'oracle' for a real "
        "warehouse or 'sqlite' for the embedded demo warehouse",
        field=conn_id,
    )

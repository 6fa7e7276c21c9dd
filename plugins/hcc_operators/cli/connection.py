"""Which warehouse the CLI talks to: --dsn, else the Airflow connection, else HCC_DSN.

The Airflow connection is only looked up when Airflow is evidently set up here (the
connection's environment variable, AIRFLOW_HOME, or ~/airflow/airflow.cfg): importing and
configuring Airflow on a laptop that has none would be slow and fail confusingly.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from hcc_operators.cli.exit_codes import PROBLEM, WAREHOUSE, CliError
from hcc_operators.core.errors import ConfigError, WarehouseError
from hcc_operators.warehouse.base import Warehouse
from hcc_operators.warehouse.factory import (
    DEFAULT_CONN_ID,
    warehouse_from_conn_id,
    warehouse_from_dsn,
)

DSN_ENV = "HCC_DSN"
NO_WAREHOUSE = (
    "no warehouse to connect to: pass --dsn sqlite:///PATH (embedded demo) or "
    "--dsn oracle+oracledb://USER:PASSWORD@HOST:PORT/?service_name=NAME, define the Airflow "
    "connection {conn_id!r}, or set {dsn_env}"
)


def open_warehouse(dsn: str | None, conn_id: str = DEFAULT_CONN_ID) -> Warehouse:
    """``conn_id``: the Airflow connection of the warehouse chosen with --warehouse."""
    if dsn:
        return _from_dsn(dsn, "--dsn")
    if airflow_configured(conn_id):
        found = _from_airflow(conn_id)
        if found is not None:
            return found
    env = os.environ.get(DSN_ENV, "").strip()
    if env:
        return _from_dsn(env, DSN_ENV)
    raise CliError(NO_WAREHOUSE.format(conn_id=conn_id, dsn_env=DSN_ENV), WAREHOUSE)


def airflow_configured(conn_id: str = DEFAULT_CONN_ID) -> bool:
    if os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}") or os.environ.get("AIRFLOW_HOME"):
        return True
    return (Path.home() / "airflow" / "airflow.cfg").is_file()


def _from_airflow(conn_id: str) -> Warehouse | None:
    try:
        return warehouse_from_conn_id(conn_id)
    except ImportError:
        return None
    except ConfigError as err:
        raise CliError(f"Airflow connection {conn_id!r}: {err}", PROBLEM) from None
    except WarehouseError as err:
        raise CliError(f"Airflow connection {conn_id!r}: {err}", WAREHOUSE) from None
    except Exception as err:
        # AirflowNotFoundException without importing Airflow just to name it.
        if type(err).__name__ == "AirflowNotFoundException":
            return None
        raise CliError(
            f"looking up the Airflow connection {conn_id!r} failed: {err}", WAREHOUSE
        ) from None


def _from_dsn(dsn: str, where: str) -> Warehouse:
    try:
        return warehouse_from_dsn(dsn)
    except ConfigError as err:
        raise CliError(f"{where}: {err}", PROBLEM) from None
    except WarehouseError as err:
        raise CliError(f"{where}: {err}", WAREHOUSE) from None


def require_repository(engine: Engine) -> None:
    """The repository tables must exist; the CLI reads them but never creates them."""
    try:
        present = inspect(engine).has_table("hcc_ilm_queue")
    except Exception as err:  # the driver's own message names the connection problem
        raise CliError(f"cannot read the repository: {err}", WAREHOUSE) from None
    if not present:
        raise CliError(
            "the repository tables do not exist on this warehouse yet; run the ILM refresh "
            "and evaluate DAGs (or repository.schema.create_all) first",
            WAREHOUSE,
        )


def airflow_ui_root() -> str:
    """The Airflow UI's address for printed links, when Airflow is set up here; else "" (the
    links are then paths to put after it)."""
    if not airflow_configured():
        return ""
    try:
        from hcc_operators.airflow_urls import api_base_url

        return api_base_url()
    except Exception:  # Airflow missing or misconfigured: paths are still useful
        return ""

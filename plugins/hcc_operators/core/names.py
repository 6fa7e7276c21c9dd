"""Every name the package shares with Airflow or with itself: DAG ids, task ids, pools, assets,
leases and the module a DBA sees in V$SESSION.

DAG files, operators, services, the API (which links to task instances) and the tests all take
their names from here, so a renamed task cannot leave a dashboard link pointing at nothing.
Per-warehouse names (a fleet) add the warehouse as a suffix; the default warehouse keeps the
plain names, so a single-warehouse deployment's DAG ids, pools and history never change.
"""

from __future__ import annotations

import enum
import re

#: The warehouse a deployment has when it lists none (the `hcc_warehouse` connection).
DEFAULT_WAREHOUSE = "default"

_WAREHOUSE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")  # always fullmatch


class Dag(enum.StrEnum):
    ADVISOR = "hcc_advisor"
    COMPRESS = "hcc_compress"
    COMPRESS_ROLLBACK = "hcc_compress_rollback"
    ILM_REFRESH = "hcc_ilm_refresh"
    ILM_EVALUATE = "hcc_ilm_evaluate"
    ILM_EXECUTE = "hcc_ilm_execute"
    ILM_HOUSEKEEPING = "hcc_ilm_housekeeping"


class Task(enum.StrEnum):
    PLAN_ANALYSIS = "plan_analysis"
    ANALYSE_CHUNK = "analyse_chunk"
    FINISH_ANALYSIS = "finish_analysis"
    SELECT_CANDIDATES = "select_candidates"
    COMPRESS_OBJECT = "compress_object"
    SUMMARISE = "summarise"
    ROLLBACK = "rollback"
    PREFLIGHT = "preflight"
    REFRESH = "refresh_partition_access"
    EVALUATE = "evaluate_policies"
    PLAN_BATCH = "plan_batch"
    EXECUTE_ACTION = "execute_action"
    FINISH_BATCH = "finish_batch"
    HOUSEKEEPING = "housekeeping"


#: The mapped task of each DAG that works on one object per map index (UI links need it).
MAPPED_TASK = {
    Dag.ILM_EXECUTE: Task.EXECUTE_ACTION,
    Dag.COMPRESS: Task.COMPRESS_OBJECT,
    Dag.ADVISOR: Task.ANALYSE_CHUNK,
}


#: XCom key under which finish_batch leaves the batch's outcome text for the DAG run's note.
OUTCOME_XCOM = "hcc_outcome"


class Pool(enum.StrEnum):
    DDL = "hcc_oracle_ddl"
    ESTIMATES = "hcc_advisor_estimates"


#: Slots of each pool. The batch planner packs ILM work into ``POOL_SLOTS[Pool.DDL]`` lanes,
#: so the pool Airflow enforces and the lanes the planner assumes come from this one number.
POOL_SLOTS = {Pool.DDL: 4, Pool.ESTIMATES: 2}
POOL_DESCRIPTIONS = {
    Pool.DDL: "Bounds concurrent partition DDL on the warehouse",
    Pool.ESTIMATES: "Bounds concurrent compression estimates",
}


class AssetName(enum.StrEnum):
    PARTITION_ACCESS = "partition_access"
    QUEUE = "queue"


#: Repository leases: one ILM batch at a time per warehouse.
class Lease(enum.StrEnum):
    ILM_EXECUTE = "hcc_ilm_execute"


def check_warehouse(name: str) -> str:
    """A warehouse name usable in DAG ids, pool names and metric labels, or ValueError."""
    if not isinstance(name, str) or not _WAREHOUSE_NAME.fullmatch(name):
        raise ValueError(
            f"warehouse name {name!r} must be 1-40 characters of lower-case letters, digits "
            "and _, starting with a letter"
        )
    return name


def _suffixed(base: str, warehouse: str | None) -> str:
    if warehouse is None or warehouse == DEFAULT_WAREHOUSE:
        return base
    return f"{base}__{check_warehouse(warehouse)}"


def dag_id(dag: Dag, warehouse: str | None = None) -> str:
    """``hcc_ilm_execute`` for the default warehouse, ``hcc_ilm_execute__dw_emea`` otherwise."""
    return _suffixed(Dag(dag).value, warehouse)


def parse_dag_id(text: str) -> tuple[Dag, str] | None:
    """(DAG, warehouse) of one of this package's DAG ids, or None for any other id."""
    base, separator, suffix = text.partition("__")
    try:
        dag = Dag(base)
    except ValueError:
        return None
    if not separator:
        return dag, DEFAULT_WAREHOUSE
    if suffix == DEFAULT_WAREHOUSE:
        return None  # dag_id() never writes the default's suffix: not one of our ids
    try:
        return dag, check_warehouse(suffix)
    except ValueError:
        return None


def pool(kind: Pool, warehouse: str | None = None) -> str:
    return _suffixed(Pool(kind).value, warehouse)


def asset_uri(name: AssetName, warehouse: str | None = None) -> str:
    where = warehouse if warehouse and warehouse != DEFAULT_WAREHOUSE else None
    return f"hcc://ilm/{AssetName(name).value}" + (f"/{check_warehouse(where)}" if where else "")


def lease(kind: Lease, warehouse: str | None = None) -> str:
    return _suffixed(Lease(kind).value, warehouse)


def rollback_run_id(execution_id: int, attempt: int) -> str:
    """The DAG run id of the ``attempt``-th rollback of a compression execution.

    Fixed per attempt so that Airflow itself refuses a second request for the same rollback
    (its run ids are unique per DAG) while the first is queued or running.
    """
    return f"rollback__execution_{execution_id}__attempt_{attempt}"


def session_module(dag: Dag) -> str:
    """DBMS_APPLICATION_INFO module of the work a DAG does (a DBA filters V$SESSION by it)."""
    return Dag(dag).value


#: The DAGs with a schedule: when one is paused (or Airflow lost it), the maintenance it does
#: stops without a failure anywhere, so housekeeping alerts (core.health, dag_not_scheduled).
#: The rollback DAG only runs when triggered.
MAINTENANCE_DAGS = (
    Dag.ADVISOR,
    Dag.COMPRESS,
    Dag.ILM_REFRESH,
    Dag.ILM_EVALUATE,
    Dag.ILM_EXECUTE,
    Dag.ILM_HOUSEKEEPING,
)

#: Airflow Variable: comma-separated addresses the alerts are mailed to (empty: no e-mail).
NOTIFY_EMAIL_VARIABLE = "hcc_notify_email"
#: Airflow connection of the alert webhook: its host is the URL (docs/operations.md, Alerts).
ALERT_WEBHOOK_CONN_ID = "hcc_alert_webhook"

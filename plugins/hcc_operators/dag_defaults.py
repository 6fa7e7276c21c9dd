"""Defaults shared by the package's DAGs (owner, retries, tags), kept out of dags/ on purpose."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from hcc_operators.core.environment import env_int, env_seconds
from hcc_operators.core.names import Pool, pool

if TYPE_CHECKING:
    from hcc_operators.core.fleet import Fleet, WarehouseSpec

OWNER = "data-platform"
#: Bounds of HCC_TASK_RETRIES and HCC_RETRY_DELAY_SECONDS: more retries than this only delay
#: the failure alert, and a first delay over a day outlives the maintenance window.
MAX_RETRIES = 20
MAX_RETRY_DELAY_SECONDS = 86_400
DDL_POOL = pool(Pool.DDL)
ESTIMATE_POOL = pool(Pool.ESTIMATES)

DEFAULT_ARGS = {
    "owner": OWNER,
    # Only transient warehouse errors reach Airflow's retry logic: operators turn permanent
    # ones into AirflowFailException, which skips the remaining retries.
    # Environment variables, not Airflow Variables: DAG files must not touch the DB at parse.
    # A malformed or out-of-range value is an import error naming the variable.
    "retries": env_int("HCC_TASK_RETRIES", 2, minimum=0, maximum=MAX_RETRIES),
    "retry_delay": timedelta(
        seconds=env_seconds(
            "HCC_RETRY_DELAY_SECONDS", 120, minimum=0, maximum=MAX_RETRY_DELAY_SECONDS
        )
    ),
    "retry_exponential_backoff": True,
}


def fleet_at_parse() -> Fleet:
    """The warehouses to generate DAGs for (warehouses.yaml, or the single default one).

    Files only, no database: a DAG file stays cheap to parse with 20 warehouses (bench/).
    An invalid warehouses.yaml is an import error of every DAG file naming file and field.
    """
    from hcc_operators.core.fleet import load_fleet

    return load_fleet()


def task_args(spec: WarehouseSpec) -> dict:
    """The warehouse's name (its configuration files) and connection, as operator arguments.

    Given to ``.partial()`` explicitly: Airflow applies default_args to a mapped operator's
    BaseOperator fields only, not to the operator's own arguments.
    """
    return {"warehouse": spec.name, "conn_id": spec.conn_id}


def warehouse_args(spec: WarehouseSpec) -> dict:
    """default_args of one warehouse's DAGs: every (unmapped) operator gets task_args."""
    return {**DEFAULT_ARGS, **task_args(spec)}


def warehouse_tags(spec: WarehouseSpec, *more: str) -> list[str]:
    """Tags of one warehouse's DAGs: filter the DAG list by `warehouse:NAME` in the UI."""
    return [*TAGS, *more, f"warehouse:{spec.name}"]


def warehouse_doc(spec: WarehouseSpec) -> str:
    """The first line of every DAG's docs: which warehouse, over which connection."""
    about = f": {spec.description}" if spec.description else ""
    return f"**Warehouse `{spec.name}`** (connection `{spec.conn_id}`){about}\n"


def ddl_pool(spec: WarehouseSpec) -> str:
    """The warehouse's own DDL pool: one warehouse's long night never takes another's slots."""
    return pool(Pool.DDL, spec.name)


def estimate_pool(spec: WarehouseSpec) -> str:
    return pool(Pool.ESTIMATES, spec.name)


def check_policies_at_parse(spec: WarehouseSpec | None = None) -> None:
    """Validate policies.yaml while a DAG file that reads it is parsed.

    Chosen over a failing first task: an invalid file becomes an import error of the DAG,
    naming the file, the policy and the field, shown in the Airflow UI one parse interval after
    the edit instead of when the refresh runs at night; and a DAG with an import error is
    neither scheduled nor triggerable, so no run starts on a file its tasks would refuse.
    Validation is the pydantic model only (core/): no database, no strategy imports; about
    50-75 ms in a fresh parse process (importing the action models), 7 ms once imported.
    Whether a CUSTOM policy's strategy exists is checked by `hcc validate` and the tasks.
    """
    if spec is not None:
        spec.policies  # noqa: B018 - reading the property validates (cached per warehouse)
        return
    from hcc_operators.core.policy_config import load_policies

    load_policies()


def failure_callbacks() -> list:
    """on_failure_callback for tasks and DAGs: log, record in hcc_alerts, optional webhook."""
    from hcc_operators.operators.notifier import HccFailureNotifier

    return [HccFailureNotifier()]


DEFAULT_ARGS["on_failure_callback"] = failure_callbacks()
DAG_FAILURE_CALLBACKS = failure_callbacks()

TAGS = ["hcc", "oracle"]


def rewrite_option_params() -> dict:
    """The ``online`` and ``parallel`` Params of the DAGs that rewrite segments: this run's
    overrides of the policies' choices (core/rewrite_options.py)."""
    from airflow.sdk import Param

    from hcc_operators.core.rewrite_options import (
        ONLINE_PARAM_DESCRIPTION,
        PARALLEL_MAX,
        PARALLEL_MIN,
        PARALLEL_PARAM_DESCRIPTION,
        OnlineChoice,
    )

    return {
        "online": Param(
            OnlineChoice.POLICY.value,
            type="string",
            enum=[c.value for c in OnlineChoice],
            description=ONLINE_PARAM_DESCRIPTION,
        ),
        "parallel": Param(
            None,
            type=["null", "integer"],
            minimum=PARALLEL_MIN,
            maximum=PARALLEL_MAX,
            description=PARALLEL_PARAM_DESCRIPTION,
        ),
    }

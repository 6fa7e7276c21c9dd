"""Defaults shared by the package's DAGs (owner, retries, tags), kept out of dags/ on purpose."""

from __future__ import annotations

from datetime import timedelta

from hcc_operators.core.environment import env_int, env_seconds
from hcc_operators.core.names import Pool, pool

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


def check_policies_at_parse() -> None:
    """Validate policies.yaml while a DAG file that reads it is parsed.

    Chosen over a failing first task: an invalid file becomes an import error of the DAG,
    naming the file, the policy and the field, shown in the Airflow UI one parse interval after
    the edit instead of when the refresh runs at night; and a DAG with an import error is
    neither scheduled nor triggerable, so no run starts on a file its tasks would refuse.
    Validation is the pydantic model only (core/): no database, no strategy imports; about
    50-75 ms in a fresh parse process (importing the action models), 7 ms once imported.
    Whether a CUSTOM policy's strategy exists is checked by `hcc validate` and the tasks.
    """
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

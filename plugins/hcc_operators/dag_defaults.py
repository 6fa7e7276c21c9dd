"""Defaults shared by the package's DAGs (owner, retries, tags), kept out of dags/ on purpose."""

from __future__ import annotations

import os
from datetime import timedelta

from hcc_operators.core.names import Pool, pool

OWNER = "data-platform"
DDL_POOL = pool(Pool.DDL)
ESTIMATE_POOL = pool(Pool.ESTIMATES)

DEFAULT_ARGS = {
    "owner": OWNER,
    # Only transient warehouse errors reach Airflow's retry logic: operators turn permanent
    # ones into AirflowFailException, which skips the remaining retries.
    "retries": int(os.environ.get("HCC_TASK_RETRIES", "2")),
    # An environment variable, not an Airflow Variable: DAG files must not touch the DB at parse.
    "retry_delay": timedelta(seconds=float(os.environ.get("HCC_RETRY_DELAY_SECONDS", "120"))),
    "retry_exponential_backoff": True,
}


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

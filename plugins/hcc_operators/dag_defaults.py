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

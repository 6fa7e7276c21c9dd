"""Defaults shared by the package's DAGs (owner, retries, tags), kept out of dags/ on purpose."""

from __future__ import annotations

from datetime import timedelta

OWNER = "data-platform"
DDL_POOL = "hcc_oracle_ddl"
ESTIMATE_POOL = "hcc_advisor_estimates"

DEFAULT_ARGS = {
    "owner": OWNER,
    # Only transient warehouse errors reach Airflow's retry logic: operators turn permanent
    # ones into AirflowFailException, which skips the remaining retries.
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
}

TAGS = ["hcc", "oracle"]

"""ILM stage 2: policies x partitions -> queue, with a reason for every decision."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Asset

from hcc_operators.dag_defaults import DAG_FAILURE_CALLBACKS, DEFAULT_ARGS, TAGS
from hcc_operators.operators.ilm import HccIlmEvaluateOperator

with DAG(
    dag_id="hcc_ilm_evaluate",
    # Runs whenever stage 1 has refreshed the partition access rows.
    schedule=[Asset("hcc://ilm/partition_access")],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    on_failure_callback=DAG_FAILURE_CALLBACKS,
    tags=[*TAGS, "ilm"],
    doc_md="""
### ILM stage 2: evaluate policies
Syncs `include/config/policies.yaml` into the repository (a changed policy gets a new
version), evaluates every enabled policy against every partition of its target tables in one
pass, records a detail row per pair (eligible, or the first reason it is not), enqueues new
eligible pairs once, and cancels PENDING items that are no longer eligible.
""",
) as dag:
    HccIlmEvaluateOperator(task_id="evaluate_policies", outlets=[Asset("hcc://ilm/queue")])

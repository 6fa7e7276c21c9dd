"""ILM stage 2: policies x partitions -> queue, with a reason for every decision."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Asset

from hcc_operators.core.names import AssetName, Dag, Task, asset_uri, dag_id
from hcc_operators.dag_defaults import (
    DAG_FAILURE_CALLBACKS,
    DEFAULT_ARGS,
    TAGS,
    check_policies_at_parse,
)
from hcc_operators.operators.ilm import HccIlmEvaluateOperator

# An invalid policies.yaml is an import error of this DAG (see check_policies_at_parse).
check_policies_at_parse()

with DAG(
    dag_id=dag_id(Dag.ILM_EVALUATE),
    # Runs whenever stage 1 has refreshed the partition access rows.
    schedule=[Asset(asset_uri(AssetName.PARTITION_ACCESS))],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    # Params arrive as their JSON types (core.params parses them strictly).
    render_template_as_native_obj=True,
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
    HccIlmEvaluateOperator(task_id=Task.EVALUATE, outlets=[Asset(asset_uri(AssetName.QUEUE))])

"""ILM stage 2: policies x partitions -> queue, with a reason for every decision."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Asset

from hcc_operators.core.fleet import WarehouseSpec
from hcc_operators.core.names import AssetName, Dag, Task, asset_uri, dag_id
from hcc_operators.dag_defaults import (
    DAG_FAILURE_CALLBACKS,
    check_policies_at_parse,
    fleet_at_parse,
    warehouse_args,
    warehouse_doc,
    warehouse_tags,
)
from hcc_operators.operators.ilm import HccIlmEvaluateOperator


def build(spec: WarehouseSpec) -> DAG:
    """Stage 2 of one warehouse, run when its stage 1 has refreshed the access rows."""
    # An invalid policies.yaml is an import error of this DAG (see check_policies_at_parse).
    check_policies_at_parse(spec)
    with DAG(
        dag_id=dag_id(Dag.ILM_EVALUATE, spec.name),
        # Runs whenever stage 1 has refreshed the partition access rows.
        schedule=[Asset(asset_uri(AssetName.PARTITION_ACCESS, spec.name))],
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        # Params arrive as their JSON types (core.params parses them strictly).
        render_template_as_native_obj=True,
        default_args=warehouse_args(spec),
        on_failure_callback=DAG_FAILURE_CALLBACKS,
        tags=warehouse_tags(spec, "ilm"),
        doc_md=warehouse_doc(spec)
        + """
### ILM stage 2: evaluate policies
Syncs `include/config/policies.yaml` into the repository (a changed policy gets a new
version), evaluates every enabled policy against every partition of its target tables in one
pass, records a detail row per pair (eligible, or the first reason it is not), enqueues new
eligible pairs once, and cancels PENDING items that are no longer eligible.
        """,
    ) as dag:
        HccIlmEvaluateOperator(
            task_id=Task.EVALUATE, outlets=[Asset(asset_uri(AssetName.QUEUE, spec.name))]
        )
        return dag


# One DAG per warehouse of warehouses.yaml, each at module level so Airflow finds it.
for _spec in fleet_at_parse():
    globals()[dag_id(Dag.ILM_EVALUATE, _spec.name)] = build(_spec)

"""ILM stage 3: one batch per maintenance-window slot, one mapped task per partition."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, TriggerRule

from hcc_operators.core.fleet import WarehouseSpec
from hcc_operators.core.names import Dag, Task, dag_id
from hcc_operators.dag_defaults import (
    DAG_FAILURE_CALLBACKS,
    ddl_pool,
    fleet_at_parse,
    rewrite_option_params,
    task_args,
    warehouse_args,
    warehouse_doc,
    warehouse_tags,
)
from hcc_operators.operators.ilm import (
    HccIlmActionOperator,
    HccIlmFinishBatchOperator,
    HccIlmPlanBatchOperator,
)
from hcc_operators.timetables import MaintenanceWindowTimetable


def build(spec: WarehouseSpec) -> DAG:
    """The execute DAG of one warehouse: its windows, its DDL pool, its connection."""
    # policies.yaml is not validated here: an invalid file is an import error of this
    # warehouse's refresh and evaluate DAGs, and plan_batch, the first task of this DAG, fails
    # with the same message before any DDL (fail_fast). Importing the policy models would
    # cost this file about 45 ms of its parse budget with 20 warehouses (BENCHMARKS.md).
    timetable = MaintenanceWindowTimetable(spec.schedule)
    timezone = timetable.config.timezone
    with DAG(
        dag_id=dag_id(Dag.ILM_EXECUTE, spec.name),
        schedule=timetable,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        # Params arrive as their JSON types (core.params parses them strictly).
        render_template_as_native_obj=True,
        default_args=warehouse_args(spec),
        on_failure_callback=DAG_FAILURE_CALLBACKS,
        tags=warehouse_tags(spec, "ilm"),
        params={
            "force": Param(
                False,
                type="boolean",
                description="Emergency run: ignore the window (recorded as forced).",
            ),
            "max_operations": Param(
                None,
                type=["null", "integer"],
                minimum=1,
                maximum=1024,
                description=(
                    "Cap on actions this batch starts (default and maximum 1024, Airflow's "
                    "max_map_length); the window, not a count, sizes a batch."
                ),
            ),
            **rewrite_option_params(),
        },
        doc_md=warehouse_doc(spec)
        + f"""
### ILM stage 3: execute the queue inside the maintenance window
Runs once per slot of the maintenance windows of schedule.yaml, in **{timezone}** wall-clock
time (the schedule's summary names the zone; the Airflow UI shows *Next Run* in its own time
zone, UTC unless you pick another with the clock (+00:00) at the bottom of the navigation bar).
`plan_batch` takes the lease, orders the queue by policy priority, FIFO and fairness, and packs
it into the `{ddl_pool(spec)}` slots up to the window's close, keeping only items whose predicted
duration x `duration_margin` (schedule.yaml) ends before the close; later slot runs top up what
the window has left. `execute_action` is mapped
once per partition (label `OWNER.TABLE:PARTITION -> ACTION`) and bounded by the
`{ddl_pool(spec)}` pool; one action per table runs at a time, and each verifies live state
first, so clearing a task never repeats finished DDL. `finish_batch` records COMPLETED,
INTERRUPTED or FAILED (an item failed) and releases the lease.

`online` and `parallel` override the policies' ONLINE and PARALLEL choices for this run's
rewrites (COMPRESS, MOVE, MERGE); `online: auto` decides from the connection's declared
Advanced Compression Option (docs/oracle.md).

Outside an open window the batch is SKIPPED with a recorded reason (this includes backfill runs
of past windows started while no window is open); `force=true` runs anyway and is recorded.
When another live batch holds the lease, `plan_batch` ends skipped with the reason, and a
forced run fails. What a killed run left RUNNING is recovered from the live dictionary by the
next `plan_batch` (docs/operations.md, "Crash recovery"); `hcc lease status|release`.
        """,
    ) as dag:
        plan = HccIlmPlanBatchOperator(
            task_id=Task.PLAN_BATCH,
            force="{{ params.force }}",
            max_operations="{{ params.max_operations }}",
        )
        actions = HccIlmActionOperator.partial(
            task_id=Task.EXECUTE_ACTION,
            **task_args(spec),
            pool=ddl_pool(spec),
            online="{{ params.online }}",
            parallel="{{ params.parallel }}",
            map_index_template="{{ task.item['label'] }} -> {{ task.item['action'] }}",
        ).expand(item=plan.output)
        finish = HccIlmFinishBatchOperator(
            task_id=Task.FINISH_BATCH,
            batch_id=f"{{{{ ti.xcom_pull(task_ids='{Task.PLAN_BATCH}', key='batch_id') }}}}",
            trigger_rule=TriggerRule.ALL_DONE,
        )
        plan >> actions >> finish
        return dag


# One DAG per warehouse of warehouses.yaml, each at module level so Airflow finds it.
for _spec in fleet_at_parse():
    globals()[dag_id(Dag.ILM_EXECUTE, _spec.name)] = build(_spec)

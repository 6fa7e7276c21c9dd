"""Batch compression of advisor candidates, and rollback of one execution."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, TriggerRule

from hcc_operators.core.fleet import WarehouseSpec
from hcc_operators.core.names import Dag, Task, dag_id
from hcc_operators.core.schedule_config import weekends_only
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
from hcc_operators.operators.compress import (
    HccCompressCandidatesOperator,
    HccCompressObjectOperator,
    HccCompressSummaryOperator,
    HccRollbackOperator,
)
from hcc_operators.timetables import MaintenanceWindowTimetable


def build(spec: WarehouseSpec) -> DAG:
    """Compression of one warehouse's candidates, in its weekend windows."""
    with DAG(
        dag_id=dag_id(Dag.COMPRESS, spec.name),
        # Compression rewrites whole segments: by default only in the long weekend windows.
        schedule=MaintenanceWindowTimetable(weekends_only(spec.schedule)),
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        render_template_as_native_obj=True,
        default_args=warehouse_args(spec),
        on_failure_callback=DAG_FAILURE_CALLBACKS,
        tags=warehouse_tags(spec, "advisor"),
        params={
            "objects": Param(
                [],
                type="array",
                items={"type": "string"},
                description="OWNER.TABLE[:PARTITION] to compress; empty = best "
                "candidates of the current advice.",
            ),
            "min_ratio": Param(
                2.0,
                type="number",
                minimum=1.0,
                description="Only candidates whose expected ratio reaches this.",
            ),
            "max_objects": Param(20, type="integer", minimum=1, maximum=1024),
            "dry_run": Param(
                False, type="boolean", description="Log the exact DDL and change nothing."
            ),
            **rewrite_option_params(),
        },
        doc_md=warehouse_doc(spec)
        + f"""
### Compress advisor candidates
Runs in the weekend maintenance windows of schedule.yaml, in **{spec.schedule.timezone}** wall-clock
time (the Airflow UI shows *Next Run* in its own time zone, UTC unless you pick another with the
clock (+00:00) at the bottom of the navigation bar), and whenever it is triggered.
Takes the current advice (each object's latest analysis) above the ratio threshold, coldest
first, leaving out objects already at or above their recommended level in the live dictionary,
and compresses one object per mapped task (bounded by the `{ddl_pool(spec)}` pool). Each object
is pre-checked (exists, HCC-capable storage, free space for the rewrite), recorded before its
DDL runs, and completed with sizes before/after, row-count reconciliation, ratio achieved and
duration.
`dry_run=true` logs the exact DDL without executing it. `online` (policy = auto here: ONLINE
only where the connection declares the Advanced Compression Option) and `parallel` set how each
segment is rewritten. Roll back with **{dag_id(Dag.COMPRESS_ROLLBACK, spec.name)}**.
        """,
    ) as dag:
        candidates = HccCompressCandidatesOperator(
            task_id=Task.SELECT_CANDIDATES,
            objects="{{ params.objects }}",
            min_ratio="{{ params.min_ratio }}",
            max_objects="{{ params.max_objects }}",
        )
        compress = HccCompressObjectOperator.partial(
            task_id=Task.COMPRESS_OBJECT,
            **task_args(spec),
            pool=ddl_pool(spec),
            dry_run="{{ params.dry_run }}",
            online="{{ params.online }}",
            parallel="{{ params.parallel }}",
            map_index_template="{{ task.item['label'] }} -> {{ task.item['compression'] }}",
        ).expand(item=candidates.output)
        summary = HccCompressSummaryOperator(
            task_id=Task.SUMMARISE, trigger_rule=TriggerRule.ALL_DONE
        )
        candidates >> compress >> summary
        return dag


def build_rollback(spec: WarehouseSpec) -> DAG:
    """Rollback of one execution on one warehouse (triggered from the API or the UI)."""
    with DAG(
        dag_id=dag_id(Dag.COMPRESS_ROLLBACK, spec.name),
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        render_template_as_native_obj=True,
        default_args=warehouse_args(spec),
        on_failure_callback=DAG_FAILURE_CALLBACKS,
        tags=warehouse_tags(spec, "advisor"),
        params={
            # null default: failure callbacks build a context without the run's conf, and a
            # required Param with no default would make them raise; the operator refuses None.
            "execution_id": Param(
                None,
                type=["null", "integer"],
                minimum=1,
                description="hcc_compression_executions.execution_id to undo.",
            ),
        },
        doc_md=warehouse_doc(spec)
        + """
### Roll back one compression execution
Moves the object back to the compression and tablespace it had before, indexes kept usable,
and marks the execution ROLLED_BACK. Refused with the reason when the object no longer exists,
the execution did not succeed, or the object changed since (rolling back would undo later work).
        """,
    ) as dag:
        HccRollbackOperator(task_id=Task.ROLLBACK, execution_id="{{ params.execution_id }}")
        return dag


# Two DAGs per warehouse of warehouses.yaml, each at module level so Airflow finds it.
for _spec in fleet_at_parse():
    globals()[dag_id(Dag.COMPRESS, _spec.name)] = build(_spec)
    globals()[dag_id(Dag.COMPRESS_ROLLBACK, _spec.name)] = build_rollback(_spec)

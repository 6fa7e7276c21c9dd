"""HCC Compression Advisor: measure, score and recommend, nightly or on demand."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, TriggerRule

from hcc_operators.core.fleet import WarehouseSpec
from hcc_operators.core.names import Dag, Task, dag_id
from hcc_operators.dag_defaults import (
    DAG_FAILURE_CALLBACKS,
    estimate_pool,
    fleet_at_parse,
    task_args,
    warehouse_args,
    warehouse_doc,
    warehouse_tags,
)
from hcc_operators.operators.advisor import (
    HccAdvisorAnalyseOperator,
    HccAdvisorFinishOperator,
    HccAdvisorPlanOperator,
)
from hcc_operators.timetables import DailyTimetable


def build(spec: WarehouseSpec) -> DAG:
    """The advisor of one warehouse, daily at its local time, with its advisor.yaml."""
    schedule = spec.schedule
    advisor = spec.advisor
    with DAG(
        dag_id=dag_id(Dag.ADVISOR, spec.name),
        schedule=DailyTimetable(schedule.daily.advisor, schedule.timezone),
        start_date=pendulum.datetime(2026, 1, 1, tz=schedule.timezone),
        catchup=False,
        max_active_runs=1,
        # Params arrive as lists/ints/bools, not their string renderings.
        render_template_as_native_obj=True,
        default_args=warehouse_args(spec),
        on_failure_callback=DAG_FAILURE_CALLBACKS,
        tags=warehouse_tags(spec, "advisor"),
        params={
            "schemas": Param(
                [],
                type="array",
                items={"type": "string"},
                description="Schemas to analyse; empty = all non-Oracle-maintained.",
            ),
            "strategy": Param(
                advisor.defaults.strategy,
                type="string",
                enum=sorted(advisor.strategies),
                description="Named strategy from include/config/advisor.yaml.",
            ),
            "sample_rows": Param(
                None,
                type=["null", "integer"],
                minimum=1000,
                description="Rows sampled per estimate (default: advisor.yaml).",
            ),
            "min_size_mb": Param(
                None,
                type=["null", "number"],
                minimum=0,
                description="Skip objects smaller than this many MiB (1024 x 1024 bytes).",
            ),
            "incremental": Param(
                False, type="boolean", description="Only objects modified or never analysed since."
            ),
            "parallel_degree": Param(
                None,
                type=["null", "integer"],
                minimum=1,
                maximum=1024,
                description="Analyse in this many parallel mapped tasks (overrides chunk_size); "
                "the hcc_advisor_estimates pool still bounds how many run at once.",
            ),
            "chunk_size": Param(
                None,
                type=["null", "integer"],
                minimum=1,
                maximum=10000,
                description="Objects per mapped task (at most 1024 tasks).",
            ),
        },
        doc_md=warehouse_doc(spec)
        + f"""
### HCC Compression Advisor
Runs daily at **{schedule.daily.advisor:%H:%M} {schedule.timezone}** (`daily.advisor` in
schedule.yaml). The Airflow UI shows *Next Run* in its own time zone (UTC unless you pick
another with the clock (+00:00) at the bottom of the navigation bar).

Discovers tables, partitions and subpartitions (temporary, nested and Oracle-maintained objects
excluded), measures the compression ratio of each level (ADVANCED, QUERY LOW/HIGH, ARCHIVE
LOW/HIGH; on Oracle through DBMS_COMPRESSION.GET_COMPRESSION_RATIO), DML and access, scores
hotness and recommends a level per object with its reason. Analysis fans out over
byte-balanced chunks (`analyse_chunk`, bounded by the `{estimate_pool(spec)}` pool). Progress
and time remaining are visible through the API while it runs; one failing object is recorded
with its error and never stops the others.
        """,
    ) as dag:
        plan = HccAdvisorPlanOperator(
            task_id=Task.PLAN_ANALYSIS,
            schemas="{{ params.schemas }}",
            strategy="{{ params.strategy }}",
            sample_rows="{{ params.sample_rows }}",
            min_size_mb="{{ params.min_size_mb }}",
            incremental="{{ params.incremental }}",
            chunk_size="{{ params.chunk_size }}",
            parallel_degree="{{ params.parallel_degree }}",
        )
        analyse = HccAdvisorAnalyseOperator.partial(
            task_id=Task.ANALYSE_CHUNK,
            **task_args(spec),
            pool=estimate_pool(spec),
            map_index_template="chunk {{ task.chunk['chunk'] }}: {{ task.chunk['objects'] | length }}"
            " objects, {{ (task.chunk['bytes'] / 1048576) | round | int }} MiB",
        ).expand(chunk=plan.output)
        finish = HccAdvisorFinishOperator(
            task_id=Task.FINISH_ANALYSIS,
            run_id=f"{{{{ ti.xcom_pull(task_ids='{Task.PLAN_ANALYSIS}', key='advisor_run_id') }}}}",
            trigger_rule=TriggerRule.ALL_DONE,
        )
        plan >> analyse >> finish
        return dag


# One DAG per warehouse of warehouses.yaml, each at module level so Airflow finds it.
for _spec in fleet_at_parse():
    globals()[dag_id(Dag.ADVISOR, _spec.name)] = build(_spec)

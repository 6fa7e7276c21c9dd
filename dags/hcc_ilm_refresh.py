"""ILM stage 1: partition access and temperature, daily in the configured timezone."""

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
from hcc_operators.operators.ilm import HccIlmRefreshOperator
from hcc_operators.operators.preflight import HccPreflightOperator
from hcc_operators.timetables import DailyTimetable


def build(spec: WarehouseSpec) -> DAG:
    """Stage 1 of one warehouse, daily at its local time; its asset triggers its evaluate."""
    schedule = spec.schedule
    partition_access = Asset(asset_uri(AssetName.PARTITION_ACCESS, spec.name))
    # An invalid policies.yaml is an import error of this DAG (see check_policies_at_parse).
    check_policies_at_parse(spec)
    with DAG(
        dag_id=dag_id(Dag.ILM_REFRESH, spec.name),
        schedule=DailyTimetable(schedule.daily.refresh, schedule.timezone),
        start_date=pendulum.datetime(2026, 1, 1, tz=schedule.timezone),
        catchup=False,
        max_active_runs=1,
        # Params arrive as their JSON types (core.params parses them strictly).
        render_template_as_native_obj=True,
        default_args=warehouse_args(spec),
        on_failure_callback=DAG_FAILURE_CALLBACKS,
        tags=warehouse_tags(spec, "ilm"),
        doc_md=warehouse_doc(spec)
        + f"""
### ILM stage 1: refresh partition access
Runs daily at **{schedule.daily.refresh:%H:%M} {schedule.timezone}** (`daily.refresh` in
schedule.yaml). The Airflow UI shows *Next Run* in its own time zone (UTC unless you pick
another with the clock (+00:00) at the bottom of the navigation bar).

`preflight` first checks the service account against what the configuration needs
(privileges and quotas from grants.sql, version, COMPATIBLE, HCC storage, Heat Map, declared
licences; `hcc preflight` shows the same table) and fails the run naming what is missing.
Reads the dictionary once (partitions, sizes, compression, tablespaces, DML, Heat Map/AWR
access) for the tables that ILM policies target, and rebuilds `hcc_partition_access`:
age from each partition's HIGH_VALUE (parsed, never executed), temperature from the policy's
threshold profile (warmed by recent access where Heat Map is available).
Idempotent: re-running or backfilling rebuilds the same rows from the live dictionary.
Its outlet asset triggers **{dag_id(Dag.ILM_EVALUATE, spec.name)}**.
        """,
    ) as dag:
        preflight = HccPreflightOperator(task_id=Task.PREFLIGHT)
        refresh = HccIlmRefreshOperator(task_id=Task.REFRESH, outlets=[partition_access])
        preflight >> refresh
        return dag


# One DAG per warehouse of warehouses.yaml, each at module level so Airflow finds it.
for _spec in fleet_at_parse():
    globals()[dag_id(Dag.ILM_REFRESH, _spec.name)] = build(_spec)

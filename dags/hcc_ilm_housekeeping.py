"""Retention, stuck-item recovery, health checks and alerts."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG

from hcc_operators.core.fleet import WarehouseSpec
from hcc_operators.core.names import Dag, Task, dag_id
from hcc_operators.dag_defaults import (
    DAG_FAILURE_CALLBACKS,
    fleet_at_parse,
    warehouse_args,
    warehouse_doc,
    warehouse_tags,
)
from hcc_operators.operators.housekeeping import HccHousekeepingOperator
from hcc_operators.timetables import DailyTimetable


def build(spec: WarehouseSpec) -> DAG:
    """Housekeeping of one warehouse's repository, at its local time."""
    schedule = spec.schedule
    with DAG(
        dag_id=dag_id(Dag.ILM_HOUSEKEEPING, spec.name),
        schedule=DailyTimetable(schedule.daily.housekeeping, schedule.timezone),
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
### ILM housekeeping
Runs daily at **{schedule.daily.housekeeping:%H:%M} {schedule.timezone}** (`daily.housekeeping`
in schedule.yaml). The Airflow UI shows *Next Run* in its own time zone (UTC unless you pick
another with the clock (+00:00) at the bottom of the navigation bar).

Deletes log, detail and queue rows past their retention, marks RUNNING items whose lease
expired long ago as FAILED with a reason, and runs the health checks (failure rate, backlog,
days without a successful batch, full tablespaces with failures, paused maintenance DAGs,
slower executions). Alerts are de-duplicated and sent by e-mail (Variable `hcc_notify_email`,
connection `smtp_default`) and to the webhook connection `hcc_alert_webhook` when configured;
see docs/operations.md, Alerts.
        """,
    ) as dag:
        HccHousekeepingOperator(task_id=Task.HOUSEKEEPING)
        return dag


# One DAG per warehouse of warehouses.yaml, each at module level so Airflow finds it.
for _spec in fleet_at_parse():
    globals()[dag_id(Dag.ILM_HOUSEKEEPING, _spec.name)] = build(_spec)

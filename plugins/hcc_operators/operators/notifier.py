"""Failure notifications for the package's tasks and DAG runs.

Always logs (so the alert is in the task log and the scheduler log), then hands the alert to
the same delivery as housekeeping's health alerts (services/alert_delivery.py): recorded in
hcc_alerts, de-duplicated within housekeeping.yaml's ``health.dedupe_minutes``, and sent to
the channels configured in Airflow (operators/alert_channels.py: e-mail through the SMTP
provider's notifier, the webhook connection). When the repository cannot be reached (often
the very failure being reported), the alert is still sent, without de-duplication.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import BaseNotifier

from hcc_operators import clock
from hcc_operators.core.names import parse_dag_id

# Every DAG attaches this notifier at parse time; what it needs to send an alert (the
# repository tables, SQLAlchemy, the warehouse, the SMTP provider) is imported in notify(), when
# a task or DAG run has failed, so that defining a DAG stays cheap.


def failure_of(context):
    """The core.health failure alert for a failed task instance or DAG run."""
    from hcc_operators.core.health import failure_alert

    ti = context.get("ti") or context.get("task_instance")
    error = context.get("exception") or context.get("reason") or "see the task log"
    task_id = getattr(ti, "task_id", None) if ti is not None else None
    return failure_alert(
        context["dag"].dag_id,
        task_id,
        getattr(ti, "map_index", None),
        context.get("run_id", ""),
        error,
    )


class HccFailureNotifier(BaseNotifier):
    """``conn_id`` None: the connection of the failed DAG's warehouse, read from its DAG id
    (core.names suffixes every DAG of a fleet member), so one notifier serves every DAG."""

    def __init__(self, *, conn_id: str | None = None):
        super().__init__()
        self.conn_id = conn_id

    def notify(self, context) -> None:
        from hcc_operators.operators.alert_channels import configured_channels

        alert = failure_of(context)
        self.log.error("HCC ALERT [%s] %s", alert.severity, alert.message)
        where = context["dag"].dag_id
        try:
            channels = configured_channels(where=where)
        except Exception as err:  # a notifier must never mask the failure it reports
            self.log.warning("could not read the alert channels: %s", err)
            channels = []
        try:
            report = self._deliver(alert, channels, where)
        except Exception as err:
            self.log.warning("could not record the alert in the repository: %s", err)
            self._send_unrecorded(alert, channels, where)
            return
        if report.errors:
            self.log.warning("alert delivery: %s", "; ".join(report.errors))

    def _deliver(self, alert, channels, where):
        from hcc_operators.core.fleet import load_warehouse
        from hcc_operators.repository.schema import create_all
        from hcc_operators.services.alert_delivery import deliver
        from hcc_operators.warehouse.factory import warehouse_from_conn_id

        parsed = parse_dag_id(where)
        spec = load_warehouse(parsed[1] if parsed else None)
        quiet = timedelta(minutes=spec.housekeeping.health.dedupe_minutes)
        warehouse = warehouse_from_conn_id(self.conn_id or spec.conn_id)
        try:
            engine = warehouse.repository_engine()
            create_all(engine)
            return deliver(engine, [alert], channels, now=clock.now(), quiet=quiet, where=where)
        finally:
            warehouse.close()

    def _send_unrecorded(self, alert, channels, where) -> None:
        from hcc_operators.core.alerts import subject_line

        for channel in channels:
            try:
                channel.send(subject_line([alert], where), [alert])
            except Exception as err:
                self.log.warning("alert channel %s failed: %s", channel.name, err)

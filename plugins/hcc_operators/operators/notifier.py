"""Failure notifications for the package's tasks and DAG runs.

Always logs (so the alert is in the task log and the scheduler log) and records the alert in
hcc_alerts, where the dashboard and /metrics see it; posts to a webhook when
HCC_ALERT_WEBHOOK_URL is set (Slack/Teams-style incoming webhooks accept {"text": ...}).
For e-mail, add the smtp provider's SmtpNotifier next to this one in the DAG's callbacks.
"""

from __future__ import annotations

import os

from airflow.sdk import BaseNotifier

from hcc_operators import clock
from hcc_operators.operators.base import DEFAULT_CONN_ID

# Every DAG attaches this notifier at parse time; what it needs to send an alert (the
# repository tables, SQLAlchemy, the warehouse, httpx) is imported in notify(), when a task or
# DAG run has failed, so that defining a DAG stays cheap.


def failure_text(context) -> tuple[str, str]:
    """(de-duplication key, message) for a failed task instance or DAG run."""
    dag_id = context["dag"].dag_id
    run_id = context.get("run_id", "")
    ti = context.get("ti") or context.get("task_instance")
    error = context.get("exception") or context.get("reason") or "see the task log"
    if ti is not None and getattr(ti, "task_id", None):
        where = ti.task_id + (f"[{ti.map_index}]" if getattr(ti, "map_index", -1) >= 0 else "")
        return (
            f"task_failed:{dag_id}.{where}",
            f"{dag_id}.{where} failed in run {run_id}: {error}",
        )
    return f"dag_failed:{dag_id}", f"DAG {dag_id} run {run_id} failed: {error}"


class HccFailureNotifier(BaseNotifier):
    def __init__(self, *, conn_id: str = DEFAULT_CONN_ID, webhook_url: str | None = None):
        super().__init__()
        self.conn_id = conn_id
        self.webhook_url = webhook_url

    def notify(self, context) -> None:
        key, message = failure_text(context)
        self.log.error("HCC ALERT [CRITICAL] %s", message)
        try:
            self._record(key, message)
        except Exception as err:  # a notifier must never mask the failure it reports
            self.log.warning("could not record the alert in the repository: %s", err)
        url = self.webhook_url or os.environ.get("HCC_ALERT_WEBHOOK_URL")
        if url:
            import httpx

            try:
                httpx.post(url, json={"text": message}, timeout=10).raise_for_status()
            except httpx.HTTPError as err:
                self.log.warning("alert webhook %s failed: %s", url, err)

    def _record(self, key: str, message: str) -> None:
        from sqlalchemy import insert

        from hcc_operators.repository.schema import create_all
        from hcc_operators.repository.tables import alerts
        from hcc_operators.warehouse.factory import warehouse_from_conn_id

        warehouse = warehouse_from_conn_id(self.conn_id)
        try:
            engine = warehouse.repository_engine()
            create_all(engine)
            with engine.begin() as conn:
                conn.execute(
                    insert(alerts).values(
                        alert_key=key[:250],
                        severity="CRITICAL",
                        message=message,
                        raised_at=clock.now(),
                    )
                )
        finally:
            warehouse.close()

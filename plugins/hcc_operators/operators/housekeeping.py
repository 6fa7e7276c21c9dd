"""Housekeeping operator: retention, recovery of what dead runs left RUNNING, health checks
and alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hcc_operators import clock
from hcc_operators.operators.base import HccBaseOperator
from hcc_operators.operators.run_state import dag_run_alive, execute_run_alive

if TYPE_CHECKING:
    from hcc_operators.core.health import Alert


class HccHousekeepingOperator(HccBaseOperator):
    def execute(self, context) -> dict[str, Any]:
        # Imported here: defining the DAG must not load the services (SQLAlchemy).
        from hcc_operators.core.housekeeping_config import load_housekeeping
        from hcc_operators.services.housekeeping import run_housekeeping

        config = load_housekeeping()

        def notify(alert: Alert) -> None:
            log = self.log.warning if alert.severity != "INFO" else self.log.info
            log("HCC ALERT [%s] %s: %s", alert.severity, alert.key, alert.message)

        with self.warehouse() as wh:
            engine = wh.repository_engine()
            with self.recorded_run(context, engine):
                result = run_housekeeping(
                    engine,
                    config,
                    now=clock.now(),
                    notify=notify,
                    warehouse=wh,
                    run_alive=execute_run_alive(context),
                    dag_run_alive=dag_run_alive(context),
                )
                self.record_finish(
                    context,
                    engine,
                    summary=result,
                    actions_done=sum(result["purged"].values())
                    + len(result["recovered"].get("items", [])),
                )
        self.log.info("housekeeping: %s", result)
        return result

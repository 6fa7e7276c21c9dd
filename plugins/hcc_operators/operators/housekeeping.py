"""Housekeeping operator: retention, stuck items, health checks and alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hcc_operators import clock
from hcc_operators.operators.base import HccBaseOperator

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
            self.record_start(context, engine)
            result = run_housekeeping(engine, config, now=clock.now(), notify=notify)
            self.record_finish(
                context,
                engine,
                summary=result,
                actions_done=sum(result["purged"].values()) + result["stuck_marked_failed"],
            )
        self.log.info("housekeeping: %s", result)
        return result

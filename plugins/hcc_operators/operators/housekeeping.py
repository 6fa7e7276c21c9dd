"""Housekeeping operator: retention, stuck items, health checks and alerts."""

from __future__ import annotations

from typing import Any

from hcc_operators import clock
from hcc_operators.core.health import Alert
from hcc_operators.core.housekeeping_config import load_housekeeping
from hcc_operators.operators.base import HccBaseOperator
from hcc_operators.services.housekeeping import run_housekeeping


class HccHousekeepingOperator(HccBaseOperator):
    def execute(self, context) -> dict[str, Any]:
        config = load_housekeeping()

        def notify(alert: Alert) -> None:
            log = self.log.warning if alert.severity != "INFO" else self.log.info
            log("HCC ALERT [%s] %s: %s", alert.severity, alert.key, alert.message)

        with self.warehouse() as wh:
            result = run_housekeeping(
                wh.repository_engine(), config, now=clock.now(), notify=notify
            )
        self.log.info("housekeeping: %s", result)
        return result

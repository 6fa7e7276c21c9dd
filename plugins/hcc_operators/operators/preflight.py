"""The pre-flight as a task: the first task of hcc_ilm_refresh, so a missing grant, quota or
an unsupported database is named before the night's work, not by the first DDL that fails."""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from hcc_operators.operators.base import HccBaseOperator, fail_fast


class HccPreflightOperator(HccBaseOperator):
    """Fails (without retries) when a check FAILs; warnings go to the task log."""

    def execute(self, context) -> dict[str, Any]:
        from hcc_operators.core.preflight import Status
        from hcc_operators.services.preflight import run_preflight

        spec = self.spec()
        with fail_fast():
            policies = spec.policies
            advisor = spec.advisor
        with self.warehouse(repository=False) as wh:
            report = run_preflight(wh, policies, advisor)
        simulated = " (simulated values)" if report.facts.simulated else ""
        self.log.info("pre-flight of %s%s: %s", report.facts.user, simulated, report.worst.value)
        for check in report.checks:
            line = f"{check.status.value:4} {check.area}: {check.name}: {check.detail}"
            if check.remedy:
                line += f" -> {check.remedy}"
            if check.status is Status.OK:
                self.log.info(line)
            else:
                self.log.warning(line)
        failed = [c for c in report.checks if c.status is Status.FAIL]
        if failed:
            raise AirflowFailException(
                f"pre-flight failed ({len(failed)} check(s)): "
                + "; ".join(f"{c.name}: {c.detail} -> {c.remedy}" for c in failed)
            )
        return {
            "status": report.worst.value,
            "warnings": [f"{c.name}: {c.detail}" for c in report.checks if c.status is Status.WARN],
            "simulated": report.facts.simulated,
        }

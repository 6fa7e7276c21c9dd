"""Housekeeping operator: retention, recovery of what dead runs left RUNNING, health checks
and the delivery of their alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hcc_operators import clock
from hcc_operators.operators.base import HccBaseOperator
from hcc_operators.operators.run_state import dag_run_alive, execute_run_alive

if TYPE_CHECKING:
    from hcc_operators.core.health import DagState


def maintenance_dag_ids(own_dag_id: str) -> list[str]:
    """The scheduled DAGs of the warehouse this housekeeping DAG belongs to (a fleet suffixes
    every DAG id with its warehouse, core.names)."""
    from hcc_operators.core.names import DEFAULT_WAREHOUSE, MAINTENANCE_DAGS, dag_id, parse_dag_id

    parsed = parse_dag_id(own_dag_id)
    warehouse = parsed[1] if parsed else DEFAULT_WAREHOUSE
    return [dag_id(d, warehouse) for d in MAINTENANCE_DAGS]


def read_dag_states(ti, dag_ids: list[str]) -> list[DagState]:
    """Each DAG's state as Airflow's execution API reports it to a running task
    (``ti.get_dag``): paused, active, or not found (removed, or its file fails to import)."""
    from hcc_operators.core.health import DagState, DagStatus

    states = []
    for name in dag_ids:
        try:
            found = ti.get_dag(name)
        except Exception as err:
            error = getattr(err, "error", None)  # AirflowRuntimeError carries the API's answer
            detail = str(getattr(error, "detail", None) or err)
            if "not found" in detail.lower() or "not_found" in detail.lower():
                states.append(DagState(name, DagStatus.MISSING, detail))
            else:
                states.append(DagState(name, DagStatus.UNKNOWN, detail))
            continue
        status = DagStatus.PAUSED if found.is_paused else DagStatus.ACTIVE
        states.append(DagState(name, status))
    return states


class HccHousekeepingOperator(HccBaseOperator):
    def execute(self, context) -> dict[str, Any]:
        # Imported here: defining the DAG must not load the services (SQLAlchemy).
        from hcc_operators.operators.alert_channels import configured_channels
        from hcc_operators.services.housekeeping import run_housekeeping

        config = self.spec().housekeeping
        own = context["dag"].dag_id
        ti = context["ti"]
        channels = configured_channels(where=own)
        self.log.info("alert channels: %s", [c.name for c in channels] or "none (log only)")

        with self.warehouse() as wh:
            engine = wh.repository_engine()
            with self.recorded_run(context, engine):
                result = run_housekeeping(
                    engine,
                    config,
                    now=clock.now(),
                    channels=channels,
                    where=own,
                    read_tablespaces=wh.tablespaces,
                    read_dags=lambda: read_dag_states(ti, maintenance_dag_ids(own)),
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
        suppressed = set(result["delivery"]["suppressed"])
        for alert in result["alerts"]:
            # Severity first, as the failure notifier logs it: one grep finds every alert.
            self.log.warning(
                "HCC ALERT [%s] %s%s",
                alert["severity"],
                alert["message"],
                " (suppressed: sent within the quiet period)" if alert["key"] in suppressed else "",
            )
        if result["delivery"]["errors"]:
            self.log.warning("alert delivery: %s", "; ".join(result["delivery"]["errors"]))
        self.log.info("housekeeping: %s", result)
        return result

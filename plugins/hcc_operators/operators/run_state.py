"""Whether another DAG run is still running, asked of Airflow from inside a task.

Recovery and the lease takeover (services/recovery.py, services/ilm_plan.py) take these as
injected predicates, so the services stay free of Airflow. The answer comes from Airflow's
own record of the run (the Task SDK asks the API server): True while it is queued or running,
False once it has ended (success or failed), None when Airflow cannot say (a run of another
deployment sharing the repository, the API server unreachable). None never counts as dead:
only a run Airflow itself says has ended loses its lease or its RUNNING items early.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from hcc_operators.core.names import Dag, dag_id, parse_dag_id

log = logging.getLogger(__name__)

ALIVE = frozenset({"queued", "running"})
ENDED = frozenset({"success", "failed"})


def dag_run_alive(context: Any) -> Callable[[str, str], bool | None]:
    """(dag_id, run_id) -> alive? for any DAG run, through the task instance's API access."""
    ti = context["ti"]

    def alive(dag: str, run_id: str) -> bool | None:
        try:
            state = ti.get_dagrun_state(dag_id=dag, run_id=run_id)
        except Exception as err:  # not found, API unreachable: Airflow cannot say
            log.info("state of run %s of %s unknown (%s); treated as alive", run_id, dag, err)
            return None
        text = str(getattr(state, "value", state) or "").lower()
        if text in ALIVE:
            return True
        if text in ENDED:
            return False
        return None

    return alive


def execute_run_alive(context: Any) -> Callable[[str], bool | None]:
    """run_id -> alive? for runs of this warehouse's hcc_ilm_execute DAG (lease holders and
    the runs of item leases are its run ids)."""
    parsed = parse_dag_id(context["dag"].dag_id)
    warehouse = parsed[1] if parsed else None
    execute = dag_id(Dag.ILM_EXECUTE, warehouse)
    ask = dag_run_alive(context)
    return lambda run_id: ask(execute, run_id)

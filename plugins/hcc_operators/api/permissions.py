"""Who may change the ILM queue: asked of Airflow's own auth manager.

Starting a DAG run is authorised by Airflow itself when the console forwards the caller's token.
A queue change is written here, not in Airflow, so the console asks the auth manager the
question Airflow would ask for the nearest thing it governs: may this user edit task instances
of the selected warehouse's ILM execute DAG (``hcc_ilm_execute``, ``hcc_ilm_execute__dw_amer``:
what clearing or marking a partition's task needs)? A viewer, or the read-only user Prometheus
scrapes with, gets 403. Access to one warehouse's DAGs grants nothing on another's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, HTTPException, status

from hcc_operators.api.auth import Caller, CallerDep
from hcc_operators.api.dependencies import WarehouseDep
from hcc_operators.core.names import Dag, dag_id

QueueEditorCheck = Callable[[Any], bool]


def airflow_may_edit_queue(user: Any, execute_dag: str = dag_id(Dag.ILM_EXECUTE)) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import (
        DagAccessEntity,
        DagDetails,
    )

    return get_auth_manager().is_authorized_dag(
        method="PUT",
        access_entity=DagAccessEntity.TASK_INSTANCE,
        details=DagDetails(id=execute_dag),
        user=user,
    )


def get_queue_editor_check(spec: WarehouseDep) -> QueueEditorCheck:
    """Dependency so tests can stand in for the auth manager when no Airflow is set up: the
    question asked about the selected warehouse's execute DAG."""
    return partial(airflow_may_edit_queue, execute_dag=dag_id(Dag.ILM_EXECUTE, spec.name))


def require_queue_editor(
    caller: CallerDep,
    spec: WarehouseDep,
    may_edit: Annotated[QueueEditorCheck, Depends(get_queue_editor_check)],
) -> Caller:
    if not may_edit(caller.user):
        execute_dag = dag_id(Dag.ILM_EXECUTE, spec.name)
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{caller.name} may not change the ILM queue of warehouse {spec.name!r}: it takes "
            f"permission to edit task instances of the DAG {execute_dag}",
        )
    return caller


QueueEditorDep = Annotated[Caller, Depends(require_queue_editor)]

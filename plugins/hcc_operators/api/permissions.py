"""Who may change the ILM queue: asked of Airflow's own auth manager.

Starting a DAG run is authorised by Airflow itself when the console forwards the caller's token.
A queue change is written here, not in Airflow, so the console asks the auth manager the
question Airflow would ask for the nearest thing it governs: may this user edit task instances
of hcc_ilm_execute (what clearing or marking a partition's task needs)? A viewer, or the
read-only user Prometheus scrapes with, gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, status

from hcc_operators.api.auth import Caller, CallerDep
from hcc_operators.core.names import Dag, dag_id

EXECUTE_DAG = dag_id(Dag.ILM_EXECUTE)

QueueEditorCheck = Callable[[Any], bool]


def airflow_may_edit_queue(user: Any) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import (
        DagAccessEntity,
        DagDetails,
    )

    return get_auth_manager().is_authorized_dag(
        method="PUT",
        access_entity=DagAccessEntity.TASK_INSTANCE,
        details=DagDetails(id=EXECUTE_DAG),
        user=user,
    )


def get_queue_editor_check() -> QueueEditorCheck:
    """Dependency so tests can stand in for the auth manager when no Airflow is set up."""
    return airflow_may_edit_queue


def require_queue_editor(
    caller: CallerDep, may_edit: Annotated[QueueEditorCheck, Depends(get_queue_editor_check)]
) -> Caller:
    if not may_edit(caller.user):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{caller.name} may not change the ILM queue: it takes permission to edit task "
            f"instances of the DAG {EXECUTE_DAG}",
        )
    return caller


QueueEditorDep = Annotated[Caller, Depends(require_queue_editor)]

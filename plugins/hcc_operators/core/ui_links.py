"""Paths of the Airflow UI pages the package links to: the one link builder of the dashboard,
the REST API and the CLI.

The routes are those of Airflow 3.3's React UI (its router: ``dags/:dagId``,
``dags/:dagId/runs/:runId``, ``.../tasks/:taskId`` and, for one instance of a mapped task,
``.../tasks/:taskId/mapped/:mapIndex``, and ``.../tasks/:taskId/mapped`` for the list of a
mapped task's instances). ``?map_index=N`` is not read by the UI, and a mapped task's page
without ``/mapped`` looks for map index -1: both answer "No Task Instance found". The paths
are root-relative: callers put the UI's root (``[api] base_url``) in front.
"""

from __future__ import annotations

from urllib.parse import quote

from hcc_operators.core.names import MAPPED_TASK, Dag, Task, dag_id

#: Tasks of the package that are mapped (one instance per object).
MAPPED_TASKS = frozenset(task.value for task in MAPPED_TASK.values())

#: The DAG and task that write a compression execution row, by its operation.
COMPRESSION_TASKS = {
    "COMPRESS": (Dag.COMPRESS, Task.COMPRESS_OBJECT),
    "ROLLBACK": (Dag.COMPRESS_ROLLBACK, Task.ROLLBACK),
}


def _part(text: str) -> str:
    # Run ids hold ':' and '+' (manual__2026-03-10T22:00:00+00:00): encode everything.
    return quote(text, safe="")


def dag_path(dag: str) -> str:
    return f"/dags/{_part(dag)}"


def dag_run_path(dag: str, dag_run_id: str) -> str:
    return f"{dag_path(dag)}/runs/{_part(dag_run_id)}"


def task_instance_path(dag: str, dag_run_id: str, task_id: str, map_index: int | None) -> str:
    """One task instance: ``.../mapped/N`` for an instance of a mapped task, the task itself
    for an unmapped one. A mapped task whose index is unknown (a row written before it was
    recorded) gets ``.../mapped``, the list of its instances: without ``/mapped`` the UI looks
    for map index -1 and finds nothing."""
    path = f"{dag_run_path(dag, dag_run_id)}/tasks/{_part(task_id)}"
    if map_index is not None and map_index >= 0:
        return f"{path}/mapped/{int(map_index)}"
    return f"{path}/mapped" if task_id in MAPPED_TASKS else path


def ilm_action_path(dag_run_id: str, map_index: int | None, warehouse: str | None = None) -> str:
    """The execute_action instance of an ILM execution log row of ``warehouse``'s DAG."""
    return task_instance_path(
        dag_id(Dag.ILM_EXECUTE, warehouse), dag_run_id, Task.EXECUTE_ACTION.value, map_index
    )


def compression_task(operation: str, warehouse: str | None = None) -> tuple[str, str]:
    """(DAG id, task id) that records a compression execution of ``operation``."""
    dag, task = COMPRESSION_TASKS.get(operation, COMPRESSION_TASKS["COMPRESS"])
    return dag_id(dag, warehouse), task.value


def compression_path(
    operation: str, dag_run_id: str, map_index: int | None, warehouse: str | None = None
) -> str:
    """The task instance that ran a compression execution (mapped compress_object, or the
    rollback task)."""
    dag, task = compression_task(operation, warehouse)
    return task_instance_path(dag, dag_run_id, task, map_index)


def work_dag(source: str, operation: str, warehouse: str | None = None) -> str:
    """The DAG id that ran a piece of work: ``source`` "ilm" (an execution log row) or
    "compression" (a compression execution of ``operation``), of ``warehouse`` (a fleet
    suffixes every DAG id with its warehouse; None or `default`: the plain ids)."""
    if source == "ilm":
        return dag_id(Dag.ILM_EXECUTE, warehouse)
    return compression_task(operation, warehouse)[0]


def work_path(
    source: str,
    operation: str,
    dag_run_id: str,
    map_index: int | None,
    warehouse: str | None = None,
) -> str:
    """The task instance that ran a piece of work (see ``work_dag``)."""
    if source == "ilm":
        return ilm_action_path(dag_run_id, map_index, warehouse)
    return compression_path(operation, dag_run_id, map_index, warehouse)

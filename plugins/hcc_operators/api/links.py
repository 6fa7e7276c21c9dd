"""DAG ids and Airflow UI links of one warehouse, for the API's answers.

Each warehouse runs its own DAGs (``hcc_ilm_execute`` for the default warehouse,
``hcc_ilm_execute__dw_amer`` for dw_amer: core.names.dag_id), so a link to the run or task
instance that did some work must name the DAG of the warehouse whose repository recorded it.
The paths themselves come from core.ui_links (one builder for the dashboard, the API and the
CLI); only the DAG id is chosen here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from hcc_operators.api.airflow_client import AirflowClientDep
from hcc_operators.api.dependencies import WarehouseDep
from hcc_operators.core.names import DEFAULT_WAREHOUSE, Dag, Task, dag_id
from hcc_operators.core.ui_links import (
    COMPRESSION_TASKS,
    dag_path,
    dag_run_path,
    task_instance_path,
)


@dataclass(frozen=True)
class Links:
    """``ui_url`` puts the Airflow UI's root in front of a root-relative path."""

    ui_url: Callable[[str], str]
    warehouse: str = DEFAULT_WAREHOUSE

    def dag_id(self, dag: Dag) -> str:
        return dag_id(dag, self.warehouse)

    def dag(self, dag: Dag) -> str:
        return self.ui_url(dag_path(self.dag_id(dag)))

    def dag_run(self, dag: Dag, dag_run_id: str | None) -> str | None:
        if not dag_run_id:
            return None
        return self.ui_url(dag_run_path(self.dag_id(dag), dag_run_id))

    def ilm_action(self, dag_run_id: str | None, map_index: int | None) -> str | None:
        """The execute_action instance of an ILM execution log row."""
        if not dag_run_id:
            return None
        return self.ui_url(
            task_instance_path(
                self.dag_id(Dag.ILM_EXECUTE), dag_run_id, Task.EXECUTE_ACTION.value, map_index
            )
        )

    def compression_dag(self, operation: str) -> str:
        """The DAG that records a compression execution of ``operation``."""
        dag, _ = COMPRESSION_TASKS.get(operation, COMPRESSION_TASKS["COMPRESS"])
        return self.dag_id(dag)

    def compression(
        self, operation: str, dag_run_id: str | None, map_index: int | None
    ) -> str | None:
        """The task instance that ran a compression execution (mapped compress_object, or
        the rollback task)."""
        if not dag_run_id:
            return None
        dag, task = COMPRESSION_TASKS.get(operation, COMPRESSION_TASKS["COMPRESS"])
        return self.ui_url(task_instance_path(self.dag_id(dag), dag_run_id, task.value, map_index))

    def work_dag(self, source: str, operation: str) -> str:
        """The DAG that ran a piece of work: ``source`` "ilm" or "compression"."""
        if source == "ilm":
            return self.dag_id(Dag.ILM_EXECUTE)
        return self.compression_dag(operation)

    def work(
        self, source: str, operation: str, dag_run_id: str | None, map_index: int | None
    ) -> str | None:
        if source == "ilm":
            return self.ilm_action(dag_run_id, map_index)
        return self.compression(operation, dag_run_id, map_index)


def get_links(spec: WarehouseDep, client: AirflowClientDep) -> Links:
    """The links of the warehouse the request selected, rooted where the Airflow UI is."""
    return Links(client.ui_url, spec.name)


LinksDep = Annotated[Links, Depends(get_links)]

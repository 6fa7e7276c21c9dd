"""DAG ids and Airflow UI links of one warehouse, for the API's answers.

Each warehouse runs its own DAGs (``hcc_ilm_execute`` for the default warehouse,
``hcc_ilm_execute__dw_amer`` for dw_amer: core.names.dag_id), so a link to the run or task
instance that did some work must name the DAG of the warehouse whose repository recorded it.
The paths and DAG ids come from core.ui_links (one builder for the dashboard, the API and the
CLI, each taking the warehouse); this binds them to the request's warehouse and UI root.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from hcc_operators.api.airflow_client import AirflowClientDep
from hcc_operators.api.dependencies import WarehouseDep
from hcc_operators.core import ui_links
from hcc_operators.core.names import DEFAULT_WAREHOUSE, Dag, dag_id
from hcc_operators.core.ui_links import dag_path, dag_run_path


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
        return self.ui_url(ui_links.ilm_action_path(dag_run_id, map_index, self.warehouse))

    def compression_dag(self, operation: str) -> str:
        """The DAG that records a compression execution of ``operation``."""
        return ui_links.compression_task(operation, self.warehouse)[0]

    def compression(
        self, operation: str, dag_run_id: str | None, map_index: int | None
    ) -> str | None:
        """The task instance that ran a compression execution (mapped compress_object, or
        the rollback task)."""
        if not dag_run_id:
            return None
        return self.ui_url(
            ui_links.compression_path(operation, dag_run_id, map_index, self.warehouse)
        )

    def work_dag(self, source: str, operation: str) -> str:
        """The DAG that ran a piece of work: ``source`` "ilm" or "compression"."""
        return ui_links.work_dag(source, operation, self.warehouse)

    def work(
        self, source: str, operation: str, dag_run_id: str | None, map_index: int | None
    ) -> str | None:
        if not dag_run_id:
            return None
        return self.ui_url(
            ui_links.work_path(source, operation, dag_run_id, map_index, self.warehouse)
        )


def get_links(spec: WarehouseDep, client: AirflowClientDep) -> Links:
    """The links of the warehouse the request selected, rooted where the Airflow UI is."""
    return Links(client.ui_url, spec.name)


LinksDep = Annotated[Links, Depends(get_links)]

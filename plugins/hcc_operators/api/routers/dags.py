"""Whether the package's DAGs are paused, and unpausing one, through Airflow as the caller.

Airflow creates DAGs paused, and a run started on a paused DAG waits in the queue without a
word. The dashboard asks here before it starts work, and offers to unpause; both calls go to
Airflow's REST API with the caller's own token, so Airflow decides whether this user may read
or edit the DAG and records who unpaused it. Only this package's DAG ids are accepted: the
console is not a general proxy to Airflow.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import AfterValidator

from hcc_operators.api.airflow_client import AirflowClientDep
from hcc_operators.api.auth import CallerDep, require_user
from hcc_operators.api.models import DagStateOut
from hcc_operators.core.names import parse_dag_id


def _package_dag(value: str) -> str:
    if parse_dag_id(value) is None:
        raise ValueError(f"{value!r} is not a DAG of this package")
    return value


PackageDagId = Annotated[
    str, Path(max_length=250, description="One of the hcc_* DAG ids"), AfterValidator(_package_dag)
]

router = APIRouter(prefix="/dags", tags=["dags"], dependencies=[Depends(require_user)])


@router.get("/{dag_id}", response_model=DagStateOut)
async def dag_state(dag_id: PackageDagId, caller: CallerDep, client: AirflowClientDep):
    """Is the DAG paused (as Airflow answers the caller)?"""
    return DagStateOut(**asdict(await client.dag_state(dag_id, caller.token)))


@router.post("/{dag_id}/unpause", response_model=DagStateOut)
async def unpause(dag_id: PackageDagId, caller: CallerDep, client: AirflowClientDep):
    """Unpause the DAG with the caller's permissions (PATCH /api/v2/dags/{dag_id})."""
    return DagStateOut(**asdict(await client.set_paused(dag_id, False, caller.token)))

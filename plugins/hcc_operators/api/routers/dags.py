"""Whether the package's DAGs are paused, and unpausing one, through Airflow as the caller.

Airflow creates DAGs paused, and a run started on a paused DAG waits in the queue without a
word. The dashboard asks here before it starts work, and offers to unpause; both calls go to
Airflow's REST API with the caller's own token, so Airflow decides whether this user may read
or edit the DAG and records who unpaused it. Only this package's DAG ids are accepted, of a
warehouse of the fleet (``hcc_compress`` for the default warehouse, ``hcc_compress__dw_amer``
for dw_amer, core.names.dag_id): the console is not a general proxy to Airflow.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import AfterValidator

from hcc_operators.api.airflow_client import AirflowClientDep
from hcc_operators.api.auth import CallerDep, require_user
from hcc_operators.api.dependencies import FleetDep, known
from hcc_operators.api.models import DagStateOut
from hcc_operators.core.names import dag_id as package_dag_id
from hcc_operators.core.names import parse_dag_id


def _package_dag(value: str) -> str:
    parsed = parse_dag_id(value)
    # Round-trip: parse_dag_id reads "hcc_compress__" as the default warehouse's DAG, whose
    # id is "hcc_compress"; only the ids dag_id() gives are DAGs of this package.
    if parsed is None or package_dag_id(*parsed) != value:
        raise ValueError(f"{value!r} is not a DAG of this package")
    return value


PackageDagId = Annotated[
    str, Path(max_length=250, description="One of the hcc_* DAG ids"), AfterValidator(_package_dag)
]

router = APIRouter(prefix="/dags", tags=["dags"], dependencies=[Depends(require_user)])


def _warehouse_of(dag_id: str, fleet) -> str:
    """The warehouse a package DAG id belongs to; 404 when the fleet has no such warehouse."""
    _, warehouse = parse_dag_id(dag_id) or (None, "")  # PackageDagId has checked it
    if warehouse not in fleet.names:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"{dag_id} belongs to warehouse {warehouse!r}, which the fleet does not have "
            f"(it has: {known(fleet)})",
        )
    return warehouse


@router.get("/{dag_id}", response_model=DagStateOut)
async def dag_state(
    dag_id: PackageDagId, caller: CallerDep, client: AirflowClientDep, fleet: FleetDep
):
    """Is the DAG paused (as Airflow answers the caller)?"""
    warehouse = _warehouse_of(dag_id, fleet)
    state = await client.dag_state(dag_id, caller.token)
    return DagStateOut(**asdict(state), warehouse=warehouse)


@router.post("/{dag_id}/unpause", response_model=DagStateOut)
async def unpause(
    dag_id: PackageDagId, caller: CallerDep, client: AirflowClientDep, fleet: FleetDep
):
    """Unpause the DAG with the caller's permissions (PATCH /api/v2/dags/{dag_id})."""
    warehouse = _warehouse_of(dag_id, fleet)
    state = await client.set_paused(dag_id, False, caller.token)
    return DagStateOut(**asdict(state), warehouse=warehouse)

"""Compression history, one execution, and starting compression or a rollback."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from starlette.concurrency import run_in_threadpool

from hcc_operators.api.airflow_client import AirflowClientDep, AirflowRejected
from hcc_operators.api.auth import CallerDep, require_user
from hcc_operators.api.dependencies import EngineDep, WarehouseDep
from hcc_operators.api.links import LinksDep
from hcc_operators.api.models import (
    CompressRequest,
    ExecutionDetailOut,
    ExecutionOut,
    Page,
    TriggeredRunOut,
)
from hcc_operators.api.params import Limit, Offset, RepositoryId, SchemaName, Status
from hcc_operators.api.queries import advisor, compression
from hcc_operators.core.names import Dag, dag_id, rollback_run_id

router = APIRouter(
    prefix="/compression", tags=["compression"], dependencies=[Depends(require_user)]
)


@router.get("/executions", response_model=Page[ExecutionOut])
def list_executions(
    engine: EngineDep,
    links: LinksDep,
    status: Status = None,
    schema: SchemaName = None,
    operation: Annotated[Literal["COMPRESS", "ROLLBACK"] | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ExecutionOut]:
    return compression.list_executions(
        engine,
        status=status,
        schema=schema,
        operation=operation,
        limit=limit,
        offset=offset,
        links=links,
    )


@router.get("/executions/{execution_id}", response_model=ExecutionDetailOut)
def get_execution(execution_id: RepositoryId, engine: EngineDep, links: LinksDep):
    found = compression.get_execution(engine, execution_id, links=links)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _not_found(execution_id, links.warehouse))
    return found


def _not_found(execution_id: int, warehouse: str) -> str:
    return f"execution {execution_id} not found in warehouse {warehouse!r}"


@router.post("/runs", response_model=TriggeredRunOut, status_code=status.HTTP_202_ACCEPTED)
async def compress(
    body: CompressRequest,
    caller: CallerDep,
    client: AirflowClientDep,
    engine: EngineDep,
    spec: WarehouseDep,
) -> TriggeredRunOut:
    """Start the selected warehouse's hcc_compress for these candidates, as the caller."""
    saving = await run_in_threadpool(advisor.estimated_savings, engine, body.objects)
    conf = {"objects": body.objects, "dry_run": body.dry_run}
    run = await client.trigger_dag_run(dag_id(Dag.COMPRESS, spec.name), conf, caller.token)
    return TriggeredRunOut(
        **asdict(run), conf=conf, estimated_savings_bytes=saving, warehouse=spec.name
    )


@router.post(
    "/executions/{execution_id}/rollback",
    response_model=TriggeredRunOut,
    status_code=status.HTTP_202_ACCEPTED,
)
async def rollback(
    execution_id: RepositoryId,
    caller: CallerDep,
    client: AirflowClientDep,
    engine: EngineDep,
    spec: WarehouseDep,
) -> TriggeredRunOut:
    """Start the warehouse's hcc_compress_rollback for one successful compression of that
    warehouse, as the caller.

    At most one rollback per execution is ever pending: 409 when one is recorded RUNNING or
    has succeeded (the execution is then ROLLED_BACK), and the run id is fixed per attempt
    (core.names.rollback_run_id) so Airflow refuses a second request while the first is still
    queued, before it has recorded anything. After a failed attempt the next one gets a new id.
    """
    row = await run_in_threadpool(compression.get_row, engine, execution_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _not_found(execution_id, spec.name))
    rollback_dag = dag_id(Dag.COMPRESS_ROLLBACK, spec.name)
    attempts = await run_in_threadpool(compression.rollbacks_of, engine, execution_id)
    # Refuse early what the rollback task would refuse anyway, without starting a DAG run.
    if row.operation == "COMPRESS" and row.status == "ROLLED_BACK":
        done = [a.execution_id for a in attempts if a.status == "SUCCESS"]
        by = f" by execution {done[-1]}" if done else ""
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"execution {execution_id} was already rolled back{by}"
        )
    if row.operation != "COMPRESS" or row.status != "SUCCESS":
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"execution {execution_id} is a {row.operation} in status {row.status}; "
            "only a successful COMPRESS can be rolled back",
        )
    running = [a for a in attempts if a.status == "RUNNING"]
    if running:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"execution {execution_id} is being rolled back by execution "
            f"{running[-1].execution_id} (DAG run {running[-1].dag_run_id}); wait for it to end",
        )
    conf = {"execution_id": execution_id}
    run_id = rollback_run_id(execution_id, len(attempts) + 1)
    try:
        run = await client.trigger_dag_run(rollback_dag, conf, caller.token, dag_run_id=run_id)
    except AirflowRejected as err:
        if err.status_code != status.HTTP_409_CONFLICT:
            raise
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"a rollback of execution {execution_id} was already requested as DAG run "
            f"{run_id} of {rollback_dag} and has recorded no result yet (queued, running, or "
            "failed before it started); wait for it, or clear that run in Airflow to retry",
        ) from None
    return TriggeredRunOut(
        **asdict(run),
        conf=conf,
        estimated_savings_bytes=-(row.space_saved or 0),
        warehouse=spec.name,
    )

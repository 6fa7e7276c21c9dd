"""Advisor runs, live progress, recommendations, and starting an analysis."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from hcc_operators.api.airflow_client import AirflowClientDep
from hcc_operators.api.auth import CallerDep, require_user
from hcc_operators.api.dependencies import EngineDep, NowDep, WarehouseDep
from hcc_operators.api.links import LinksDep
from hcc_operators.api.models import (
    AdvisorRunOut,
    AnalyseRequest,
    Page,
    ProgressOut,
    RecommendationOut,
    TriggeredRunOut,
)
from hcc_operators.api.params import (
    Limit,
    Offset,
    OptionalBytes,
    OptionalRepositoryId,
    RepositoryId,
    SchemaName,
    Status,
)
from hcc_operators.api.queries import advisor
from hcc_operators.core.models import CompressionType
from hcc_operators.core.names import Dag, dag_id

router = APIRouter(prefix="/advisor", tags=["advisor"], dependencies=[Depends(require_user)])


@router.get("/runs", response_model=Page[AdvisorRunOut])
def list_runs(
    engine: EngineDep,
    now: NowDep,
    links: LinksDep,
    status: Status = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AdvisorRunOut]:
    return advisor.list_runs(
        engine, status=status, limit=limit, offset=offset, now=now, links=links
    )


def _run(engine, run_id, now, links) -> AdvisorRunOut:
    run = advisor.get_run(engine, run_id, now=now, links=links)
    if run is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"advisor run {run_id} not found in warehouse {links.warehouse!r}",
        )
    return run


@router.get("/runs/{run_id}", response_model=AdvisorRunOut)
def get_run(run_id: RepositoryId, engine: EngineDep, now: NowDep, links: LinksDep):
    return _run(engine, run_id, now, links)


@router.get("/runs/{run_id}/progress", response_model=ProgressOut)
def get_progress(run_id: RepositoryId, engine: EngineDep, now: NowDep, links: LinksDep):
    return _run(engine, run_id, now, links).progress


@router.get("/recommendations", response_model=Page[RecommendationOut])
def recommendations(
    engine: EngineDep,
    spec: WarehouseDep,
    schema: SchemaName = None,
    compression_type: Annotated[
        CompressionType | None, Query(description="Recommended level, e.g. QUERY HIGH")
    ] = None,
    min_savings: OptionalBytes = None,
    run_id: OptionalRepositoryId = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RecommendationOut]:
    page = advisor.recommendations(
        engine,
        run_id=run_id,
        schema=schema,
        compression_type=compression_type.value if compression_type else None,
        min_savings=min_savings,
        limit=limit,
        offset=offset,
    )
    return page.model_copy(update={"warehouse": spec.name})


@router.post("/analyses", response_model=TriggeredRunOut, status_code=status.HTTP_202_ACCEPTED)
async def analyse(
    body: AnalyseRequest, caller: CallerDep, client: AirflowClientDep, spec: WarehouseDep
) -> TriggeredRunOut:
    """Start the selected warehouse's hcc_advisor DAG for these schemas, as the caller."""
    conf: dict = {"schemas": body.schemas, "incremental": body.incremental}
    if body.strategy:
        conf["strategy"] = body.strategy
    run = await client.trigger_dag_run(dag_id(Dag.ADVISOR, spec.name), conf, caller.token)
    return TriggeredRunOut(**asdict(run), conf=conf, warehouse=spec.name)

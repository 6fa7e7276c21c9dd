"""GET /metrics in Prometheus text format; needs a token like every other data endpoint.

Every warehouse of the fleet is read (``?warehouse=NAME``: that one only), each series labelled
``warehouse``; ``hcc_warehouse_up`` says which could be read. Prometheus sends a token with
`authorization: {type: Bearer, credentials_file: ...}` in the scrape config; see docs/api.md.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from hcc_operators.api.auth import require_user
from hcc_operators.api.dependencies import (
    EngineForDep,
    FleetDep,
    NowDep,
    OptionalWarehouseDep,
    opened,
)
from hcc_operators.api.metrics_registry import Reading, read_repository, render_metrics
from hcc_operators.core.fleet import WarehouseSpec

router = APIRouter(tags=["metrics"], dependencies=[Depends(require_user)])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def metrics(
    fleet: FleetDep, selected: OptionalWarehouseDep, open_for: EngineForDep, now: NowDep
) -> Response:
    warehouses = [selected] if selected is not None else list(fleet)

    def read(spec: WarehouseSpec) -> Reading:
        with opened(spec, open_for) as engine:
            return read_repository(engine, now)

    body = await run_in_threadpool(render_metrics, warehouses, read)
    return Response(body, media_type=CONTENT_TYPE_LATEST)

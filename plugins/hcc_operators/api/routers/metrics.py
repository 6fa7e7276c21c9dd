"""GET /metrics in Prometheus text format; needs a token like every other data endpoint.

Prometheus sends one with `authorization: {type: Bearer, credentials_file: ...}` in the scrape
config; see docs/api.md.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST

from hcc_operators.api.auth import require_user
from hcc_operators.api.dependencies import EngineDep, NowDep
from hcc_operators.api.metrics_registry import render_metrics

router = APIRouter(tags=["metrics"], dependencies=[Depends(require_user)])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
def metrics(engine: EngineDep, now: NowDep) -> Response:
    return Response(render_metrics(engine, now), media_type=CONTENT_TYPE_LATEST)

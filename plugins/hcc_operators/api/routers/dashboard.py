"""The dashboard page, its data, and its bundled script and stylesheet (no CDN: works offline)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import FileResponse

from hcc_operators.api.auth import require_user
from hcc_operators.api.dependencies import EngineDep, NowDep
from hcc_operators.api.links import LinksDep
from hcc_operators.api.models import DashboardData
from hcc_operators.api.queries.dashboard import dashboard_data

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
ASSETS = {
    "dashboard.js": "text/javascript",
    "queue.js": "text/javascript",
    "units.js": "text/javascript",
    "charts.js": "text/javascript",
    "dashboard.css": "text/css",
}

router = APIRouter(tags=["dashboard"], dependencies=[Depends(require_user)])


@router.get(
    "/dashboard", response_class=FileResponse, responses={200: {"content": {"text/html": {}}}}
)
def page() -> FileResponse:
    # Asset URLs in the page are relative, so it works under /hcc wherever Airflow is rooted.
    return FileResponse(STATIC_DIR / "dashboard.html", media_type="text/html")


@router.get(
    "/dashboard/queue",
    response_class=FileResponse,
    responses={200: {"content": {"text/html": {}}}},
)
def queue_page() -> FileResponse:
    """The ILM queue with its hold/release/cancel/requeue/priority buttons."""
    # Its asset and API URLs are relative to /hcc/dashboard/queue ("../static/...").
    return FileResponse(STATIC_DIR / "queue.html", media_type="text/html")


@router.get("/dashboard/data", response_model=DashboardData)
def data(engine: EngineDep, now: NowDep, links: LinksDep) -> DashboardData:
    """The charts and tables of the dashboard, for the warehouse ``?warehouse=`` selects."""
    return dashboard_data(engine, now=now, links=links)


@router.get("/static/{name}", response_class=FileResponse)
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no asset {name!r}")
    return FileResponse(STATIC_DIR / name, media_type=ASSETS[name])

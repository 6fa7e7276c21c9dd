"""The FastAPI app the plugin mounts at /hcc: REST, /metrics and the dashboard."""

from __future__ import annotations

from fastapi import FastAPI

from hcc_operators.api.errors import install_error_handlers
from hcc_operators.api.routers import (
    advisor,
    compression,
    dags,
    dashboard,
    fleet,
    health,
    ilm,
    metrics,
    operations,
    policies,
    queue_control,
)

ROUTERS = (
    health,
    advisor,
    compression,
    dags,
    fleet,
    ilm,
    queue_control,
    policies,
    operations,
    metrics,
    dashboard,
)


def create_app() -> FastAPI:
    app = FastAPI(
        title="HCC compression & ILM console",
        version="1",
        # Swagger UI and ReDoc load their scripts from a CDN; the schema itself stays at
        # /openapi.json (no data in it) for clients and generators.
        docs_url=None,
        redoc_url=None,
        description=(
            "Read the HCC advisor and ILM repository of each warehouse of the fleet "
            "(`?warehouse=`), and start work through Airflow's REST API. Every endpoint except "
            "/health needs an Airflow API token (Authorization: Bearer, or the Airflow UI's "
            "`_token` cookie)."
        ),
    )
    for module in ROUTERS:
        app.include_router(module.router)
    install_error_handlers(app)
    return app

"""How failures outside a request's own validation reach the caller.

Airflow's refusal of a trigger keeps its status (the caller may lack the DAG permission, or
a Param may be invalid) so the console shows Airflow's own reason; an unreachable Airflow or
repository is a 502/503, not a 500 with a traceback.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, ProgrammingError

from hcc_operators.api.airflow_client import AirflowRejected, AirflowUnreachable
from hcc_operators.core.errors import ConfigError

log = logging.getLogger(__name__)

PASSED_THROUGH = {400, 401, 403, 404, 409, 422}


async def _rejected(_: Request, err: AirflowRejected) -> JSONResponse:
    code = err.status_code if err.status_code in PASSED_THROUGH else status.HTTP_502_BAD_GATEWAY
    return JSONResponse({"detail": f"Airflow refused {err.action}: {err.detail}"}, status_code=code)


async def _unreachable(_: Request, err: AirflowUnreachable) -> JSONResponse:
    return JSONResponse({"detail": str(err)}, status_code=status.HTTP_502_BAD_GATEWAY)


async def _repository_unavailable(_: Request, err: Exception) -> JSONResponse:
    log.warning("repository unavailable: %s", err)
    return JSONResponse(
        {
            "detail": f"HCC repository unavailable ({type(err).__name__}); check the "
            "hcc_warehouse connection and that a DAG has created the repository"
        },
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AirflowRejected, _rejected)
    app.add_exception_handler(AirflowUnreachable, _unreachable)
    for err in (ConfigError, OperationalError, ProgrammingError):
        app.add_exception_handler(err, _repository_unavailable)

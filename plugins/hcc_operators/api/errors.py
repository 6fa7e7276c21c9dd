"""How failures outside a request's own validation reach the caller.

Airflow's refusal of a trigger keeps its status (the caller may lack the DAG permission, or
a Param may be invalid) so the console shows Airflow's own reason; an unreachable Airflow or
repository is a 502/503, not a 500 with a traceback. A 503 names the warehouse whose
repository failed (the one the request selected): the other warehouses are not affected.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, ProgrammingError

from hcc_operators.api.airflow_client import AirflowRejected, AirflowUnreachable
from hcc_operators.api.dependencies import STATE_KEY, RepositoryUnavailable
from hcc_operators.core.errors import ConfigError

log = logging.getLogger(__name__)

PASSED_THROUGH = {400, 401, 403, 404, 409, 422}


async def _rejected(_: Request, err: AirflowRejected) -> JSONResponse:
    code = err.status_code if err.status_code in PASSED_THROUGH else status.HTTP_502_BAD_GATEWAY
    return JSONResponse({"detail": f"Airflow refused {err.action}: {err.detail}"}, status_code=code)


async def _unreachable(_: Request, err: AirflowUnreachable) -> JSONResponse:
    return JSONResponse({"detail": str(err)}, status_code=status.HTTP_502_BAD_GATEWAY)


async def _repository_unavailable(request: Request, err: Exception) -> JSONResponse:
    spec = getattr(request.state, STATE_KEY, None)
    log.warning("repository unavailable (%s): %s", getattr(spec, "name", "?"), err)
    if isinstance(err, ConfigError):
        # warehouses.yaml itself, or a file of the selected warehouse, is broken.
        where = f" (warehouse {spec.name!r})" if spec is not None else ""
        detail = f"HCC configuration unusable{where}: {err}"
    elif spec is not None:
        detail = (
            f"HCC repository of warehouse {spec.name!r} unavailable ({type(err).__name__}); "
            f"check the {spec.conn_id} connection and that a DAG of that warehouse has "
            "created the repository"
        )
    else:
        detail = (
            f"HCC repository unavailable ({type(err).__name__}); check the warehouse's "
            "connection and that a DAG has created the repository"
        )
    return JSONResponse({"detail": detail}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


async def _warehouse_unavailable(_: Request, err: RepositoryUnavailable) -> JSONResponse:
    return JSONResponse(
        {"detail": str(err), "warehouse": err.warehouse},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AirflowRejected, _rejected)
    app.add_exception_handler(AirflowUnreachable, _unreachable)
    app.add_exception_handler(RepositoryUnavailable, _warehouse_unavailable)
    for err in (ConfigError, OperationalError, ProgrammingError):
        app.add_exception_handler(err, _repository_unavailable)

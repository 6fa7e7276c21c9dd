"""Per-request resources: the fleet, the selected warehouse, its repository engine, and the time.

Every route that reads or writes a repository takes ``?warehouse=NAME`` (default: the
``default`` warehouse, or the only one of the fleet). The name is resolved through
``core.fleet.load_fleet()`` on each request, so an edited warehouses.yaml takes effect without
restarting the API server; an unknown name is a 404 and a malformed one a 422, each naming the
warehouses the fleet has. Each warehouse keeps its repository (the ``hcc_*`` tables) beside
itself, so choosing a warehouse is choosing which repository engine to read.

The engine is built from the warehouse's Airflow connection on each request, so a connection
edited in the Airflow UI takes effect at once. A warehouse whose connection cannot be opened is
a 503 naming that warehouse (and only it: the others keep answering).

Tests override ``get_engine_for`` (one engine per warehouse name), or ``get_engine`` (one engine
whatever the warehouse), ``get_fleet`` and ``get_now``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, status
from sqlalchemy.engine import Engine

from hcc_operators import clock
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.fleet import Fleet, WarehouseSpec, load_fleet
from hcc_operators.core.names import DEFAULT_WAREHOUSE, check_warehouse

log = logging.getLogger(__name__)

#: Longest ``warehouse`` text read at all (names are at most 40 characters, core.names).
MAX_WAREHOUSE_TEXT = 64
#: Where the exception handlers (api/errors.py) find the warehouse a request selected.
STATE_KEY = "hcc_warehouse"

#: Opens the repository engine of one warehouse; the context closes what it opened.
EngineOpener = Callable[[WarehouseSpec], AbstractContextManager[Engine]]


def get_fleet() -> Fleet:
    """The fleet as warehouses.yaml says now (a broken file is a 503 naming it, api/errors)."""
    return load_fleet()


FleetDep = Annotated[Fleet, Depends(get_fleet)]

WarehouseQuery = Annotated[
    str | None,
    Query(
        max_length=MAX_WAREHOUSE_TEXT,
        description="Warehouse of the fleet (warehouses.yaml) whose repository to use; "
        "default: the `default` warehouse, or the only one",
    ),
]


def known(fleet: Fleet) -> str:
    return ", ".join(fleet.names)


def resolve_warehouse(fleet: Fleet, name: str | None) -> WarehouseSpec:
    """The warehouse ``name`` of ``fleet`` (None: the default or only one), or a clear 4xx."""
    if name is not None:
        try:
            check_warehouse(name)
        except ValueError as err:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"{err}; the fleet has: {known(fleet)}",
            ) from None
    try:
        return fleet.get(name)
    except ConfigError:
        if name is None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"the fleet has no warehouse named {DEFAULT_WAREHOUSE!r}: choose one with "
                f"?warehouse= (the fleet has: {known(fleet)})",
            ) from None
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no warehouse named {name!r}; the fleet has: {known(fleet)}",
        ) from None


def get_warehouse(
    request: Request, fleet: FleetDep, warehouse: WarehouseQuery = None
) -> WarehouseSpec:
    """The warehouse the request selected with ``?warehouse=``."""
    spec = resolve_warehouse(fleet, warehouse)
    setattr(request.state, STATE_KEY, spec)
    return spec


WarehouseDep = Annotated[WarehouseSpec, Depends(get_warehouse)]


def get_optional_warehouse(
    request: Request, fleet: FleetDep, warehouse: WarehouseQuery = None
) -> WarehouseSpec | None:
    """For fleet-wide routes: the warehouse named by ``?warehouse=``, or None for all."""
    if warehouse is None:
        return None
    return get_warehouse(request, fleet, warehouse)


OptionalWarehouseDep = Annotated[WarehouseSpec | None, Depends(get_optional_warehouse)]


@contextmanager
def open_repository(spec: WarehouseSpec) -> Iterator[Engine]:
    """The repository engine beside the warehouse of ``spec.conn_id``; closed afterwards."""
    from hcc_operators.warehouse.factory import warehouse_from_conn_id

    warehouse = warehouse_from_conn_id(spec.conn_id)
    try:
        yield warehouse.repository_engine()
    finally:
        warehouse.close()


def get_engine_for() -> EngineOpener:
    """How a request opens the repository of a warehouse; tests give one engine per name."""
    return open_repository


EngineForDep = Annotated[EngineOpener, Depends(get_engine_for)]


class RepositoryUnavailable(Exception):
    """The repository of one warehouse could not be opened (connection missing, wrong type,
    database down); api/errors.py answers 503 naming that warehouse."""

    def __init__(self, spec: WarehouseSpec, cause: BaseException):
        self.warehouse = spec.name
        self.conn_id = spec.conn_id
        self.cause = cause
        super().__init__(
            f"the repository of warehouse {spec.name!r} (connection {spec.conn_id!r}) is "
            f"unavailable: {describe_error(cause)}"
        )


def describe_error(err: BaseException, limit: int = 300) -> str:
    """One line naming the error, short enough for a JSON answer or a table cell."""
    text = " ".join(str(err).split()) or type(err).__name__
    text = f"{type(err).__name__}: {text}" if type(err).__name__ not in text else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextmanager
def opened(spec: WarehouseSpec, open_for: EngineOpener) -> Iterator[Engine]:
    """``open_for(spec)`` with any failure to open it raised as RepositoryUnavailable."""
    with ExitStack() as stack:
        try:
            engine = stack.enter_context(open_for(spec))
        except Exception as err:  # connection lookup, driver, file: all 503
            log.warning("warehouse %s: repository unavailable: %s", spec.name, err)
            raise RepositoryUnavailable(spec, err) from err
        yield engine


def get_engine(spec: WarehouseDep, open_for: EngineForDep) -> Iterator[Engine]:
    with opened(spec, open_for) as engine:
        yield engine


def get_now() -> datetime:
    return clock.now()


EngineDep = Annotated[Engine, Depends(get_engine)]
NowDep = Annotated[datetime, Depends(get_now)]

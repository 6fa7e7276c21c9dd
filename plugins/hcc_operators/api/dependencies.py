"""Per-request resources: the repository engine and the current time.

The warehouse is built from the `hcc_warehouse` connection on each request so a connection edited
in the Airflow UI takes effect without restarting the API server. Tests override `get_engine`
with a SQLite engine and `get_now` with a fixed instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends
from sqlalchemy.engine import Engine

from hcc_operators import clock
from hcc_operators.warehouse.factory import DEFAULT_CONN_ID, warehouse_from_conn_id


def get_engine() -> Iterator[Engine]:
    warehouse = warehouse_from_conn_id(DEFAULT_CONN_ID)
    try:
        yield warehouse.repository_engine()
    finally:
        warehouse.close()


def get_now() -> datetime:
    return clock.now()


EngineDep = Annotated[Engine, Depends(get_engine)]
NowDep = Annotated[datetime, Depends(get_now)]

"""The fleet overview: every warehouse with its headline figures and next maintenance window.

One row per warehouse of warehouses.yaml, read from that warehouse's own repository; a
warehouse whose repository cannot be opened or read is its row's ``status: unreachable`` (with
the reason), and the others are answered as usual.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool

from hcc_operators.api.auth import require_user
from hcc_operators.api.dependencies import (
    EngineForDep,
    FleetDep,
    NowDep,
    opened,
    resolve_warehouse,
)
from hcc_operators.api.models import FleetOut
from hcc_operators.api.queries.fleet import Figures, figures, fleet_rows
from hcc_operators.core.fleet import WarehouseSpec

router = APIRouter(prefix="/fleet", tags=["fleet"], dependencies=[Depends(require_user)])


@router.get("", response_model=FleetOut)
async def overview(fleet: FleetDep, open_for: EngineForDep, now: NowDep) -> FleetOut:
    """Per warehouse: space saved, backlog, failures, the current and next window (in its zone
    and in UTC), and whether its repository could be read."""

    def figures_of(spec: WarehouseSpec) -> Figures:
        with opened(spec, open_for) as engine:
            return figures(engine)

    rows = await run_in_threadpool(fleet_rows, fleet, figures_of, now)
    try:
        default = resolve_warehouse(fleet, None).name
    except HTTPException:  # a fleet without `default` and more than one warehouse
        default = None
    return FleetOut(generated_at=now, default=default, warehouses=rows)

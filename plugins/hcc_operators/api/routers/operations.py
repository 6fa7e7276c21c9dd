"""The strategy operation log."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hcc_operators.api.auth import require_user
from hcc_operators.api.dependencies import EngineDep, WarehouseDep
from hcc_operators.api.models import OperationOut, Page
from hcc_operators.api.params import Limit, Offset, Status, StrategyFilter
from hcc_operators.api.queries import operations

router = APIRouter(prefix="/operations", tags=["operations"], dependencies=[Depends(require_user)])


@router.get("", response_model=Page[OperationOut])
def list_operations(
    engine: EngineDep,
    spec: WarehouseDep,
    strategy: StrategyFilter = None,
    status: Status = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OperationOut]:
    page = operations.list_operations(
        engine, strategy=strategy, status=status, limit=limit, offset=offset
    )
    return page.model_copy(update={"warehouse": spec.name})

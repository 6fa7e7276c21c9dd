"""ILM policies: current versions and the history of one policy, in one warehouse's repository
(each warehouse syncs its own policies.yaml, core/fleet.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from hcc_operators.api.auth import require_user
from hcc_operators.api.dependencies import EngineDep, WarehouseDep
from hcc_operators.api.models import PolicyVersionOut
from hcc_operators.api.params import PolicyName
from hcc_operators.api.queries import policies

router = APIRouter(prefix="/policies", tags=["policies"], dependencies=[Depends(require_user)])


@router.get("", response_model=list[PolicyVersionOut])
def current(engine: EngineDep, spec: WarehouseDep) -> list[PolicyVersionOut]:
    return policies.current_policies(engine)


@router.get("/{policy_name}/history", response_model=list[PolicyVersionOut])
def history(
    policy_name: PolicyName, engine: EngineDep, spec: WarehouseDep
) -> list[PolicyVersionOut]:
    versions = policies.policy_history(engine, policy_name)
    if not versions:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"policy {policy_name!r} not found in warehouse {spec.name!r}",
        )
    return versions

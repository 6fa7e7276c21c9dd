"""Liveness for load balancers: no token, no database."""

from __future__ import annotations

from fastapi import APIRouter

from hcc_operators.api.models import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok")

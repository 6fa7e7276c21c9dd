"""ILM batches, queue, backlog and per-partition evaluation details."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from hcc_operators.api.auth import require_user
from hcc_operators.api.dependencies import EngineDep, NowDep, WarehouseDep
from hcc_operators.api.links import LinksDep
from hcc_operators.api.models import (
    BacklogOut,
    BatchDetailOut,
    BatchOut,
    Page,
    PartitionEvaluationsOut,
    QueueItemOut,
)
from hcc_operators.api.params import (
    Limit,
    Offset,
    PartitionLabel,
    PolicyFilter,
    RepositoryId,
    Status,
)
from hcc_operators.api.queries import ilm
from hcc_operators.core.models import ObjectRef

router = APIRouter(prefix="/ilm", tags=["ilm"], dependencies=[Depends(require_user)])


@router.get("/batches", response_model=Page[BatchOut])
def list_batches(
    engine: EngineDep,
    links: LinksDep,
    status: Status = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[BatchOut]:
    return ilm.list_batches(engine, status=status, limit=limit, offset=offset, links=links)


@router.get("/batches/{batch_id}", response_model=BatchDetailOut)
def get_batch(batch_id: RepositoryId, engine: EngineDep, links: LinksDep):
    found = ilm.get_batch(engine, batch_id, links=links)
    if found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"batch {batch_id} not found in warehouse {links.warehouse!r}",
        )
    return found


@router.get("/queue", response_model=Page[QueueItemOut])
def list_queue(
    engine: EngineDep,
    spec: WarehouseDep,
    status: Status = None,
    policy: PolicyFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[QueueItemOut]:
    return ilm.list_queue(
        engine, status=status, policy=policy, limit=limit, offset=offset, warehouse=spec.name
    )


@router.get("/backlog", response_model=BacklogOut)
def backlog(engine: EngineDep, now: NowDep, spec: WarehouseDep) -> BacklogOut:
    return ilm.backlog(engine, now=now, warehouse=spec.name)


@router.get("/partitions/{partition}/evaluations", response_model=PartitionEvaluationsOut)
def partition_evaluations(partition: PartitionLabel, engine: EngineDep, spec: WarehouseDep):
    """Latest evaluation per policy of one partition: eligible, or the reason why not."""
    found = ilm.partition_evaluations(engine, ObjectRef.parse(partition))
    if not found.evaluations:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no evaluation of {partition} recorded in warehouse {spec.name!r}",
        )
    return found

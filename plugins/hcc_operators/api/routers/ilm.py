"""ILM batches, queue, backlog and per-partition evaluation details."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from hcc_operators.api.airflow_client import AirflowClientDep
from hcc_operators.api.auth import require_user
from hcc_operators.api.dependencies import EngineDep, NowDep
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
    client: AirflowClientDep,
    status: Status = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[BatchOut]:
    return ilm.list_batches(engine, status=status, limit=limit, offset=offset, ui_url=client.ui_url)


@router.get("/batches/{batch_id}", response_model=BatchDetailOut)
def get_batch(batch_id: RepositoryId, engine: EngineDep, client: AirflowClientDep):
    found = ilm.get_batch(engine, batch_id, ui_url=client.ui_url)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"batch {batch_id} not found")
    return found


@router.get("/queue", response_model=Page[QueueItemOut])
def list_queue(
    engine: EngineDep,
    status: Status = None,
    policy: PolicyFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[QueueItemOut]:
    return ilm.list_queue(engine, status=status, policy=policy, limit=limit, offset=offset)


@router.get("/backlog", response_model=BacklogOut)
def backlog(engine: EngineDep, now: NowDep) -> BacklogOut:
    return ilm.backlog(engine, now=now)


@router.get("/partitions/{partition}/evaluations", response_model=PartitionEvaluationsOut)
def partition_evaluations(partition: PartitionLabel, engine: EngineDep):
    """Latest evaluation per policy of one partition: eligible, or the reason why not."""
    found = ilm.partition_evaluations(engine, ObjectRef.parse(partition))
    if not found.evaluations:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no evaluation of {partition} recorded")
    return found

"""Queue control: one queue item's details and history, and the operator commands on it.

One POST route per command of core.queue_control.TRANSITIONS, generated from that table, so
the API offers exactly the commands the service applies, each documented with the statuses it
accepts. The acting user is the Airflow user of the token; an illegal transition or a
conflicting change is a 409, an unknown item a 404, a bad priority or reason a 422.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Path, status

from hcc_operators.api.auth import require_user
from hcc_operators.api.dependencies import EngineDep, NowDep, WarehouseDep
from hcc_operators.api.models import (
    PriorityChangeRequest,
    QueueChangeOut,
    QueueChangeRequest,
    QueueChangeResultOut,
    QueueCommandOut,
    QueueCommandsOut,
    QueueItemOut,
)
from hcc_operators.api.permissions import QueueEditorDep
from hcc_operators.api.queries import ilm
from hcc_operators.core.queue_control import (
    PRIORITY_MAX,
    PRIORITY_MIN,
    TRANSITIONS,
    Actor,
    IllegalTransition,
    QueueCommand,
    QueueConflict,
    QueueStatus,
    Transition,
)
from hcc_operators.services import queue_control
from hcc_operators.services.queue_control import QueueItemNotFound

#: Repository ids are 64-bit: a larger number is a 422, not a driver overflow.
QueueId = Annotated[int, Path(ge=1, le=2**63 - 1, description="queue_id of the item")]

router = APIRouter(
    prefix="/ilm/queue", tags=["queue control"], dependencies=[Depends(require_user)]
)

ERRORS = {
    404: {"description": "No queue item with this id"},
    409: {"description": "The command does not apply to the item's status, or it changed"},
    403: {
        "description": "The user may not edit task instances of the warehouse's hcc_ilm_execute DAG"
    },
}


# Declared before /{queue_id}, which would otherwise take "commands" for an id.
@router.get("/commands", response_model=QueueCommandsOut)
def commands() -> QueueCommandsOut:
    """The commands and the statuses each applies to (the dashboard offers only those)."""
    return QueueCommandsOut(
        commands=[
            QueueCommandOut(
                command=t.command.value,
                applies_to=[s.value for s in t.allowed],
                to=t.to.value if t.to else None,
                summary=t.summary,
                takes_priority=t.command is QueueCommand.PRIORITY,
            )
            for t in TRANSITIONS.values()
        ],
        statuses=[s.value for s in QueueStatus],
        priority_min=PRIORITY_MIN,
        priority_max=PRIORITY_MAX,
    )


@router.get("/{queue_id}", response_model=QueueItemOut, responses={404: ERRORS[404]})
def get_item(queue_id: QueueId, engine: EngineDep, spec: WarehouseDep) -> QueueItemOut:
    found = ilm.get_queue_item(engine, queue_id, warehouse=spec.name)
    if found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"queue item {queue_id} not found in warehouse {spec.name!r}",
        )
    return found


@router.get(
    "/{queue_id}/history", response_model=list[QueueChangeOut], responses={404: ERRORS[404]}
)
def get_history(queue_id: QueueId, engine: EngineDep, spec: WarehouseDep) -> list[QueueChangeOut]:
    """Every operator change of the item, oldest first."""
    try:
        changes = queue_control.history(engine, queue_id)
    except QueueItemNotFound as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{err} (warehouse {spec.name!r})") from None
    return [QueueChangeOut(**c.to_dict()) for c in changes]


def _apply(
    engine,
    spec,
    queue_id: int,
    command: QueueCommand,
    caller,
    now,
    body: QueueChangeRequest | None,
) -> QueueChangeResultOut:
    body = body or QueueChangeRequest()
    try:
        change = queue_control.apply_command(
            engine,
            queue_id,
            command,
            actor=Actor(caller.name, "api"),
            now=now,
            reason=body.reason,
            priority=getattr(body, "priority", None),
        )
    except QueueItemNotFound as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{err} (warehouse {spec.name!r})") from None
    except (IllegalTransition, QueueConflict) as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None
    except ValueError as err:  # the request model bounds these; the service checks again
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None
    return QueueChangeResultOut(
        change=QueueChangeOut(**change.to_dict()),
        item=ilm.get_queue_item(engine, queue_id, warehouse=spec.name),
        warehouse=spec.name,
    )


def _route(transition: Transition) -> None:
    command = transition.command
    allowed = ", ".join(transition.allowed)
    description = (
        f"{transition.summary[0].upper()}{transition.summary[1:]}. Applies to {allowed} items; "
        "recorded with the calling Airflow user and the optional reason."
    )
    if command is QueueCommand.PRIORITY:

        def change(
            queue_id: QueueId,
            body: PriorityChangeRequest,
            caller: QueueEditorDep,
            engine: EngineDep,
            now: NowDep,
            spec: WarehouseDep,
        ) -> QueueChangeResultOut:
            return _apply(engine, spec, queue_id, command, caller, now, body)

    else:

        def change(
            queue_id: QueueId,
            caller: QueueEditorDep,
            engine: EngineDep,
            now: NowDep,
            spec: WarehouseDep,
            body: Annotated[QueueChangeRequest | None, Body()] = None,
        ) -> QueueChangeResultOut:
            return _apply(engine, spec, queue_id, command, caller, now, body)

    router.add_api_route(
        f"/{{queue_id}}/{command.value}",
        change,
        methods=["POST"],
        response_model=QueueChangeResultOut,
        summary=f"{command.value.capitalize()} a queue item",
        description=description,
        responses=ERRORS,
        name=f"queue_{command.value}",
    )


for _transition in TRANSITIONS.values():
    _route(_transition)

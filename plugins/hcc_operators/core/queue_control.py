"""What an operator may do to one ILM queue item, declared once.

The REST API, the `hcc queue` command, the dashboard (through the API) and the service that
applies a change all read ``TRANSITIONS``: which statuses a command accepts, the status it
leaves, and the sentence the help texts and refusals use. A command outside its ``allowed``
statuses is refused with ``IllegalTransition``, which the API answers with 409 and the CLI
with exit code 1.

HELD is a status of its own, not a flag on PENDING: the planner reads only PENDING items, so a
held item can never be planned, and evaluation counts HELD as active, so it neither queues a
duplicate for the partition nor cancels the held item as stale.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hcc_operators.core.errors import HccError


class QueueStatus(enum.StrEnum):
    PENDING = "PENDING"
    HELD = "HELD"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


#: An item in one of these statuses stands for its (policy, partition): evaluation and
#: follow-ups queue no second item beside it.
ACTIVE = (QueueStatus.PENDING, QueueStatus.HELD, QueueStatus.RUNNING)
#: Done with, one way or another: retention may delete these once old enough.
FINISHED = (QueueStatus.SUCCESS, QueueStatus.SKIPPED, QueueStatus.CANCELLED, QueueStatus.FAILED)
#: Items of a batch that did not run in it but wait for a later one.
WAITING = (QueueStatus.PENDING, QueueStatus.HELD)


class QueueCommand(enum.StrEnum):
    HOLD = "hold"
    RELEASE = "release"
    CANCEL = "cancel"
    REQUEUE = "requeue"
    PRIORITY = "priority"


class ChangedField(enum.StrEnum):
    STATUS = "status"
    PRIORITY = "priority"


@dataclass(frozen=True)
class Transition:
    command: QueueCommand
    allowed: tuple[QueueStatus, ...]
    #: The status the item is left in; None keeps it (a priority change).
    to: QueueStatus | None
    summary: str


TRANSITIONS: dict[QueueCommand, Transition] = {
    t.command: t
    for t in (
        Transition(
            QueueCommand.HOLD,
            (QueueStatus.PENDING,),
            QueueStatus.HELD,
            "keep a PENDING item out of every batch until it is released",
        ),
        Transition(
            QueueCommand.RELEASE,
            (QueueStatus.HELD,),
            QueueStatus.PENDING,
            "return a HELD item to PENDING, so the next batch may plan it",
        ),
        Transition(
            QueueCommand.CANCEL,
            (QueueStatus.PENDING, QueueStatus.HELD, QueueStatus.FAILED),
            QueueStatus.CANCELLED,
            "drop an item that has not started; a cleared task then skips it",
        ),
        Transition(
            QueueCommand.REQUEUE,
            (QueueStatus.FAILED, QueueStatus.CANCELLED, QueueStatus.SKIPPED),
            QueueStatus.PENDING,
            "put a FAILED, CANCELLED or SKIPPED item back to PENDING",
        ),
        Transition(
            QueueCommand.PRIORITY,
            (QueueStatus.PENDING, QueueStatus.HELD),
            None,
            "change the priority of an item that still waits (lower runs first)",
        ),
    )
}

#: Bounds of a priority set by hand: the scale of policies' `priority` (lower runs first; the
#: shipped policies use 5 to 60, the default is 100). Waiting still boosts the item over time.
PRIORITY_MIN = 0
PRIORITY_MAX = 1000


class IllegalTransition(HccError):
    """The command does not apply to the item in its current status (HTTP 409, CLI exit 1)."""


class QueueConflict(HccError):
    """The change would break an invariant of the queue, e.g. two active items for one
    partition and policy (HTTP 409, CLI exit 1)."""


def check_transition(command: QueueCommand, current: str, queue_id: int) -> Transition:
    """The declared transition, or IllegalTransition naming what the command needs."""
    transition = TRANSITIONS[QueueCommand(command)]
    if current not in transition.allowed:
        allowed = ", ".join(transition.allowed)
        raise IllegalTransition(
            f"cannot {transition.command.value} queue item {queue_id}: it is {current}, and "
            f"{transition.command.value} applies to {allowed} items only "
            f"({transition.summary})"
        )
    return transition


def check_priority(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"priority must be a whole number, got {value!r}")
    if not PRIORITY_MIN <= value <= PRIORITY_MAX:
        raise ValueError(
            f"priority must be between {PRIORITY_MIN} and {PRIORITY_MAX} (lower runs first), "
            f"got {value}"
        )
    return value


@dataclass(frozen=True)
class Actor:
    """Who made a change, and through what: the Airflow user of an API call, the user a CLI
    call names (default: the OS user), or the user who triggered a DAG run."""

    name: str
    via: str  # "api", "cli", or "dag run <run_id>"

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise ValueError("the acting user must be named")
        if len(self.name) > 250:
            raise ValueError("the acting user's name is longer than 250 characters")


MAX_REASON = 2000


def check_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ValueError(f"reason is longer than {MAX_REASON} characters")
    return reason or None

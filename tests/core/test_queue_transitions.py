"""The one table of queue transitions: every command against every status."""

from __future__ import annotations

import pytest

from hcc_operators.core.queue_control import (
    ACTIVE,
    FINISHED,
    PRIORITY_MAX,
    PRIORITY_MIN,
    TRANSITIONS,
    Actor,
    IllegalTransition,
    QueueCommand,
    QueueStatus,
    check_priority,
    check_reason,
    check_transition,
)

S = QueueStatus
#: What the issue asks for, written out independently of TRANSITIONS: (command, from) -> to.
LEGAL = {
    ("hold", S.PENDING): S.HELD,
    ("release", S.HELD): S.PENDING,
    ("cancel", S.PENDING): S.CANCELLED,
    ("cancel", S.HELD): S.CANCELLED,
    ("cancel", S.FAILED): S.CANCELLED,
    ("requeue", S.FAILED): S.PENDING,
    ("requeue", S.CANCELLED): S.PENDING,
    ("requeue", S.SKIPPED): S.PENDING,
    ("priority", S.PENDING): None,
    ("priority", S.HELD): None,
}


@pytest.mark.parametrize("command", list(QueueCommand))
@pytest.mark.parametrize("status", list(QueueStatus))
def test_every_command_in_every_status(command, status):
    if (command.value, status) in LEGAL:
        assert check_transition(command, status, 7).to == LEGAL[(command.value, status)]
    else:
        with pytest.raises(IllegalTransition) as refused:
            check_transition(command, status, 7)
        assert f"cannot {command.value} queue item 7: it is {status.value}" in str(refused.value)


def test_cancelling_a_running_item_says_what_cancel_applies_to():
    with pytest.raises(IllegalTransition, match=r"applies to PENDING, HELD, FAILED items only"):
        check_transition(QueueCommand.CANCEL, "RUNNING", 3)


def test_every_command_is_declared_once_with_a_summary():
    assert set(TRANSITIONS) == set(QueueCommand)
    assert all(t.summary and t.allowed for t in TRANSITIONS.values())


def test_held_is_active_and_not_finished():
    # Evaluation neither duplicates nor cancels a held item; retention never deletes one.
    assert S.HELD in ACTIVE and S.HELD not in FINISHED
    assert set(ACTIVE).isdisjoint(FINISHED)
    assert set(ACTIVE) | set(FINISHED) == set(QueueStatus)


@pytest.mark.parametrize("value", [PRIORITY_MIN, 50, PRIORITY_MAX])
def test_priorities_within_bounds(value):
    assert check_priority(value) == value


@pytest.mark.parametrize("value", [PRIORITY_MIN - 1, PRIORITY_MAX + 1, True, 1.5, "5"])
def test_priorities_out_of_bounds_or_not_whole_numbers(value):
    with pytest.raises(ValueError, match="priority must be"):
        check_priority(value)


def test_actor_and_reason():
    assert Actor("alice", "cli").name == "alice"
    with pytest.raises(ValueError, match="must be named"):
        Actor("  ", "api")
    with pytest.raises(ValueError, match="longer than 250"):
        Actor("x" * 251, "api")
    assert check_reason("  ") is None
    assert check_reason(" waiting for the DBA ") == "waiting for the DBA"
    with pytest.raises(ValueError, match="longer than 2000"):
        check_reason("x" * 2001)

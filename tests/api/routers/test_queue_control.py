"""Queue control over REST: hold, release, cancel, requeue, priority, history.

The seeded queue (tests/api/conftest.py): 1 PENDING (compress_old, P2022, priority 10),
2 PENDING (purge_ancient, priority 5), 3 SUCCESS, 4 FAILED (compress_old, P2021).
"""

from __future__ import annotations

import pytest

from hcc_operators.core.queue_control import TRANSITIONS

from ..conftest import NOW


def test_hold_is_recorded_with_the_airflow_user_and_shown_on_the_item(authed):
    response = authed.post("/hcc/ilm/queue/1/hold", json={"reason": "month-end freeze"})
    assert response.status_code == 200
    body = response.json()
    assert body["change"] == {
        "change_id": 1,
        "queue_id": 1,
        "command": "hold",
        "field": "status",
        "old_value": "PENDING",
        "new_value": "HELD",
        "changed_by": "test-operator",
        "changed_via": "api",
        "reason": "month-end freeze",
        "changed_at": "2026-03-10T12:00:00Z",
    }
    assert body["item"]["status"] == "HELD"
    assert body["item"]["last_change"] == body["change"]
    listed = authed.get("/hcc/ilm/queue?status=HELD").json()
    assert [(i["queue_id"], i["last_change"]["changed_by"]) for i in listed["items"]] == [
        (1, "test-operator")
    ]
    assert authed.get("/hcc/ilm/backlog").json()["by_status"]["HELD"] == 1


def test_release_cancel_requeue_and_priority_in_sequence_make_a_history(authed):
    assert authed.post("/hcc/ilm/queue/1/hold").status_code == 200  # no body: no reason
    assert authed.post("/hcc/ilm/queue/1/priority", json={"priority": 3}).status_code == 200
    assert authed.post("/hcc/ilm/queue/1/release", json={}).status_code == 200
    assert authed.post("/hcc/ilm/queue/1/cancel", json={"reason": "obsolete"}).status_code == 200
    assert authed.post("/hcc/ilm/queue/1/requeue").status_code == 200
    history = authed.get("/hcc/ilm/queue/1/history").json()
    assert [(h["command"], h["old_value"], h["new_value"], h["reason"]) for h in history] == [
        ("hold", "PENDING", "HELD", None),
        ("priority", "10", "3", None),
        ("release", "HELD", "PENDING", None),
        ("cancel", "PENDING", "CANCELLED", "obsolete"),
        ("requeue", "CANCELLED", "PENDING", None),
    ]
    item = authed.get("/hcc/ilm/queue/1").json()
    assert (item["status"], item["priority"]) == ("PENDING", 3)


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/hcc/ilm/queue/3/cancel", "cannot cancel queue item 3: it is SUCCESS"),
        ("/hcc/ilm/queue/1/release", "cannot release queue item 1: it is PENDING"),
        ("/hcc/ilm/queue/4/hold", "cannot hold queue item 4: it is FAILED"),
    ],
)
def test_illegal_transitions_are_409_with_the_reason(authed, path, detail):
    response = authed.post(path)
    assert response.status_code == 409
    assert response.json()["detail"].startswith(detail)


def test_cancelling_a_running_item_is_409(authed, repository):
    from sqlalchemy import update

    from hcc_operators.repository.tables import ilm_queue

    with repository.begin() as conn:
        conn.execute(update(ilm_queue).where(ilm_queue.c.queue_id == 2).values(status="RUNNING"))
    response = authed.post("/hcc/ilm/queue/2/cancel")
    assert response.status_code == 409
    assert "it is RUNNING" in response.json()["detail"]
    assert authed.get("/hcc/ilm/queue/2/history").json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"priority": 1001},
        {"priority": -1},
        {"priority": "5"},  # strict: not a number
        {"priority": 2.5},
        {},
        {"priority": 5, "reason": "x" * 2001},
        {"priority": 5, "unknown": 1},
    ],
)
def test_a_bad_priority_request_is_422_naming_the_field(authed, body):
    response = authed.post("/hcc/ilm/queue/1/priority", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert authed.get("/hcc/ilm/queue/1").json()["priority"] == 10


@pytest.mark.parametrize("queue_id", ["0", "-4", "abc", str(2**63)])
def test_a_bad_queue_id_is_422(authed, queue_id):
    assert authed.post(f"/hcc/ilm/queue/{queue_id}/hold").status_code == 422
    assert authed.get(f"/hcc/ilm/queue/{queue_id}/history").status_code == 422


def test_an_unknown_item_is_404(authed):
    assert authed.post("/hcc/ilm/queue/999/hold").status_code == 404
    assert authed.get("/hcc/ilm/queue/999").json() == {
        "detail": "queue item 999 not found in warehouse 'default'"
    }
    assert authed.get("/hcc/ilm/queue/999/history").status_code == 404


def test_requeue_beside_an_active_item_for_the_partition_is_409(authed, repository):
    from sqlalchemy import update

    from hcc_operators.repository.tables import ilm_queue

    # Item 4 (FAILED, compress_old on P2021): a newer PENDING item for the same pair exists.
    with repository.begin() as conn:
        conn.execute(
            update(ilm_queue).where(ilm_queue.c.queue_id == 1).values(partition_name="P2021")
        )
    response = authed.post("/hcc/ilm/queue/4/requeue")
    assert response.status_code == 409
    assert "item 1 (PENDING) already stands for SALES.SALES_HIST:P2021" in response.json()["detail"]


def test_a_user_airflow_does_not_let_edit_the_execute_dag_gets_403(app, authed):
    from hcc_operators.api.permissions import get_queue_editor_check

    app.dependency_overrides[get_queue_editor_check] = lambda: lambda user: False
    response = authed.post("/hcc/ilm/queue/1/hold")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "test-operator may not change the ILM queue of warehouse 'default': it takes "
        "permission to edit task instances of the DAG hcc_ilm_execute"
    )
    assert authed.get("/hcc/ilm/queue/1").json()["status"] == "PENDING"
    assert authed.get("/hcc/ilm/queue/1/history").status_code == 200  # reading stays open


def test_every_declared_command_has_one_documented_route(client):
    spec = client.get("/hcc/openapi.json").json()
    for command, transition in TRANSITIONS.items():
        operation = spec["paths"][f"/ilm/queue/{{queue_id}}/{command.value}"]["post"]
        assert transition.summary[1:] in operation["description"]
        assert set(operation["responses"]) >= {"200", "403", "404", "409", "422"}


def test_the_change_time_is_the_request_time(authed):
    change = authed.post("/hcc/ilm/queue/2/hold").json()["change"]
    assert change["changed_at"] == NOW.isoformat().replace("+00:00", "Z")

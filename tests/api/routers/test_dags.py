"""The paused state of the package's DAGs and unpausing one: each a call to Airflow's REST API
with the caller's token (Airflow mocked at the HTTP layer, keeping the DAG's state)."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from hcc_operators.api.airflow_client import AirflowClient, get_airflow_client

from ..conftest import AIRFLOW, AUTH, TOKEN, mounted


@pytest.fixture
def airflow_dags():
    """What the mocked Airflow knows: paused flags, who may edit, and the requests it got."""
    return {"paused": {"hcc_compress": True}, "editable": {"hcc_compress"}, "seen": []}


@pytest.fixture
def dags_client(app, airflow_dags):
    def handler(request: httpx.Request) -> httpx.Response:
        airflow_dags["seen"].append(request)
        dag_id = request.url.path.rsplit("/", 1)[-1]
        if dag_id not in airflow_dags["paused"]:
            return httpx.Response(404, json={"detail": f"Dag with id {dag_id} was not found"})
        if request.method == "PATCH":
            if dag_id not in airflow_dags["editable"]:
                return httpx.Response(403, json={"detail": "Forbidden"})
            airflow_dags["paused"][dag_id] = json.loads(request.content)["is_paused"]
        return httpx.Response(
            200, json={"dag_id": dag_id, "is_paused": airflow_dags["paused"][dag_id]}
        )

    app.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        AIRFLOW, transport=httpx.MockTransport(handler)
    )
    with TestClient(mounted(app)) as client:
        client.headers.update(AUTH)
        yield client


def test_the_paused_state_is_airflows_answer_to_the_caller(dags_client, airflow_dags):
    answer = dags_client.get("/hcc/dags/hcc_compress")
    assert answer.status_code == 200
    assert answer.json() == {
        "warehouse": "default",
        "dag_id": "hcc_compress",
        "is_paused": True,
        "ui_url": "/dags/hcc_compress",
    }
    (sent,) = airflow_dags["seen"]
    assert (sent.method, sent.url.path) == ("GET", "/api/v2/dags/hcc_compress")
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"


def test_unpausing_patches_the_dag_with_the_callers_token(dags_client, airflow_dags):
    answer = dags_client.post("/hcc/dags/hcc_compress/unpause")
    assert answer.status_code == 200 and answer.json()["is_paused"] is False
    (sent,) = airflow_dags["seen"]
    assert (sent.method, sent.url.path) == ("PATCH", "/api/v2/dags/hcc_compress")
    assert sent.url.params["update_mask"] == "is_paused"
    assert json.loads(sent.content) == {"is_paused": False}
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert airflow_dags["paused"]["hcc_compress"] is False


def test_airflows_refusal_reaches_the_caller_with_its_status(dags_client, airflow_dags):
    airflow_dags["editable"].clear()
    answer = dags_client.post("/hcc/dags/hcc_compress/unpause")
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Airflow refused unpausing: Forbidden"
    assert airflow_dags["paused"]["hcc_compress"] is True


def test_only_this_packages_dags_are_asked_about(dags_client, airflow_dags):
    assert dags_client.get("/hcc/dags/example_bash_operator").status_code == 422
    assert dags_client.post("/hcc/dags/other_dag/unpause").status_code == 422
    assert airflow_dags["seen"] == []


def test_without_a_token_nothing_reaches_airflow(dags_client, airflow_dags):
    dags_client.headers.pop("Authorization")
    assert dags_client.post("/hcc/dags/hcc_compress/unpause").status_code == 401
    assert airflow_dags["seen"] == []

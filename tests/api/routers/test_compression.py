from __future__ import annotations

import json

import httpx
import pytest

from ..conftest import NOW


def test_history_newest_first_with_task_links(authed):
    page = authed.get("/hcc/compression/executions").json()
    assert page["total"] == 5
    assert [e["execution_id"] for e in page["items"]] == [5, 4, 3, 2, 1]
    rollback = page["items"][0]
    assert rollback["ui_url"] == "/dags/hcc_compress_rollback/runs/manual__r1/tasks/rollback"
    # A row without a map index (written before the column existed) opens the mapped task's
    # list of instances; one with it opens that instance.
    assert page["items"][-1]["ui_url"] == (
        "/dags/hcc_compress/runs/manual__c1/tasks/compress_object/mapped"
    )
    assert page["items"][2]["ui_url"] == (
        "/dags/hcc_compress/runs/manual__c2/tasks/compress_object/mapped/2"
    )


def test_history_filters(authed):
    def ids(**params):
        return [
            e["execution_id"]
            for e in authed.get("/hcc/compression/executions", params=params).json()["items"]
        ]

    assert ids(status="FAILED") == [3]
    assert ids(schema="HR") == [2]
    assert ids(operation="ROLLBACK") == [5]
    assert (
        authed.get("/hcc/compression/executions", params={"operation": "DROP"}).status_code == 422
    )


def test_one_execution_with_ddl_and_rollbacks(authed):
    detail = authed.get("/hcc/compression/executions/4").json()
    assert detail["status"] == "ROLLED_BACK"
    assert detail["rolled_back_by"] == [5]
    first = authed.get("/hcc/compression/executions/1").json()
    assert (first["ddl"], first["space_saved"], first["achieved_ratio"]) == (
        "ALTER TABLE ...",
        800,
        8.0,
    )
    assert authed.get("/hcc/compression/executions/77").status_code == 404
    assert authed.get("/hcc/compression/executions/abc").status_code == 422


def test_compress_triggers_hcc_compress_with_objects_and_dry_run(authed, airflow_requests):
    from ..conftest import AIRFLOW, TOKEN

    objects = ["SALES.ORDERS:P1", "HR.EMP"]
    response = authed.post("/hcc/compression/runs", json={"objects": objects, "dry_run": True})
    assert response.status_code == 202
    (sent,) = airflow_requests
    assert str(sent.url) == f"{AIRFLOW}/api/v2/dags/hcc_compress/dagRuns"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(sent.content) == {
        "logical_date": None,
        "conf": {"objects": objects, "dry_run": True},
    }
    # 900 + 300 from the latest finished advisor run.
    assert response.json()["estimated_savings_bytes"] == 1200


def test_compress_validates_object_labels(authed, airflow_requests):
    for body in ({"objects": []}, {"objects": ["NODOT"]}, {"objects": "SALES.T"}):
        response = authed.post("/hcc/compression/runs", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"][:2] == ["body", "objects"]
    assert airflow_requests == []


def test_rollback_triggers_with_execution_id(authed, airflow_requests):
    response = authed.post("/hcc/compression/executions/1/rollback")
    assert response.status_code == 202
    (sent,) = airflow_requests
    assert sent.url.path == "/api/v2/dags/hcc_compress_rollback/dagRuns"
    assert json.loads(sent.content) == {
        "logical_date": None,
        "conf": {"execution_id": 1},
        "dag_run_id": "rollback__execution_1__attempt_1",
    }
    assert response.json()["estimated_savings_bytes"] == -800


def test_rollback_refuses_what_cannot_be_rolled_back(authed, airflow_requests):
    assert authed.post("/hcc/compression/executions/3/rollback").status_code == 409
    assert authed.post("/hcc/compression/executions/5/rollback").status_code == 409
    assert authed.post("/hcc/compression/executions/42/rollback").status_code == 404
    assert airflow_requests == []


def test_airflow_refusal_keeps_its_status_and_reason(app, authed):
    from hcc_operators.api.airflow_client import AirflowClient, get_airflow_client

    def forbidden(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"detail": "Forbidden: cannot trigger hcc_compress"})

    app.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        "http://airflow.test", transport=httpx.MockTransport(forbidden)
    )
    response = authed.post("/hcc/compression/runs", json={"objects": ["HR.EMP"]})
    assert response.status_code == 403
    assert "cannot trigger hcc_compress" in response.json()["detail"]


def test_unreachable_airflow_is_502(app, authed):
    from hcc_operators.api.airflow_client import AirflowClient, get_airflow_client

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    app.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        "http://airflow.test", transport=httpx.MockTransport(refused)
    )
    response = authed.post("/hcc/compression/executions/1/rollback")
    assert response.status_code == 502
    assert "airflow.test" in response.json()["detail"]


@pytest.fixture
def airflow_with_unique_run_ids(app):
    """Airflow as it behaves: a second run with the same dag_run_id is a 409."""
    from hcc_operators.api.airflow_client import AirflowClient, get_airflow_client

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        run_id = json.loads(request.content).get("dag_run_id") or f"manual__{len(seen)}"
        if run_id in seen:
            return httpx.Response(409, json={"detail": "Unique constraint violation"})
        seen.append(run_id)
        return httpx.Response(200, json={"dag_run_id": run_id, "state": "queued"})

    app.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        "http://airflow.test", transport=httpx.MockTransport(handler)
    )
    return seen


def test_a_second_rollback_request_is_refused_while_the_first_is_queued(
    authed, airflow_with_unique_run_ids
):
    first = authed.post("/hcc/compression/executions/1/rollback")
    assert first.status_code == 202
    again = authed.post("/hcc/compression/executions/1/rollback")
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert "a rollback of execution 1 was already requested as DAG run" in detail
    assert "rollback__execution_1__attempt_1" in detail and "clear that run" in detail
    assert airflow_with_unique_run_ids == ["rollback__execution_1__attempt_1"]


def _rollback_row(engine, status: str, execution_id: int = 9) -> None:
    from sqlalchemy import insert

    from hcc_operators.repository.tables import compression_executions

    with engine.begin() as conn:
        conn.execute(
            insert(compression_executions).values(
                execution_id=execution_id,
                dag_run_id="rollback__execution_1__attempt_1",
                owner="SALES",
                table_name="ORDERS",
                partition_name="P1",
                operation="ROLLBACK",
                status=status,
                rollback_of=1,
                simulated=False,
                started_at=NOW,
            )
        )


def test_a_running_rollback_refuses_another_without_asking_airflow(
    authed, repository, airflow_requests
):
    _rollback_row(repository, "RUNNING")
    response = authed.post("/hcc/compression/executions/1/rollback")
    assert response.status_code == 409
    assert "is being rolled back by execution 9" in response.json()["detail"]
    assert airflow_requests == []


def test_after_a_failed_rollback_the_next_attempt_gets_a_new_run_id(
    authed, repository, airflow_with_unique_run_ids
):
    _rollback_row(repository, "FAILED")
    response = authed.post("/hcc/compression/executions/1/rollback")
    assert response.status_code == 202
    assert airflow_with_unique_run_ids == ["rollback__execution_1__attempt_2"]


def test_a_rolled_back_execution_names_its_rollback(authed, airflow_requests):
    response = authed.post("/hcc/compression/executions/4/rollback")
    assert response.status_code == 409
    assert response.json()["detail"] == "execution 4 was already rolled back by execution 5"
    assert airflow_requests == []


def test_an_object_named_by_a_reserved_word_is_sent_back_as_the_api_lists_it(
    authed, airflow_requests
):
    """AUDIT is an Oracle reserved word: a schema of that name exists only as "AUDIT", and the
    API refuses it unquoted. Each recommendation carries `object_input`, the spelling a
    request must use; sent back, it starts the compression of that very object."""
    from hcc_operators.core.models import ObjectRef

    listed = ObjectRef("AUDIT", "AUD_TRAIL", "P_2025_12")
    assert authed.post("/hcc/compression/runs", json={"objects": [listed.label]}).status_code == 422
    response = authed.post("/hcc/compression/runs", json={"objects": [listed.user_text]})
    assert response.status_code == 202, response.text
    (sent,) = airflow_requests
    assert json.loads(sent.content)["conf"]["objects"] == [listed.label]


def test_every_recommendation_carries_the_spelling_a_request_uses(authed):
    from hcc_operators.core.models import ObjectRef

    items = authed.get("/hcc/advisor/recommendations").json()["items"]
    assert items
    for item in items:
        ref = ObjectRef.from_user_text(item["object_input"])
        assert ref.label == item["object"]

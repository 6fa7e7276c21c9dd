from __future__ import annotations

import json


def test_runs_newest_first_with_progress_and_ui_link(authed):
    page = authed.get("/hcc/advisor/runs").json()
    assert page["total"] == 2
    running, done = page["items"]
    assert running["run_id"] == 2
    # Bytes-weighted: 250 of 1000 bytes after 100 s -> 25 %, 300 s to go.
    assert running["progress"] == {
        "percent": 25.0,
        "objects_done": 4,
        "objects_total": 10,
        "elapsed_s": 100.0,
        "estimated_remaining_s": 300.0,
    }
    assert done["schemas"] == ["SALES", "HR"]
    assert done["progress"]["percent"] == 100.0
    assert done["progress"]["elapsed_s"] == 600.0
    assert done["progress"]["estimated_remaining_s"] == 0.0
    assert done["ui_url"] == "/dags/hcc_advisor/runs/scheduled__2026-03-09T10%3A00%3A00%2B00%3A00"


def test_runs_filter_and_paging(authed):
    page = authed.get("/hcc/advisor/runs", params={"status": "SUCCESS"}).json()
    assert [r["run_id"] for r in page["items"]] == [1]
    page = authed.get("/hcc/advisor/runs", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [r["run_id"] for r in page["items"]] == [1]


def test_one_run_and_its_live_progress(authed):
    assert authed.get("/hcc/advisor/runs/2").json()["status"] == "RUNNING"
    progress = authed.get("/hcc/advisor/runs/2/progress").json()
    assert progress["percent"] == 25.0
    assert authed.get("/hcc/advisor/runs/99").status_code == 404
    assert authed.get("/hcc/advisor/runs/99/progress").status_code == 404


def test_recommendations_default_to_the_current_advice_by_savings(authed):
    page = authed.get("/hcc/advisor/recommendations").json()
    # Each object's latest successful analysis, from whichever run (run 2 is still going);
    # the failed object has none.
    assert page["total"] == 4
    assert [r["object"] for r in page["items"]] == [
        "SALES.NEW",
        "SALES.ORDERS:P2",
        "SALES.ORDERS:P1",
        "HR.EMP",
    ]
    first = page["items"][1]
    assert (first["recommended"], first["estimated_savings"]) == ("ARCHIVE HIGH", 1500)


def test_recommendation_filters(authed):
    def objects(**params):
        page = authed.get("/hcc/advisor/recommendations", params=params).json()
        return [r["object"] for r in page["items"]], page["total"]

    assert objects(schema="hr") == (["HR.EMP"], 1)
    assert objects(compression_type="QUERY HIGH") == (["SALES.ORDERS:P1", "HR.EMP"], 2)
    assert objects(min_savings=900) == (
        ["SALES.NEW", "SALES.ORDERS:P2", "SALES.ORDERS:P1"],
        3,
    )
    assert objects(limit=1, offset=1) == (["SALES.ORDERS:P2"], 4)
    # One run's own recommendations, as history.
    assert objects(run_id=2) == (["SALES.NEW"], 1)
    assert objects(run_id=1)[1] == 3


def test_recommendation_bad_input_is_422_naming_the_field(authed):
    for params, field in [
        ({"compression_type": "SUPER"}, "compression_type"),
        ({"min_savings": -1}, "min_savings"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"schema": "1; DROP"}, "schema"),
    ]:
        response = authed.get("/hcc/advisor/recommendations", params=params)
        assert response.status_code == 422, params
        assert response.json()["detail"][0]["loc"] == ["query", field]


def test_analyse_triggers_hcc_advisor_as_the_caller(authed, airflow_requests):
    from ..conftest import AIRFLOW, TOKEN

    response = authed.post("/hcc/advisor/analyses", json={"schemas": ["sales"]})
    assert response.status_code == 202
    (sent,) = airflow_requests
    assert sent.method == "POST"
    assert str(sent.url) == f"{AIRFLOW}/api/v2/dags/hcc_advisor/dagRuns"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(sent.content) == {
        "logical_date": None,
        "conf": {"schemas": ["SALES"], "incremental": False},
    }
    body = response.json()
    assert body["dag_run_id"] == "manual__2026-03-10T12:00:00+00:00"
    assert body["ui_url"] == "/dags/hcc_advisor/runs/manual__2026-03-10T12%3A00%3A00%2B00%3A00"


def test_analyse_forwards_the_cookie_token_too(client, airflow_requests):
    from ..conftest import TOKEN

    client.cookies.set("_token", TOKEN)
    body = {"schemas": [], "strategy": "aggressive", "incremental": True}
    assert client.post("/hcc/advisor/analyses", json=body).status_code == 202
    assert airflow_requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(airflow_requests[0].content)["conf"] == body


def test_analyse_rejects_bad_schema_names_before_calling_airflow(authed, airflow_requests):
    response = authed.post("/hcc/advisor/analyses", json={"schemas": ["SALES", "x y"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "schemas", 1]  # the bad one
    assert airflow_requests == []


def test_a_recommendation_is_dropped_once_its_object_was_rewritten_after_analysis(
    authed, repository
):
    from sqlalchemy import insert

    from hcc_operators.repository.tables import execution_log

    from ..conftest import at

    with repository.begin() as conn:
        conn.execute(
            insert(execution_log).values(
                owner="SALES",
                table_name="ORDERS",
                partition_name="P2",
                action="MOVE",
                status="SUCCESS",
                attempt=1,
                simulated=True,
                started_at=at("2026-03-09T23:00"),
            )
        )
    page = authed.get("/hcc/advisor/recommendations").json()
    assert [r["object"] for r in page["items"]] == ["SALES.NEW", "SALES.ORDERS:P1", "HR.EMP"]

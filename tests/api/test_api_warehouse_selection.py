"""?warehouse= on every route that reads or writes a repository: each warehouse's own rows, its
own DAGs, clear refusals of names the fleet does not have, and one warehouse's outage confined
to that warehouse.

Two SQLite repositories (conftest: `seed` for `default`, `seed_amer` for `dw_amer`) in a fleet
written to a temporary HCC_CONFIG_DIR; each repository is opened by name through
`get_engine_for`, as the real dependency opens a warehouse's connection.
"""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.dependencies.utils import get_flat_dependant
from fastapi.routing import APIRoute
from sqlalchemy import create_engine, select

from hcc_operators.api.airflow_client import AirflowClient, get_airflow_client
from hcc_operators.api.dependencies import WarehouseDep, get_engine, get_engine_for
from hcc_operators.api.permissions import get_queue_editor_check
from hcc_operators.core.fleet import load_fleet
from hcc_operators.repository.tables import ilm_queue

from .conftest import AIRFLOW, TOKEN, WarehouseDown

#: Per route: what identifies the rows of an answer, and what each warehouse's rows are.
LISTS = [
    ("/hcc/advisor/runs", lambda b: [r["run_id"] for r in b["items"]], [2, 1], [7]),
    (
        "/hcc/advisor/recommendations",
        lambda b: sorted(r["object"] for r in b["items"]),
        ["HR.EMP", "SALES.NEW", "SALES.ORDERS:P1", "SALES.ORDERS:P2"],
        ["AMER.FACTS:P1"],
    ),
    (
        "/hcc/compression/executions",
        lambda b: [r["execution_id"] for r in b["items"]],
        [5, 4, 3, 2, 1],
        [71, 70],
    ),
    ("/hcc/ilm/batches", lambda b: [r["batch_id"] for r in b["items"]], [3, 2, 1], [70]),
    (
        "/hcc/ilm/queue",
        lambda b: sorted(r["queue_id"] for r in b["items"]),
        [1, 2, 3, 4],
        [70, 71, 72],
    ),
    (
        "/hcc/ilm/backlog",
        lambda b: b["by_status"],
        {"FAILED": 1, "PENDING": 2, "SUCCESS": 1},
        {"PENDING": 3},
    ),
    (
        "/hcc/policies",
        lambda b: sorted(p["policy_name"] for p in b),
        ["compress_old", "purge_ancient"],
        ["amer_archive"],
    ),
    ("/hcc/operations", lambda b: [o["operation_id"] for o in b["items"]], [2, 1], [70]),
    (
        "/hcc/dashboard/data",
        lambda b: [s["label"] for s in b["savings_by_schema"]],
        ["SALES", "HR"],
        ["AMER"],
    ),
]

#: One row by id: found in the warehouse that has it, a 404 naming the warehouse in the other.
ONE_ROW = [
    ("/hcc/advisor/runs/{}", 1, 7),
    ("/hcc/advisor/runs/{}/progress", 1, 7),
    ("/hcc/compression/executions/{}", 1, 70),
    ("/hcc/ilm/batches/{}", 1, 70),
    ("/hcc/ilm/queue/{}", 1, 70),
    ("/hcc/ilm/queue/{}/history", 1, 70),
    ("/hcc/policies/{}/history", "compress_old", "amer_archive"),
]


def _repository_routes(app) -> list[APIRoute]:
    """The routes that open a warehouse's repository (directly or through get_engine); not
    the fleet overview, which reads every warehouse's."""
    found = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or route.path == "/fleet":
            continue
        calls = {d.call for d in get_flat_dependant(route.dependant).dependencies}
        if calls & {get_engine, get_engine_for}:
            found.append(route)
    return found


def _url(route: APIRoute) -> str:
    path = route.path.replace("{run_id}", "1").replace("{execution_id}", "1")
    path = path.replace("{batch_id}", "1").replace("{queue_id}", "1")
    path = path.replace("{policy_name}", "compress_old")
    return "/hcc" + path.replace("{partition}", "SALES.SALES_HIST:P2022")


def test_every_route_that_opens_a_repository_takes_the_warehouse_parameter(fleet_app):
    routes = _repository_routes(fleet_app)
    assert len(routes) >= 20
    for route in routes:
        names = {p.name for p in get_flat_dependant(route.dependant).query_params}
        assert "warehouse" in names, route.path


@pytest.mark.parametrize(("path", "rows", "default", "amer"), LISTS, ids=[p for p, *_ in LISTS])
def test_each_warehouse_lists_only_its_own_rows(fleet_client, path, rows, default, amer):
    plain = fleet_client.get(path)
    named = fleet_client.get(path, params={"warehouse": "default"})
    other = fleet_client.get(path, params={"warehouse": "dw_amer"})
    assert (plain.status_code, named.status_code, other.status_code) == (200, 200, 200)
    # Without the parameter: the default warehouse.
    assert rows(plain.json()) == rows(named.json()) == default
    assert rows(other.json()) == amer
    body = other.json()
    if isinstance(body, dict):  # pages and objects say whose rows they are
        assert body["warehouse"] == "dw_amer"


@pytest.mark.parametrize(("template", "default_key", "amer_key"), ONE_ROW)
def test_a_row_is_found_only_in_its_warehouse(fleet_client, template, default_key, amer_key):
    assert fleet_client.get(template.format(default_key)).status_code == 200
    found = fleet_client.get(template.format(amer_key), params={"warehouse": "dw_amer"})
    assert found.status_code == 200
    missing = fleet_client.get(template.format(amer_key))  # the default warehouse has no such row
    assert missing.status_code == 404
    assert "'default'" in missing.json()["detail"]
    elsewhere = fleet_client.get(template.format(default_key), params={"warehouse": "dw_amer"})
    assert elsewhere.status_code == 404
    assert "'dw_amer'" in elsewhere.json()["detail"]


def test_partition_evaluations_are_read_from_the_selected_warehouse(fleet_client):
    path = "/hcc/ilm/partitions/SALES.SALES_HIST:P2022/evaluations"
    assert fleet_client.get(path).status_code == 200
    answer = fleet_client.get(path, params={"warehouse": "dw_amer"})
    assert answer.status_code == 404
    assert answer.json()["detail"] == (
        "no evaluation of SALES.SALES_HIST:P2022 recorded in warehouse 'dw_amer'"
    )


def test_links_and_dag_ids_are_the_selected_warehouses(fleet_client):
    amer = {"warehouse": "dw_amer"}
    run = fleet_client.get("/hcc/advisor/runs/7", params=amer).json()
    assert run["ui_url"] == "/dags/hcc_advisor__dw_amer/runs/manual__amer_advisor"
    assert run["warehouse"] == "dw_amer"
    execution = fleet_client.get("/hcc/compression/executions/70", params=amer).json()
    assert execution["ui_url"] == (
        "/dags/hcc_compress__dw_amer/runs/manual__amer_c1/tasks/compress_object/mapped/0"
    )
    batch = fleet_client.get("/hcc/ilm/batches/70", params=amer).json()
    assert batch["ui_url"] == "/dags/hcc_ilm_execute__dw_amer/runs/scheduled__amer_b70"
    data = fleet_client.get("/hcc/dashboard/data", params=amer).json()
    assert data["warehouse"] == "dw_amer"
    assert data["start_dags"] == {
        "analyse": "hcc_advisor__dw_amer",
        "compress": "hcc_compress__dw_amer",
        "rollback": "hcc_compress_rollback__dw_amer",
    }
    (failure,) = data["recent_failures"]
    assert (failure["dag_id"], failure["warehouse"]) == ("hcc_compress__dw_amer", "dw_amer")
    assert failure["ui_url"] == (
        "/dags/hcc_compress__dw_amer/runs/manual__amer_c2/tasks/compress_object/mapped/1"
    )
    # The default warehouse keeps the plain DAG ids.
    default = fleet_client.get("/hcc/dashboard/data").json()
    assert default["start_dags"]["compress"] == "hcc_compress"
    assert default["recent_failures"][0]["ui_url"].startswith("/dags/hcc_ilm_execute/runs/")


@pytest.mark.parametrize(
    ("name", "status"),
    [("dw_nowhere", 404), ("DW_AMER", 422), ("dw-amer", 422), ("x" * 41, 422), ("x" * 5000, 422)],
)
def test_a_warehouse_the_fleet_does_not_have_is_a_clear_4xx(fleet_client, fleet_app, name, status):
    for route in _repository_routes(fleet_app):
        method = sorted(route.methods)[0]
        answer = fleet_client.request(method, _url(route), params={"warehouse": name})
        assert answer.status_code == status, (route.path, answer.text)
        detail = answer.json()["detail"]
        if status == 404 or len(name) < 100:  # FastAPI's own length refusal is a list
            assert "the fleet has: default, dw_amer" in detail, (route.path, detail)


def test_an_unknown_warehouse_is_named_with_the_ones_the_fleet_has(fleet_client):
    answer = fleet_client.get("/hcc/ilm/queue", params={"warehouse": "dw_apac"})
    assert answer.status_code == 404
    assert answer.json() == {
        "detail": "no warehouse named 'dw_apac'; the fleet has: default, dw_amer"
    }


def test_a_warehouse_whose_connection_fails_is_a_503_naming_it_alone(fleet_client, fleet_engines):
    fleet_engines["dw_amer"] = WarehouseDown("connection refused")
    down = fleet_client.get("/hcc/ilm/queue", params={"warehouse": "dw_amer"})
    assert down.status_code == 503
    assert down.json()["warehouse"] == "dw_amer"
    assert down.json()["detail"] == (
        "the repository of warehouse 'dw_amer' (connection 'hcc_dw_amer') is unavailable: "
        "WarehouseDown: connection refused"
    )
    # The other warehouse is not affected.
    assert fleet_client.get("/hcc/ilm/queue").status_code == 200


def test_a_repository_failing_mid_request_is_a_503_naming_its_warehouse(
    fleet_client, fleet_engines, tmp_path
):
    # Opened fine, but no DAG of this warehouse has created the repository yet.
    empty = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    fleet_engines["dw_amer"] = empty
    answer = fleet_client.get("/hcc/ilm/batches", params={"warehouse": "dw_amer"})
    assert answer.status_code == 503
    detail = answer.json()["detail"]
    assert "warehouse 'dw_amer'" in detail and "hcc_dw_amer" in detail
    assert fleet_client.get("/hcc/ilm/batches").status_code == 200
    empty.dispose()


def test_a_broken_fleet_file_is_a_503_naming_it(fleet_client, fleet_config):
    (fleet_config / "warehouses.yaml").write_text("warehouses:\n  - name: Bad Name\n")
    answer = fleet_client.get("/hcc/ilm/queue")
    assert answer.status_code == 503
    assert "warehouses.yaml" in answer.json()["detail"]


# --- work started on a warehouse: its own DAG ----------------------------------------------


def test_compress_triggers_the_selected_warehouses_dag(fleet_client, airflow_requests):
    answer = fleet_client.post(
        "/hcc/compression/runs",
        params={"warehouse": "dw_amer"},
        json={"objects": ["AMER.FACTS:P1"], "dry_run": True},
    )
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert (body["warehouse"], body["dag_id"]) == ("dw_amer", "hcc_compress__dw_amer")
    # The estimate is the dw_amer repository's advice for that partition.
    assert body["estimated_savings_bytes"] == 8000
    (sent,) = airflow_requests
    assert sent.url.path == "/api/v2/dags/hcc_compress__dw_amer/dagRuns"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(sent.content)["conf"] == {"objects": ["AMER.FACTS:P1"], "dry_run": True}


def test_the_default_warehouse_keeps_the_plain_dag_ids(fleet_client, airflow_requests):
    answer = fleet_client.post("/hcc/advisor/analyses", json={"schemas": ["SALES"]})
    assert answer.status_code == 202
    assert (answer.json()["warehouse"], answer.json()["dag_id"]) == ("default", "hcc_advisor")
    assert airflow_requests[0].url.path == "/api/v2/dags/hcc_advisor/dagRuns"


def test_analyse_triggers_the_selected_warehouses_advisor(fleet_client, airflow_requests):
    answer = fleet_client.post(
        "/hcc/advisor/analyses", params={"warehouse": "dw_amer"}, json={"schemas": ["AMER"]}
    )
    assert answer.status_code == 202
    assert answer.json()["dag_id"] == "hcc_advisor__dw_amer"
    assert airflow_requests[0].url.path == "/api/v2/dags/hcc_advisor__dw_amer/dagRuns"


def test_rollback_reads_and_triggers_in_the_selected_warehouse(fleet_client, airflow_requests):
    # Execution 70 exists only in dw_amer: the default warehouse says so, and starts nothing.
    missing = fleet_client.post("/hcc/compression/executions/70/rollback")
    assert missing.status_code == 404
    assert airflow_requests == []
    answer = fleet_client.post(
        "/hcc/compression/executions/70/rollback", params={"warehouse": "dw_amer"}
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["estimated_savings_bytes"] == -7000
    (sent,) = airflow_requests
    assert sent.url.path == "/api/v2/dags/hcc_compress_rollback__dw_amer/dagRuns"
    assert json.loads(sent.content)["dag_run_id"] == "rollback__execution_70__attempt_1"


def test_an_unknown_warehouse_starts_nothing(fleet_client, airflow_requests):
    answer = fleet_client.post(
        "/hcc/compression/runs",
        params={"warehouse": "dw_apac"},
        json={"objects": ["AMER.FACTS:P1"]},
    )
    assert answer.status_code == 404
    assert airflow_requests == []


# --- the paused state and unpausing: a DAG of a warehouse of the fleet --------------------


@pytest.fixture
def paused_airflow(fleet_app):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        dag = request.url.path.rsplit("/", 1)[-1]
        paused = request.method != "PATCH"
        return httpx.Response(200, json={"dag_id": dag, "is_paused": paused})

    fleet_app.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        AIRFLOW, transport=httpx.MockTransport(handler)
    )
    return seen


def test_the_paused_state_names_the_dags_warehouse(fleet_client, paused_airflow):
    answer = fleet_client.get("/hcc/dags/hcc_compress__dw_amer")
    assert answer.status_code == 200
    assert answer.json() == {
        "warehouse": "dw_amer",
        "dag_id": "hcc_compress__dw_amer",
        "is_paused": True,
        "ui_url": "/dags/hcc_compress__dw_amer",
    }
    unpaused = fleet_client.post("/hcc/dags/hcc_compress__dw_amer/unpause")
    assert unpaused.json()["is_paused"] is False
    assert [(r.method, r.url.path) for r in paused_airflow] == [
        ("GET", "/api/v2/dags/hcc_compress__dw_amer"),
        ("PATCH", "/api/v2/dags/hcc_compress__dw_amer"),
    ]


def test_a_dag_of_a_warehouse_outside_the_fleet_is_not_asked_about(fleet_client, paused_airflow):
    answer = fleet_client.post("/hcc/dags/hcc_compress__dw_apac/unpause")
    assert answer.status_code == 404
    assert answer.json()["detail"] == (
        "hcc_compress__dw_apac belongs to warehouse 'dw_apac', which the fleet does not have "
        "(it has: default, dw_amer)"
    )
    assert paused_airflow == []


# --- queue control: the selected warehouse's queue, its execute DAG's permission -----------


def test_queue_commands_change_only_the_selected_warehouses_queue(
    fleet_client, repository, amer_repository
):
    assert fleet_client.post("/hcc/ilm/queue/70/hold").status_code == 404
    answer = fleet_client.post(
        "/hcc/ilm/queue/70/hold", params={"warehouse": "dw_amer"}, json={"reason": "audit"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["warehouse"], body["item"]["warehouse"], body["item"]["status"]) == (
        "dw_amer",
        "dw_amer",
        "HELD",
    )
    assert body["change"]["changed_by"] == "test-operator"
    history = fleet_client.get("/hcc/ilm/queue/70/history", params={"warehouse": "dw_amer"})
    assert [c["command"] for c in history.json()] == ["hold"]
    with amer_repository.connect() as conn:
        held = conn.scalar(select(ilm_queue.c.status).where(ilm_queue.c.queue_id == 70))
    with repository.connect() as conn:
        statuses = set(conn.scalars(select(ilm_queue.c.status)))
    assert held == "HELD" and "HELD" not in statuses


def test_queue_edit_permission_is_asked_for_the_warehouses_execute_dag(fleet_app, fleet_client):
    asked: list[str] = []

    def only_default(spec: WarehouseDep):
        def may_edit(user) -> bool:
            asked.append(spec.name)
            return spec.name == "default"

        return may_edit

    fleet_app.dependency_overrides[get_queue_editor_check] = only_default
    assert fleet_client.post("/hcc/ilm/queue/1/hold").status_code == 200
    refused = fleet_client.post("/hcc/ilm/queue/70/hold", params={"warehouse": "dw_amer"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "test-operator may not change the ILM queue of warehouse 'dw_amer': it takes "
        "permission to edit task instances of the DAG hcc_ilm_execute__dw_amer"
    )
    assert asked == ["default", "dw_amer"]


def test_the_real_check_asks_airflow_about_the_suffixed_execute_dag(fleet_config):
    check = get_queue_editor_check(load_fleet().get("dw_amer"))
    assert check.keywords == {"execute_dag": "hcc_ilm_execute__dw_amer"}
    assert get_queue_editor_check(load_fleet().get(None)).keywords == {
        "execute_dag": "hcc_ilm_execute"
    }

"""Hostile values of ?warehouse= on every route that takes it, the fleet overview and the DAG
ids of the dags routes: never a 5xx, a 4xx with a reason for anything that is not a warehouse
of the fleet, and a warehouse's name accepted only as written.

(tests/reliability/test_hostile_api.py feeds every parameter of every route its generic corpus,
the warehouse parameter and /fleet included; this one adds the values that are nearly a
warehouse's name, on a fleet of two.)
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from fastapi.dependencies.utils import get_flat_dependant
from fastapi.routing import APIRoute

#: Nearly names, names in disguise, and the generic hostile texts.
HOSTILE = [
    "DW_AMER",
    "Default",
    "dw_amer ",
    " dw_amer",
    "dw_amer\n",
    "dw_amer\x00",
    "dw-amer",
    "dw_amer;drop",
    "dw_amer,default",
    "../dw_amer",
    "%2e%2e",
    "dw_amer__x",
    "hcc_warehouse",  # a connection id, not a warehouse name
    "_default",
    "9warehouse",
    "a" * 40 + "b",  # one character over the name limit
    "x" * 5000,
    "é" * 200,
    "ｄｗ_ａｍｅｒ",  # full-width letters
    "dw_amér",
    "'; DROP TABLE hcc_ilm_queue; --",
    "*",
    "",
    " ",
    "null",
    "dw_apac",  # well-formed, not in the fleet
]
BODIES = {
    "/compression/runs": {"objects": ["SALES.ORDERS:P1"], "dry_run": True},
    "/advisor/analyses": {"schemas": ["SALES"]},
    "/ilm/queue/{queue_id}/priority": {"priority": 5},
}


def _routes_with_warehouse(app) -> list[APIRoute]:
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            names = {p.name for p in get_flat_dependant(route.dependant).query_params}
            if "warehouse" in names:
                found.append(route)
    return found


def _url(route: APIRoute) -> str:
    path = route.path
    for name, value in {
        "run_id": "1",
        "execution_id": "1",
        "batch_id": "1",
        "queue_id": "2",
        "policy_name": "compress_old",
        "partition": "SALES.SALES_HIST:P2022",
    }.items():
        path = path.replace("{" + name + "}", value)
    return "/hcc" + path


def test_no_warehouse_value_is_a_5xx_and_only_names_of_the_fleet_pass(fleet_app, fleet_client):
    routes = _routes_with_warehouse(fleet_app)
    assert len(routes) >= 25
    counts: Counter[str] = Counter()
    problems = []
    for route in routes:
        method = sorted(route.methods)[0]
        body = BODIES.get(route.path)
        for value in HOSTILE:
            answer = fleet_client.request(
                method, _url(route), params={"warehouse": value}, json=body
            )
            counts[f"{answer.status_code // 100}xx"] += 1
            where = f"{method} {route.path} warehouse={value[:30]!r}: {answer.status_code}"
            if answer.status_code >= 500 or answer.status_code < 400:
                problems.append(f"{where} {answer.text[:200]}")
            elif not answer.json().get("detail"):
                problems.append(f"{where} without a reason")
    assert problems == []
    assert counts["4xx"] == len(routes) * len(HOSTILE)


def test_the_names_of_the_fleet_pass_on_every_route(fleet_app, fleet_client):
    for route in _routes_with_warehouse(fleet_app):
        method = sorted(route.methods)[0]
        for name in ("default", "dw_amer"):
            answer = fleet_client.request(
                method, _url(route), params={"warehouse": name}, json=BODIES.get(route.path)
            )
            # 404/409: a row of the other warehouse, or a command that does not apply.
            assert answer.status_code in (200, 202, 404, 409), (route.path, name, answer.text)


def test_the_fleet_overview_ignores_what_it_does_not_take(fleet_client):
    for value in HOSTILE[:10]:
        answer = fleet_client.get("/hcc/fleet", params={"warehouse": value, "x": value})
        assert answer.status_code == 200


def test_hostile_dag_ids_are_refused_before_airflow_is_asked(fleet_client, airflow_requests):
    for dag in (
        "hcc_compress__",
        "hcc_compress__DW_AMER",
        "hcc_compress__dw_amer__x",
        "hcc_compress__" + "x" * 300,
        "hcc_compress__dw_apac",
        "hcc_compress__" + "a" * 41,
        "hcc_compress__dw amer",
        "hcc_compress\n__dw_amer",
    ):
        for method, suffix in (("GET", ""), ("POST", "/unpause")):
            answer = fleet_client.request(method, f"/hcc/dags/{quote(dag, safe='')}{suffix}")
            assert 400 <= answer.status_code < 500, (dag, answer.text)
            assert answer.json()["detail"]
    assert airflow_requests == []

"""Hostile API requests, generated from the FastAPI app's own route list.

For every route the app declares (new routes join the corpus by existing), every path and
query parameter and every field of a JSON body is fed the hostile values of its type while
the others keep valid values; each body also gets whole-body damage (not JSON, 20,000-deep
arrays, wrong shapes). The app runs on the seeded repository of tests/api with Airflow mocked
at the HTTP layer, as in the API tests.

Every answer must be a 2xx or a clear 4xx (never a 5xx). Where the route's own declaration
says a value is invalid (an integer outside its ge/le bounds or not an integer at all, text
with control characters, a bad object name in a body), a 2xx is a "silent acceptance". The
figures are recorded (figures.py).
"""

from __future__ import annotations

import json
import types
import typing
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import quote

import annotated_types as at
import httpx
import pytest
from fastapi.dependencies.utils import get_flat_dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.conftest import (
    AIRFLOW,
    AUTH,
    NOW,
    accept_only_test_token,
    may_edit_queue,
    mounted,
    repositories,
    seed,
)
from hcc_operators.api import auth
from hcc_operators.api.airflow_client import AirflowClient, get_airflow_client
from hcc_operators.api.app import create_app
from hcc_operators.api.dependencies import get_engine, get_engine_for, get_now
from hcc_operators.api.permissions import get_queue_editor_check
from hcc_operators.core.fleet import load_fleet

from .figures import record

INT64 = 2**63
#: Integers as query/path text: out of any 64-bit column, edges, and things that are no integer.
INT_TEXTS = [
    str(INT64),
    str(INT64 - 1),
    "99999999999999999999",
    str(-INT64 - 1),
    "-1",
    "0",
    "1e3",
    "NaN",
    "inf",
    "",
    "0x10",
    "١٢",
    "1.5",
    "abc",
]
#: Text: control characters, quoting, injection, path tricks, size, Unicode.
STR_TEXTS = [
    "SALES\n",
    "SALES\r\n",
    "\x00",
    "SA\tLES",
    '"',
    "'; DROP TABLE hcc_ilm_queue; --",
    "../../etc/passwd",
    "%",
    "*",
    "x" * 5000,
    "SELECT",
    "é" * 200,
    "SALES.ORDERS:P1:S1:X",
    " ",
]
CONTROL = ("\n", "\r", "\x00", "\t")
#: Values of body fields by JSON type.
BODY_INTS = [INT64, -1, 0, 10**30, 1.5, "1", None, True]
BODY_STRINGS = [*STR_TEXTS, 1, None, ["x"], {"a": 1}]
BODY_BOOLS = ["yes", 2, None, [True]]
#: Names that must never pass as object/schema names in a body: docs/api.md promises 422.
BAD_NAMES = [s for s in STR_TEXTS if any(c in s for c in CONTROL)] + [
    '"',
    "'; DROP TABLE hcc_ilm_queue; --",
    "SELECT",
    "x" * 5000,
    "SALES.ORDERS:P1:S1:X",
]

#: A valid value for a parameter, by name; anything else by type (the corpus still runs for
#: routes added later, with a baseline that may itself be refused).
VALID_PATH = {
    "run_id": "1",
    "execution_id": "1",
    "batch_id": "1",
    "partition": "SALES.SALES_HIST:P2022",
    "policy_name": "compress_old",
    "name": "dashboard.js",
}
VALID_BODY = {
    "AnalyseRequest": {"schemas": ["SALES"], "incremental": False},
    "CompressRequest": {"objects": ["SALES.ORDERS:P1"], "dry_run": True},
}


@dataclass
class Case:
    method: str
    path: str
    params: dict[str, str]
    body: Any  # JSON-able, or bytes for raw damage
    refusal_due: bool
    label: str


def _bounds(field_info) -> tuple[int | None, int | None]:
    low = high = None
    for item in field_info.metadata:
        if isinstance(item, at.Ge):
            low = item.ge
        elif isinstance(item, at.Gt):
            low = item.gt + 1
        elif isinstance(item, at.Le):
            high = item.le
        elif isinstance(item, at.Lt):
            high = item.lt - 1
    return low, high


def _base_type(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return _base_type(args[0]) if args else annotation
    if typing.get_origin(annotation) is typing.Annotated:
        return _base_type(args[0])
    return annotation


def _int_refusal_due(text: str, low: int | None, high: int | None) -> bool:
    body = text.strip()
    digits = body[1:] if body[:1] in "+-" else body
    if not (digits.isascii() and digits.isdigit()):
        return True
    value = int(body)
    if value >= INT64 or value < -INT64:
        return True
    return (low is not None and value < low) or (high is not None and value > high)


def _valid_param(param) -> str:
    if param.name in VALID_PATH:
        return VALID_PATH[param.name]
    kind = _base_type(param.field_info.annotation)
    if kind is int:
        low, _ = _bounds(param.field_info)
        return str(max(low or 0, 1))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return next(iter(kind)).value
    return "X"


def _valid_body(model: type[BaseModel]) -> dict:
    if model.__name__ in VALID_BODY:
        return dict(VALID_BODY[model.__name__])
    body = {}
    for name, info in model.model_fields.items():
        if info.is_required():
            kind = _base_type(info.annotation)
            body[name] = 1 if kind is int else ("X" if kind is str else [])
    return body


def _int_within(value: Any, low: int | None, high: int | None) -> bool:
    """A JSON integer (not a bool, not a float, not text) inside the field's bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _url(route: APIRoute, values: dict[str, str]) -> str:
    path = route.path
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return "/hcc" + path


def cases_for(route: APIRoute) -> list[Case]:
    dependant = get_flat_dependant(route.dependant)
    method = sorted(route.methods)[0]
    path_params = {p.name: p for p in dependant.path_params}
    query_params = {p.name: p for p in dependant.query_params}
    body_model = None
    if dependant.body_params:
        annotation = dependant.body_params[0].field_info.annotation
        body_model = annotation if isinstance(annotation, type) else None
    valid_path = {n: _valid_param(p) for n, p in path_params.items()}
    valid_body = _valid_body(body_model) if body_model else None
    cases = [Case(method, _url(route, valid_path), {}, valid_body, False, "baseline")]

    def hostile_texts(param) -> list[tuple[str, bool]]:
        kind = _base_type(param.field_info.annotation)
        if kind is int:
            low, high = _bounds(param.field_info)
            return [(t, _int_refusal_due(t, low, high)) for t in INT_TEXTS]
        # Text of any kind (names, filters, enums): control characters are never valid.
        return [(t, any(c in t for c in CONTROL)) for t in STR_TEXTS]

    for name, param in path_params.items():
        for text, due in hostile_texts(param):
            if text == "":
                continue  # an empty segment is another URL (the collection), not this route
            if "/" in text:
                due = True  # a slashed segment cannot be this parameter
            cases.append(
                Case(
                    method,
                    _url(route, {**valid_path, name: text}),
                    {},
                    valid_body,
                    due,
                    f"path {name}={text[:30]!r}",
                )
            )
    for name, param in query_params.items():
        for text, due in hostile_texts(param):
            cases.append(
                Case(
                    method,
                    _url(route, valid_path),
                    {name: text},
                    valid_body,
                    due,
                    f"query {name}={text[:30]!r}",
                )
            )
    if body_model is not None:
        url = _url(route, valid_path)
        for field, info in body_model.model_fields.items():
            kind = _base_type(info.annotation)
            is_list = typing.get_origin(kind) is list
            if is_list:
                values = [([v], isinstance(v, str) and v in BAD_NAMES) for v in BODY_STRINGS]
                values += [("SALES.ORDERS:P1", True), ([], False), (["SALES.X"] * 5000, True)]
            elif kind is bool:
                values = [(v, True) for v in BODY_BOOLS]
            elif kind is int:
                low, high = _bounds(info)
                values = [(v, not _int_within(v, low, high)) for v in BODY_INTS]
            else:
                values = [(v, any(c in str(v) for c in CONTROL)) for v in BODY_STRINGS]
            for value, due in values:
                body = {**(valid_body or {}), field: value}
                cases.append(Case(method, url, {}, body, due, f"body {field}={str(value)[:30]!r}"))
        for raw, label in (
            (b"not json", "body not JSON"),
            (b"[" * 20_000 + b"]" * 20_000, "body 20,000-deep array"),
            (b"null", "body null"),
            (b"[]", "body list"),
            (json.dumps({"x": 1}).encode(), "body unknown field only"),
            (b'{"a": ' * 5000 + b"1" + b"}" * 5000, "body 5,000-deep object"),
        ):
            cases.append(Case(method, url, {}, raw, True, label))
    return cases


def _routes(app) -> list[APIRoute]:
    return [r for r in app.routes if isinstance(r, APIRoute)]


@pytest.fixture
def app(sqlite_engine):
    """The app on tests/api's seeded repository, as its `app` fixture builds it; Airflow
    answers every trigger with a fresh run (mocked at the HTTP layer)."""
    seed(sqlite_engine)
    triggered: list[str] = []

    def airflow(request: httpx.Request) -> httpx.Response:
        run_id = json.loads(request.content).get("dag_run_id") or f"manual__{len(triggered)}"
        triggered.append(run_id)
        return httpx.Response(200, json={"dag_run_id": run_id, "state": "queued"})

    application = create_app()
    application.dependency_overrides[get_engine] = lambda: sqlite_engine
    # /metrics and /fleet open every warehouse of the shipped fleet through get_engine_for:
    # each gets the seeded repository, so their answers are real ones, not "unreachable".
    application.dependency_overrides[get_engine_for] = lambda: repositories(
        {name: sqlite_engine for name in load_fleet().names}
    )
    application.dependency_overrides[get_now] = lambda: NOW
    application.dependency_overrides[auth.get_token_validator] = lambda: accept_only_test_token
    application.dependency_overrides[get_queue_editor_check] = lambda: may_edit_queue
    application.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        AIRFLOW, transport=httpx.MockTransport(airflow)
    )
    return application


@pytest.fixture
def hostile_client(app):
    with TestClient(mounted(app), raise_server_exceptions=False) as client:
        client.headers.update(AUTH)
        yield client


def _send(client: TestClient, case: Case):
    if isinstance(case.body, bytes):
        return client.request(
            case.method,
            case.path,
            params=case.params,
            content=case.body,
            headers={"Content-Type": "application/json"},
        )
    if case.body is None:
        return client.request(case.method, case.path, params=case.params)
    return client.request(case.method, case.path, params=case.params, json=case.body)


def test_generated_api_corpus(app, hostile_client):
    routes = _routes(app)
    cases = [case for route in routes for case in cases_for(route)]
    counts: Counter[str] = Counter()
    server_errors, silent, unclear = [], [], []
    for case in cases:
        response = _send(hostile_client, case)
        status = response.status_code
        counts[f"{status // 100}xx"] += 1
        where = f"{case.method} {case.path[:80]} {case.params} {case.label}"
        if status >= 500:
            server_errors.append(f"{where}: {status} {response.text[:200]}")
        elif case.refusal_due and status < 400:
            silent.append(f"{where}: {status}")
        elif 400 <= status < 500 and status != 404 and not response.json().get("detail"):
            unclear.append(f"{where}: {status} without detail")
        if case.refusal_due:
            counts["refusals due"] += 1
    figures = {
        "routes": len(routes),
        "requests tried": len(cases),
        "2xx": counts["2xx"],
        "4xx": counts["4xx"],
        "5xx": counts["5xx"],
        "refusals due": counts["refusals due"],
        "silent acceptances": len(silent),
        "4xx without a reason": len(unclear),
    }
    record(
        "api",
        figures,
        {"5xx": server_errors[:20], "silent": silent[:20], "unclear": unclear[:20]},
    )
    assert len(routes) >= 20 and len(cases) > 500, "the generated corpus shrank"
    assert server_errors == []
    assert silent == []
    assert unclear == []


def test_the_generator_covers_every_parameter_of_every_route(app):
    # A parameter the corpus did not vary would be an untested door.
    for route in _routes(app):
        dependant = get_flat_dependant(route.dependant)
        labels = {c.label.split("=")[0] for c in cases_for(route)}
        for param in dependant.path_params:
            assert f"path {param.name}" in labels, route.path
        for param in dependant.query_params:
            assert f"query {param.name}" in labels, route.path


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/hcc/ilm/batches", {"offset": str(INT64 - 1)}),
        ("/hcc/advisor/recommendations", {"min_savings": str(INT64 - 1)}),
        ("/hcc/advisor/recommendations", {"run_id": str(INT64 - 1)}),
        ("/hcc/compression/executions/9223372036854775807", {}),
    ],
)
def test_the_largest_64_bit_values_reach_the_database_and_come_back(hostile_client, path, params):
    # The bound is the column's: its largest value is a valid request (an empty page, a 404).
    response = hostile_client.get(path, params=params)
    assert response.status_code in (200, 404), response.text

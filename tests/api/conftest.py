"""A seeded SQLite repository, the app wired to it, and Airflow's REST API mocked over HTTP.

Expected values in the tests are worked out by hand from the rows below.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert

from hcc_operators.api import auth
from hcc_operators.api.airflow_client import AirflowClient, get_airflow_client
from hcc_operators.api.app import create_app
from hcc_operators.api.dependencies import get_engine, get_engine_for, get_now
from hcc_operators.api.permissions import get_queue_editor_check
from hcc_operators.core.policy_config import Policy
from hcc_operators.core.reasons import Reason
from hcc_operators.repository import advice
from hcc_operators.repository import tables as t

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TOKEN = "token-accepted-by-the-test-validator"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AIRFLOW = "http://airflow.test:8080"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _policy(name: str, min_age_days: int, *, drop: bool = False) -> str:
    action = {"type": "DROP"} if drop else {"type": "COMPRESS", "level": "QUERY HIGH"}
    return Policy.model_validate(
        {
            "name": name,
            "tables": ["SALES.*"],
            "action": action,
            "conditions": {"min_age_days": min_age_days},
            "allow_destructive": drop,
        }
    ).canonical_json


def put(conn, table, rows: list[dict]) -> None:
    # One statement per row: the rows leave out different optional columns.
    for row in rows:
        conn.execute(insert(table).values(**row))


def seed(engine) -> None:
    result = dict(
        object_kind="PARTITION",
        status="SUCCESS",
        recompression=False,
        analysed_at=at("2026-03-09T10:05"),
    )
    execution = dict(simulated=False, started_at=at("2026-03-08T11:00"))
    log = dict(
        policy_name="compress_old",
        attempt=1,
        simulated=False,
        batch_id=1,
        dag_run_id="scheduled__b1",
    )
    with engine.begin() as conn:
        put(
            conn,
            t.advisor_runs,
            [
                dict(
                    run_id=1,
                    dag_run_id="scheduled__2026-03-09T10:00:00+00:00",
                    status="SUCCESS",
                    strategy="balanced",
                    schemas=json.dumps(["SALES", "HR"]),
                    objects_total=4,
                    objects_analysed=4,
                    objects_succeeded=3,
                    objects_failed=1,
                    bytes_total=4000,
                    bytes_analysed=4000,
                    started_at=at("2026-03-09T10:00"),
                    finished_at=at("2026-03-09T10:10"),
                ),
                dict(
                    run_id=2,
                    dag_run_id="manual__run2",
                    status="RUNNING",
                    strategy="balanced",
                    schemas=json.dumps(["SALES"]),
                    objects_total=10,
                    objects_analysed=4,
                    objects_succeeded=4,
                    objects_failed=0,
                    bytes_total=1000,
                    bytes_analysed=250,
                    started_at=NOW - timedelta(seconds=100),
                ),
            ],
        )
        put(
            conn,
            t.advisor_results,
            [
                dict(
                    result,
                    result_id=1,
                    run_id=1,
                    owner="SALES",
                    table_name="ORDERS",
                    partition_name="P1",
                    size_bytes=1000,
                    current_compression="NONE",
                    recommended="QUERY HIGH",
                    expected_ratio=10.0,
                    estimated_savings=900,
                    hotness=1.0,
                    reason="cold",
                    tablespace_name="USERS",
                ),
                dict(
                    result,
                    result_id=2,
                    run_id=1,
                    owner="SALES",
                    table_name="ORDERS",
                    partition_name="P2",
                    size_bytes=2000,
                    current_compression="NONE",
                    recommended="ARCHIVE HIGH",
                    expected_ratio=4.0,
                    estimated_savings=1500,
                    hotness=0.5,
                    reason="frozen",
                ),
                dict(
                    result,
                    result_id=3,
                    run_id=1,
                    owner="HR",
                    table_name="EMP",
                    object_kind="TABLE",
                    size_bytes=500,
                    current_compression="NONE",
                    recommended="QUERY HIGH",
                    expected_ratio=2.5,
                    estimated_savings=300,
                    hotness=2.0,
                    reason="warm",
                ),
                dict(
                    result,
                    result_id=4,
                    run_id=1,
                    owner="HR",
                    table_name="BAD",
                    object_kind="TABLE",
                    status="FAILED",
                    error_code="ORA-00942",
                ),
                dict(
                    result,
                    result_id=5,
                    run_id=2,
                    owner="SALES",
                    table_name="NEW",
                    object_kind="TABLE",
                    size_bytes=6000,
                    recommended="ARCHIVE LOW",
                    expected_ratio=6.0,
                    estimated_savings=5000,
                ),
            ],
        )
        put(
            conn,
            t.compression_executions,
            [
                dict(
                    execution,
                    execution_id=1,
                    dag_run_id="manual__c1",
                    owner="SALES",
                    table_name="ORDERS",
                    partition_name="P1",
                    operation="COMPRESS",
                    compression_from="NONE",
                    compression_to="QUERY HIGH",
                    status="SUCCESS",
                    bytes_before=1000,
                    bytes_after=200,
                    expected_ratio=10.0,
                    achieved_ratio=8.0,
                    space_saved=800,
                    duration_s=10.0,
                    ddl="ALTER TABLE ...",
                    finished_at=at("2026-03-08T12:00"),
                ),
                dict(
                    execution,
                    execution_id=2,
                    dag_run_id="manual__c1",
                    owner="HR",
                    table_name="EMP",
                    operation="COMPRESS",
                    compression_to="QUERY HIGH",
                    status="SUCCESS",
                    expected_ratio=3.0,
                    achieved_ratio=3.5,
                    space_saved=200,
                    duration_s=20.0,
                    finished_at=at("2026-03-09T12:00"),
                ),
                dict(
                    execution,
                    execution_id=3,
                    dag_run_id="manual__c2",
                    map_index=2,
                    owner="SALES",
                    table_name="ORDERS",
                    partition_name="P2",
                    operation="COMPRESS",
                    compression_to="ARCHIVE HIGH",
                    status="FAILED",
                    duration_s=30.0,
                    error_code="ORA-01652",
                    error_message="unable to extend temp segment",
                    started_at=at("2026-03-09T13:00"),
                ),
                dict(
                    execution,
                    execution_id=4,
                    dag_run_id="manual__c0",
                    owner="SALES",
                    table_name="X",
                    operation="COMPRESS",
                    status="ROLLED_BACK",
                    expected_ratio=2.0,
                    achieved_ratio=2.1,
                    space_saved=999,
                    duration_s=5.0,
                ),
                dict(
                    execution,
                    execution_id=5,
                    dag_run_id="manual__r1",
                    owner="SALES",
                    table_name="X",
                    operation="ROLLBACK",
                    status="SUCCESS",
                    space_saved=-999,
                    duration_s=5.0,
                    rollback_of=4,
                ),
            ],
        )
        put(
            conn,
            t.execution_log,
            [
                dict(
                    log,
                    log_id=1,
                    queue_id=3,
                    owner="SALES",
                    table_name="SALES_HIST",
                    partition_name="P2020",
                    action="COMPRESS",
                    status="SUCCESS",
                    map_index=0,
                    bytes_before=4000,
                    bytes_after=1000,
                    ratio=4.0,
                    duration_s=40.0,
                    started_at=at("2026-03-09T22:00"),
                    finished_at=at("2026-03-09T23:00"),
                ),
                dict(
                    log,
                    log_id=2,
                    queue_id=4,
                    owner="SALES",
                    table_name="SALES_HIST",
                    partition_name="P2021",
                    action="MOVE",
                    status="FAILED",
                    map_index=1,
                    duration_s=2.0,
                    error_code="ORA-00054",
                    error_message="resource busy",
                    started_at=at("2026-03-09T23:05"),
                ),
            ],
        )
        put(
            conn,
            t.ilm_batches,
            [
                dict(
                    batch_id=1,
                    dag_run_id="scheduled__b1",
                    run_type="scheduled",
                    status="COMPLETED",
                    planned=2,
                    succeeded=1,
                    failed=1,
                    started_at=at("2026-03-09T22:00"),
                    finished_at=at("2026-03-09T23:30"),
                ),
                dict(
                    batch_id=2,
                    dag_run_id="scheduled__b2",
                    run_type="scheduled",
                    status="INTERRUPTED",
                    started_at=at("2026-03-10T00:00"),
                    finished_at=at("2026-03-10T01:00"),
                ),
                dict(
                    batch_id=3,
                    dag_run_id="manual__b3",
                    run_type="forced",
                    forced=True,
                    status="RUNNING",
                    started_at=at("2026-03-10T11:00"),
                ),
            ],
        )
        queue = dict(
            policy_version=1,
            priority=10,
            owner="SALES",
            table_name="SALES_HIST",
            action="COMPRESS",
            attempts=0,
            carried_over=False,
        )
        put(
            conn,
            t.ilm_queue,
            [
                dict(
                    queue,
                    queue_id=1,
                    policy_name="compress_old",
                    partition_name="P2022",
                    status="PENDING",
                    size_bytes=100,
                    action_params='{"level": "QUERY HIGH"}',
                    enqueued_at=at("2026-03-08T12:00"),
                    updated_at=at("2026-03-08T12:00"),
                ),
                dict(
                    queue,
                    queue_id=2,
                    policy_name="purge_ancient",
                    partition_name="P2019",
                    status="PENDING",
                    size_bytes=50,
                    action="PURGE",
                    priority=5,
                    enqueued_at=at("2026-03-09T12:00"),
                    updated_at=at("2026-03-09T12:00"),
                ),
                dict(
                    queue,
                    queue_id=3,
                    policy_name="compress_old",
                    partition_name="P2020",
                    status="SUCCESS",
                    batch_id=1,
                    enqueued_at=at("2026-03-08T12:00"),
                    updated_at=at("2026-03-09T23:00"),
                ),
                dict(
                    queue,
                    queue_id=4,
                    policy_name="compress_old",
                    partition_name="P2021",
                    status="FAILED",
                    batch_id=1,
                    last_error="ORA-00054",
                    enqueued_at=at("2026-03-09T00:00"),
                    updated_at=at("2026-03-09T23:05"),
                ),
            ],
        )
        policy = dict(checksum="c", enabled=True, created_at=at("2026-01-01T00:00"))
        put(
            conn,
            t.ilm_policies,
            [
                dict(
                    policy,
                    policy_id=1,
                    policy_name="compress_old",
                    version=1,
                    priority=10,
                    action="COMPRESS",
                    definition=_policy("compress_old", 30),
                    is_current=False,
                    superseded_at=at("2026-02-01T00:00"),
                ),
                dict(
                    policy,
                    policy_id=2,
                    policy_name="compress_old",
                    version=2,
                    priority=10,
                    action="COMPRESS",
                    definition=_policy("compress_old", 90),
                    is_current=True,
                ),
                dict(
                    policy,
                    policy_id=3,
                    policy_name="purge_ancient",
                    version=1,
                    priority=5,
                    action="DROP",
                    definition=_policy("purge_ancient", 3650, drop=True),
                    is_current=True,
                ),
            ],
        )
        # Two evaluations saw P2022: details are read from the latest one, with their text
        # rendered from its snapshot of the partition.
        put(
            conn,
            t.evaluations,
            [
                dict(
                    evaluation_no=1,
                    evaluation_id="ev1",
                    evaluated_at=at("2026-03-08T01:00"),
                    tablespaces_free='{"USERS": 0}',
                ),
                dict(
                    evaluation_no=2,
                    evaluation_id="ev2",
                    evaluated_at=at("2026-03-09T01:00"),
                    tablespaces_free=json.dumps({"USERS": 10 * 2**30}),
                ),
            ],
        )
        snapshot = dict(
            owner="SALES",
            table_name="SALES_HIST",
            partition_name="P2022",
            object_no=1,
            age_months=0,
            size_bytes=500,
            compression="NONE",
            compression_rank=0,
            tablespace_name="USERS",
            read_only=False,
            is_newest=True,
        )
        put(
            conn,
            t.evaluation_objects,
            [
                dict(snapshot, evaluation_no=1, age_days=20),
                dict(snapshot, evaluation_no=2, age_days=120),
            ],
        )
        limits = dict(
            owner="SALES", table_name="SALES_HIST", hot_days=90, warm_days=365, cold_days=1095
        )
        put(
            conn,
            t.evaluation_targets,
            [
                dict(limits, evaluation_no=1, policy_id=1),
                dict(limits, evaluation_no=2, policy_id=2),
                dict(limits, evaluation_no=2, policy_id=3),
            ],
        )
        put(
            conn,
            t.evaluation_details,
            [
                dict(evaluation_no=1, policy_id=1, object_no=1, reason=Reason.TOO_YOUNG.code),
                dict(evaluation_no=2, policy_id=2, object_no=1, reason=Reason.ELIGIBLE.code),
                dict(evaluation_no=2, policy_id=3, object_no=1, reason=Reason.TOO_YOUNG.code),
            ],
        )
        access = dict(
            owner="SALES",
            table_name="SALES_HIST",
            compression="NONE",
            read_only=False,
            is_newest=False,
            refreshed_at=NOW,
        )
        put(
            conn,
            t.partition_access,
            [
                dict(
                    access,
                    partition_name="P2020",
                    size_bytes=1000,
                    temperature="COLD",
                    tablespace_name="TS_ARCHIVE",
                ),
                dict(
                    access,
                    partition_name="P2021",
                    size_bytes=3000,
                    temperature="COLD",
                    tablespace_name="TS_ARCHIVE",
                ),
                dict(
                    access,
                    partition_name="P2022",
                    size_bytes=500,
                    temperature="HOT",
                    tablespace_name="USERS",
                    is_newest=True,
                ),
            ],
        )
        put(
            conn,
            t.operation_log,
            [
                dict(
                    operation_id=1,
                    strategy="online_move",
                    target="SALES.X",
                    status="SUCCESS",
                    started_at=at("2026-03-09T01:00"),
                    duration_s=3.0,
                    context='{"degree": 4}',
                ),
                dict(
                    operation_id=2,
                    strategy="ctas",
                    target="SALES.Y",
                    status="FAILED",
                    started_at=at("2026-03-09T02:00"),
                    error="ORA-01555",
                ),
            ],
        )
        # The current advice the advisor keeps as it records results: each object's latest
        # successful analysis, whether or not its run has finished.
        advice.fill_from_history(conn)


class WarehouseDown(Exception):
    """What a test's unreachable warehouse raises when its repository is opened."""


def repositories(engines: dict) -> object:
    """An opener for ``get_engine_for``: the engine of each warehouse by name; any other
    warehouse (or one whose engine is an exception) cannot be opened."""

    @contextmanager
    def open_for(spec):
        engine = engines.get(spec.name)
        if engine is None:
            raise WarehouseDown(f"no repository for warehouse {spec.name!r} in this test")
        if isinstance(engine, Exception):
            raise engine
        yield engine

    return open_for


class TestUser:
    def get_name(self) -> str:
        return "test-operator"


def may_edit_queue(user) -> bool:
    """Stands in for the auth manager's answer (tests/api/test_auth.py asks the real one):
    the test user may edit the queue."""
    return isinstance(user, TestUser)


async def accept_only_test_token(token: str) -> TestUser:
    if token != TOKEN:
        raise auth.InvalidToken("not the test token")
    return TestUser()


@pytest.fixture
def repository(sqlite_engine):
    seed(sqlite_engine)
    return sqlite_engine


@pytest.fixture
def airflow_requests() -> list[httpx.Request]:
    """Requests the app sent to Airflow's REST API (mocked at the HTTP layer)."""
    return []


@pytest.fixture
def airflow_transport(airflow_requests):
    def handler(request: httpx.Request) -> httpx.Response:
        airflow_requests.append(request)
        dag_id = request.url.path.split("/")[4]
        return httpx.Response(
            200,
            json={
                "dag_id": dag_id,
                "dag_run_id": "manual__2026-03-10T12:00:00+00:00",
                "state": "queued",
                "logical_date": None,
            },
        )

    return httpx.MockTransport(handler)


@pytest.fixture
def app(repository, airflow_transport):
    """The app on the seeded repository. The token validator is replaced by
    `accept_only_test_token` (no Airflow metadata DB needed); header/cookie handling and the
    401s stay real, and tests/api/test_auth.py exercises Airflow's own validator."""
    application = create_app()
    application.dependency_overrides[get_engine] = lambda: repository
    application.dependency_overrides[get_engine_for] = lambda: repositories({"default": repository})
    application.dependency_overrides[get_now] = lambda: NOW
    application.dependency_overrides[auth.get_token_validator] = lambda: accept_only_test_token
    application.dependency_overrides[get_queue_editor_check] = lambda: may_edit_queue
    application.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        AIRFLOW, transport=airflow_transport
    )
    return application


def mounted(application) -> FastAPI:
    """Mounted under /hcc the way Airflow's API server mounts a plugin's fastapi_apps."""
    airflow_like = FastAPI()
    airflow_like.mount("/hcc", application)
    return airflow_like


@pytest.fixture
def client(app):
    with TestClient(mounted(app)) as c:
        yield c


@pytest.fixture
def authed(client):
    client.headers.update(AUTH)
    return client


@pytest.fixture(scope="session")
def demo_repository(tmp_path_factory):
    """The embedded demo warehouse (seed 42) with its repository filled by the real services:
    advisor, compression, ILM refresh, evaluate and one forced batch (tests/api/demo_data.py).
    Built once per session; the advisor's measurements take most of its ~20-30 s."""
    from .demo_data import build_demo_repository

    demo = build_demo_repository(tmp_path_factory.mktemp("demo"))
    yield demo
    demo.close()


def demo_run_id(demo) -> str:
    """The run id the mocked Airflow gives a run triggered on the demo (dated like the demo)."""
    return f"manual__{demo.now.isoformat()}"


@pytest.fixture
def demo_paused_dags() -> set[str]:
    """DAGs the mocked Airflow of the demo holds paused (all of them start paused)."""
    return {"hcc_advisor", "hcc_compress", "hcc_compress_rollback"}


@pytest.fixture
def demo_airflow_transport(airflow_requests, demo_repository, demo_paused_dags):
    """As `airflow_transport`, answering with a run id dated like the demo; GET and PATCH of
    /api/v2/dags/{dag_id} read and change `demo_paused_dags`."""

    def handler(request: httpx.Request) -> httpx.Response:
        airflow_requests.append(request)
        dag_id = request.url.path.split("/")[4]
        if request.url.path == f"/api/v2/dags/{dag_id}":
            if request.method == "PATCH" and not json.loads(request.content)["is_paused"]:
                demo_paused_dags.discard(dag_id)
            return httpx.Response(
                200, json={"dag_id": dag_id, "is_paused": dag_id in demo_paused_dags}
            )
        return httpx.Response(
            200,
            json={
                "dag_id": dag_id,
                "dag_run_id": demo_run_id(demo_repository),
                "state": "queued",
                "logical_date": None,
            },
        )

    return httpx.MockTransport(handler)


@pytest.fixture
def demo_app(demo_repository, demo_airflow_transport):
    """The app as in `app`, on the demo repository, looked at two hours after its ILM batch."""
    application = create_app()
    application.dependency_overrides[get_engine] = lambda: demo_repository.engine
    application.dependency_overrides[get_engine_for] = lambda: repositories(
        {"default": demo_repository.engine}
    )
    application.dependency_overrides[get_now] = lambda: demo_repository.now
    application.dependency_overrides[auth.get_token_validator] = lambda: accept_only_test_token
    application.dependency_overrides[get_queue_editor_check] = lambda: may_edit_queue
    application.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        AIRFLOW, transport=demo_airflow_transport
    )
    return application


# --- a fleet of two warehouses, each with its own repository --------------------------------

#: The second warehouse of the fleet tests: New York, its own calendar and a closing day
#: (a blackout) on NOW's date.
FLEET_YAML = """
warehouses:
  - name: default
    conn_id: hcc_warehouse
    description: EMEA (Berlin)
  - name: dw_amer
    conn_id: hcc_dw_amer
    description: Americas (New York)
    overrides:
      schedule:
        timezone: America/New_York
        holidays:
          country: US
          subdivision: NY
          extra_dates:
            2026-03-10: Test closing day
"""
SHARED_FILES = ("schedule.yaml", "policies.yaml", "advisor.yaml", "housekeeping.yaml")


@pytest.fixture
def fleet_config(tmp_path, monkeypatch):
    """A config folder (HCC_CONFIG_DIR) with the shipped files and FLEET_YAML."""
    import shutil

    from hcc_operators.core.paths import config_dir

    shipped = config_dir()
    folder = tmp_path / "config"
    folder.mkdir()
    for name in SHARED_FILES:
        shutil.copy(shipped / name, folder / name)
    (folder / "warehouses.yaml").write_text(FLEET_YAML)
    monkeypatch.setenv("HCC_CONFIG_DIR", str(folder))
    return folder


def seed_amer(engine) -> None:
    """The Americas warehouse's own rows: other ids, owners, runs and policies than `seed`, so
    a row of one warehouse is never mistaken for one of the other."""
    with engine.begin() as conn:
        put(
            conn,
            t.advisor_runs,
            [
                dict(
                    run_id=7,
                    dag_run_id="manual__amer_advisor",
                    status="SUCCESS",
                    strategy="balanced",
                    schemas=json.dumps(["AMER"]),
                    objects_total=1,
                    objects_analysed=1,
                    objects_succeeded=1,
                    objects_failed=0,
                    bytes_total=9000,
                    bytes_analysed=9000,
                    started_at=at("2026-03-09T20:00"),
                    finished_at=at("2026-03-09T20:30"),
                )
            ],
        )
        put(
            conn,
            t.advisor_results,
            [
                dict(
                    result_id=70,
                    run_id=7,
                    owner="AMER",
                    table_name="FACTS",
                    partition_name="P1",
                    object_kind="PARTITION",
                    status="SUCCESS",
                    recompression=False,
                    size_bytes=9000,
                    current_compression="NONE",
                    recommended="ARCHIVE HIGH",
                    expected_ratio=9.0,
                    estimated_savings=8000,
                    reason="frozen",
                    analysed_at=at("2026-03-09T20:10"),
                )
            ],
        )
        put(
            conn,
            t.compression_executions,
            [
                dict(
                    execution_id=70,
                    dag_run_id="manual__amer_c1",
                    map_index=0,
                    owner="AMER",
                    table_name="FACTS",
                    partition_name="P0",
                    operation="COMPRESS",
                    compression_from="NONE",
                    compression_to="QUERY HIGH",
                    status="SUCCESS",
                    simulated=False,
                    bytes_before=10000,
                    bytes_after=3000,
                    expected_ratio=3.0,
                    achieved_ratio=3.3,
                    space_saved=7000,
                    duration_s=12.0,
                    started_at=at("2026-03-09T03:00"),
                    finished_at=at("2026-03-09T03:10"),
                ),
                dict(
                    execution_id=71,
                    dag_run_id="manual__amer_c2",
                    map_index=1,
                    owner="AMER",
                    table_name="FACTS",
                    partition_name="P9",
                    operation="COMPRESS",
                    compression_to="ARCHIVE HIGH",
                    status="FAILED",
                    simulated=False,
                    duration_s=1.0,
                    error_code="ORA-01031",
                    error_message="insufficient privileges",
                    started_at=at("2026-03-09T04:00"),
                ),
            ],
        )
        put(
            conn,
            t.ilm_batches,
            [
                dict(
                    batch_id=70,
                    dag_run_id="scheduled__amer_b70",
                    run_type="scheduled",
                    status="COMPLETED",
                    planned=0,
                    started_at=at("2026-03-10T02:00"),
                    finished_at=at("2026-03-10T02:05"),
                )
            ],
        )
        queue = dict(
            policy_name="amer_archive",
            policy_version=1,
            priority=20,
            owner="AMER",
            table_name="FACTS",
            action="COMPRESS",
            attempts=0,
            carried_over=False,
            status="PENDING",
            size_bytes=1000,
            enqueued_at=at("2026-03-10T00:00"),
            updated_at=at("2026-03-10T00:00"),
        )
        put(
            conn,
            t.ilm_queue,
            [dict(queue, queue_id=70 + i, partition_name=f"P{10 + i}") for i in range(3)],
        )
        put(
            conn,
            t.ilm_policies,
            [
                dict(
                    policy_id=70,
                    policy_name="amer_archive",
                    version=1,
                    checksum="a",
                    enabled=True,
                    priority=20,
                    action="COMPRESS",
                    definition=_policy("amer_archive", 60),
                    is_current=True,
                    created_at=at("2026-01-02T00:00"),
                )
            ],
        )
        put(
            conn,
            t.operation_log,
            [
                dict(
                    operation_id=70,
                    strategy="online_move",
                    target="AMER.FACTS",
                    status="SUCCESS",
                    started_at=at("2026-03-09T03:00"),
                )
            ],
        )
        advice.fill_from_history(conn)


@pytest.fixture
def amer_repository(tmp_path):
    from sqlalchemy import create_engine

    from hcc_operators.repository.schema import create_all

    engine = create_engine(f"sqlite:///{tmp_path / 'amer.db'}")
    create_all(engine)
    seed_amer(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def fleet_engines(repository, amer_repository) -> dict:
    """Warehouse name -> its repository; put an exception in to make one unreachable."""
    return {"default": repository, "dw_amer": amer_repository}


@pytest.fixture
def fleet_app(fleet_config, fleet_engines, airflow_transport):
    """The app on the two-warehouse fleet: each warehouse's repository opened by name through
    `get_engine_for` (as the real dependency opens its connection)."""
    application = create_app()
    application.dependency_overrides[get_engine_for] = lambda: repositories(fleet_engines)
    application.dependency_overrides[get_now] = lambda: NOW
    application.dependency_overrides[auth.get_token_validator] = lambda: accept_only_test_token
    application.dependency_overrides[get_queue_editor_check] = lambda: may_edit_queue
    application.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        AIRFLOW, transport=airflow_transport
    )
    return application


@pytest.fixture
def fleet_client(fleet_app):
    with TestClient(mounted(fleet_app), raise_server_exceptions=False) as c:
        c.headers.update(AUTH)
        yield c

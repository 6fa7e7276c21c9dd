"""The app's authentication against Airflow's own auth manager and JWT signer.

Validation checks the revoked-token table, so these need the migrated Airflow metadata DB
(`make test` prepares it; a plain pytest run without AIRFLOW_HOME skips them).
"""

from __future__ import annotations

import asyncio

import pytest
from fastapi.security import HTTPAuthorizationCredentials

from hcc_operators.api import auth
from hcc_operators.api.app import create_app

from .conftest import mounted


def test_cookie_name_is_the_one_the_airflow_ui_sets():
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN

    assert auth.COOKIE_NAME == COOKIE_NAME_JWT_TOKEN


def test_header_wins_over_cookie():
    header = HTTPAuthorizationCredentials(scheme="Bearer", credentials="from-header")
    assert auth.request_token(header, "from-cookie") == "from-header"
    assert auth.request_token(None, "from-cookie") == "from-cookie"
    basic = HTTPAuthorizationCredentials(scheme="Basic", credentials="x")
    assert auth.request_token(basic, None) is None


def _metadata_db_ready() -> bool:
    from airflow import settings
    from sqlalchemy import inspect

    try:
        return inspect(settings.engine).has_table("revoked_token")
    except Exception:
        return False


@pytest.fixture(scope="module")
def auth_manager():
    if not _metadata_db_ready():
        pytest.skip("Airflow metadata DB not migrated (run via `make test`, AIRFLOW_HOME=.airflow)")
    from airflow.api_fastapi.app import create_auth_manager
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    manager = create_auth_manager()
    if not isinstance(manager, SimpleAuthManager):
        pytest.skip(f"minting test users is written for SimpleAuthManager, not {manager!r}")
    return manager


def _mint(manager, *, seconds: int = 600, username: str = "ops", role: str = "admin") -> str:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    user = SimpleAuthManagerUser(username=username, role=role)
    return manager.generate_jwt(user, expiration_time_in_seconds=seconds)


@pytest.mark.airflow_db
def test_real_validator_accepts_a_token_airflow_signed(auth_manager):
    user = asyncio.run(auth.airflow_token_user(_mint(auth_manager)))
    assert user.get_name() == "ops"


@pytest.mark.airflow_db
def test_real_validator_rejects_expired_and_tampered_tokens(auth_manager):
    with pytest.raises(auth.InvalidToken):
        asyncio.run(auth.airflow_token_user(_mint(auth_manager, seconds=-3600)))
    token = _mint(auth_manager)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(auth.InvalidToken):
        asyncio.run(auth.airflow_token_user(tampered))


@pytest.mark.airflow_db
def test_endpoints_with_the_real_validator(auth_manager, repository):
    from fastapi.testclient import TestClient

    from hcc_operators.api.dependencies import get_engine

    app = create_app()  # no validator override: Airflow's auth manager decides
    app.dependency_overrides[get_engine] = lambda: repository
    token = _mint(auth_manager)
    with TestClient(mounted(app)) as client:
        ok = client.get("/hcc/ilm/backlog", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert ok.json()["pending_bytes"] == 150
        expired = _mint(auth_manager, seconds=-3600)
        response = client.get("/hcc/ilm/backlog", headers={"Authorization": f"Bearer {expired}"})
        assert response.status_code == 401
        client.cookies.set("_token", token)
        assert client.get("/hcc/dashboard").status_code == 200


@pytest.mark.airflow_db
def test_queue_changes_need_airflow_s_permission_to_edit_the_execute_dag(auth_manager, repository):
    """No stand-ins: the token and the permission are both decided by Airflow's auth manager
    (SimpleAuthManager: a viewer may read, a user may edit task instances)."""
    from fastapi.testclient import TestClient

    from hcc_operators.api.dependencies import get_engine

    app = create_app()
    app.dependency_overrides[get_engine] = lambda: repository
    viewer = _mint(auth_manager, username="watcher", role="viewer")
    editor = _mint(auth_manager, username="dba", role="user")
    with TestClient(mounted(app)) as client:
        refused = client.post(
            "/hcc/ilm/queue/1/hold", headers={"Authorization": f"Bearer {viewer}"}
        )
        assert refused.status_code == 403
        assert refused.json()["detail"].startswith("watcher may not change the ILM queue")
        read = client.get("/hcc/ilm/queue/1", headers={"Authorization": f"Bearer {viewer}"})
        assert read.json()["status"] == "PENDING"
        held = client.post(
            "/hcc/ilm/queue/1/hold",
            headers={"Authorization": f"Bearer {editor}"},
            json={"reason": "index rebuild first"},
        )
        assert held.status_code == 200
        assert held.json()["change"]["changed_by"] == "dba"

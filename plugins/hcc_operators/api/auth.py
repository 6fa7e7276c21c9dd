"""Authentication of /hcc requests by the auth manager Airflow itself runs.

The plugin mount inherits no security from Airflow's own routers, so each router depends on
`require_user`. The token comes from the Authorization header (scripts, Prometheus) or the
`_token` cookie the Airflow UI keeps (the dashboard page and its fetches). Validation is
delegated to `get_user_from_token` of the configured auth manager: same keys, audience, expiry
and revocation list as /api/v2, nothing re-implemented here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

# Airflow's name for the UI cookie (base_auth_manager.COOKIE_NAME_JWT_TOKEN); kept literal so
# this module imports without initialising Airflow, and a test pins it to Airflow's constant.
COOKIE_NAME = "_token"

bearer_scheme = HTTPBearer(auto_error=False, description="Airflow API token (POST /auth/token)")
cookie_scheme = APIKeyCookie(
    name=COOKIE_NAME, auto_error=False, description="JWT cookie set by the Airflow UI"
)

TokenValidator = Callable[[str], Awaitable[Any]]


@dataclass(frozen=True)
class Caller:
    """Who called, and the token to forward when the call starts work in Airflow."""

    name: str
    token: str
    # The auth manager's user object, for permission checks on work done here rather than
    # in Airflow (api/permissions.py); not part of equality or repr.
    user: Any = field(default=None, compare=False, repr=False)


class InvalidToken(Exception):
    """The token is expired, malformed, revoked or not signed by this Airflow."""


async def airflow_token_user(token: str) -> Any:
    """Validate with the auth manager the API server initialised (Airflow's own singleton)."""
    from airflow.api_fastapi.app import get_auth_manager
    from jwt import InvalidTokenError

    try:
        return await get_auth_manager().get_user_from_token(token)
    except InvalidTokenError as err:  # ExpiredSignatureError is a subclass
        raise InvalidToken(str(err)) from err


def get_token_validator() -> TokenValidator:
    """Dependency so tests can swap in a validator when no Airflow metadata DB exists."""
    return airflow_token_user


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def request_token(bearer: HTTPAuthorizationCredentials | None, cookie: str | None) -> str | None:
    # An explicit header wins over the ambient browser cookie, as in Airflow's get_user.
    if bearer and bearer.scheme.lower() == "bearer" and bearer.credentials:
        return bearer.credentials
    return cookie or None


async def require_user(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
    validate: Annotated[TokenValidator, Depends(get_token_validator)],
) -> Caller:
    token = request_token(bearer, cookie)
    if token is None:
        raise _unauthorized("Not authenticated: send an Airflow API token")
    try:
        user = await validate(token)
    except InvalidToken as err:
        # 401 rather than Airflow's 403: to this app an invalid token means "not logged in".
        raise _unauthorized(f"Invalid or expired token: {err}") from err
    name = user.get_name() if hasattr(user, "get_name") else str(user)
    return Caller(name=name, token=token, user=user)


CallerDep = Annotated[Caller, Depends(require_user)]

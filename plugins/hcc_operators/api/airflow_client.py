"""Starting DAG runs through Airflow's public REST API, as the caller.

The console has no execution path of its own: a click becomes POST /api/v2/dags/{id}/dagRuns
with the caller's token, so Airflow decides whether that user may trigger the DAG, validates the
Params and records who started the run, exactly as for a trigger from the Airflow UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import httpx
from fastapi import Depends

TIMEOUT_S = 30.0
UNSPECIFIED_HOSTS = ("", "0.0.0.0", "::")


@dataclass(frozen=True)
class TriggeredRun:
    dag_id: str
    dag_run_id: str
    state: str | None
    ui_url: str


class AirflowRejected(Exception):
    """Airflow answered the trigger with an error status; its status and detail are kept."""

    def __init__(self, status_code: int, detail: Any):
        super().__init__(f"Airflow answered {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


class AirflowUnreachable(Exception):
    """The Airflow API server could not be reached at the configured base URL."""


def _conf_get(key: str, fallback: str) -> str:
    from airflow.configuration import conf

    return conf.get("api", key, fallback=fallback) or fallback


def api_base_url() -> str:
    """Where this process reaches Airflow's API: [api] base_url, else host and port."""
    base = _conf_get("base_url", "")
    if base:
        return base.rstrip("/")
    host = _conf_get("host", "0.0.0.0")
    # A wildcard listen address is not something to connect to; the server is local.
    host = "127.0.0.1" if host in UNSPECIFIED_HOSTS else host
    scheme = "https" if _conf_get("ssl_cert", "") else "http"
    return f"{scheme}://{host}:{_conf_get('port', '8080')}"


def ui_root() -> str:
    """Prefix for UI links: base_url when configured, else root-relative to this server."""
    return _conf_get("base_url", "").rstrip("/")


def dag_run_path(dag_id: str, dag_run_id: str) -> str:
    return f"/dags/{quote(dag_id, safe='')}/runs/{quote(dag_run_id, safe='')}"


def task_instance_path(
    dag_id: str, dag_run_id: str, task_id: str, map_index: int | None = None
) -> str:
    path = f"{dag_run_path(dag_id, dag_run_id)}/tasks/{quote(task_id, safe='')}"
    return path if map_index is None or map_index < 0 else f"{path}?map_index={map_index}"


class AirflowClient:
    def __init__(
        self,
        base_url: str,
        *,
        ui_prefix: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.ui_prefix = ui_prefix.rstrip("/")
        self._transport = transport

    def ui_url(self, path: str) -> str:
        return f"{self.ui_prefix}{path}"

    async def trigger_dag_run(
        self, dag_id: str, conf: dict, token: str, *, dag_run_id: str | None = None
    ) -> TriggeredRun:
        """Start a run; with ``dag_run_id`` Airflow refuses (409) a second run of that id, which
        makes the request idempotent without a check-then-act race on our side."""
        url = f"{self.base_url}/api/v2/dags/{quote(dag_id, safe='')}/dagRuns"
        # logical_date null: a manual run that never collides with a scheduled interval.
        body: dict = {"logical_date": None, "conf": conf}
        if dag_run_id is not None:
            body["dag_run_id"] = dag_run_id
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=TIMEOUT_S) as http:
                response = await http.post(url, json=body, headers=headers)
        except httpx.HTTPError as err:
            host = urlsplit(self.base_url).netloc
            raise AirflowUnreachable(f"Airflow API at {host} unreachable: {err}") from err
        if response.status_code >= 400:
            raise AirflowRejected(response.status_code, _detail(response))
        run = response.json()
        run_id = run["dag_run_id"]
        return TriggeredRun(
            dag_id=dag_id,
            dag_run_id=run_id,
            state=run.get("state"),
            ui_url=self.ui_url(dag_run_path(dag_id, run_id)),
        )


def _detail(response: httpx.Response) -> Any:
    try:
        return response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        return response.text


def get_airflow_client() -> AirflowClient:
    return AirflowClient(api_base_url(), ui_prefix=ui_root())


AirflowClientDep = Annotated[AirflowClient, Depends(get_airflow_client)]

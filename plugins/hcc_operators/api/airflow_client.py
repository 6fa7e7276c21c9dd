"""Starting DAG runs (and unpausing their DAGs) through Airflow's public REST API, as the caller.

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

from hcc_operators.airflow_urls import api_base_url, ui_root
from hcc_operators.core.ui_links import dag_path, dag_run_path

TIMEOUT_S = 30.0


@dataclass(frozen=True)
class TriggeredRun:
    dag_id: str
    dag_run_id: str
    state: str | None
    ui_url: str


@dataclass(frozen=True)
class DagState:
    dag_id: str
    is_paused: bool
    ui_url: str


class AirflowRejected(Exception):
    """Airflow answered with an error status; its status and detail are kept, with what the
    console asked for (``action``) so the caller reads which request Airflow refused."""

    def __init__(self, status_code: int, detail: Any, action: str = "the DAG run"):
        super().__init__(f"Airflow answered {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail
        self.action = action


class AirflowUnreachable(Exception):
    """The Airflow API server could not be reached at the configured base URL."""


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

    async def _call(
        self, method: str, path: str, token: str, body: dict, *, action: str, params=None
    ) -> dict:
        """One request to Airflow's REST API with the caller's token; Airflow's refusal is
        raised as AirflowRejected, a network failure as AirflowUnreachable."""
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=TIMEOUT_S) as http:
                response = await http.request(
                    method, f"{self.base_url}{path}", json=body, headers=headers, params=params
                )
        except httpx.HTTPError as err:
            host = urlsplit(self.base_url).netloc
            raise AirflowUnreachable(f"Airflow API at {host} unreachable: {err}") from err
        if response.status_code >= 400:
            raise AirflowRejected(response.status_code, _detail(response), action)
        return response.json()

    async def trigger_dag_run(
        self, dag_id: str, conf: dict, token: str, *, dag_run_id: str | None = None
    ) -> TriggeredRun:
        """Start a run; with ``dag_run_id`` Airflow refuses (409) a second run of that id, which
        makes the request idempotent without a check-then-act race on our side."""
        # logical_date null: a manual run that never collides with a scheduled interval.
        body: dict = {"logical_date": None, "conf": conf}
        if dag_run_id is not None:
            body["dag_run_id"] = dag_run_id
        run = await self._call(
            "POST",
            f"/api/v2/dags/{quote(dag_id, safe='')}/dagRuns",
            token,
            body,
            action="the DAG run",
        )
        run_id = run["dag_run_id"]
        return TriggeredRun(
            dag_id=dag_id,
            dag_run_id=run_id,
            state=run.get("state"),
            ui_url=self.ui_url(dag_run_path(dag_id, run_id)),
        )

    async def dag_state(self, dag_id: str, token: str) -> DagState:
        """Whether the DAG is paused, as the caller may see it (GET /api/v2/dags/{id})."""
        dag = await self._call(
            "GET", f"/api/v2/dags/{quote(dag_id, safe='')}", token, None, action="reading the DAG"
        )
        return self._dag_state(dag)

    async def set_paused(self, dag_id: str, paused: bool, token: str) -> DagState:
        """Pause or unpause with the caller's permissions (PATCH /api/v2/dags/{id}): Airflow
        checks the user may edit the DAG and records the change in its audit log."""
        dag = await self._call(
            "PATCH",
            f"/api/v2/dags/{quote(dag_id, safe='')}",
            token,
            {"is_paused": paused},
            params={"update_mask": "is_paused"},
            action="pausing" if paused else "unpausing",
        )
        return self._dag_state(dag)

    def _dag_state(self, dag: dict) -> DagState:
        dag_id = dag["dag_id"]
        return DagState(dag_id, bool(dag["is_paused"]), self.ui_url(dag_path(dag_id)))


def _detail(response: httpx.Response) -> Any:
    try:
        return response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        return response.text


def get_airflow_client() -> AirflowClient:
    return AirflowClient(api_base_url(), ui_prefix=ui_root())


AirflowClientDep = Annotated[AirflowClient, Depends(get_airflow_client)]

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

from hcc_operators.airflow_urls import api_base_url, ui_root
from hcc_operators.core.ui_links import dag_run_path

TIMEOUT_S = 30.0


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

    async def trigger_dag_run(self, dag_id: str, conf: dict, token: str) -> TriggeredRun:
        url = f"{self.base_url}/api/v2/dags/{quote(dag_id, safe='')}/dagRuns"
        # logical_date null: a manual run that never collides with a scheduled interval.
        body = {"logical_date": None, "conf": conf}
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

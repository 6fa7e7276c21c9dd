from __future__ import annotations

import asyncio

import httpx
import pytest

from hcc_operators import airflow_urls
from hcc_operators.api import airflow_client as ac


@pytest.fixture
def api_conf(monkeypatch):
    def set_conf(**values):
        monkeypatch.setattr(
            airflow_urls, "_conf_get", lambda key, fallback: values.get(key) or fallback
        )

    return set_conf


def test_base_url_prefers_configured_base_url(api_conf):
    api_conf(base_url="https://airflow.example.com/root/", host="10.0.0.5", port="9090")
    assert airflow_urls.api_base_url() == "https://airflow.example.com/root"
    assert airflow_urls.ui_root() == "https://airflow.example.com/root"


def test_base_url_from_host_and_port_connects_locally_for_wildcard(api_conf):
    api_conf(host="0.0.0.0", port="9091")
    assert airflow_urls.api_base_url() == "http://127.0.0.1:9091"
    assert airflow_urls.ui_root() == ""
    api_conf(host="airflow-api", port="8443", ssl_cert="/certs/api.pem")
    assert airflow_urls.api_base_url() == "https://airflow-api:8443"


def test_trigger_builds_ui_url_under_the_configured_root():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/root/api/v2/dags/hcc_compress/dagRuns"
        return httpx.Response(200, json={"dag_run_id": "manual__x", "state": "queued"})

    client = ac.AirflowClient(
        "https://af.example/root",
        ui_prefix="https://af.example/root",
        transport=httpx.MockTransport(handler),
    )
    run = asyncio.run(client.trigger_dag_run("hcc_compress", {"objects": []}, "tok"))
    assert run.ui_url == "https://af.example/root/dags/hcc_compress/runs/manual__x"


def test_server_errors_are_rejected_with_airflows_detail():
    transport = httpx.MockTransport(lambda r: httpx.Response(500, text="boom"))
    client = ac.AirflowClient("http://af", transport=transport)
    with pytest.raises(ac.AirflowRejected) as caught:
        asyncio.run(client.trigger_dag_run("hcc_advisor", {}, "tok"))
    assert (caught.value.status_code, caught.value.detail) == (500, "boom")

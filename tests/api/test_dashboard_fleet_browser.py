"""The dashboard's warehouse selector and fleet overview in headless Chromium, on the fleet of
two SQLite repositories (conftest: `default` seeded by `seed`, `dw_amer` by `seed_amer`).

The selection lives in the page's address (?warehouse=): a reload keeps it, every request for
data or work carries it, the queue page and its way back keep it, and work started on dw_amer
goes to dw_amer's own DAGs. Airflow's REST API is mocked at the HTTP layer.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from browser_support import CHROMIUM, chromium
from hcc_operators.api.airflow_client import AirflowClient, get_airflow_client

from .conftest import AIRFLOW, TOKEN, mounted

OUTPUT = Path(__file__).resolve().parents[1] / "output" / "dashboard-fleet.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def airflow_seen(fleet_app) -> list[httpx.Request]:
    """Airflow keeps every DAG paused until it is unpaused, and starts runs."""
    seen: list[httpx.Request] = []
    unpaused: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        dag_id = request.url.path.split("/")[4]
        if request.url.path == f"/api/v2/dags/{dag_id}":
            if request.method == "PATCH" and not json.loads(request.content)["is_paused"]:
                unpaused.add(dag_id)
            return httpx.Response(200, json={"dag_id": dag_id, "is_paused": dag_id not in unpaused})
        return httpx.Response(
            200, json={"dag_id": dag_id, "dag_run_id": "manual__fleet", "state": "queued"}
        )

    fleet_app.dependency_overrides[get_airflow_client] = lambda: AirflowClient(
        AIRFLOW, transport=httpx.MockTransport(handler)
    )
    return seen


@pytest.fixture
def server(fleet_app, airflow_seen):
    port = _free_port()
    config = uvicorn.Config(mounted(fleet_app), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser(tmp_path):
    with chromium(tmp_path / "chromium-profile") as devtools:
        yield devtools


def loaded(browser, warehouse: str) -> None:
    browser.wait_for(
        f"document.body.dataset.loaded === 'true' && document.body.dataset.warehouse === "
        f"{json.dumps(warehouse)} && document.body.dataset.fleet === 'true'",
        what=f"the dashboard of {warehouse}",
        show="document.getElementById('notice').textContent",
    )


def texts(browser, selector: str) -> list[str]:
    return browser.js(
        f"[...document.querySelectorAll({json.dumps(selector)})].map(e => e.textContent)"
    )


def test_the_selector_switches_every_table_and_keeps_the_choice_in_the_address(
    server, browser, airflow_seen
):
    browser("Network.setCookie", name="_token", value=TOKEN, url=server)
    browser("Page.enable")
    browser("Page.navigate", url=f"{server}/hcc/dashboard")
    loaded(browser, "default")

    # The fleet: a row per warehouse with its figures and its next window in its own zone.
    assert texts(browser, "#fleet tbody tr td:first-child") == ["default", "dw_amer"]
    amer_row = texts(browser, "#fleet-row-dw_amer td")
    assert amer_row[1:5] == ["ok", "6.8 KiB", "3", "1 / 1"]
    assert amer_row[5] == "Wed 2026-03-11 22:00 → 03-12 06:00 (America/New_York)"
    assert amer_row[6] == "Thu 2026-03-12 02:00 → 10:00 UTC"
    assert texts(browser, "#fleet-row-default td")[5] == (
        "Tue 2026-03-10 22:00 → 03-11 06:00 (Europe/Berlin)"
    )
    assert browser.js("document.getElementById('warehouse-select').value") == "default"
    assert texts(browser, "#candidates tbody tr td:nth-child(2)")[0] == "SALES.NEW"

    # A click on dw_amer's row selects it: the address, the data and the links follow.
    browser.js("document.querySelector('#fleet-row-dw_amer button').click()")
    loaded(browser, "dw_amer")
    assert browser.js("location.search") == "?warehouse=dw_amer"
    assert browser.js("document.getElementById('warehouse-select').value") == "dw_amer"
    assert texts(browser, "#candidates tbody tr td:nth-child(2)") == ["AMER.FACTS:P1"]
    assert browser.js("document.getElementById('generated').textContent").startswith("dw_amer,")
    assert browser.js("document.querySelector('#failures tbody a').getAttribute('href')") == (
        "/dags/hcc_compress__dw_amer/runs/manual__amer_c2/tasks/compress_object/mapped/1"
    )
    assert browser.js("document.querySelector('#batches tbody a').getAttribute('href')") == (
        "/dags/hcc_ilm_execute__dw_amer/runs/scheduled__amer_b70"
    )
    assert browser.js("document.getElementById('queue-link').getAttribute('href')") == (
        "dashboard/queue?warehouse=dw_amer"
    )
    assert browser.js("document.querySelector('#fleet tr.selected').dataset.warehouse") == (
        "dw_amer"
    )

    # A reload keeps the selection.
    browser("Page.reload")
    loaded(browser, "dw_amer")
    assert browser.js("document.getElementById('warehouse-select').value") == "dw_amer"

    # Work started here goes to dw_amer's own DAG, unpaused first as the dialog offers.
    browser.js("document.querySelector('#candidates tbody input').click()")
    browser.js("document.getElementById('compress-button').click()")
    assert browser.wait_for("document.getElementById('confirm').open")
    assert browser.js("document.getElementById('confirm-paused-text').textContent").startswith(
        "hcc_compress__dw_amer is paused"
    )
    browser.js("document.getElementById('confirm-ok').click()")
    href = browser.wait_for(
        "document.getElementById('notice-link') && "
        "document.getElementById('notice-link').getAttribute('href')"
    )
    assert href == "/dags/hcc_compress__dw_amer/runs/manual__fleet"
    assert [(r.method, r.url.path) for r in airflow_seen] == [
        ("GET", "/api/v2/dags/hcc_compress__dw_amer"),
        ("PATCH", "/api/v2/dags/hcc_compress__dw_amer"),
        ("POST", "/api/v2/dags/hcc_compress__dw_amer/dagRuns"),
    ]
    assert {r.url.params.get("warehouse") for r in airflow_seen} == {None}  # Airflow's own API
    browser.screenshot(OUTPUT)

    # The selector itself switches back.
    browser.js(
        "const s = document.getElementById('warehouse-select'); s.value = 'default';"
        "s.dispatchEvent(new Event('change'))"
    )
    loaded(browser, "default")
    assert browser.js("location.search") == "?warehouse=default"
    assert texts(browser, "#candidates tbody tr td:nth-child(2)")[0] == "SALES.NEW"


def test_the_queue_page_shows_the_selected_warehouses_queue(server, browser):
    browser("Network.setCookie", name="_token", value=TOKEN, url=server)
    browser("Page.enable")
    browser("Page.navigate", url=f"{server}/hcc/dashboard/queue?warehouse=dw_amer")
    browser.wait_for("document.body.dataset.loaded === 'true'", what="the queue page")
    assert browser.js("document.body.dataset.warehouse") == "dw_amer"
    assert texts(browser, "#queue-table tbody tr td:first-child") == ["70", "71", "72"]
    assert browser.js("document.getElementById('back-to-dashboard').getAttribute('href')") == (
        "../dashboard?warehouse=dw_amer"
    )
    # A command changes dw_amer's queue.
    browser.js("document.getElementById('queue-70-hold').click()")
    assert browser.wait_for("document.getElementById('queue-confirm').open")
    browser.js("document.getElementById('queue-confirm-ok').click()")
    browser.wait_for(
        "document.getElementById('queue-row-70') && "
        "document.getElementById('queue-row-70').dataset.status === 'HELD'",
        what="item 70 held",
        show="document.getElementById('notice').textContent",
    )


def test_an_unknown_warehouse_in_the_address_says_so(server, browser):
    browser("Network.setCookie", name="_token", value=TOKEN, url=server)
    browser("Page.navigate", url=f"{server}/hcc/dashboard?warehouse=dw_apac")
    browser.wait_for("document.body.dataset.loaded === 'error'", what="the refusal")
    notice = browser.js("document.getElementById('notice').textContent")
    assert "404: no warehouse named 'dw_apac'; the fleet has: default, dw_amer" in notice
    # The fleet still lists the warehouses to choose from.
    browser.wait_for("document.body.dataset.fleet === 'true'")
    assert texts(browser, "#fleet tbody tr td:first-child") == ["default", "dw_amer"]

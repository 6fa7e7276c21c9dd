"""The dashboard in headless Chromium: charts drawn from data, an action through its dialog.

Drives /usr/bin/chromium over the DevTools protocol (websockets is already installed with
uvicorn), so no browser download and no Playwright are needed. Airflow's REST API is mocked at
the HTTP layer and the token validator is the test one from conftest.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from .conftest import TOKEN, mounted

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[1] / "output" / "dashboard.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install "
                                                     "chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app):
    port = _free_port()
    config = uvicorn.Config(mounted(app), host="127.0.0.1", port=port, log_level="warning")
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


class DevTools:
    """Just enough of the DevTools protocol: send a command, wait for its answer."""

    def __init__(self, ws):
        self.ws = ws
        self.ids = itertools.count(1)

    def __call__(self, method: str, **params):
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=30))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression: str):
        result = self("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float = 15.0):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")


@pytest.fixture
def browser(tmp_path):
    from websockets.sync.client import connect

    profile = tmp_path / "chromium-profile"
    process = subprocess.Popen(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "--window-size=1400,1000", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert process.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        pages = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(p for p in pages if p["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024) as ws:
            yield DevTools(ws)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


def points(cdp, chart: str) -> int:
    return cdp.js(f"document.querySelectorAll('#{chart} svg [data-point]').length")


def test_dashboard_draws_charts_and_starts_a_compression(server, browser, airflow_requests):
    browser("Network.enable")
    browser("Network.setCookie", name="_token", value=TOKEN, url=server)
    browser("Page.enable")
    browser("Page.navigate", url=f"{server}/hcc/dashboard")
    assert browser.wait_for("document.body && document.body.dataset.loaded") == "true"

    # Each chart drew one element per datum of the seeded repository.
    assert points(browser, "chart-savings") == 2
    assert points(browser, "chart-recommendations") == 2
    assert points(browser, "chart-ratio") == 3
    assert points(browser, "chart-temperature") == 2
    assert points(browser, "chart-saved-time") == 2
    assert points(browser, "chart-backlog") == 3
    assert browser.js(
        "document.querySelector('#chart-savings [data-point=SALES]').getAttribute('data-value')"
    ) == "3800"
    assert browser.js("document.querySelectorAll('#candidates tbody tr').length") == 3
    assert "execute_action?map_index=1" in browser.js(
        "document.querySelector('#failures tbody a').getAttribute('href')"
    )

    browser.js("document.querySelector('#candidates tbody input[value=\"SALES.ORDERS:P1\"]')"
               ".click()")
    browser.js("document.getElementById('compress-button').click()")
    assert browser.wait_for("document.getElementById('confirm').open")
    assert browser.js("document.getElementById('confirm-savings').textContent") == "900 B"
    assert airflow_requests == []  # nothing starts before confirmation
    browser.js("document.getElementById('confirm-ok').click()")
    href = browser.wait_for(
        "document.getElementById('notice-link') && "
        "document.getElementById('notice-link').getAttribute('href')"
    )
    assert href == "/dags/hcc_compress/runs/manual__2026-03-10T12%3A00%3A00%2B00%3A00"
    (sent,) = airflow_requests
    assert sent.url.path == "/api/v2/dags/hcc_compress/dagRuns"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(sent.content)["conf"] == {"objects": ["SALES.ORDERS:P1"], "dry_run": False}

    metrics = browser("Page.getLayoutMetrics")["cssContentSize"]
    shot = browser("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                   clip={"x": 0, "y": 0, "width": metrics["width"],
                         "height": metrics["height"], "scale": 1})
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(base64.b64decode(shot["data"]))
    assert OUTPUT.stat().st_size > 10_000

"""Headless Chromium for the browser tests, driven over the DevTools protocol.

/usr/bin/chromium (Debian's package) with websockets (installed with uvicorn): no browser
download, no Selenium or Playwright. Every wait is explicit and bounded; DevTools picks its own
free port (``--remote-debugging-port=0``), read back from the profile.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

CHROMIUM = Path("/usr/bin/chromium")
#: Wide enough for three dashboard chart cards a row.
WINDOW = (1440, 1000)


class DevTools:
    """Just enough of the DevTools protocol: send a command, wait for its answer."""

    def __init__(self, ws):
        self.ws = ws
        self.ids = itertools.count(1)

    def __call__(self, method: str, **params):
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression: str):
        result = self(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_for(
        self,
        expression: str,
        timeout_s: float = 15.0,
        what: str | None = None,
        show: str | None = None,
    ):
        """Poll a JavaScript expression until it is truthy; its value. (A DOM node comes back
        as an empty, falsy dict: wait for ``!!node`` instead.) ``show``: an expression whose
        value the timeout message adds (what the page says instead)."""
        deadline = time.monotonic() + timeout_s
        last = None
        while time.monotonic() < deadline:
            try:
                last = self.js(expression)
            except RuntimeError as err:  # the page is navigating: try again
                last = err
            else:
                if last:
                    return last
            time.sleep(0.1)
        shown = ""
        if show is not None:
            try:
                shown = f"; the page shows: {self.js(show)!r}"
            except RuntimeError as err:
                shown = f"; could not read {show}: {err}"
        raise AssertionError(
            f"timed out after {timeout_s}s waiting for {what or expression}: {last}{shown}"
        )

    def click_at(self, x: float, y: float) -> None:
        """A real left click (mouse pressed and released) at page coordinates."""
        for kind in ("mousePressed", "mouseReleased"):
            self("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def screenshot(self, path: Path, *, full_page: bool = True) -> None:
        params = {"format": "png"}
        if full_page:
            size = self("Page.getLayoutMetrics")["cssContentSize"]
            params |= {
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": size["height"],
                    "scale": 1,
                },
            }
        shot = self("Page.captureScreenshot", **params)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


@contextmanager
def chromium(profile: Path, window: tuple[int, int] = WINDOW) -> Iterator[DevTools]:
    """A headless Chromium with a fresh profile; stopped (and the profile removed) at exit."""
    from websockets.sync.client import connect

    process = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            f"--window-size={window[0]},{window[1]}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert process.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        pages = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10, trust_env=False)
        page = next(p for p in pages.json() if p["type"] == "page")
        # Events the tests never read (page loads, network) queue up during long waits; an
        # unbounded queue keeps the reader thread reading, and no keepalive pings are needed
        # on a local socket (a full queue once let a ping time out mid-test).
        with connect(
            page["webSocketDebuggerUrl"],
            max_size=64 * 1024 * 1024,
            max_queue=None,
            ping_interval=None,
        ) as ws:
            yield DevTools(ws)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)

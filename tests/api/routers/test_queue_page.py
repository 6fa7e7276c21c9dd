"""The dashboard's queue page: served offline, wired to endpoints that exist, and offering the
commands of the server's transition table (its behaviour in a browser is for the Chromium
tests; these hold the page and its script to the API they call)."""

from __future__ import annotations

import re

from hcc_operators.core.queue_control import PRIORITY_MAX, PRIORITY_MIN, TRANSITIONS, QueueStatus


def test_the_dashboard_links_to_the_queue_page_which_loads_its_assets(authed):
    dashboard = authed.get("/hcc/dashboard").text
    assert 'id="queue-link" href="dashboard/queue"' in dashboard  # -> /hcc/dashboard/queue
    page = authed.get("/hcc/dashboard/queue")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    # Relative to /hcc/dashboard/queue, "../static/x" is /hcc/static/x.
    for asset in re.findall(r'(?:src|href)="\.\./(static/[^"]+)"', page.text):
        served = authed.get("/hcc/" + asset)
        assert served.status_code == 200, asset
        assert "http://" not in served.text and "https://" not in served.text
    assert 'href="../dashboard"' in page.text
    assert "http://" not in page.text and "https://" not in page.text


def test_every_element_the_script_uses_is_on_the_page(authed):
    page = authed.get("/hcc/dashboard/queue").text
    script = authed.get("/hcc/static/queue.js").text
    used = set(re.findall(r'\$\("([a-z0-9-]+)"\)', script))
    assert used >= {"queue-table", "queue-confirm", "queue-confirm-title", "queue-reason"}
    missing = sorted(i for i in used if f'id="{i}"' not in page)
    assert missing == []


def test_the_script_calls_only_endpoints_the_api_has(authed):
    script = authed.get("/hcc/static/queue.js").text
    calls = set(re.findall(r"api\(`\.\./([^`?]+)", script)) | set(
        re.findall(r'api\("\.\./([^"?]+)"', script)
    )
    assert calls == {
        "ilm/queue/${item.queue_id}/${command.command}",
        "ilm/queue/${item.queue_id}/history",
        "ilm/queue",
        "ilm/queue/commands",
    }
    spec = authed.get("/hcc/openapi.json").json()["paths"]
    for command in TRANSITIONS:
        assert "post" in spec[f"/ilm/queue/{{queue_id}}/{command.value}"]
    assert "get" in spec["/ilm/queue/{queue_id}/history"]
    # The buttons come from the server's table, not from a list in the script.
    assert "hold" not in script and "requeue" not in script


def test_the_commands_endpoint_is_core_s_transition_table(authed):
    table = authed.get("/hcc/ilm/queue/commands").json()
    assert table["priority_min"] == PRIORITY_MIN and table["priority_max"] == PRIORITY_MAX
    assert table["statuses"] == [s.value for s in QueueStatus]
    assert [
        (c["command"], c["applies_to"], c["to"], c["takes_priority"]) for c in table["commands"]
    ] == [
        (
            t.command.value,
            [s.value for s in t.allowed],
            t.to.value if t.to else None,
            t.command.value == "priority",
        )
        for t in TRANSITIONS.values()
    ]


def test_the_page_needs_a_token_like_the_dashboard(client):
    assert client.get("/hcc/dashboard/queue").status_code == 401
    assert client.get("/hcc/ilm/queue/commands").status_code == 401

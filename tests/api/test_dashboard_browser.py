"""The dashboard in headless Chromium on the embedded demo: charts drawn from the repository the
real services filled, an action through its dialog, a screenshot.

The repository comes from `demo_repository` (tests/api/demo_data.py: the demo warehouse, seed 42,
through advisor, compression, ILM refresh, evaluate and one forced batch), built once per
session. Every expected value below is read from that repository with plain SQL, not from the
API's own queries.

Drives /usr/bin/chromium over the DevTools protocol (tests/browser_support.py). Airflow's REST API is mocked at
the HTTP layer and the token validator is the test one from conftest. The screenshot is saved
to tests/output/dashboard.png (docs/dashboard.png, shown in the README, is a copy of one).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn
from sqlalchemy import func, select

from browser_support import CHROMIUM, chromium
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.units import format_bytes
from hcc_operators.repository import tables as t

from .conftest import TOKEN, demo_run_id, mounted

OUTPUT = Path(__file__).resolve().parents[1] / "output" / "dashboard.png"
#: Sizes whose rendering by the dashboard's units.js must equal core.units.format_bytes: each
#: unit, the unit steps, ties of the one-decimal rounding, thousands, negatives.
SIZES = (0, 1, 1023, 1024, 1075.2, 1177.6, 1280, 1536, 2**20 - 1, 5 * 2**30, -2048, 3 * 2**50)

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
def server(demo_app):
    port = _free_port()
    config = uvicorn.Config(mounted(demo_app), host="127.0.0.1", port=port, log_level="warning")
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


def drawn(cdp, chart: str) -> dict[str, str]:
    """{data-point: data-value} of every datum the chart drew, in drawing order."""
    return dict(
        cdp.js(
            f"[...document.querySelectorAll('#{chart} svg [data-point]')]"
            ".map(e => [e.getAttribute('data-point'), e.getAttribute('data-value')])"
        )
    )


def in_repository(engine, now: datetime) -> dict:
    """What each chart and table should show, read from the repository with plain SQL."""
    r, runs = t.advisor_results.c, t.advisor_runs.c
    c, x = t.compression_executions.c, t.execution_log.c
    q, p = t.ilm_queue.c, t.partition_access.c
    with engine.connect() as conn:
        run_id = conn.scalar(
            select(func.max(runs.run_id)).where(runs.status.in_(("SUCCESS", "PARTIAL")))
        )
        recommended = (r.run_id == run_id) & (r.status == "SUCCESS") & r.recommended.is_not(None)
        by_type = conn.execute(
            select(r.recommended, func.count()).where(recommended).group_by(r.recommended)
        ).all()
        top = conn.execute(
            select(t.advisor_results)
            .where(recommended)
            .order_by(r.estimated_savings.desc(), r.result_id)
        ).first()
        candidates = conn.scalar(select(func.count()).where(recommended))
        # Space saved: successful COMPRESS executions, and successful ILM actions net of growth.
        events = (
            conn.execute(
                select(c.owner, c.space_saved, func.coalesce(c.finished_at, c.started_at)).where(
                    (c.operation == "COMPRESS")
                    & (c.status == "SUCCESS")
                    & c.space_saved.is_not(None)
                )
            ).all()
            + conn.execute(
                select(
                    x.owner,
                    x.bytes_before - x.bytes_after,
                    func.coalesce(x.finished_at, x.started_at),
                ).where(
                    (x.status == "SUCCESS")
                    & x.bytes_before.is_not(None)
                    & x.bytes_after.is_not(None)
                )
            ).all()
        )
        ratios = conn.scalar(
            select(func.count()).where(
                (c.operation == "COMPRESS")
                & c.status.in_(("SUCCESS", "ROLLED_BACK"))
                & c.expected_ratio.is_not(None)
                & c.achieved_ratio.is_not(None)
            )
        )
        tiers = conn.execute(
            select(p.temperature, func.coalesce(p.tablespace_name, "?"), func.count()).group_by(
                p.temperature, p.tablespace_name
            )
        ).all()
        first_enqueued = conn.scalar(select(func.min(q.enqueued_at)))
        pending = conn.scalar(select(func.count()).where(q.status == "PENDING"))
        failed_ilm = conn.execute(
            select(x.error_code, x.map_index).where(x.status == "FAILED")
        ).all()
        failed_compressions = conn.scalar(select(func.count()).where(c.status == "FAILED"))
    savings: dict[str, int] = defaultdict(int)
    for owner, saved, _ in events:
        savings[owner] += saved
    today = now.astimezone(UTC).date()
    first_day = max(first_enqueued.date(), today - timedelta(days=29))
    return {
        "run_id": run_id,
        "by_type": {kind: str(n) for kind, n in by_type},
        "top": top,
        "candidates": min(candidates, 10),
        "savings": {owner: str(saved) for owner, saved in savings.items()},
        "saving_days": {at.date().isoformat() for _, _, at in events},
        "ratios": min(ratios, 50),
        "tiers": {f"{temperature}/{ts}": str(n) for temperature, ts, n in tiers},
        "backlog_days": [
            (first_day + timedelta(days=i)).isoformat() for i in range((today - first_day).days + 1)
        ],
        "pending": str(pending),
        "failed_ilm": failed_ilm,
        "failures": min(len(failed_ilm) + failed_compressions, 10),
    }


def test_dashboard_draws_the_demo_and_starts_a_compression(
    server, browser, airflow_requests, demo_repository
):
    want = in_repository(demo_repository.engine, demo_repository.now)
    browser("Network.enable")
    browser("Network.setCookie", name="_token", value=TOKEN, url=server)
    browser("Page.enable")
    browser("Page.navigate", url=f"{server}/hcc/dashboard")
    assert browser.wait_for("document.body && document.body.dataset.loaded") == "true"
    assert browser.js("document.querySelectorAll('.chart-box text.empty').length") == 0

    # A bar per compression type the latest advisor run recommends, as high as its count.
    assert len(want["by_type"]) >= 2
    assert drawn(browser, "chart-recommendations") == want["by_type"]
    # A bar per schema that saved space (compression or ILM), with the bytes it saved.
    assert {"SALES", "AUDIT"} <= set(want["savings"])
    assert drawn(browser, "chart-savings") == want["savings"]
    # A dot per finished compression: estimated against achieved ratio.
    assert len(drawn(browser, "chart-ratio")) == want["ratios"] >= 6
    # Partitions per temperature and tablespace, as the ILM refresh recorded them.
    assert drawn(browser, "chart-temperature") == want["tiers"]
    # Cumulative savings: a dot per day that saved space (compressions, then the ILM batch).
    assert set(drawn(browser, "chart-saved-time")) == want["saving_days"]
    assert len(want["saving_days"]) >= 2
    # Backlog: a dot per day since the first item was queued, ending with what is pending.
    backlog = drawn(browser, "chart-backlog")
    assert list(backlog) == want["backlog_days"]
    assert backlog[want["backlog_days"][-1]] == want["pending"]

    assert browser.js("document.getElementById('run-label').textContent").startswith(
        f"Advisor run {want['run_id']} SUCCESS"
    )
    assert (
        browser.js("document.querySelectorAll('#candidates tbody tr').length") == want["candidates"]
    )
    assert browser.js("document.querySelectorAll('#failures tbody tr').length") == want["failures"]
    (locked,) = want["failed_ilm"]  # the partition demo_data locked during the ILM batch
    assert locked.error_code == "ORA-00054"
    assert f"execute_action/mapped/{locked.map_index}" in browser.js(
        "document.querySelector('#failures tbody a').getAttribute('href')"
    )

    # Compress the candidate with the largest estimated savings, through the dialog.
    top = want["top"]
    ref = ObjectRef(top.owner, top.table_name, top.partition_name, top.subpartition_name)
    label = ref.label
    first = "document.querySelector('#candidates tbody input')"
    # The box holds the name as a request must spell it: AUDIT is a reserved word, so the
    # dashboard sends "AUDIT".TABLE:PART, which the API reads back to this very object.
    assert browser.js(f"{first}.value") == ref.user_text
    browser.js(f"{first}.click()")
    browser.js("document.getElementById('compress-button').click()")
    assert browser.wait_for("document.getElementById('confirm').open")
    assert browser.js("document.getElementById('confirm-savings').textContent") == format_bytes(
        top.estimated_savings
    )
    # hcc_compress is paused (as every DAG starts): the dialog says so and offers to unpause.
    assert browser.js("document.getElementById('confirm-paused').hidden") is False
    assert browser.js("document.getElementById('confirm-paused-text').textContent").startswith(
        "hcc_compress is paused: Airflow queues the run but starts nothing"
    )
    assert browser.js("document.getElementById('confirm-unpause').checked") is True
    # Nothing starts before confirmation: Airflow was only asked whether the DAG is paused.
    assert [(r.method, r.url.path) for r in airflow_requests] == [
        ("GET", "/api/v2/dags/hcc_compress")
    ]
    browser.js("document.getElementById('confirm-ok').click()")
    href = browser.wait_for(
        "document.getElementById('notice-link') && "
        "document.getElementById('notice-link').getAttribute('href')"
    )
    assert href == f"/dags/hcc_compress/runs/{quote(demo_run_id(demo_repository), safe='')}"
    assert "(hcc_compress unpaused)" in browser.js("document.getElementById('notice').textContent")
    # Unpaused first, then triggered, both with the user's own token.
    _, unpause, trigger = airflow_requests
    assert (unpause.method, unpause.url.path) == ("PATCH", "/api/v2/dags/hcc_compress")
    assert json.loads(unpause.content) == {"is_paused": False}
    assert trigger.url.path == "/api/v2/dags/hcc_compress/dagRuns"
    assert {r.headers["authorization"] for r in airflow_requests} == {f"Bearer {TOKEN}"}
    assert json.loads(trigger.content)["conf"] == {"objects": [label], "dry_run": False}

    # The whole page, the started run's notice on top.
    browser.screenshot(OUTPUT)
    assert OUTPUT.stat().st_size > 10_000

    # On the direct page (no frame) a link is an ordinary link: the browser follows it.
    browser.js("document.getElementById('notice-link').click()")
    browser.wait_for(f"location.pathname === {json.dumps(href)}", what="the followed link")


def test_the_dashboard_formats_sizes_exactly_as_the_package_does(server, browser):
    """units.js is the browser's copy of core/units.py: one convention, held equal here."""
    browser("Network.setCookie", name="_token", value=TOKEN, url=server)
    browser("Page.navigate", url=f"{server}/hcc/dashboard")
    browser.wait_for("window.HccUnits")
    shown = browser.js(f"{list(SIZES)!r}.map(HccUnits.bytes)")
    assert shown == [format_bytes(n) for n in SIZES]
    assert browser.js("HccUnits.bytes(null)") == format_bytes(None)

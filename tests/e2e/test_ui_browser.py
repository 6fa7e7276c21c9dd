"""The operator's day in the real Airflow 3.3 UI, in headless Chromium.

One Airflow (api-server, scheduler, dag-processor on 127.0.0.1, conftest.py) whose package
clock (HCC_NOW) is Wednesday 2026-03-11 12:00 Berlin, when no maintenance window is open. The
browser logs in with the user's own token (the `_token` cookie the UI uses) and:

1. opens the dashboard where Airflow shows it, under Browse, in the sandboxed iframe, and
   follows the "Recent failures" link with a real mouse click: the top window must land on the
   failed mapped task instance (`.../tasks/execute_action/mapped/N`), showing that instance, not
   "No Task Instance found". The failure comes from a forced run with a LOCK_HELD fault.
   The batch's run link leads to the run page, whose note names the failed partition;
2. compresses a candidate from the dashboard: hcc_compress is paused (Airflow creates DAGs
   paused), the dialog says so and unpauses it through Airflow as the user; the run then really
   runs, and its execution's link opens its mapped compress_object instance;
3. creates a backfill of two past slots through the Trigger -> Backfill dialog of the DAG page,
   as a user would (issue 18 saw the scheduler crash after such a backfill; see
   docs/operations.md). No window is open, so each run's batch is SKIPPED with its reason, the
   queue waits, and each run's note in Airflow says so.

Screenshots of each page go to tests/output/screenshots/ (docs/screenshots/ holds copies).
Every wait is explicit and bounded by the Airflow's time budget or the browser's timeout.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from sqlalchemy import select

from browser_support import CHROMIUM, chromium
from hcc_operators.core.batch_outcome import describe_batch
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.names import Dag, dag_id
from hcc_operators.core.ui_links import task_instance_path
from hcc_operators.core.windows import WindowCalendar
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import compression_executions, ilm_queue
from hcc_operators.services import advisor, ilm_evaluate, ilm_refresh
from hcc_operators.services.ilm_settings import load_ilm_settings
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, FaultKind, build_warehouse

from .conftest import ROOT, AirflowStack
from .test_airflow_standalone import (
    BACKFILL_FROM,
    BACKFILL_TO,
    EXECUTE,
    SCHEDULE,
    TERMINAL,
    Backfill,
    _assert_backfill_runs,
    _create_pools,
    _package_env,
    _pending,
    batch_of,
    fetch_run,
    log_rows,
    run_to_end,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]

COMPRESS = dag_id(Dag.COMPRESS)
HCC_NOW = "2026-03-11T12:00:00+01:00"
NOW = datetime.fromisoformat(HCC_NOW).astimezone(UTC)
#: The advisor measures only these objects (a few AUDIT partitions), to keep the setup short.
ADVISOR_SCHEMA, ADVISOR_MIN_SIZE_MB = "AUDIT", 5_120  # 21 partitions
FORCED_OPERATIONS = 3
BUDGET_S = 360
SHOTS = ROOT / "tests" / "output" / "screenshots"
FRAME = "document.querySelector('iframe')"
FRAME_DOC = f"{FRAME}.contentDocument"


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_config():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HCC_PROJECT_ROOT", str(ROOT))
        mp.delenv("HCC_CONFIG_DIR", raising=False)
        yield


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, project_config) -> Path:
    """The demo warehouse with a queue (refresh, evaluate) and advisor candidates, prepared in
    this process: the other e2e module shows those stages running under Airflow."""
    path = tmp_path_factory.mktemp("ui_warehouse") / "warehouse.db"
    with build_warehouse(path, seed=7, today=NOW.date()) as wh:
        engine = wh.repository_engine()
        create_all(engine)
        settings = load_ilm_settings()
        ilm_refresh.refresh_partition_access(
            wh,
            engine,
            is_target=settings.is_target,
            thresholds_for=settings.thresholds_for,
            now=NOW,
        )
        ilm_evaluate.evaluate_policies(wh, engine, settings.policies, now=NOW, evaluation_id="ui")
        params = advisor.AdvisorParams(schemas=(ADVISOR_SCHEMA,), min_size_mb=ADVISOR_MIN_SIZE_MB)
        run_id, chunks = advisor.plan_analysis(wh, engine, params, dag_run_id="ui", now=NOW)
        for chunk in chunks:
            advisor.analyse_chunk(
                wh, engine, run_id=run_id, objects=chunk["objects"], now_fn=lambda: NOW
            )
        advisor.finish_analysis(engine, run_id, now=NOW)
    return path


@pytest.fixture(scope="module")
def engine(warehouse):
    wh = EmbeddedWarehouse(warehouse)
    yield wh.repository_engine()
    wh.close()


@pytest.fixture(scope="module")
def airflow(airflow_factory, warehouse) -> AirflowStack:
    env = _package_env(warehouse, HCC_NOW) | {"HCC_TASK_RETRIES": "0"}  # fail at once
    stack = airflow_factory(extra_env=env, budget_s=BUDGET_S, unpause=(EXECUTE,))
    _create_pools(stack)
    return stack


@pytest.fixture(scope="module")
def failed_run(airflow, warehouse):
    """A forced batch of three in which one action meets a held lock (ORA-00054)."""
    with EmbeddedWarehouse(warehouse) as wh:
        wh.inject_fault("*", FaultKind.LOCK_HELD, times=1)  # whichever action runs first
    run = run_to_end(
        airflow, EXECUTE, {"force": True, "max_operations": FORCED_OPERATIONS}, timeout_s=120
    )
    assert run.state == "failed"
    (failed,) = [t for t in run.mapped() if t["state"] == "failed"]
    return run, failed


@pytest.fixture(scope="module")
def browser(airflow, tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium") / "profile") as devtools:
        devtools("Network.enable")
        devtools("Page.enable")
        token = airflow.client.headers["Authorization"].removeprefix("Bearer ")
        devtools("Network.setCookie", name="_token", value=token, url=airflow.base_url)
        devtools("Network.disable")  # the cookie is set; no network events are needed
        yield devtools


# --- browser helpers -------------------------------------------------------------------------


def open_page(browser, airflow: AirflowStack, path: str) -> None:
    browser("Page.navigate", url=f"{airflow.base_url}{path}")
    browser.wait_for("document.readyState === 'complete'", what=f"{path} to load")


def test_browse_lists_the_dashboard_and_opens_it_in_the_ui(airflow, browser):
    """README: the dashboard is under Browse -> HCC compression & ILM."""
    open_page(browser, airflow, "/")
    browse = "document.querySelector('button[aria-label=\"Browse\"]')"
    browser.wait_for(f"!!{browse}", what="the Browse menu")
    click(browser, browse, in_frame=False)
    entry = (
        "[...document.querySelectorAll('[role=menuitem]')]"
        ".find(e => e.innerText.trim() === 'HCC compression & ILM')"
    )
    browser.wait_for(f"!!{entry}", what="the dashboard's entry under Browse")
    click(browser, entry, in_frame=False)
    wait_for_path(browser, "/plugin/hcc")


def open_dashboard_in_airflow(browser, airflow: AirflowStack) -> None:
    """Browse -> HCC compression & ILM: the UI's plugin page with the dashboard in its frame."""
    open_page(browser, airflow, "/plugin/hcc")
    sandbox = browser.wait_for(f"{FRAME} && {FRAME}.getAttribute('sandbox')", what="the frame")
    assert "allow-top-navigation" not in sandbox  # the reason links need the UI's router
    state = browser.wait_for(
        f"(() => {{ try {{ return {FRAME_DOC}.body.dataset.loaded }} catch (e) {{ return null }} }})()",
        timeout_s=30,
        what="the dashboard in the frame",
    )
    assert state == "true", browser.js(f"{FRAME_DOC}.getElementById('notice').textContent")


def click(browser, element: str, *, in_frame: bool) -> None:
    """A real mouse click at the centre of ``element`` (a JS expression), after scrolling it
    into view; inside the dashboard's frame the frame's offset is added."""
    browser.js(f"{element}.scrollIntoView({{block: 'center'}})")
    offset = f"{FRAME}.getBoundingClientRect()" if in_frame else "({left: 0, top: 0})"
    x, y = browser.js(
        f"(() => {{ const f = {offset}; const r = {element}.getBoundingClientRect();"
        " return [f.left + r.left + r.width / 2, f.top + r.top + r.height / 2]; })()"
    )
    browser.click_at(x, y)


def wait_for_path(browser, path: str, timeout_s: float = 20.0) -> None:
    browser.wait_for(
        f"decodeURIComponent(location.pathname) === {json.dumps(unquote(path))}",
        timeout_s=timeout_s,
        what=f"the top window to show {unquote(path)}",
    )


def page_text(browser) -> str:
    return browser.js("document.body.innerText")


def wait_for_text(browser, text: str, timeout_s: float = 20.0) -> str:
    browser.wait_for(
        f"document.body.innerText.includes({json.dumps(text)})",
        timeout_s=timeout_s,
        what=repr(text),
    )
    return page_text(browser)


def type_into(browser, element: str, text: str) -> None:
    browser.js(f"(() => {{ const e = {element}; e.focus(); e.select(); }})()")
    browser("Input.insertText", text=text)


# --- 1. links followed inside the frame --------------------------------------------------------


def test_a_failure_link_followed_inside_the_frame_opens_that_mapped_instance(
    airflow, failed_run, browser
):
    run, failed = failed_run
    open_dashboard_in_airflow(browser, airflow)
    browser.js(f"{FRAME_DOC}.getElementById('failures').scrollIntoView()")
    browser.screenshot(SHOTS / "dashboard-in-airflow.png", full_page=False)
    rows = browser.js(f"[...{FRAME_DOC}.querySelectorAll('#failures tbody tr')].length")
    assert rows == 1
    link = f"{FRAME_DOC}.querySelector('#failures tbody a')"
    want = task_instance_path(EXECUTE, run.run_id, "execute_action", failed["map_index"])
    assert urlsplit(browser.js(f"{link}.href")).path == want
    assert "\topen\t" in browser.js(f"{FRAME_DOC}.querySelector('#failures tbody tr').innerText")

    click(browser, link, in_frame=True)
    wait_for_path(browser, want)
    text = wait_for_text(browser, f"execute_action [{failed['rendered_map_index']}]")
    assert "No Task Instance found" not in text and "Failed" in text
    assert not browser.js("!!document.querySelector('iframe')"), "still inside the frame"
    browser.screenshot(SHOTS / "task-instance-from-dashboard.png", full_page=False)

    # docs/operations.md's retry instruction, checked against this UI: the instance's Clear
    # dialog clears finish_batch with it before the user touches anything (Downstream is on).
    clear = "document.querySelector('button[aria-label=\"Press shift+c to clear\"]')"
    browser.wait_for(f"!!{clear}", what="the Clear button")
    click(browser, clear, in_frame=False)
    dialog = "[...document.querySelectorAll('[role=dialog]')].pop()"
    browser.wait_for(
        f"!!{dialog} && {dialog}.innerText.includes('Affected Tasks: 2')", what="the Clear dialog"
    )
    assert browser.js(f"{dialog}.innerText").startswith("Clear Task Instance: execute_action")
    rows = browser.js(
        f"[...{dialog}.querySelectorAll('tbody tr')]"
        ".map(r => [...r.querySelectorAll('td')].map(c => c.innerText.trim()))"
    )
    assert {(r[1], r[3]) for r in rows} == {
        ("finish_batch", "-1"),
        ("execute_action", str(failed["map_index"])),
    }, rows
    # The option buttons carry their state only in their look: Downstream's differs from the
    # unselected Upstream's.
    looks = browser.js(
        f"Object.fromEntries([...{dialog}.querySelectorAll('button[data-group-item]')]"
        ".map(b => [b.innerText.trim(), getComputedStyle(b).backgroundColor]))"
    )
    assert looks["Downstream"] != looks["Upstream"] == looks["Clear only failed tasks"], looks
    browser.screenshot(SHOTS / "clear-dialog.png", full_page=False)
    for kind in ("keyDown", "keyUp"):  # close it without clearing anything
        browser(
            "Input.dispatchKeyEvent",
            type=kind,
            key="Escape",
            code="Escape",
            windowsVirtualKeyCode=27,
        )

    # A mapped task without a known index links to the list of its instances (core/ui_links).
    open_page(browser, airflow, task_instance_path(EXECUTE, run.run_id, "execute_action", None))
    wait_for_text(browser, f"Task Instances [{FORCED_OPERATIONS}]")
    # The header shows before the rows: wait for the failed instance's own label.
    text = wait_for_text(browser, failed["rendered_map_index"])
    assert "No Task Instance found" not in text

    # The link shape the dashboard used before (?map_index=) is what Airflow cannot resolve:
    # this test would have caught it.
    old = f"/dags/{EXECUTE}/runs/{quote(run.run_id, safe='')}/tasks/execute_action"
    open_page(browser, airflow, f"{old}?map_index={failed['map_index']}")
    wait_for_text(browser, "No Task Instance found")


def test_the_batch_link_opens_the_run_whose_note_names_the_failed_partition(
    airflow, failed_run, browser
):
    run, failed = failed_run
    open_dashboard_in_airflow(browser, airflow)
    link = f"{FRAME_DOC}.querySelector('#batches tbody a')"
    assert browser.js(f"{link}.textContent") == run.run_id
    click(browser, link, in_frame=True)
    wait_for_path(browser, f"/dags/{EXECUTE}/runs/{quote(run.run_id, safe='')}")
    note = fetch_run(airflow, EXECUTE, run.run_id).info["note"]
    assert f"(map index {failed['map_index']}): ORA-00054" in note
    wait_for_text(browser, note[:80])


# --- 2. paused DAG: warned, unpaused through Airflow as the user -------------------------------


def test_compressing_from_the_dashboard_offers_to_unpause_and_the_run_really_runs(
    airflow, browser, engine
):
    assert airflow.api("GET", f"/api/v2/dags/{COMPRESS}")["is_paused"] is True
    open_dashboard_in_airflow(browser, airflow)
    first = f"{FRAME_DOC}.querySelector('#candidates tbody input')"
    # The box holds the request spelling ("AUDIT" is a reserved word, so it is quoted); the
    # task's label is the dictionary's.
    label = ObjectRef.from_user_text(browser.js(f"{first}.value")).label
    click(browser, first, in_frame=True)
    click(browser, f"{FRAME_DOC}.getElementById('compress-button')", in_frame=True)
    browser.wait_for(f"{FRAME_DOC}.getElementById('confirm').open", what="the dialog")
    browser.wait_for(f"!{FRAME_DOC}.getElementById('confirm-paused').hidden", what="the warning")
    warning = browser.js(f"{FRAME_DOC}.getElementById('confirm-paused').innerText")
    assert warning.startswith(f"{COMPRESS} is paused: Airflow queues the run but starts nothing")
    assert browser.js(f"{FRAME_DOC}.getElementById('confirm-unpause').checked") is True
    browser.screenshot(SHOTS / "unpause-dialog.png", full_page=False)
    # Asking changed nothing: the DAG is still paused until the user confirms.
    assert airflow.api("GET", f"/api/v2/dags/{COMPRESS}")["is_paused"] is True

    click(browser, f"{FRAME_DOC}.getElementById('confirm-ok')", in_frame=True)
    notice_link = f"{FRAME_DOC}.getElementById('notice-link')"
    browser.wait_for(
        f"!!{notice_link}",
        timeout_s=30,
        what="the started run's notice",
        # On a timeout the message carries what the page said instead (an error notice).
        show=f"{FRAME_DOC}.getElementById('notice').textContent",
    )
    assert f"({COMPRESS} unpaused)" in browser.js(
        f"{FRAME_DOC}.getElementById('notice').textContent"
    )
    assert airflow.api("GET", f"/api/v2/dags/{COMPRESS}")["is_paused"] is False
    run_path = urlsplit(browser.js(f"{notice_link}.href")).path
    run_id = unquote(run_path.rsplit("/", 1)[-1])
    # Airflow recorded the unpause as this user's action.
    events = airflow.api("GET", "/api/v2/eventLogs", params={"dag_id": COMPRESS, "limit": 100})[
        "event_logs"
    ]
    assert any(e["event"].endswith("patch_dag") and e["owner"] for e in events), events

    click(browser, notice_link, in_frame=True)  # "Open the DAG run"
    wait_for_path(browser, run_path)

    def ended():
        state = fetch_run(airflow, COMPRESS, run_id)
        return state if state.state in TERMINAL else None

    finished = airflow.wait_for("the compression run to end", ended, timeout_s=120)
    assert finished.state == "success", finished.tis
    with engine.connect() as conn:
        row = conn.execute(
            select(compression_executions).where(compression_executions.c.dag_run_id == run_id)
        ).one()
    assert (row.status, row.map_index) == ("SUCCESS", 0)

    open_dashboard_in_airflow(browser, airflow)
    link = f"{FRAME_DOC}.querySelector('#executions tbody a')"
    want = task_instance_path(COMPRESS, run_id, "compress_object", 0)
    assert urlsplit(browser.js(f"{link}.href")).path == want
    click(browser, link, in_frame=True)
    wait_for_path(browser, want)
    text = wait_for_text(browser, f"compress_object [{label} -> ")
    assert "No Task Instance found" not in text and "Success" in text


# --- 3. backfill from the UI dialog ---------------------------------------------------------------


def _choose_datetime(browser, index: int, moment: datetime) -> None:
    """Fill the index-th date-time field of the backfill dialog (its popover takes UTC)."""
    click(
        browser,
        f"document.querySelectorAll('[data-testid=datetime-input]')[{index}]",
        in_frame=False,
    )
    popover = (
        "[...document.querySelectorAll('[data-scope=popover][data-part=content]')]"
        ".filter(e => e.offsetParent).pop()"
    )
    browser.wait_for(f"!!{popover} && {popover}.innerText.includes('UTC')", what="the date popover")
    type_into(browser, f"{popover}.querySelectorAll('input')[0]", moment.strftime("%Y/%m/%d"))
    type_into(browser, f"{popover}.querySelectorAll('input')[1]", moment.strftime("%H:%M"))
    for kind in ("keyDown", "keyUp"):
        browser(
            "Input.dispatchKeyEvent",
            type=kind,
            key="Escape",
            code="Escape",
            windowsVirtualKeyCode=27,
        )
    shown = moment.strftime("%b %d, %Y %H:%M")
    browser.wait_for(
        f"document.querySelectorAll('[data-testid=datetime-input]')[{index}].innerText"
        f" === {json.dumps(shown)}",
        what=f"the field to show {shown}",
    )


def test_a_backfill_created_in_the_ui_dialog_skips_each_batch_and_notes_why(
    airflow, browser, engine, failed_run
):
    pending_before = _pending(engine)
    open_page(browser, airflow, f"/dags/{EXECUTE}")
    trigger = "document.querySelector('button[aria-label=\"Trigger Dag\"]')"
    browser.wait_for(f"!!{trigger}", what="the Trigger button")
    click(browser, trigger, in_frame=False)
    backfill = (
        "[...document.querySelectorAll('[role=dialog] label')]"
        ".find(l => l.innerText.startsWith('Backfill'))"
    )
    browser.wait_for(f"!!{backfill}", what="the trigger dialog")
    click(browser, backfill, in_frame=False)
    browser.wait_for("document.querySelectorAll('[data-testid=datetime-input]').length === 2")
    _choose_datetime(browser, 0, BACKFILL_FROM)
    _choose_datetime(browser, 1, BACKFILL_TO)
    dialog = (
        "[...document.querySelectorAll('[role=dialog]')]"
        ".find(d => d.innerText.includes('Run Backfill'))"
    )
    # The dialog's own dry run, and the defaults docs/operations.md describes.
    wait_for_text(browser, "2 runs will be triggered.")
    assert browser.js(f"{dialog}.querySelector('input[name=max_active_runs]').value") == "1"
    checked = browser.js(f"{dialog}.querySelector('input[type=radio][value=none]').checked")
    assert checked is True, "Reprocess Behavior should default to Missing Runs"
    browser.screenshot(SHOTS / "backfill-dialog.png", full_page=False)
    click(
        browser,
        f"[...{dialog}.querySelectorAll('button')].find(b => b.innerText === 'Run Backfill')",
        in_frame=False,
    )
    wait_for_text(browser, "Backfill in progress")

    def created() -> dict | None:
        found = airflow.api("GET", "/api/v2/backfills", params={"dag_id": EXECUTE})["backfills"]
        return found[0] if found else None

    made = airflow.wait_for("the backfill the dialog created", created, timeout_s=30)

    def completed() -> dict | None:
        state = airflow.api("GET", f"/api/v2/backfills/{made['id']}")
        return state if state["completed_at"] else None

    done = airflow.wait_for("the backfill to complete", completed, timeout_s=150)
    listed = airflow.api(
        "GET", f"/api/v2/dags/{EXECUTE}/dagRuns", params={"run_type": "backfill", "limit": 50}
    )["dag_runs"]
    runs = sorted(
        (fetch_run(airflow, EXECUTE, r["dag_run_id"]) for r in listed),
        key=lambda r: r.info["logical_date"],
    )
    day = BACKFILL_TO - BACKFILL_FROM
    slots = [
        s
        for s in WindowCalendar.load(SCHEDULE).slots_between(BACKFILL_FROM - day, BACKFILL_TO + day)
        if BACKFILL_FROM <= s.start <= BACKFILL_TO
    ]
    _assert_backfill_runs(Backfill(slots, done, runs))

    # No window is open at HCC_NOW: every batch is SKIPPED with the reason, the queue waits.
    upcoming = WindowCalendar.load(SCHEDULE).next_window(NOW)
    for run in runs:
        batch = batch_of(engine, run.run_id)
        assert (batch.run_type, batch.status, batch.planned) == ("backfill", "SKIPPED", 0)
        assert batch.window_start is None and not batch.forced
        assert batch.reason.startswith(f"no maintenance window is open at {NOW.isoformat()}")
        assert f"next window at {upcoming.start.isoformat()}" in batch.reason
        assert [t["state"] for t in run.tis if t["task_id"] == "execute_action"] == ["skipped"]
        assert run.ti("finish_batch")["state"] == "success"
        # The green run says why nothing ran, in its note.
        assert run.info["note"] == describe_batch(
            batch.batch_id, "SKIPPED", planned=0, reason=batch.reason
        )
        assert log_rows(engine, batch_id=batch.batch_id) == []
    assert _pending(engine) == pending_before > 0
    with engine.connect() as conn:
        assert conn.scalar(select(ilm_queue.c.queue_id).limit(1)) is not None

    # The scheduler lived through it (issue 18 saw ObjectDeletedError after a UI backfill).
    airflow.check_alive()
    scheduler_log = (airflow.home / "scheduler.log").read_text(errors="replace")
    assert "ObjectDeletedError" not in scheduler_log
    api_log = (airflow.home / "api-server.log").read_text(errors="replace")
    assert "path=/api/v2/backfills query= status_code=200" in api_log

    open_page(browser, airflow, f"/dags/{EXECUTE}/runs/{quote(runs[0].run_id, safe='')}")
    wait_for_text(browser, f"HCC batch {batch_of(engine, runs[0].run_id).batch_id} SKIPPED")
    time.sleep(0.5)  # the run header's durations settle
    browser.screenshot(SHOTS / "skipped-run-note.png", full_page=False)

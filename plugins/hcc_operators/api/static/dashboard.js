/* The HCC dashboard: draws the charts from dashboard/data and starts DAG runs through the
 * console's POST endpoints (which call Airflow's REST API as the logged-in user).
 * URLs are relative to /hcc/dashboard so the page works wherever Airflow is rooted; the
 * browser sends the Airflow UI's _token cookie with them. Data is inserted with textContent only.
 *
 * One warehouse of the fleet is shown at a time: the one named by ?warehouse= in the page's
 * address (kept there, so a reload or a copied link shows the same one), or the fleet's
 * default. Every request for data or work carries it; the fleet table lists every warehouse
 * and a click on one selects it. */
(function () {
  "use strict";
  const C = window.HccCharts;
  const bytes = window.HccUnits.bytes;
  const $ = id => document.getElementById(id);
  // The DAG each action starts (analyse, compress, rollback), from the dashboard's data:
  // the selected warehouse's own DAGs (hcc_compress, hcc_compress__dw_amer, ...).
  let dags = {};
  // The selected warehouse: null until chosen, which the server reads as its default.
  let warehouse = new URLSearchParams(location.search).get("warehouse") || null;
  // Answers to an earlier selection are dropped when they arrive after a newer one.
  let generation = 0;

  const count = v => String(Math.round(v));
  const ratio = r => (r === null || r === undefined ? "–" : r.toFixed(2) + "×");
  const when = iso => (iso ? iso.replace("T", " ").slice(0, 16) : "–");

  /* ``path`` with the selected warehouse added to its query. */
  function withWarehouse(path) {
    if (!warehouse) return path;
    return path + (path.includes("?") ? "&" : "?") + "warehouse=" + encodeURIComponent(warehouse);
  }

  async function request(path, init) {
    const response = await fetch(path, Object.assign({ credentials: "same-origin" }, init));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
      throw new Error(`${response.status}: ${detail || response.statusText}`);
    }
    return body;
  }

  /* A request about the selected warehouse (its data, or work started on it). */
  function api(path, init) {
    return request(withWarehouse(path), init);
  }

  /* Links into the Airflow UI. Under Browse, Airflow 3.3 shows this page in an iframe
   * sandboxed with "allow-scripts allow-same-origin allow-forms allow-downloads": without
   * allow-top-navigation the browser blocks a target="_top" link and any assignment to
   * top.location. The frame is same-origin with scripts allowed, so a click hands the address
   * to the Airflow UI's own router instead: the address is pushed onto the top window's
   * history and announced with popstate, which is how the router follows back and forward.
   * On the direct page (no frame), and for middle/modified clicks, the browser follows the
   * link itself. */
  function followInAirflow(event) {
    if (window.top === window.self) return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    let host;
    try {
      host = window.top;
      void host.location.pathname;  // throws when the top window is another origin
    } catch (err) {
      return;  // not Airflow's own page: leave the link to the browser
    }
    event.preventDefault();
    const previous = host.history.state && host.history.state.idx;
    const state = {
      usr: null,
      key: Math.random().toString(36).slice(2, 10),
      idx: (typeof previous === "number" ? previous : 0) + 1,
    };
    host.history.pushState(state, "", event.currentTarget.href);
    host.dispatchEvent(new host.PopStateEvent("popstate", { state }));
  }

  function link(href, text, id) {
    if (!href) return text;
    const a = document.createElement("a");
    a.href = href; a.target = "_top"; a.textContent = text;
    if (id) a.id = id;
    a.addEventListener("click", followInAirflow);
    return a;
  }

  function notice(text, href, kind) {
    const box = $("notice");
    box.replaceChildren(document.createTextNode(text));
    box.className = kind || "";
    if (href) box.appendChild(link(href, " Open the DAG run", "notice-link"));
    box.hidden = false;
  }

  function cell(row, content, cls) {
    const td = row.insertCell();
    if (content instanceof Node) td.appendChild(content); else td.textContent = content ?? "–";
    if (cls) td.className = cls;
    return td;
  }

  /* Whether the DAG an action starts is paused, as Airflow answers this user. */
  async function dagState(dagId) {
    try {
      return await api(`dags/${encodeURIComponent(dagId)}`);
    } catch (err) {
      return { dag_id: dagId, is_paused: null, error: err.message };
    }
  }

  /* The confirmation: what starts, what it saves, and (Airflow creates DAGs paused) whether
   * the DAG is paused, with the offer to unpause it first. Resolves to null when cancelled. */
  async function confirmAction(title, body, savings, dagId) {
    const state = await dagState(dagId);
    $("confirm-title").textContent = title;
    $("confirm-body").textContent = body;
    $("confirm-savings").textContent = savings;
    const paused = $("confirm-paused");
    paused.hidden = state.is_paused === false;
    $("confirm-unpause-label").hidden = state.is_paused !== true;
    $("confirm-unpause").checked = true;
    $("confirm-dag").textContent = dagId;
    $("confirm-paused-text").textContent = state.is_paused
      ? `${dagId} is paused: Airflow queues the run but starts nothing until the DAG is unpaused.`
      : `Could not read whether ${dagId} is paused (${state.error}).`;
    const dialog = $("confirm");
    return new Promise(resolve => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue !== "ok" ? null : {
        dagId,
        paused: state.is_paused === true,
        unpause: state.is_paused === true && $("confirm-unpause").checked,
      }), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  async function start(path, payload, what, choice) {
    if (choice.unpause) {
      try {
        await api(`dags/${encodeURIComponent(choice.dagId)}/unpause`, { method: "POST" });
      } catch (err) {
        notice(`Unpausing ${choice.dagId} failed, nothing was started: ${err.message}`, null,
               "error");
        return;
      }
    }
    try {
      const run = await api(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      });
      const waits = choice.paused && !choice.unpause;
      notice(`${what}: started ${run.dag_id} run ${run.dag_run_id}` +
             (choice.unpause ? ` (${run.dag_id} unpaused).` : ".") +
             (waits ? ` It stays queued until ${run.dag_id} is unpaused.` : ""),
             run.ui_url, waits ? "waiting" : "");
    } catch (err) {
      notice(`${what} failed: ${err.message}`, null, "error");
    }
  }

  function drawCharts(d) {
    C.bar($("chart-savings"), d.savings_by_schema,
          { fmt: bytes, bytes: true, label: "space saved by schema" });
    C.bar($("chart-recommendations"), d.recommendations_by_type,
          { fmt: count, integer: true, label: "recommendations by compression type" });
    C.scatter($("chart-ratio"), d.estimated_vs_achieved);
    C.stacked($("chart-temperature"),
              d.partitions_by_temperature.map(t => ({ group: t.temperature, series: t.tablespace,
                                                      value: t.partitions })),
              { fmt: count, integer: true, label: "partitions by temperature and tier" });
    C.line($("chart-saved-time"), d.space_saved_over_time,
           { fmt: bytes, bytes: true, label: "space saved" });
    C.line($("chart-backlog"), d.backlog_over_time,
           { fmt: count, integer: true, label: "backlog", color: "#e8744f" });
  }

  function drawProgress(run) {
    // Another warehouse may have no advisor run: its bar must not stay on the page.
    $("run-progress").hidden = !run;
    if (!run) return;
    const p = run.progress;
    $("run-progress").hidden = false;
    const eta = p.estimated_remaining_s === null ? "" :
      run.status === "RUNNING" ? `, about ${Math.ceil(p.estimated_remaining_s / 60)} min left` : "";
    $("run-label").textContent = `Advisor run ${run.run_id} ${run.status}: ` +
      `${p.objects_done}/${p.objects_total} objects, ${p.percent}%${eta}`;
    $("run-bar").style.width = `${p.percent}%`;
  }

  function drawCandidates(items) {
    const body = $("candidates").tBodies[0];
    body.replaceChildren();
    for (const c of items) {
      const row = body.insertRow();
      const box = document.createElement("input");
      box.type = "checkbox"; box.value = c.object_input; box.dataset.savings = c.estimated_savings || 0;
      box.addEventListener("change", updateCompressButton);
      cell(row, box);
      cell(row, c.object);
      cell(row, bytes(c.size_bytes), "num");
      cell(row, c.current_compression);
      cell(row, c.recommended);
      cell(row, ratio(c.expected_ratio), "num");
      cell(row, bytes(c.estimated_savings), "num");
      cell(row, c.reason, "reason").title = c.reason || "";
    }
    updateCompressButton();
  }

  function selectedCandidates() {
    return [...$("candidates").querySelectorAll("tbody input:checked")];
  }

  function updateCompressButton() {
    $("compress-button").disabled = selectedCandidates().length === 0;
  }

  function drawExecutions(items) {
    const body = $("executions").tBodies[0];
    body.replaceChildren();
    for (const e of items) {
      const row = body.insertRow();
      cell(row, link(e.ui_url, String(e.execution_id)));
      cell(row, e.object);
      cell(row, e.compression_to);
      cell(row, bytes(e.space_saved), "num");
      cell(row, ratio(e.achieved_ratio), "num");
      cell(row, when(e.finished_at));
      const undo = document.createElement("button");
      undo.textContent = "Roll back…";
      undo.dataset.executionId = e.execution_id;
      undo.addEventListener("click", async () => {
        const choice = await confirmAction(
          `Roll back execution ${e.execution_id}?`,
          `${e.object} goes back to ${e.compression_from || "its previous compression"}` +
            (e.tablespace_from ? ` in ${e.tablespace_from}` : "") + ".",
          `${bytes(-(e.space_saved || 0))} (the space this compression saved is given back)`,
          dags.rollback);
        if (choice) {
          await start(`compression/executions/${e.execution_id}/rollback`, {}, "Rollback",
                      choice);
        }
      });
      cell(row, undo);
    }
  }

  function drawFailures(items) {
    const body = $("failures").tBodies[0];
    body.replaceChildren();
    for (const f of items) {
      const row = body.insertRow();
      cell(row, when(f.at));
      cell(row, f.source);
      cell(row, f.object);
      cell(row, f.action);
      // Oracle messages usually start with their code: show it once.
      const message = f.error_message || "";
      cell(row, f.error_code && !message.startsWith(f.error_code)
        ? [f.error_code, message].filter(Boolean).join(" ") : message || "–");
      cell(row, f.resolved ? "resolved" : "open").title = f.resolved_by || "";
      if (f.resolved) row.className = "resolved";
      cell(row, link(f.ui_url, "task instance"));
    }
  }

  function drawBatches(items) {
    const body = $("batches").tBodies[0];
    body.replaceChildren();
    for (const b of items) {
      const row = body.insertRow();
      cell(row, String(b.batch_id));
      cell(row, link(b.ui_url, b.dag_run_id || "–"));
      // A forced batch's run_type is already "forced".
      cell(row, b.forced && b.run_type !== "forced" ? `${b.run_type} (forced)` : b.run_type);
      cell(row, b.status);
      cell(row, b.outcome, "outcome");
    }
  }

  async function analyse(event) {
    event.preventDefault();
    const schema = $("analyse-schema").value.trim().toUpperCase();
    let savings = "not analysed yet";
    try {
      const page = await api(`advisor/recommendations?schema=${encodeURIComponent(schema)}` +
                             "&limit=500");
      const sum = page.items.reduce((a, r) => a + (r.estimated_savings || 0), 0);
      if (page.total) savings = `${bytes(sum)} over ${page.total} candidates at the last analysis`;
    } catch (err) { savings = "unknown (" + err.message + ")"; }
    const choice = await confirmAction(`Analyse schema ${schema}?`,
      `Starts the ${dags.analyse} DAG for this schema; it measures every table and partition.`,
      savings, dags.analyse);
    if (choice) {
      await start("advisor/analyses", { schemas: [schema] }, `Analysis of ${schema}`, choice);
    }
  }

  async function compress() {
    const chosen = selectedCandidates();
    const total = chosen.reduce((a, b) => a + Number(b.dataset.savings), 0);
    const dryRun = $("dry-run").checked;
    const choice = await confirmAction(
      `Compress ${chosen.length} object${chosen.length === 1 ? "" : "s"}?`,
      chosen.map(b => b.value).join(", ") + (dryRun ? " (dry run: DDL logged only)" : ""),
      bytes(total), dags.compress);
    if (choice) {
      await start("compression/runs", { objects: chosen.map(b => b.value), dry_run: dryRun },
                  "Compression", choice);
    }
  }

  /* Local and UTC wall times of a window: "Tue 2026-03-10 22:00 → 06:00". */
  function span(start, end) {
    if (!start || !end) return "–";
    const day = start.slice(0, 10);
    const weekday = new Date(day + "T12:00:00Z")
      .toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" });
    const close = end.slice(0, 10) === day ? end.slice(11, 16) : end.slice(5, 16).replace("T", " ");
    return `${weekday} ${day} ${start.slice(11, 16)} → ${close}`;
  }

  /* A window in the warehouse's own zone (local) or in UTC. */
  function windowText(w, local, zone) {
    if (!w) return "–";
    if (local) return span(w.opens_local, w.closes_local) + (zone ? ` (${zone})` : "");
    return span(w.opens_at, w.closes_at) + " UTC";
  }

  function drawFleet(fleet) {
    const body = $("fleet").tBodies[0];
    body.replaceChildren();
    const select = $("warehouse-select");
    select.replaceChildren();
    if (!warehouse) warehouse = fleet.default || (fleet.warehouses[0] || {}).name || null;
    for (const w of fleet.warehouses) {
      const option = document.createElement("option");
      option.value = w.name;
      option.textContent = w.name + (w.status === "ok" ? "" : " (unreachable)");
      select.appendChild(option);

      const row = body.insertRow();
      row.id = `fleet-row-${w.name}`;
      row.dataset.warehouse = w.name;
      row.dataset.status = w.status;
      const pick = document.createElement("button");
      pick.type = "button"; pick.className = "fleet-pick"; pick.textContent = w.name;
      pick.title = w.description || w.name;
      pick.addEventListener("click", () => choose(w.name));
      cell(row, pick);
      const state = cell(row, w.status === "ok" ? "ok" : "unreachable", "status-" + w.status);
      if (w.error) state.title = w.error;
      cell(row, w.status === "ok" ? bytes(w.space_saved_bytes) : "–", "num");
      cell(row, w.status === "ok" ? String(w.backlog) : "–", "num");
      cell(row, w.status === "ok" ? `${w.open_failures} / ${w.recent_failures}` : "–", "num");
      const open = w.current_window ? "open now, until " + w.current_window.closes_local
        .slice(11, 16) + "; next " : "";
      const local = cell(row, w.window_error ? "no window: " + w.window_error
        : open + windowText(w.next_window, true, w.timezone));
      local.className = "window";
      cell(row, windowText(w.next_window, false), "window");
    }
    if (warehouse && ![...select.options].some(o => o.value === warehouse)) {
      // A name the fleet does not have (an old link): keep it, the data request says why.
      const option = document.createElement("option");
      option.value = warehouse; option.textContent = warehouse + " (unknown)";
      select.appendChild(option);
    }
    markSelected();
  }

  function markSelected() {
    if (warehouse) $("warehouse-select").value = warehouse;
    for (const row of $("fleet").tBodies[0].rows) {
      row.classList.toggle("selected", row.dataset.warehouse === warehouse);
    }
    const queue = new URL("dashboard/queue", location.href);
    if (warehouse) queue.searchParams.set("warehouse", warehouse);
    $("queue-link").setAttribute("href", "dashboard/queue" + queue.search);
  }

  async function loadFleet() {
    try {
      drawFleet(await request("fleet"));
      document.body.dataset.fleet = "true";
    } catch (err) {
      const body = $("fleet").tBodies[0];
      body.replaceChildren();
      cell(body.insertRow(), "Could not load the fleet: " + err.message).colSpan = 7;
      document.body.dataset.fleet = "error";
    }
  }

  /* Select a warehouse: kept in the address (?warehouse=), then everything is read again. */
  function choose(name) {
    if (!name || name === warehouse) return;
    warehouse = name;
    const url = new URL(location.href);
    url.searchParams.set("warehouse", name);
    history.replaceState(history.state, "", url);
    $("notice").hidden = true;
    markSelected();
    load();
  }

  async function load() {
    const mine = ++generation;
    document.body.dataset.loaded = "";
    try {
      const [data, executions, batches] = await Promise.all([
        api("dashboard/data"),
        api("compression/executions?operation=COMPRESS&status=SUCCESS&limit=10"),
        api("ilm/batches?limit=10"),
      ]);
      if (mine !== generation) return;
      dags = data.start_dags;
      document.body.dataset.warehouse = data.warehouse;
      $("generated").textContent = `${data.warehouse}, as of ${when(data.generated_at)} UTC`;
      drawCharts(data);
      drawProgress(data.latest_run);
      drawCandidates(data.top_candidates);
      drawExecutions(executions.items);
      drawFailures(data.recent_failures);
      drawBatches(batches.items);
      document.body.dataset.loaded = "true";
    } catch (err) {
      if (mine !== generation) return;
      notice(`Could not load the dashboard${warehouse ? " of " + warehouse : ""}: ` +
             err.message, null, "error");
      document.body.dataset.loaded = "error";
    }
  }

  $("analyse-form").addEventListener("submit", analyse);
  $("compress-button").addEventListener("click", compress);
  $("warehouse-select").addEventListener("change", event => choose(event.target.value));
  markSelected();
  load();
  loadFleet();
})();

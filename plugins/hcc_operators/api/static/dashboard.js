/* The HCC dashboard: draws the charts from dashboard/data and starts DAG runs through the
 * console's POST endpoints (which call Airflow's REST API as the logged-in user).
 * URLs are relative to /hcc/dashboard so the page works wherever Airflow is rooted; the
 * browser sends the Airflow UI's _token cookie with them. Data is inserted with textContent only. */
(function () {
  "use strict";
  const C = window.HccCharts;
  const bytes = window.HccUnits.bytes;
  const $ = id => document.getElementById(id);
  // The DAG each action starts (analyse, compress, rollback), from the dashboard's data.
  let dags = {};

  const count = v => String(Math.round(v));
  const ratio = r => (r === null || r === undefined ? "–" : r.toFixed(2) + "×");
  const when = iso => (iso ? iso.replace("T", " ").slice(0, 16) : "–");

  async function api(path, init) {
    const response = await fetch(path, Object.assign({ credentials: "same-origin" }, init));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
      throw new Error(`${response.status}: ${detail || response.statusText}`);
    }
    return body;
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
      box.type = "checkbox"; box.value = c.object; box.dataset.savings = c.estimated_savings || 0;
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

  async function load() {
    try {
      const [data, executions, batches] = await Promise.all([
        api("dashboard/data"),
        api("compression/executions?operation=COMPRESS&status=SUCCESS&limit=10"),
        api("ilm/batches?limit=10"),
      ]);
      dags = data.start_dags;
      $("generated").textContent = "as of " + when(data.generated_at) + " UTC";
      drawCharts(data);
      drawProgress(data.latest_run);
      drawCandidates(data.top_candidates);
      drawExecutions(executions.items);
      drawFailures(data.recent_failures);
      drawBatches(batches.items);
      document.body.dataset.loaded = "true";
    } catch (err) {
      notice("Could not load the dashboard: " + err.message, null, "error");
      document.body.dataset.loaded = "error";
    }
  }

  $("analyse-form").addEventListener("submit", analyse);
  $("compress-button").addEventListener("click", compress);
  load();
})();

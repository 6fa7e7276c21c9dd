/* The ILM queue page: lists queue items and offers, per item, exactly the commands the
 * server's transition table allows in its status (GET ilm/queue/commands), each behind a
 * confirmation dialog with an optional reason. The change is made by the console's POST
 * endpoints as the logged-in Airflow user (the _token cookie) and recorded in the item's
 * history. URLs are relative to /hcc/dashboard/queue. Data is inserted with textContent only.
 * The queue is the one of the warehouse named by ?warehouse= in the page's address (the
 * dashboard links here with its selection), or the fleet's default; every request carries it. */
(function () {
  "use strict";
  const $ = id => document.getElementById(id);
  const warehouse = new URLSearchParams(location.search).get("warehouse") || null;
  const PAGE = 50;
  const state = { offset: 0, total: 0, commands: [], priorityMin: 0, priorityMax: 0 };

  const when = iso => (iso ? iso.replace("T", " ").slice(0, 16) : "–");
  function bytes(n) {
    if (n === null || n === undefined) return "–";
    let v = n;
    for (const u of ["B", "KiB", "MiB", "GiB", "TiB"]) {
      if (v < 1024 || u === "TiB") return (u === "B" ? v : v.toFixed(1)) + " " + u;
      v /= 1024;
    }
  }

  async function api(path, init) {
    if (warehouse) {
      path += (path.includes("?") ? "&" : "?") + "warehouse=" + encodeURIComponent(warehouse);
    }
    const response = await fetch(path, Object.assign({ credentials: "same-origin" }, init));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = typeof body.detail === "string" ? body.detail
        : (body.detail || []).map(d => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
      throw new Error(`${response.status}: ${detail || response.statusText}`);
    }
    return body;
  }

  function notice(text, isError) {
    const box = $("notice");
    box.textContent = text;
    box.className = isError ? "error" : "";
    box.hidden = false;
  }

  function cell(row, content, cls) {
    const td = row.insertCell();
    if (content instanceof Node) td.appendChild(content); else td.textContent = content ?? "–";
    if (cls) td.className = cls;
    return td;
  }

  function lastChange(change) {
    if (!change) return "–";
    const why = change.reason ? `: ${change.reason}` : "";
    return `${change.command} by ${change.changed_by}, ${when(change.changed_at)}${why}`;
  }

  function confirmChange(item, command) {
    const title = `${command.command[0].toUpperCase()}${command.command.slice(1)} ` +
      `queue item ${item.queue_id}?`;
    $("queue-confirm-title").textContent = title;
    $("queue-confirm-body").textContent = `${item.action} of ${item.object} ` +
      `(${item.status}, priority ${item.priority}): ${command.summary}.`;
    const priority = $("queue-priority");
    $("queue-priority-label").hidden = !command.takes_priority;
    priority.required = command.takes_priority;
    priority.min = state.priorityMin; priority.max = state.priorityMax;
    priority.value = item.priority;
    $("queue-reason").value = "";
    const dialog = $("queue-confirm");
    return new Promise(resolve => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  async function act(item, command) {
    if (!(await confirmChange(item, command))) return;
    const body = { reason: $("queue-reason").value.trim() || null };
    if (command.takes_priority) body.priority = Number($("queue-priority").value);
    try {
      const done = await api(`../ilm/queue/${item.queue_id}/${command.command}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const c = done.change;
      notice(`Queue item ${c.queue_id}: ${c.field} ${c.old_value} → ${c.new_value} ` +
             `(${c.command} by ${c.changed_by}).`, false);
    } catch (err) {
      notice(`${command.command} of queue item ${item.queue_id} refused: ${err.message}`, true);
    }
    await load();
  }

  async function showHistory(item) {
    try {
      const changes = await api(`../ilm/queue/${item.queue_id}/history`);
      $("queue-history-title").textContent =
        `History of queue item ${item.queue_id} (${item.object})`;
      const body = $("queue-history-table").tBodies[0];
      body.replaceChildren();
      for (const c of changes) {
        const row = body.insertRow();
        for (const v of [when(c.changed_at), c.command, c.field, c.old_value, c.new_value,
                         c.changed_by, c.changed_via, c.reason]) cell(row, v);
      }
      if (!changes.length) cell(body.insertRow(), "no changes by operators").colSpan = 8;
      $("queue-history").hidden = false;
    } catch (err) {
      notice(`History of queue item ${item.queue_id}: ${err.message}`, true);
    }
  }

  function button(text, id, onClick, command) {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.id = id;
    b.className = "queue-action";
    if (command) b.dataset.command = command;
    b.addEventListener("click", onClick);
    return b;
  }

  function drawItems(page) {
    const body = $("queue-table").tBodies[0];
    body.replaceChildren();
    for (const item of page.items) {
      const row = body.insertRow();
      row.id = `queue-row-${item.queue_id}`;
      row.dataset.status = item.status;
      cell(row, String(item.queue_id));
      cell(row, item.status);
      cell(row, String(item.priority), "num");
      cell(row, item.policy_name);
      cell(row, item.object);
      cell(row, item.action);
      cell(row, bytes(item.size_bytes), "num");
      cell(row, when(item.enqueued_at));
      cell(row, lastChange(item.last_change), "reason").title = lastChange(item.last_change);
      const actions = document.createElement("span");
      for (const command of state.commands) {
        if (!command.applies_to.includes(item.status)) continue;
        actions.appendChild(button(`${command.command}…`,
          `queue-${item.queue_id}-${command.command}`, () => act(item, command),
          command.command));
      }
      actions.appendChild(button("history", `queue-${item.queue_id}-history`,
        () => showHistory(item)));
      cell(row, actions);
    }
    state.total = page.total;
    const last = Math.min(state.offset + page.items.length, page.total);
    $("queue-count").textContent =
      page.total ? `${state.offset + 1}–${last} of ${page.total} items` : "no items";
    $("queue-prev").disabled = state.offset === 0;
    $("queue-next").disabled = last >= page.total;
  }

  async function load() {
    const params = new URLSearchParams({ limit: PAGE, offset: state.offset });
    const status = $("queue-status-filter").value;
    const policy = $("queue-policy-filter").value.trim();
    if (status) params.set("status", status);
    if (policy) params.set("policy", policy);
    try {
      const page = await api(`../ilm/queue?${params}`);
      $("queue-warehouse").textContent = `warehouse ${page.warehouse}`;
      document.body.dataset.warehouse = page.warehouse;
      drawItems(page);
      document.body.dataset.loaded = "true";
    } catch (err) {
      notice("Could not load the queue: " + err.message, true);
      document.body.dataset.loaded = "error";
    }
  }

  async function start() {
    try {
      const table = await api("../ilm/queue/commands");
      state.commands = table.commands;
      state.priorityMin = table.priority_min; state.priorityMax = table.priority_max;
      for (const s of table.statuses) {
        const option = document.createElement("option");
        option.value = s; option.textContent = s;
        $("queue-status-filter").appendChild(option);
      }
    } catch (err) {
      notice("Could not load the queue commands: " + err.message, true);
    }
    await load();
  }

  if (warehouse) {
    $("back-to-dashboard").setAttribute(
      "href", "../dashboard?warehouse=" + encodeURIComponent(warehouse));
  }
  $("queue-filter").addEventListener("submit", event => {
    event.preventDefault(); state.offset = 0; load();
  });
  $("queue-prev").addEventListener("click", () => {
    state.offset = Math.max(state.offset - PAGE, 0); load();
  });
  $("queue-next").addEventListener("click", () => { state.offset += PAGE; load(); });
  start();
})();

/* Small inline-SVG charts for the HCC dashboard: no dependencies, no network.
 * Every plotted datum is an element with a data-point attribute, so tests (and people with
 * devtools) can see what was drawn; <title> children give hover tooltips for free. */
(function (global) {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const W = 480, H = 240, M = { top: 12, right: 24, bottom: 44, left: 64 };
  const PALETTE = ["#017cee", "#e8744f", "#2fa37d", "#a25ddc", "#d4a72c", "#6b7b8c", "#c93f6d"];

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  function tip(node, text) { el("title", {}, node).textContent = text; return node; }

  function svgIn(container, label) {
    container.replaceChildren();
    return el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label,
                       class: "chart" }, container);
  }

  function empty(container, label) {
    const svg = svgIn(container, label);
    el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty" }, svg)
      .textContent = "No data yet";
    return svg;
  }

  function niceMax(v) {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  /* Four steps a chart. Counts: a round whole-number step (1, 2, 5, 10, 20, 25, 50, ...), so
   * labels never repeat after rounding and read 0, 200, 400... Bytes: a round number of
   * KiB/MiB/GiB/TiB a step, so labels read 0 B, 100.0 GiB, 200.0 GiB... Otherwise a round maximum. */
  function scaleMax(v, o) {
    if (o.integer) return 4 * niceMax(Math.ceil(Math.max(v, 1) / 4));
    if (o.bytes) {
      let unit = 1;
      while (v / 4 / unit >= 1024 && unit < Math.pow(1024, 4)) unit *= 1024;
      return 4 * niceMax(v / 4 / unit) * unit;
    }
    return niceMax(v);
  }

  function yAxis(svg, max, fmt) {
    const h = H - M.top - M.bottom;
    for (let i = 0; i <= 4; i++) {
      const y = M.top + h - (h * i) / 4;
      el("line", { x1: M.left, x2: W - M.right, y1: y, y2: y, class: "grid" }, svg);
      el("text", { x: M.left - 6, y: y + 4, "text-anchor": "end", class: "tick" }, svg)
        .textContent = fmt((max * i) / 4);
    }
  }

  function xLabel(svg, x, text) {
    const t = el("text", { x, y: H - M.bottom + 16, "text-anchor": "middle", class: "tick" }, svg);
    t.textContent = text.length > 12 ? text.slice(0, 11) + "…" : text;
  }

  /* data: [{label, value}] */
  function bar(container, data, opts) {
    const o = Object.assign({ fmt: String, label: "bar chart", integer: false }, opts);
    if (!data.length) return empty(container, o.label);
    const svg = svgIn(container, o.label);
    const max = scaleMax(Math.max(...data.map(d => d.value)), o);
    yAxis(svg, max, o.fmt);
    const w = (W - M.left - M.right) / data.length, h = H - M.top - M.bottom;
    data.forEach((d, i) => {
      // A positive value stays visible (2 px) next to one a hundred times larger; its value is
      // written above the bar.
      const bh = d.value > 0 ? Math.max((h * d.value) / max, 2) : 0;
      const x = M.left + i * w + w * 0.15;
      tip(el("rect", { x, y: M.top + h - bh, width: w * 0.7, height: bh,
                       fill: PALETTE[i % PALETTE.length], "data-point": d.label,
                       "data-value": d.value }, svg), `${d.label}: ${o.fmt(d.value)}`);
      el("text", { x: x + w * 0.35, y: M.top + h - bh - 4, "text-anchor": "middle",
                   class: "value" }, svg).textContent = o.fmt(d.value);
      xLabel(svg, x + w * 0.35, d.label);
    });
    return svg;
  }

  /* data: [{day, value}] as a line with a dot per day */
  function line(container, data, opts) {
    const o = Object.assign({ fmt: String, label: "line chart", color: PALETTE[0],
                              integer: false }, opts);
    if (!data.length) return empty(container, o.label);
    const svg = svgIn(container, o.label);
    const max = scaleMax(Math.max(...data.map(d => d.value)), o);
    yAxis(svg, max, o.fmt);
    const w = W - M.left - M.right, h = H - M.top - M.bottom;
    const step = data.length > 1 ? w / (data.length - 1) : 0;
    const pts = data.map((d, i) => [M.left + (data.length > 1 ? i * step : w / 2),
                                    M.top + h - (h * d.value) / max]);
    el("path", { d: pts.map((p, i) => (i ? "L" : "M") + p[0] + " " + p[1]).join(" "),
                 class: "line", stroke: o.color }, svg);
    const every = Math.ceil(data.length / 6);
    data.forEach((d, i) => {
      tip(el("circle", { cx: pts[i][0], cy: pts[i][1], r: 3.5, fill: o.color,
                         "data-point": d.day, "data-value": d.value }, svg),
          `${d.day}: ${o.fmt(d.value)}`);
      if (i % every === 0 || i === data.length - 1) xLabel(svg, pts[i][0], d.day.slice(5));
    });
    return svg;
  }

  /* data: [{object, estimated, achieved}]; the diagonal is "as estimated" */
  function scatter(container, data, opts) {
    const o = Object.assign({ label: "estimated vs achieved" }, opts);
    if (!data.length) return empty(container, o.label);
    const svg = svgIn(container, o.label);
    const max = niceMax(Math.max(...data.flatMap(d => [d.estimated, d.achieved])));
    const w = W - M.left - M.right, h = H - M.top - M.bottom;
    const fmt = v => v.toFixed(1) + "×";
    const tick = v => Number(v.toFixed(2)) + "×";  // 1.25×, not 1.3×
    yAxis(svg, max, tick);
    for (let i = 0; i <= 4; i++) xLabel(svg, M.left + (w * i) / 4, tick((max * i) / 4));
    el("line", { x1: M.left, y1: M.top + h, x2: M.left + w, y2: M.top, class: "diagonal" }, svg);
    el("text", { x: M.left + w / 2, y: H - 6, "text-anchor": "middle", class: "axis" }, svg)
      .textContent = "estimated ratio → (up = achieved ratio)";
    data.forEach(d => {
      const good = d.achieved >= d.estimated;
      tip(el("circle", { cx: M.left + (w * d.estimated) / max, cy: M.top + h - (h * d.achieved) / max,
                         r: 5, class: good ? "dot good" : "dot short", "data-point": d.object,
                         "data-value": d.achieved }, svg),
          `${d.object} (${d.compression || "?"}): estimated ${fmt(d.estimated)}, ` +
          `achieved ${fmt(d.achieved)}`);
    });
    return svg;
  }

  /* rows: [{group, series, value}] stacked per group, one colour per series, with a legend */
  function stacked(container, rows, opts) {
    const o = Object.assign({ fmt: String, label: "stacked bar chart", integer: false }, opts);
    if (!rows.length) return empty(container, o.label);
    const svg = svgIn(container, o.label);
    const groups = [...new Set(rows.map(r => r.group))];
    const series = [...new Set(rows.map(r => r.series))].sort();
    const totals = groups.map(g => rows.filter(r => r.group === g).reduce((a, r) => a + r.value, 0));
    const max = scaleMax(Math.max(...totals), o);
    yAxis(svg, max, o.fmt);
    const w = (W - M.left - M.right - 104) / groups.length, h = H - M.top - M.bottom;
    groups.forEach((g, i) => {
      let y = M.top + h;
      const x = M.left + i * w + w * 0.15;
      series.forEach((s, si) => {
        const r = rows.find(r => r.group === g && r.series === s);
        if (!r || r.value <= 0) return;
        const bh = (h * r.value) / max;
        y -= bh;
        tip(el("rect", { x, y, width: w * 0.7, height: bh, fill: PALETTE[si % PALETTE.length],
                         "data-point": `${g}/${s}`, "data-value": r.value }, svg),
            `${g} in ${s}: ${o.fmt(r.value)}`);
      });
      xLabel(svg, x + w * 0.35, g);
    });
    series.forEach((s, si) => {
      const y = M.top + 4 + si * 16, x = W - M.right - 98;
      el("rect", { x, y, width: 10, height: 10, fill: PALETTE[si % PALETTE.length] }, svg);
      tip(el("text", { x: x + 14, y: y + 9, class: "tick" }, svg), s).textContent =
        s.length > 15 ? s.slice(0, 14) + "…" : s;
    });
    return svg;
  }

  global.HccCharts = { bar, line, scatter, stacked };
})(window);

/* The package's one unit convention in the browser: binary sizes with IEC labels (KiB, MiB,
 * GiB, TiB), one decimal, rounded as toFixed does. The Python original is
 * hcc_operators/core/units.py; the browser test compares the two on the same values. */
window.HccUnits = (function () {
  "use strict";
  const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

  function bytes(n) {
    if (n === null || n === undefined) return "-";
    const sign = n < 0 ? "-" : "";
    let v = Math.abs(n);
    for (const unit of UNITS) {
      if (v < 1024 || unit === UNITS[UNITS.length - 1]) {
        if (unit === "B") return `${sign}${Math.trunc(v)} B`;
        const [whole, tenth] = v.toFixed(1).split(".");
        return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${tenth} ${unit}`;
      }
      v /= 1024;
    }
    return "-";
  }

  return { bytes };
})();

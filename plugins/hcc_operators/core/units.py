"""The one unit convention of the package: binary sizes with IEC labels.

Oracle sizes everything in binary units (8 KiB blocks, datafiles in MiB), and so does this
package's arithmetic (``MIB = 1024 * 1024``), so a size is shown as KiB, MiB, GiB or TiB,
never as KB/MB/GB, which would mean powers of 1000. Every size a person reads (reasons,
`hcc` output, the demo report, alerts, the dashboard) goes through ``format_bytes``; the
dashboard's copy in api/static/units.js is held to it by the browser test.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
TIB = 1024 * GIB

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def format_bytes(num_bytes: float | None) -> str:
    """'512 B', '1.5 KiB', '12.3 GiB', '1,234.5 TiB'; '-' when unknown. One decimal above
    bytes, rounded half up; the largest unit the size reaches (TiB at most)."""
    if num_bytes is None:
        return "-"
    sign = "-" if num_bytes < 0 else ""
    value = abs(float(num_bytes))
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            if unit == "B":
                return f"{sign}{int(value)} B"
            return f"{sign}{_one_decimal(value)} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _one_decimal(value: float) -> str:
    # The exact value of the float rounded half up, which is what JavaScript's toFixed(1)
    # does, so the dashboard and the CLI print the same digits (Python's round() is
    # half-even and would differ on ties).
    return f"{Decimal(value).quantize(Decimal('0.1'), ROUND_HALF_UP):,}"

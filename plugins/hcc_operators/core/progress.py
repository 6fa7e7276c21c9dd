"""Progress and time remaining of a long analysis, from what is done so far.

Weighted by bytes when sizes are known, because estimating a 50 GB partition takes far longer
than a 50 MB one; an object count would make the ETA swing wildly around the giants.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    percent: float
    done: int
    total: int
    elapsed_s: float
    remaining_s: float | None  # None until there is something to extrapolate from

    def to_dict(self) -> dict:
        return {
            "percent": self.percent,
            "objects_done": self.done,
            "objects_total": self.total,
            "elapsed_s": round(self.elapsed_s, 1),
            "estimated_remaining_s": None
            if self.remaining_s is None
            else round(self.remaining_s, 1),
        }


def progress(
    *, done: int, total: int, bytes_done: int, bytes_total: int, elapsed_s: float
) -> Progress:
    if total < 0 or done < 0 or done > total:
        raise ValueError(f"objects done {done} must be within 0..{total}")
    if bytes_total > 0:
        fraction = min(bytes_done / bytes_total, 1.0)
    else:
        fraction = done / total if total else 1.0
    if done >= total:
        fraction = 1.0
    remaining = None
    if 0 < fraction < 1.0:
        remaining = elapsed_s * (1.0 - fraction) / fraction
    elif fraction >= 1.0:
        remaining = 0.0
    return Progress(round(100.0 * fraction, 1), done, total, elapsed_s, remaining)

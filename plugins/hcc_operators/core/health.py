"""Health checks over repository figures: pure, so thresholds are tested without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hcc_operators.core.housekeeping_config import Health
from hcc_operators.core.units import GIB, format_bytes


@dataclass(frozen=True)
class HealthFigures:
    actions_in_window: int
    failures_in_window: int
    backlog: int
    last_completed_batch: datetime | None
    first_batch: datetime | None  # no "no success" alert before the system ever ran
    shortfalls: list[tuple[str, float, float]]  # (object, expected ratio, achieved ratio)
    large_successes: list[tuple[str, int]]  # (object, bytes saved)
    enqueued_last_day: int = 0  # queue growth ...
    executed_last_day: int = 0  # ... against the rate the batches work it off


@dataclass(frozen=True)
class Alert:
    key: str  # what de-duplication compares
    severity: str  # INFO, WARNING, CRITICAL
    message: str


def check(figures: HealthFigures, limits: Health, now: datetime) -> list[Alert]:
    alerts: list[Alert] = []
    if figures.actions_in_window:
        rate = 100.0 * figures.failures_in_window / figures.actions_in_window
        if rate > limits.failure_rate_pct:
            alerts.append(
                Alert(
                    "failure_rate",
                    "CRITICAL",
                    f"{rate:.0f}% of {figures.actions_in_window} ILM actions failed "
                    f"in the last {limits.failure_window_hours:g} h "
                    f"(threshold {limits.failure_rate_pct:g}%)",
                )
            )
    if figures.backlog > limits.backlog_max:
        alerts.append(
            Alert(
                "backlog",
                "WARNING",
                f"{figures.backlog} queue items are PENDING (threshold {limits.backlog_max})",
            )
        )
    growth = figures.enqueued_last_day - figures.executed_last_day
    if figures.backlog and growth > limits.backlog_growth_per_day:
        alerts.append(
            Alert(
                "backlog_growth",
                "WARNING",
                f"the queue grew by {figures.enqueued_last_day} items in 24 h while "
                f"{figures.executed_last_day} were executed: the windows do not keep up "
                f"(threshold {limits.backlog_growth_per_day} net items a day)",
            )
        )
    stale_after = timedelta(hours=limits.no_success_hours)
    since = figures.last_completed_batch or figures.first_batch
    if since is not None and now - since > stale_after:
        alerts.append(
            Alert(
                "no_success",
                "CRITICAL",
                f"no COMPLETED ILM batch since {since.isoformat()} "
                f"(threshold {limits.no_success_hours:g} h)",
            )
        )
    for label, expected, achieved in figures.shortfalls:
        if expected and achieved < expected * (1 - limits.ratio_shortfall_pct / 100):
            alerts.append(
                Alert(
                    f"ratio_shortfall:{label}",
                    "WARNING",
                    f"{label} achieved ratio {achieved:.2f}, expected {expected:.2f}",
                )
            )
    for label, saved in figures.large_successes:
        if saved > limits.large_success_gb * GIB:
            alerts.append(
                Alert(f"large_success:{label}", "INFO", f"{label} saved {format_bytes(saved)}")
            )
    return alerts


def deduplicate(
    alerts: list[Alert], last_raised: dict[str, datetime], limits: Health, now: datetime
) -> list[Alert]:
    """Drop alerts raised with the same key within the de-duplication interval."""
    quiet = timedelta(minutes=limits.dedupe_minutes)
    return [a for a in alerts if a.key not in last_raised or now - last_raised[a.key] >= quiet]

"""Every alert the package raises, declared once: name, severity, the housekeeping.yaml
thresholds it reads, the check and its message.

Pure, so thresholds are tested without a database: services/housekeeping.py gathers the
figures (repository, the warehouse's tablespaces, the DAGs' state through an injected reader)
and services/alert_delivery.py de-duplicates and delivers what ``check`` finds. The two failure
alerts have no check: Airflow raises them through the failure notifier (``failure_alert``).
docs/operations.md lists every alert, and a test keeps the list and ``ALERTS`` equal.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hcc_operators.core.alerts import Alert, Severity, alert_key
from hcc_operators.core.housekeeping_config import Health
from hcc_operators.core.units import GIB, format_bytes


class DagStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    MISSING = "missing"  # Airflow does not know the DAG: removed, or its file fails to import
    UNKNOWN = "unknown"  # Airflow could not be asked; reported, never alerted on


@dataclass(frozen=True)
class DagState:
    dag_id: str
    status: DagStatus
    detail: str = ""


@dataclass(frozen=True)
class TablespaceFigure:
    name: str
    used_pct: float
    failures: int  # ILM actions or compressions involving it that failed or were deferred
    codes: tuple[str, ...] = ()  # their ORA codes, most frequent first


@dataclass(frozen=True)
class DurationFigure:
    """Seconds per GiB of successful executions of one kind: total seconds over total bytes,
    so large partitions weigh as much as they take."""

    kind: str
    recent_s_per_gib: float | None
    recent_samples: int
    baseline_s_per_gib: float | None
    baseline_samples: int


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
    tablespaces: tuple[TablespaceFigure, ...] = ()
    dags: tuple[DagState, ...] = ()
    durations: tuple[DurationFigure, ...] = ()


#: (what the alert is about, or None for the whole system; the message)
Finding = tuple[str | None, str]
Check = Callable[[HealthFigures, Health, datetime], Iterable[Finding]]


@dataclass(frozen=True)
class AlertSpec:
    name: str
    severity: Severity
    summary: str  # one line for the operations guide
    thresholds: tuple[str, ...]  # the fields of housekeeping.yaml's `health:` it reads
    check: Check | None  # None: raised by the failure notifier, not by housekeeping


def _failure_rate(f: HealthFigures, limits: Health, now: datetime) -> Iterable[Finding]:
    if not f.actions_in_window:
        return
    rate = 100.0 * f.failures_in_window / f.actions_in_window
    if rate > limits.failure_rate_pct:
        yield (
            None,
            f"{rate:.0f}% of {f.actions_in_window} ILM actions failed in the last "
            f"{limits.failure_window_hours:g} h (threshold {limits.failure_rate_pct:g}%)",
        )


def _backlog(f: HealthFigures, limits: Health, now: datetime) -> Iterable[Finding]:
    if f.backlog > limits.backlog_max:
        yield None, f"{f.backlog} queue items are PENDING (threshold {limits.backlog_max})"


def _backlog_growth(f: HealthFigures, limits: Health, now: datetime) -> Iterable[Finding]:
    growth = f.enqueued_last_day - f.executed_last_day
    if f.backlog and growth > limits.backlog_growth_per_day:
        yield (
            None,
            f"the queue grew by {f.enqueued_last_day} items in 24 h while "
            f"{f.executed_last_day} were executed: the windows do not keep up "
            f"(threshold {limits.backlog_growth_per_day} net items a day)",
        )


def _no_success(f: HealthFigures, limits: Health, now: datetime) -> Iterable[Finding]:
    since = f.last_completed_batch or f.first_batch
    if since is not None and now - since > timedelta(hours=limits.no_success_hours):
        yield (
            None,
            f"no COMPLETED ILM batch since {since.isoformat()} "
            f"(threshold {limits.no_success_hours:g} h)",
        )


def _ratio_shortfall(f: HealthFigures, limits: Health, now: datetime) -> Iterable[Finding]:
    for label, expected, achieved in f.shortfalls:
        if expected and achieved < expected * (1 - limits.ratio_shortfall_pct / 100):
            yield (
                label,
                f"{label} achieved ratio {achieved:.2f}, expected {expected:.2f} "
                f"(more than {limits.ratio_shortfall_pct:g}% short)",
            )


def _large_success(f: HealthFigures, limits: Health, now: datetime) -> Iterable[Finding]:
    for label, saved in f.large_successes:
        if saved > limits.large_success_gb * GIB:
            yield label, f"{label} saved {format_bytes(saved)}"


def _tablespace_full(f: HealthFigures, limits: Health, now: datetime) -> Iterable[Finding]:
    # A full tablespace alone is often by design (an archive tier filled on purpose); together
    # with failed or deferred work on it, it is what stops the ILM actions.
    for ts in f.tablespaces:
        if ts.used_pct > limits.tablespace_full_pct and ts.failures:
            codes = f" ({', '.join(ts.codes)})" if ts.codes else ""
            yield (
                ts.name,
                f"tablespace {ts.name} is {ts.used_pct:.1f}% full (threshold "
                f"{limits.tablespace_full_pct:g}%) and {ts.failures} action(s) on it failed or "
                f"were deferred in the last {limits.failure_window_hours:g} h{codes}: "
                "add space or move partitions elsewhere",
            )


def _dag_not_scheduled(f: HealthFigures, limits: Health, now: datetime) -> Iterable[Finding]:
    ignored = set(limits.paused_dags_ignored)
    for dag in f.dags:
        if dag.dag_id in ignored:
            continue
        if dag.status is DagStatus.PAUSED:
            yield (
                dag.dag_id,
                f"DAG {dag.dag_id} is paused: its scheduled maintenance does not run, and runs "
                "started for it wait in the queued state (unpause it in the Airflow UI, or "
                "list it under health.paused_dags_ignored if that is intended)",
            )
        elif dag.status is DagStatus.MISSING:
            detail = f" ({dag.detail})" if dag.detail else ""
            yield (
                dag.dag_id,
                f"DAG {dag.dag_id} is not known to Airflow{detail}: its file was removed or "
                "fails to import (see DAG import errors in the Airflow UI)",
            )


def _duration_trend(f: HealthFigures, limits: Health, now: datetime) -> Iterable[Finding]:
    least = limits.duration_min_samples
    for d in f.durations:
        if d.recent_samples < least or d.baseline_samples < least:
            continue
        if not d.baseline_s_per_gib or d.recent_s_per_gib is None:
            continue
        rise = 100.0 * (d.recent_s_per_gib / d.baseline_s_per_gib - 1)
        if rise > limits.duration_trend_pct:
            yield (
                d.kind,
                f"{d.kind} took {d.recent_s_per_gib:.1f} s/GiB over the last "
                f"{limits.duration_recent_days:g} days ({d.recent_samples} executions) against "
                f"{d.baseline_s_per_gib:.1f} s/GiB in the {limits.duration_baseline_days:g} "
                f"days before ({d.baseline_samples}): {rise:+.0f}% (threshold "
                f"{limits.duration_trend_pct:g}%); windows will fit less work",
            )


ALERTS: tuple[AlertSpec, ...] = (
    AlertSpec(
        "failure_rate",
        Severity.CRITICAL,
        "share of ILM actions that failed in the recent window",
        ("failure_rate_pct", "failure_window_hours"),
        _failure_rate,
    ),
    AlertSpec(
        "backlog",
        Severity.WARNING,
        "PENDING queue items above a maximum",
        ("backlog_max",),
        _backlog,
    ),
    AlertSpec(
        "backlog_growth",
        Severity.WARNING,
        "the queue grows faster than the batches execute it",
        ("backlog_growth_per_day",),
        _backlog_growth,
    ),
    AlertSpec(
        "no_success",
        Severity.CRITICAL,
        "no COMPLETED ILM batch for too long",
        ("no_success_hours",),
        _no_success,
    ),
    AlertSpec(
        "ratio_shortfall",
        Severity.WARNING,
        "a compression achieved a much lower ratio than the advisor estimated",
        ("ratio_shortfall_pct",),
        _ratio_shortfall,
    ),
    AlertSpec(
        "large_success",
        Severity.INFO,
        "one compression saved more than a threshold",
        ("large_success_gb",),
        _large_success,
    ),
    AlertSpec(
        "tablespace_full",
        Severity.CRITICAL,
        "a tablespace is nearly full and actions on it failed or were deferred",
        ("tablespace_full_pct", "failure_window_hours"),
        _tablespace_full,
    ),
    AlertSpec(
        "dag_not_scheduled",
        Severity.WARNING,
        "a maintenance DAG is paused, or Airflow does not know it",
        ("paused_dags_ignored",),
        _dag_not_scheduled,
    ),
    AlertSpec(
        "duration_trend",
        Severity.WARNING,
        "executions of one kind take markedly longer per GiB than before",
        (
            "duration_trend_pct",
            "duration_recent_days",
            "duration_baseline_days",
            "duration_min_samples",
        ),
        _duration_trend,
    ),
    AlertSpec(
        "task_failed",
        Severity.CRITICAL,
        "a task of a package DAG failed (after its retries)",
        (),
        None,
    ),
    AlertSpec(
        "dag_failed",
        Severity.CRITICAL,
        "a run of a package DAG failed",
        (),
        None,
    ),
)

SPECS: dict[str, AlertSpec] = {spec.name: spec for spec in ALERTS}


def check(figures: HealthFigures, limits: Health, now: datetime) -> list[Alert]:
    """Every alert the figures raise, in declaration order."""
    found: list[Alert] = []
    for spec in ALERTS:
        if spec.check is None:
            continue
        for subject, message in spec.check(figures, limits, now):
            found.append(Alert(spec.name, alert_key(spec.name, subject), spec.severity, message))
    return found


def failure_alert(
    dag_id: str, task_id: str | None, map_index: int | None, run_id: str, error: object
) -> Alert:
    """A failed task instance (``task_id`` given) or DAG run.

    The key names the DAG and task, not the run or the map index: ten partitions of one batch
    failing, or the same task failing in each slot of a night, is one alert within the quiet
    period (the message and hcc_alerts name each one)."""
    if task_id:
        where = task_id + (f"[{map_index}]" if map_index is not None and map_index >= 0 else "")
        spec = SPECS["task_failed"]
        return Alert(
            spec.name,
            alert_key(spec.name, f"{dag_id}.{task_id}"),
            spec.severity,
            f"{dag_id}.{where} failed in run {run_id}: {error}",
        )
    spec = SPECS["dag_failed"]
    return Alert(
        spec.name,
        alert_key(spec.name, dag_id),
        spec.severity,
        f"DAG {dag_id} run {run_id} failed: {error}",
    )

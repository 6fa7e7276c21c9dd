"""An alert, its severity, the channels that deliver it, and when a repeat is held back.

The alerts themselves (name, check, thresholds, message) are declared in core/health.py;
delivery (services/alert_delivery.py) sends through ``AlertChannel``s the Airflow side builds
from its connections and Variables (operators/alert_channels.py).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class Severity(enum.StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"


@dataclass(frozen=True)
class Alert:
    name: str  # the declaration in core.health.ALERTS
    key: str  # what de-duplication compares: the name, plus what the alert is about
    severity: str
    message: str

    @property
    def line(self) -> str:
        return f"[{self.severity}] {self.message}"


def alert_key(name: str, subject: str | None) -> str:
    # hcc_alerts.alert_key holds 250 characters; a long subject (a run id) is cut, not refused.
    return (f"{name}:{subject}" if subject else name)[:250]


class DeliveryStatus(enum.StrEnum):
    SENT = "SENT"  # at least one channel took it
    LOGGED = "LOGGED"  # no channel is configured: recorded and logged only
    SUPPRESSED = "SUPPRESSED"  # the same key went out within the quiet period
    FAILED = "FAILED"  # every configured channel refused it: the next raise tries again


#: Rows that start a quiet period for their key. FAILED does not: nobody was told.
QUIETING = (DeliveryStatus.SENT, DeliveryStatus.LOGGED)


def is_quiet(last_told: datetime | None, now: datetime, quiet: timedelta) -> bool:
    """Whether an alert whose key was last sent (or logged) at ``last_told`` is held back."""
    return last_told is not None and now - last_told < quiet


class AlertChannel(Protocol):
    """A way to reach people (e-mail, a webhook). ``send`` raises when the message was not
    accepted; delivery records that and tries the other channels."""

    name: str

    def send(self, subject: str, alerts: Sequence[Alert]) -> None: ...


def subject_line(alerts: Sequence[Alert], where: str) -> str:
    worst = max(alerts, key=lambda a: list(Severity).index(Severity(a.severity)))
    if len(alerts) == 1:
        return f"[HCC {worst.severity}] {where}: {worst.message}"[:200]
    return f"[HCC {worst.severity}] {where}: {len(alerts)} alerts"

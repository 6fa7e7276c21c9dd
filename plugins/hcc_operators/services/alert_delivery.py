"""Deliver alerts once: de-duplicated against hcc_alerts, sent through the given channels.

Every raised alert is recorded, with what happened to it (core.alerts.DeliveryStatus). A key
told within the quiet period (``dedupe_minutes``) is SUPPRESSED. Several workers may raise the
same key at once (ten mapped partitions failing together), so each one first *claims* its
row, then sends only if no earlier claim of that key lies within the quiet period: the
earliest claim sends, the others are suppressed, without a lock.

Channels are built by the Airflow side (operators/alert_channels.py) from its connections and
Variables; this module only calls ``send`` and never imports Airflow.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.alerts import (
    QUIETING,
    Alert,
    AlertChannel,
    DeliveryStatus,
    subject_line,
)
from hcc_operators.repository.tables import alerts as alerts_table

log = logging.getLogger(__name__)

#: A claim not yet resolved to SENT/FAILED/LOGGED. It quiets its key like a sent alert, so a
#: crashed sender silences the key for one quiet period at most (raised_at bounds it).
CLAIMED = "SENDING"


@dataclass
class DeliveryReport:
    status: str | None = None  # of the fresh alerts; None when every alert was suppressed
    sent: list[str] = field(default_factory=list)  # keys told now
    suppressed: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # that took the message
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "sent": self.sent,
            "suppressed": self.suppressed,
            "channels": self.channels,
            "errors": self.errors,
        }


def deliver(
    engine: Engine,
    found: Sequence[Alert],
    channels: Sequence[AlertChannel],
    *,
    now: datetime,
    quiet: timedelta,
    where: str,
) -> DeliveryReport:
    """Record ``found``, and send the ones not told within ``quiet`` in one message per
    channel (``where`` names the warehouse or DAG in the subject)."""
    report = DeliveryReport()
    if not found:
        return report
    claims = _claim(engine, found, now)
    fresh: list[Alert] = []
    with engine.connect() as conn:
        for alert, claim_id in zip(found, claims, strict=True):
            if _told_before(conn, alert.key, claim_id, now, quiet):
                report.suppressed.append(alert.key)
            else:
                fresh.append(alert)
    fresh_ids = {id(a) for a in fresh}
    suppressed_ids = [c for a, c in zip(found, claims, strict=True) if id(a) not in fresh_ids]
    _resolve(engine, suppressed_ids, DeliveryStatus.SUPPRESSED, None, None)
    if not fresh:
        return report
    subject = subject_line(fresh, where)
    for channel in channels:
        try:
            channel.send(subject, fresh)
            report.channels.append(channel.name)
        except Exception as err:  # any channel's failure must not stop the others
            log.warning("alert channel %s failed: %s", channel.name, err)
            report.errors.append(f"{channel.name}: {err}")
    if report.channels:
        status = DeliveryStatus.SENT
    elif channels:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.LOGGED
    report.status = status.value
    report.sent = [a.key for a in fresh] if status is not DeliveryStatus.FAILED else []
    fresh_claims = [c for a, c in zip(found, claims, strict=True) if id(a) in fresh_ids]
    _resolve(
        engine,
        fresh_claims,
        status,
        ",".join(report.channels) or None,
        "; ".join(report.errors) or None,
    )
    return report


def _claim(engine: Engine, found: Sequence[Alert], now: datetime) -> list[int]:
    with engine.begin() as conn:
        return [
            conn.execute(
                insert(alerts_table).values(
                    alert_key=a.key,
                    alert_name=a.name,
                    severity=a.severity,
                    message=a.message,
                    raised_at=now,
                    status=CLAIMED,
                )
            ).inserted_primary_key[0]
            for a in found
        ]


def _told_before(conn, key: str, claim_id: int, now: datetime, quiet: timedelta) -> bool:
    if quiet <= timedelta(0):
        return False
    a = alerts_table.c
    earlier = (
        select(a.alert_id)
        .where(
            a.alert_key == key,
            a.alert_id != claim_id,
            a.raised_at > now - quiet,
            or_(
                # Rows from before delivery was recorded (status NULL) were raised and logged.
                a.status.is_(None),
                a.status.in_([s.value for s in QUIETING]),
                # Another worker's claim: the earlier one sends, this one is suppressed.
                and_(a.status == CLAIMED, a.alert_id < claim_id),
            ),
        )
        .limit(1)
    )
    return conn.execute(earlier).first() is not None


def _resolve(engine, ids, status, channels, error) -> None:
    if not ids:
        return
    with engine.begin() as conn:
        conn.execute(
            update(alerts_table)
            .where(alerts_table.c.alert_id.in_(ids))
            .values(status=status.value, channels=channels, delivery_error=error)
        )

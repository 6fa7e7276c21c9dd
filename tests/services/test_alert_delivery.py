"""De-duplication and recording of alert delivery (services/alert_delivery.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from hcc_operators.core.alerts import Alert
from hcc_operators.repository.tables import alerts
from hcc_operators.services.alert_delivery import CLAIMED, deliver

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
QUIET = timedelta(minutes=240)
BACKLOG = Alert("backlog", "backlog", "WARNING", "1200 queue items are PENDING")
RATE = Alert("failure_rate", "failure_rate", "CRITICAL", "30% of 10 ILM actions failed")


class Channel:
    def __init__(self, name="mail", fail: Exception | None = None):
        self.name = name
        self.fail = fail
        self.sent: list[tuple[str, list[str]]] = []

    def send(self, subject, found):
        if self.fail:
            raise self.fail
        self.sent.append((subject, [a.key for a in found]))


def rows(engine):
    with engine.connect() as conn:
        return [
            (r.alert_key, r.status, r.channels, r.delivery_error)
            for r in conn.execute(select(alerts).order_by(alerts.c.alert_id))
        ]


def test_alerts_of_one_run_go_out_as_one_message_per_channel(sqlite_engine):
    mail, hook = Channel("email"), Channel("webhook")
    report = deliver(
        sqlite_engine, [RATE, BACKLOG], [mail, hook], now=NOW, quiet=QUIET, where="dw1"
    )
    assert mail.sent == [("[HCC CRITICAL] dw1: 2 alerts", ["failure_rate", "backlog"])]
    assert hook.sent == mail.sent
    assert report.status == "SENT" and report.channels == ["email", "webhook"]
    assert rows(sqlite_engine) == [
        ("failure_rate", "SENT", "email,webhook", None),
        ("backlog", "SENT", "email,webhook", None),
    ]


def test_a_repeat_within_the_quiet_period_is_recorded_but_not_sent(sqlite_engine):
    mail = Channel()
    deliver(sqlite_engine, [BACKLOG], [mail], now=NOW, quiet=QUIET, where="dw")
    soon = deliver(
        sqlite_engine,
        [BACKLOG, RATE],
        [mail],
        now=NOW + timedelta(hours=1),
        quiet=QUIET,
        where="dw",
    )
    assert soon.suppressed == ["backlog"] and soon.sent == ["failure_rate"]
    assert [keys for _, keys in mail.sent] == [["backlog"], ["failure_rate"]]
    after = deliver(sqlite_engine, [BACKLOG], [mail], now=NOW + QUIET, quiet=QUIET, where="dw")
    assert after.sent == ["backlog"]
    assert [r[:2] for r in rows(sqlite_engine)] == [
        ("backlog", "SENT"),
        ("backlog", "SUPPRESSED"),
        ("failure_rate", "SENT"),
        ("backlog", "SENT"),
    ]


def test_a_failed_delivery_does_not_quiet_the_key(sqlite_engine):
    down = Channel("email", fail=ConnectionRefusedError(111, "Connection refused"))
    first = deliver(sqlite_engine, [BACKLOG], [down], now=NOW, quiet=QUIET, where="dw")
    assert first.status == "FAILED" and first.sent == []
    assert first.errors == ["email: [Errno 111] Connection refused"]
    up = Channel("email")
    second = deliver(
        sqlite_engine, [BACKLOG], [up], now=NOW + timedelta(minutes=5), quiet=QUIET, where="dw"
    )
    assert second.sent == ["backlog"] and len(up.sent) == 1
    assert [r[1] for r in rows(sqlite_engine)] == ["FAILED", "SENT"]


def test_one_channel_failing_does_not_stop_the_other(sqlite_engine):
    down, hook = Channel("email", fail=OSError("smtp down")), Channel("webhook")
    report = deliver(sqlite_engine, [RATE], [down, hook], now=NOW, quiet=QUIET, where="dw")
    assert report.status == "SENT" and report.channels == ["webhook"]
    assert rows(sqlite_engine) == [("failure_rate", "SENT", "webhook", "email: smtp down")]


def test_without_channels_alerts_are_logged_and_still_de_duplicated(sqlite_engine):
    assert deliver(sqlite_engine, [RATE], [], now=NOW, quiet=QUIET, where="dw").status == "LOGGED"
    again = deliver(
        sqlite_engine, [RATE], [], now=NOW + timedelta(minutes=1), quiet=QUIET, where="dw"
    )
    assert again.suppressed == ["failure_rate"] and again.status is None


def test_a_quiet_period_of_zero_sends_every_raise(sqlite_engine):
    mail = Channel()
    for minute in range(3):
        deliver(
            sqlite_engine,
            [RATE],
            [mail],
            now=NOW + timedelta(minutes=minute),
            quiet=timedelta(0),
            where="dw",
        )
    assert len(mail.sent) == 3


def test_of_two_concurrent_claims_only_the_earlier_sends(sqlite_engine):
    """Another worker claimed the key first and is still sending: this raise is suppressed.
    A later claim (a higher id) does not suppress the earlier one."""
    with sqlite_engine.begin() as conn:
        conn.execute(
            insert(alerts).values(
                alert_key="failure_rate",
                alert_name="failure_rate",
                severity="CRITICAL",
                message="x",
                raised_at=NOW,
                status=CLAIMED,
            )
        )
    mail = Channel()
    report = deliver(sqlite_engine, [RATE], [mail], now=NOW, quiet=QUIET, where="dw")
    assert report.suppressed == ["failure_rate"] and mail.sent == []


def test_rows_from_before_delivery_was_recorded_count_as_told(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.execute(
            insert(alerts).values(
                alert_key="backlog",
                severity="WARNING",
                message="old row, no status",
                raised_at=NOW - timedelta(minutes=10),
            )
        )
    report = deliver(sqlite_engine, [BACKLOG], [Channel()], now=NOW, quiet=QUIET, where="dw")
    assert report.suppressed == ["backlog"]

"""Alerts delivered through Airflow's notifiers to real local servers.

E-mail goes through the SMTP provider's SmtpNotifier and SmtpHook over a socket to
tests/smtp_server.py, configured the way a deployment configures it: the connection
smtp_default and the Variable hcc_notify_email, here as AIRFLOW_CONN_/AIRFLOW_VAR_ environment
variables (Airflow's own secrets backend). The webhook posts to tests/webhook_server.py.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from hcc_operators.core.alerts import Alert
from hcc_operators.core.housekeeping_config import HousekeepingConfig
from hcc_operators.operators.alert_channels import (
    EmailChannel,
    configured_channels,
    recipients,
    webhook_url,
)
from hcc_operators.operators.notifier import HccFailureNotifier
from hcc_operators.repository.tables import alerts, execution_log
from hcc_operators.services.housekeeping import run_housekeeping
from hcc_operators.warehouse import factory
from smtp_server import SmtpServer
from webhook_server import WebhookServer

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def smtp_connection(port: int) -> str:
    return json.dumps(
        {
            "conn_type": "smtp",
            "host": "127.0.0.1",
            "port": port,
            "extra": {
                "from_email": "hcc@example.com",
                "disable_tls": True,
                "disable_ssl": True,
                "timeout": 5,
                "retry_limit": 0,
            },
        }
    )


@pytest.fixture
def smtp(monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection(server.port))
        monkeypatch.setenv("AIRFLOW_VAR_HCC_NOTIFY_EMAIL", "ops@example.com; dba@example.com")
        monkeypatch.delenv("AIRFLOW_CONN_HCC_ALERT_WEBHOOK", raising=False)
        yield server


@pytest.fixture
def webhook(monkeypatch):
    with WebhookServer() as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_HCC_ALERT_WEBHOOK",
            json.dumps(
                {
                    "conn_type": "http",
                    "host": server.url + "/services/T1/B2",
                    "extra": {"headers": {"Authorization": "Bearer hook-secret"}},
                }
            ),
        )
        yield server


def failures(engine, n: int, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(execution_log),
            [
                dict(
                    owner="SALES",
                    table_name="ORDERS",
                    partition_name=f"P{i}",
                    action="COMPRESS",
                    status="FAILED",
                    attempt=1,
                    simulated=True,
                    error_code="ORA-00054",
                    started_at=at - timedelta(minutes=i),
                )
                for i in range(n)
            ],
        )


def statuses(engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(alerts.c.alert_key, alerts.c.status, alerts.c.channels).order_by(
                    alerts.c.alert_id
                )
            )
        ]


def test_health_alerts_arrive_by_mail_once_per_quiet_period(sqlite_engine, smtp):
    failures(sqlite_engine, 4, NOW)
    config = HousekeepingConfig()
    channels = configured_channels(where="hcc_ilm_housekeeping")
    assert [c.name for c in channels] == ["email"]

    run_housekeeping(
        sqlite_engine, config, now=NOW, channels=channels, where="hcc_ilm_housekeeping"
    )
    (mail,) = smtp.mailbox.wait_for(1)
    assert mail.mail_from == "hcc@example.com"
    assert sorted(mail.rcpt_to) == ["dba@example.com", "ops@example.com"]
    assert mail.message["Subject"] == (
        "[HCC CRITICAL] hcc_ilm_housekeeping: 100% of 4 ILM actions failed in the last 4 h "
        "(threshold 20%)"
    )
    assert "100% of 4 ILM actions failed" in mail.text()
    assert "(failure_rate)" in mail.text()

    # An hour later the failures are still there: recorded, not mailed again.
    later = NOW + timedelta(hours=1)
    run_housekeeping(
        sqlite_engine, config, now=later, channels=channels, where="hcc_ilm_housekeeping"
    )
    assert len(smtp.mailbox.wait_for(2, timeout=0.5)) == 1
    assert statuses(sqlite_engine) == [
        ("failure_rate", "SENT", "email"),
        ("failure_rate", "SUPPRESSED", None),
    ]


def test_the_mail_carries_oracle_text_literally(smtp):
    # Braces and markup in an error message are neither Jinja-rendered nor taken as HTML.
    tricky = Alert("task_failed", "task_failed:d.t", "CRITICAL", "x {{ ds }} <b>ORA-00904</b>")
    EmailChannel(["ops@example.com"], where="dw").send("subject", [tricky])
    (mail,) = smtp.mailbox.wait_for(1)
    body = mail.text()
    assert "x {{ ds }} &lt;b&gt;ORA-00904&lt;/b&gt;" in body
    assert "<b>ORA-00904</b>" not in body


def test_many_failed_partitions_of_one_task_are_one_mail(sqlite_engine, smtp, monkeypatch):
    monkeypatch.setattr(factory, "warehouse_from_conn_id", lambda conn_id: Repo(sqlite_engine))
    notifier = HccFailureNotifier()
    for map_index in range(5):
        notifier.notify(failed_task(map_index, f"ORA-0005{map_index}"))
    (mail,) = smtp.mailbox.wait_for(1)
    assert "hcc_ilm_execute.execute_action[0] failed in run scheduled__r1: ORA-00050" in (
        mail.text()
    )
    assert len(smtp.mailbox.wait_for(2, timeout=0.5)) == 1
    assert [s for _, s, _ in statuses(sqlite_engine)] == ["SENT"] + ["SUPPRESSED"] * 4


def test_the_failure_still_reaches_people_when_the_repository_is_down(smtp, monkeypatch):
    def unreachable(conn_id):
        raise OSError("ORA-12541: TNS:no listener")

    monkeypatch.setattr(factory, "warehouse_from_conn_id", unreachable)
    HccFailureNotifier().notify(failed_task(2, "ORA-12541: TNS:no listener"))
    (mail,) = smtp.mailbox.wait_for(1)
    assert "ORA-12541" in mail.message["Subject"]


def test_the_webhook_connection_receives_the_alert_text(sqlite_engine, webhook, monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_HCC_NOTIFY_EMAIL", raising=False)
    failures(sqlite_engine, 2, NOW)
    channels = configured_channels(where="dw1")
    assert [c.name for c in channels] == ["webhook"]
    result = run_housekeeping(
        sqlite_engine, HousekeepingConfig(), now=NOW, channels=channels, where="dw1"
    )
    assert result["delivery"]["channels"] == ["webhook"]
    ((path, headers, body),) = webhook.posts
    assert path == "/services/T1/B2"
    assert headers["Authorization"] == "Bearer hook-secret"
    assert body == {
        "text": "[HCC CRITICAL] dw1: 100% of 2 ILM actions failed in the last 4 h (threshold 20%)"
    }


def test_a_webhook_answering_an_error_is_a_failed_delivery(sqlite_engine, webhook, monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_HCC_NOTIFY_EMAIL", raising=False)
    webhook.status = 500
    failures(sqlite_engine, 2, NOW)
    result = run_housekeeping(
        sqlite_engine, HousekeepingConfig(), now=NOW, channels=configured_channels(where="dw")
    )
    assert result["delivery"]["status"] == "FAILED"
    assert "500 Internal Server Error" in result["delivery"]["errors"][0]
    assert statuses(sqlite_engine) == [("failure_rate", "FAILED", None)]


def test_an_smtp_server_that_is_down_does_not_stop_the_webhook(sqlite_engine, webhook, monkeypatch):
    with socket.socket() as free:  # a port nobody listens on once this socket is closed
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection(port))
    monkeypatch.setenv("AIRFLOW_VAR_HCC_NOTIFY_EMAIL", "ops@example.com")
    failures(sqlite_engine, 2, NOW)
    result = run_housekeeping(
        sqlite_engine, HousekeepingConfig(), now=NOW, channels=configured_channels(where="dw")
    )
    assert result["delivery"]["channels"] == ["webhook"]
    assert result["delivery"]["errors"][0].startswith("email: ")
    assert len(webhook.posts) == 1


def test_nothing_configured_means_no_channel(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_HCC_NOTIFY_EMAIL", " , ")
    monkeypatch.delenv("AIRFLOW_CONN_HCC_ALERT_WEBHOOK", raising=False)
    assert configured_channels(where="dw") == []


def test_recipients_and_webhook_urls_parse_as_documented():
    assert recipients("a@x.org, b@x.org;c@x.org ,") == ["a@x.org", "b@x.org", "c@x.org"]
    assert recipients(None) == []
    assert webhook_url("https://h.example/s/1", None, None, None) == "https://h.example/s/1"
    assert webhook_url("h.example", "http", 8080, "/hooks/a") == "http://h.example:8080/hooks/a"
    assert webhook_url("h.example", None, None, None) == "https://h.example"
    with pytest.raises(ValueError, match="has no host"):
        webhook_url(None, None, None, None)


class Repo:
    def __init__(self, engine):
        self.engine = engine

    def repository_engine(self):
        return self.engine

    def close(self):
        pass


def failed_task(map_index: int, error: str) -> dict:
    ti = SimpleNamespace(task_id="execute_action", map_index=map_index)
    return {
        "dag": SimpleNamespace(dag_id="hcc_ilm_execute"),
        "run_id": "scheduled__r1",
        "ti": ti,
        "exception": RuntimeError(error),
    }

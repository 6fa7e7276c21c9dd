"""The alert channels, configured the Airflow way and delivered by Airflow notifiers.

- e-mail: the Variable ``hcc_notify_email`` (comma-separated addresses) turns it on; the SMTP
  provider's ``SmtpNotifier`` sends it over the connection ``[email] email_conn_id``
  (``smtp_default`` unless configured), from ``[email] from_email`` or the connection's
  ``from_email`` extra;
- webhook: the connection ``hcc_alert_webhook`` turns it on; ``HccWebhookNotifier`` posts
  ``{"text": ...}`` (what Slack, Teams and most chat webhooks accept) to its URL.

Neither is read at DAG parse: ``configured_channels`` runs when an alert is raised, inside a
task or a failure callback, where Variables and connections are available.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseNotifier

from hcc_operators.core.alerts import Alert
from hcc_operators.core.names import ALERT_WEBHOOK_CONN_ID, NOTIFY_EMAIL_VARIABLE

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_S = 10


def recipients(value: str | None) -> list[str]:
    """Addresses of the Variable: comma- or semicolon-separated, blanks ignored."""
    return [a.strip() for a in (value or "").replace(";", ",").split(",") if a.strip()]


def email_body(alerts: Sequence[Alert], where: str) -> str:
    # Messages quote Oracle errors and object names: escaped, never taken as markup.
    items = "".join(
        f"<li><strong>{html.escape(a.severity)}</strong> {html.escape(a.message)}"
        f" <small>({html.escape(a.key)})</small></li>"
        for a in alerts
    )
    return (
        f"<p>HCC compression &amp; ILM on <strong>{html.escape(where)}</strong> raised "
        f"{len(alerts)} alert(s):</p><ul>{items}</ul>"
        "<p>The same alert is not sent again within housekeeping.yaml's "
        "<code>health.dedupe_minutes</code>; every raise is kept in <code>hcc_alerts</code>.</p>"
    )


def webhook_text(subject: str, alerts: Sequence[Alert]) -> str:
    if len(alerts) == 1:
        return subject
    return "\n".join([subject, *(f"- {a.line}" for a in alerts)])


class HccWebhookNotifier(BaseNotifier):
    """Post ``{"text": text}`` to the URL of an Airflow connection.

    The URL is the connection's host when that is a full URL (``https://hooks.example.com/
    services/...``); otherwise ``schema`` (http or https, default https), host, port and the
    ``endpoint`` extra make it, as for the HTTP provider's connections. An ``headers`` extra
    (a JSON object) is sent along, e.g. an authorization header.
    """

    template_fields = ("text",)

    def __init__(self, *, text: str, conn_id: str = ALERT_WEBHOOK_CONN_ID, **kwargs: Any):
        super().__init__(**kwargs)
        self.text = text
        self.conn_id = conn_id

    def notify(self, context) -> None:
        import httpx
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(self.conn_id)
        extra = conn.extra_dejson
        response = httpx.post(
            webhook_url(conn.host, conn.schema, conn.port, extra.get("endpoint")),
            json={"text": self.text},
            headers=extra.get("headers") or {},
            timeout=float(extra.get("timeout", WEBHOOK_TIMEOUT_S)),
        )
        response.raise_for_status()


def webhook_url(host: str | None, schema: str | None, port: int | None, endpoint: str | None):
    if not host:
        raise ValueError(f"connection {ALERT_WEBHOOK_CONN_ID!r} has no host: set it to the URL")
    if "://" in host:
        base = host
    else:
        scheme = schema if schema in ("http", "https") else "https"
        base = f"{scheme}://{host}" + (f":{port}" if port else "")
    if endpoint:
        base = base.rstrip("/") + "/" + endpoint.lstrip("/")
    return base


#: What the notifiers are called with. The messages are complete texts, so nothing is
#: rendered from an Airflow context: SmtpNotifier only renders a from_email it takes from the
#: connection, which needs no task variables (and a DAG processor's callback context may not
#: carry a full DAG to build a template environment from).
NO_TEMPLATE_CONTEXT: dict = {}


class EmailChannel:
    """Alerts as one e-mail, sent by the SMTP provider's notifier."""

    name = "email"

    def __init__(self, to: list[str], *, where: str):
        self.to = to
        self.where = where

    def send(self, subject: str, alerts: Sequence[Alert]) -> None:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier
        from airflow.sdk import conf

        notifier = SmtpNotifier(
            to=self.to,
            from_email=conf.get("email", "from_email", fallback=None) or None,
            subject=subject,
            html_content=email_body(alerts, self.where),
        )
        # notify(), not notifier(context): __call__ would render the texts as Jinja templates,
        # and an Oracle message with braces in it would break the mail or change its text.
        notifier.notify(NO_TEMPLATE_CONTEXT)


class WebhookChannel:
    name = "webhook"

    def __init__(self, *, conn_id: str = ALERT_WEBHOOK_CONN_ID):
        self.conn_id = conn_id

    def send(self, subject: str, alerts: Sequence[Alert]) -> None:
        notifier = HccWebhookNotifier(text=webhook_text(subject, alerts), conn_id=self.conn_id)
        notifier.notify(NO_TEMPLATE_CONTEXT)


def configured_channels(*, where: str) -> list:
    """The channels the deployment configured; none is an empty list (alerts are logged and
    recorded only). A lookup that fails is logged, never raised: alerting must not fail the
    task or callback it runs in."""
    from airflow.sdk import BaseHook, Variable

    channels: list = []
    try:
        to = recipients(Variable.get(NOTIFY_EMAIL_VARIABLE, default=None))
    except Exception as err:
        log.warning("could not read the Variable %s: %s", NOTIFY_EMAIL_VARIABLE, err)
        to = []
    if to:
        channels.append(EmailChannel(to, where=where))
    try:
        BaseHook.get_connection(ALERT_WEBHOOK_CONN_ID)
        channels.append(WebhookChannel())
    except Exception as err:
        if type(err).__name__ != "AirflowNotFoundException":
            log.warning("could not read the connection %s: %s", ALERT_WEBHOOK_CONN_ID, err)
    return channels

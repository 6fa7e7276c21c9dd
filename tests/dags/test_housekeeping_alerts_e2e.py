"""The housekeeping DAG run by Airflow (`dag.test()`) mails its alerts to a real SMTP server.

Everything on the way is Airflow's own: the Variable hcc_notify_email and the connection
smtp_default (as AIRFLOW_VAR_/AIRFLOW_CONN_ environment variables), the task's
`ti.get_dag` through the execution API for the paused-DAG check, and the SMTP provider's
SmtpNotifier. The mail is received by tests/smtp_server.py on a local socket.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from hcc_operators.core.names import MAINTENANCE_DAGS, Dag, dag_id
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import alerts, execution_log
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, build_warehouse
from smtp_server import SmtpServer

pytestmark = pytest.mark.airflow_db

DAGS = Path(__file__).resolve().parents[2] / "dags"
UNPAUSED = dag_id(Dag.ILM_REFRESH)


@pytest.fixture
def paused_states():
    """Every maintenance DAG's paused flag in the metadata DB, with one of them unpaused for the
    test and all restored afterwards (dag.test() registers the DAGs paused, as Airflow does)."""
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    def read() -> dict[str, bool]:
        with create_session() as session:
            return {
                m.dag_id: m.is_paused
                for m in session.scalars(
                    select(DagModel).where(
                        DagModel.dag_id.in_([dag_id(d) for d in MAINTENANCE_DAGS])
                    )
                )
            }

    def set_paused(name: str, paused: bool) -> None:
        with create_session() as session:
            session.get(DagModel, name).is_paused = paused

    yield read, set_paused


def test_housekeeping_mails_failure_rate_and_paused_dags(tmp_path, monkeypatch, paused_states):
    from airflow.dag_processing.dagbag import DagBag

    read, set_paused = paused_states
    path = tmp_path / "warehouse.db"
    build_warehouse(path, seed=3).close()
    with EmbeddedWarehouse(path) as wh:
        engine = wh.repository_engine()
        create_all(engine)
        now = datetime.now(UTC)
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
                        started_at=now - timedelta(minutes=5 + i),
                    )
                    for i in range(3)
                ],
            )

    with SmtpServer() as smtp:
        monkeypatch.setenv("AIRFLOW_CONN_HCC_WAREHOUSE", f"sqlite:///{path}")
        monkeypatch.setenv(
            "AIRFLOW_CONN_SMTP_DEFAULT",
            json.dumps(
                {
                    "conn_type": "smtp",
                    "host": "127.0.0.1",
                    "port": smtp.port,
                    "extra": {
                        "from_email": "airflow@example.com",
                        "disable_tls": True,
                        "disable_ssl": True,
                        "timeout": 5,
                        "retry_limit": 0,
                    },
                }
            ),
        )
        monkeypatch.setenv("AIRFLOW_VAR_HCC_NOTIFY_EMAIL", "dba-oncall@example.com")
        monkeypatch.delenv("AIRFLOW_CONN_HCC_ALERT_WEBHOOK", raising=False)

        dag = DagBag(dag_folder=str(DAGS / "hcc_ilm_housekeeping.py")).dags[
            dag_id(Dag.ILM_HOUSEKEEPING)
        ]
        dag.test()  # registers every DAG of the folder (paused) before it runs
        before = read()
        set_paused(UNPAUSED, False)
        try:
            run = DagBag(dag_folder=str(DAGS / "hcc_ilm_housekeeping.py")).dags[
                dag_id(Dag.ILM_HOUSEKEEPING)
            ]
            # The first run's alerts are within the quiet period: start a fresh one.
            with EmbeddedWarehouse(path) as wh, wh.repository_engine().begin() as conn:
                conn.execute(alerts.delete())
            state = run.test().state
        finally:
            for name, paused in before.items():
                set_paused(name, paused)
        mails = smtp.mailbox.wait_for(2)

    assert str(getattr(state, "value", state)) == "success"
    mail = mails[-1]
    assert mail.rcpt_to == ["dba-oncall@example.com"]
    assert mail.message["Subject"].startswith("[HCC CRITICAL] hcc_ilm_housekeeping: ")
    body = mail.text()
    assert "100% of 3 ILM actions failed" in body
    paused = sorted(name for name, is_paused in before.items() if is_paused and name != UNPAUSED)
    assert paused, "dag.test() registers the DAGs paused; the check needs some"
    for name in paused:
        assert f"DAG {name} is paused" in body
    assert f"DAG {UNPAUSED} is paused" not in body

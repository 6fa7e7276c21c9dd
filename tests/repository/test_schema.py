from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlglot
from sqlalchemy import create_engine, insert, inspect, select
from sqlglot import exp

from hcc_operators.repository import tables
from hcc_operators.repository.schema import create_all, oracle_ddl, oracle_ddl_path


def test_oracle_ddl_file_matches_metadata():
    assert oracle_ddl_path().read_text() == oracle_ddl(), (
        "include/sql/oracle/schema/hcc_repository.sql is stale: run "
        "`python -m hcc_operators.repository.schema --write`"
    )


def test_oracle_ddl_parses_as_create_statements():
    statements = [s for s in sqlglot.parse(oracle_ddl(), read="oracle") if s is not None]
    assert statements and all(isinstance(s, exp.Create) for s in statements)
    created = {s.this.this.name for s in statements if s.kind == "TABLE"}
    assert created == set(tables.metadata.tables)


def test_oracle_names_fit_the_12_1_limit():
    for table in tables.metadata.tables.values():
        assert len(table.name) <= 30, table.name
        for index in table.indexes:
            assert len(index.name) <= 30, index.name
        for column in table.columns:
            assert len(column.name) <= 30, (table.name, column.name)


def test_create_all_is_idempotent(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    create_all(engine)
    create_all(engine)
    assert set(inspect(engine).get_table_names()) >= set(tables.metadata.tables)


def test_datetimes_round_trip_as_aware_utc(sqlite_engine):
    berlin = timezone(timedelta(hours=1))
    started = datetime(2026, 1, 5, 23, 30, 15, 250000, tzinfo=berlin)
    with sqlite_engine.begin() as conn:
        conn.execute(
            insert(tables.leases).values(
                lease_name="x", holder="h", acquired_at=started, expires_at=started
            )
        )
        row = conn.execute(select(tables.leases)).one()
    assert row.acquired_at == started
    assert row.acquired_at.tzinfo == UTC


def test_naive_datetimes_are_refused(sqlite_engine):
    with pytest.raises(Exception, match="naive datetime"), sqlite_engine.begin() as conn:
        conn.execute(
            insert(tables.leases).values(
                lease_name="x",
                holder="h",
                acquired_at=datetime(2026, 1, 1),
                expires_at=datetime(2026, 1, 1),
            )
        )


def _earlier(table, *dropped: str):
    """The table as an earlier release created it: without the columns added since."""
    from sqlalchemy import MetaData, Table

    old = MetaData()
    return Table(table.name, old, *[c._copy() for c in table.columns if c.name not in dropped])


def test_create_all_upgrades_a_repository_made_by_an_earlier_release(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE hcc_ilm_eval_details (detail_id INTEGER PRIMARY KEY, "
            "evaluation_id VARCHAR(64), reason VARCHAR(40), reason_text TEXT)"
        )
        conn.exec_driver_sql("INSERT INTO hcc_ilm_eval_details VALUES (1, 'e', 'ELIGIBLE', 'x')")
        conn.exec_driver_sql(
            "CREATE TABLE hcc_partition_access (owner VARCHAR(128), table_name VARCHAR(128))"
        )
    queue = _earlier(tables.ilm_queue, "upper_bound", "parent_queue_id")
    queue.create(engine)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(queue).values(
                queue_id=7,
                policy_name="kept",
                policy_version=1,
                priority=1,
                owner="S",
                table_name="T",
                partition_name="P",
                action="COMPRESS",
                status="PENDING",
                attempts=0,
                carried_over=False,
                enqueued_at=now,
                updated_at=now,
            )
        )
    create_all(engine)
    found = inspect(engine)
    columns = {t: {c["name"] for c in found.get_columns(t)} for t in found.get_table_names()}
    # Derived tables are rebuilt in the current shape; the queue gains its new columns.
    assert {"evaluation_no", "policy_id", "object_no", "reason"} == columns["hcc_ilm_eval_details"]
    assert columns["hcc_partition_access"] == {c.name for c in tables.partition_access.columns}
    assert {"upper_bound", "parent_queue_id"} <= columns["hcc_ilm_queue"]
    with engine.connect() as conn:
        # the queue keeps its items; only derived evaluation rows were rebuilt
        assert conn.exec_driver_sql("SELECT queue_id, policy_name FROM hcc_ilm_queue").all() == [
            (7, "kept")
        ]


def test_an_upgraded_repository_starts_its_current_advice_from_each_object_s_latest_success(
    tmp_path,
):
    from sqlalchemy import MetaData

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    # A repository from before the advice table: runs and results only.
    old = MetaData()
    for table in (tables.advisor_runs, tables.advisor_results):
        table.to_metadata(old)
    old.create_all(engine)
    at = datetime(2026, 3, 1, tzinfo=UTC)
    result = dict(owner="S", table_name="T", object_kind="PARTITION", recompression=False)
    with engine.begin() as conn:
        for run_id in (1, 2):
            conn.execute(
                insert(tables.advisor_runs).values(
                    run_id=run_id, status="SUCCESS", strategy="balanced", started_at=at
                )
            )
        rows = [
            dict(result, result_id=1, run_id=1, partition_name="P1", status="SUCCESS"),
            dict(result, result_id=2, run_id=1, partition_name="P2", status="SUCCESS"),
            dict(result, result_id=3, run_id=2, partition_name="P1", status="SUCCESS"),
            dict(result, result_id=4, run_id=2, partition_name="P2", status="FAILED"),
        ]
        for row in rows:
            conn.execute(insert(tables.advisor_results).values(**row, analysed_at=at))
    create_all(engine)
    with engine.connect() as conn:
        advice = dict(
            conn.execute(
                select(tables.advisor_advice.c.object_key, tables.advisor_advice.c.result_id)
            ).all()
        )
    # P1's second analysis replaced its first; P2's failure kept its earlier success.
    assert advice == {"S.T:P1": 3, "S.T:P2": 2}
    create_all(engine)  # and only once: a later start leaves the advice alone
    with engine.connect() as conn:
        assert len(conn.execute(select(tables.advisor_advice)).all()) == 2

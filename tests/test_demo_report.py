"""The demo report shows a period merge with the name Oracle accepts, read back from the
execution log and the live dictionary (`make demo` shows a monthly -> yearly merge)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert

from hcc_operators.core.actions.merge import MergeParams
from hcc_operators.core.models import ObjectRef
from hcc_operators.demo_report import render_report
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import execution_log
from hcc_operators.warehouse.embedded import build_warehouse


def test_the_report_lists_each_consolidated_year_under_its_period_name(tmp_path):
    wh = build_warehouse(tmp_path / "wh.db", seed=11, today=date(2026, 11, 10))
    create_all(wh.repository_engine())
    table = ObjectRef("SALES", "RETURNS")
    segs = wh.list_segments(["SALES"], [table])
    months = sorted(
        (s for s in segs if s.ref.partition and s.ref.partition.startswith("P_2022_")),
        key=lambda s: s.position,
    )
    rows = sum(wh.row_count(s.ref) for s in months)
    action = MergeParams(period="yearly", online=False).to_action(
        months[-1].ref, table=segs, upper_bound=None
    )
    applied = wh.apply(action)
    with wh.repository_engine().begin() as conn:
        conn.execute(
            insert(execution_log).values(
                owner="SALES",
                table_name="RETURNS",
                partition_name=months[-1].ref.partition,
                action="MERGE",
                status="SUCCESS",
                attempt=1,
                simulated=True,
                ddl="\n".join(applied.statements),
                started_at=datetime(2026, 11, 10, tzinfo=UTC),
            )
        )
    report = render_report(wh, {"hcc_ilm_execute": "success"})
    line = next(x for x in report.splitlines() if "partitions -> " in x)
    assert line.strip() == (
        f"SALES.RETURNS: 12 partitions -> P_2022; bound < 2023-01-01, {rows:,} rows"
    )
    wh.close()

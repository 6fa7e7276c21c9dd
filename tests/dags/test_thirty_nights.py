"""A month in the test suite (issue 17): thirty nights of the daily DAGs on the embedded
warehouse, with the day's loads and updates between them, one incremental advisor run that
finds nothing to analyse, one night whose batch fails in part, one night the scheduler missed
and that is backfilled the next night. After every night: recommendations present, nothing
compressed twice, no action repeated, queue and batches consistent, space saved never going
down, every batch reconciled against the live dictionary (nightly_runs.Month.check)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from nightly_runs import ADVISOR, Month, Night, frozen
from sqlalchemy import select

from hcc_operators.core.models import ObjectRef
from hcc_operators.core.policy_config import load_policies
from hcc_operators.core.schedule_config import load_schedule
from hcc_operators.repository.advice import current_results as advice_rows
from hcc_operators.repository.evaluation_reads import partition_decisions
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import advisor_advice, execution_log, ilm_batches, ilm_queue
from hcc_operators.services.ilm_settings import IlmSettings
from hcc_operators.services.reconciliation import reconcile_batch
from hcc_operators.warehouse.embedded import build_warehouse

START = date(2026, 10, 20)  # a Tuesday; the month crosses 1 November and the end of DST
NIGHTS = 30
QUIET = 8  # no loads, no updates: the incremental advisor run has nothing to analyse
FAILED = 12  # two actions meet another session's lock (the month-end night, with work)
MISSED = 13  # the scheduler was down on 1 November; the next night backfills its runs
DECAY = (3, 6, 9, 12)  # updates decay an HCC click partition


pytestmark = pytest.mark.airflow_db
DAGS = Path(__file__).resolve().parents[2] / "dags"


def _dag(dag_id: str):
    """A freshly parsed DAG: dag.test() renders templates onto its own operator objects."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS / f"{dag_id}.py")).dags[dag_id]


def run_through_airflow(run: Month, night: Night) -> None:
    """The night's DAGs through Airflow (dag.test()), each at the time it would run, on the
    same warehouse through the hcc_warehouse connection."""
    start = night.window_start
    for at, dag_id, conf in (
        *(
            (start - timedelta(hours=3), "hcc_advisor", {**scope, "incremental": True})
            for scope in ({**a, "schemas": list(a["schemas"])} for a in ADVISOR)
        ),
        (start - timedelta(hours=1), "hcc_ilm_refresh", {}),
        (start - timedelta(minutes=30), "hcc_ilm_evaluate", {}),
        (start + timedelta(minutes=5), "hcc_ilm_execute", {}),
        (start + timedelta(hours=7), "hcc_ilm_housekeeping", {}),
    ):
        with frozen(at):
            state = _dag(dag_id).test(run_conf=conf).state
        night.airflow_states.append((dag_id, str(getattr(state, "value", state))))
    with run.engine.connect() as conn:
        batch = conn.execute(
            select(ilm_batches).order_by(ilm_batches.c.batch_id.desc()).limit(1)
        ).one()
    with frozen(start + timedelta(minutes=5)) as at:
        report = reconcile_batch(run.warehouse, run.engine, batch.batch_id, now=at)
    night.batches.append({**batch._asdict(), "run_type": batch.run_type, "reconciliation": report})


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    path = tmp_path_factory.mktemp("month") / "warehouse.db"
    mp = pytest.MonkeyPatch()
    mp.setenv("AIRFLOW_CONN_HCC_WAREHOUSE", f"sqlite:///{path}")
    wh = build_warehouse(path, seed=17, today=START)
    create_all(wh.repository_engine())
    run = Month(wh, IlmSettings(load_policies(), load_schedule()))
    for number in range(1, NIGHTS + 1):
        day = date.fromordinal(START.toordinal() + number - 1)
        night = Night(number, day, run.window_of(day))
        run.nights.append(night)
        if number != QUIET:
            run.daytime_dml(night)
        if number in DECAY:
            run.decay(night)
        if number == MISSED:
            continue  # the loads go on; no DAG runs
        if number == MISSED + 1:
            # Backfill the missed night's daily runs now, before this night's own: they run
            # at today's times, inside today's window (run type backfill).
            missed, start = run.nights[MISSED - 1], night.window_start
            run.run_advisor(missed, incremental=True, at=start - timedelta(hours=4))
            run.run_refresh_and_evaluate(missed, at=start - timedelta(hours=3, minutes=40))
            run.run_execute(missed, run_type="backfill", at=start + timedelta(minutes=2))
        if number == NIGHTS:
            run_through_airflow(run, night)
            run.check(night)
            continue
        run.run_advisor(night, incremental=number > 1)
        if day.weekday() >= 5:  # hcc_compress runs in the weekend windows
            run.run_compress(night)
        run.run_refresh_and_evaluate(night)
        run.run_execute(night, faults=2 if number == FAILED else 0)
        run.run_housekeeping(night)
        run.check(night)
    yield run
    wh.close()
    mp.undo()


def test_every_night_keeps_every_rule(month):
    broken = [f"night {n.number} ({n.day}): {p}" for n in month.nights for p in n.problems]
    assert broken == []


def test_the_month_did_real_work(month):
    ran = [n for n in month.nights if n.number != MISSED]  # the missed night has no checks
    assert all(n.recommendations > 0 for n in ran)
    assert sum(len(n.batches) for n in ran) >= NIGHTS - 1
    done = sum(b["succeeded"] for n in ran for b in n.batches)
    assert done > 100
    assert sum(r["status"] == "SUCCESS" for n in ran for r in n.compressed) >= 3
    assert month.nights[-1].saved_bytes > month.nights[0].saved_bytes > 0


def test_new_partitions_appear_and_are_evaluated(month):
    new = [label for n in month.nights for label in n.new_partitions]
    # November's click partition, created by the first load of the month (an interval table).
    (clicks,) = [label for label in new if label.startswith("SALES.WEB_CLICKS:SYS_P")]
    assert month.nights[MISSED - 1].new_partitions == [clicks]
    ref = ObjectRef.parse(clicks)
    with month.engine.connect() as conn:
        decisions = partition_decisions(conn, ref)
    # Refreshed and evaluated by every policy naming the table (it is too young for all).
    assert clicks in month.nights[-1].temperatures
    assert {d.policy_name for d in decisions} == {"compress_clicks_under_pressure"}
    assert not any(d.eligible for d in decisions)


def test_old_partitions_cool_and_none_warms_up(month):
    order = {"HOT": 0, "WARM": 1, "COLD": 2, "FROZEN": 3}
    refreshed = [n for n in month.nights if n.temperatures]
    cooled = set()
    for before, after in zip(refreshed, refreshed[1:], strict=False):
        for label, temperature in after.temperatures.items():
            was = before.temperatures.get(label)
            if was is None:
                continue
            # No reads were simulated, so nothing may get warmer; age only cools.
            assert order[temperature] >= order[was], (after.number, label, was, temperature)
            if order[temperature] > order[was]:
                cooled.add(label)
    assert cooled


def test_one_incremental_run_analysed_nothing_and_the_advice_stayed(month):
    quiet = month.nights[QUIET - 1]
    assert len(quiet.advisor) == 2 and quiet.analysed == []
    assert quiet.recommendations == month.nights[QUIET - 2].recommendations > 0


def test_decayed_partitions_were_measured_again_and_their_advice_says_so(month):
    decayed = {label for n in month.nights for label in n.decayed}
    assert len(decayed) == len(DECAY)
    assert decayed <= {label for n in month.nights for label in n.analysed}
    with month.engine.connect() as conn:
        advice = {
            f"{r.owner}.{r.table_name}:{r.partition_name}": r
            for r in conn.execute(
                advice_rows().where(advisor_advice.c.object_key.in_(sorted(decayed)))
            )
        }
    assert advice.keys() == decayed
    for row in advice.values():
        # About a third of the rows left their compression units; the partition was just
        # updated, so it is hot, and the advice is to keep it rather than rebuild it to decay
        # again (core/recommendation.py rule 5).
        assert row.decayed_fraction == pytest.approx(1 - math.exp(-0.4), abs=0.02)
        assert "decayed out of" in row.reason and row.recommended is None


def test_the_failed_night_failed_two_actions_and_a_later_night_did_them_once(month):
    failed = month.nights[FAILED - 1]
    (batch,) = failed.batches
    assert batch["failed"] == 2 and len(failed.failed_items) == 2
    with month.engine.connect() as conn:
        items = conn.execute(
            select(ilm_queue).where(ilm_queue.c.queue_id.in_(failed.failed_items))
        ).all()
        assert {i.status for i in items} == {"FAILED"}
        for item in items:
            done = conn.execute(
                select(execution_log.c.queue_id).where(
                    execution_log.c.owner == item.owner,
                    execution_log.c.table_name == item.table_name,
                    execution_log.c.partition_name == item.partition_name,
                    execution_log.c.action == item.action,
                    execution_log.c.status == "SUCCESS",
                )
            ).all()
            # Queued again by a later evaluation and done by that new item, once.
            assert len(done) == 1 and done[0].queue_id != item.queue_id


def test_the_missed_night_was_backfilled_the_next_night(month):
    missed, after = month.nights[MISSED - 1], month.nights[MISSED]
    (backfill,) = missed.batches
    (regular,) = after.batches
    assert backfill["run_type"] == "backfill" and regular["run_type"] == "scheduled"
    # Catch-up work, done in the next night's window before that night's own batch.
    assert backfill["planned"] > 0 and backfill["succeeded"] == backfill["planned"]
    assert len(missed.advisor) == 2
    with month.engine.connect() as conn:
        kinds = dict(
            conn.execute(
                select(ilm_batches.c.batch_id, ilm_batches.c.run_type).where(
                    ilm_batches.c.batch_id.in_([backfill["batch_id"], regular["batch_id"]])
                )
            ).all()
        )
    assert kinds == {backfill["batch_id"]: "backfill", regular["batch_id"]: "scheduled"}


def test_the_last_night_ran_through_airflow(month):
    last = month.nights[-1]
    assert [d for d, _ in last.airflow_states] == [
        "hcc_advisor",
        "hcc_advisor",
        "hcc_ilm_refresh",
        "hcc_ilm_evaluate",
        "hcc_ilm_execute",
        "hcc_ilm_housekeeping",
    ]
    assert {state for _, state in last.airflow_states} == {"success"}, last.airflow_states
    (batch,) = last.batches
    assert batch["run_type"] == "manual" and batch["status"] == "COMPLETED"


def test_moves_the_full_archive_tier_cannot_take_wait_then_stop_with_the_reason(month):
    x, q = execution_log.c, ilm_queue.c
    with month.engine.connect() as conn:
        deferred = conn.execute(
            select(x.owner, x.table_name, x.partition_name, q.policy_name)
            .join(ilm_queue, q.queue_id == x.queue_id)
            .where(x.status == "DEFERRED", x.error_code == "ORA-01688")
            .distinct()
        ).all()
        assert deferred
        for owner, table, partition, policy in deferred:
            decisions = partition_decisions(conn, ObjectRef(owner, table, partition))
            (latest,) = [d for d in decisions if d.policy_name == policy]
            # Not queued again and again: the evaluation says why it waits.
            assert latest.reason.value == "INSUFFICIENT_SPACE_IN_TARGET", (partition, latest)

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest

from hcc_operators.core.alerts import Alert, is_quiet, subject_line
from hcc_operators.core.health import (
    ALERTS,
    DagState,
    DagStatus,
    DurationFigure,
    HealthFigures,
    TablespaceFigure,
    check,
    failure_alert,
)
from hcc_operators.core.housekeeping_config import Health
from hcc_operators.core.units import GIB
from hcc_operators.core.units import GIB as GB

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
LIMITS = Health()


def figures(**overrides) -> HealthFigures:
    base = dict(
        actions_in_window=10,
        failures_in_window=0,
        backlog=10,
        last_completed_batch=NOW - timedelta(hours=1),
        first_batch=NOW - timedelta(days=9),
        shortfalls=[],
        large_successes=[],
        enqueued_last_day=5,
        executed_last_day=5,
    )
    base.update(overrides)
    return HealthFigures(**base)


def keys(alerts):
    return sorted(a.key for a in alerts)


def test_a_healthy_system_raises_nothing():
    assert check(figures(), LIMITS, NOW) == []


def test_failure_rate_above_the_threshold_is_critical_and_at_it_is_not():
    assert keys(check(figures(failures_in_window=2), LIMITS, NOW)) == []  # 20% is not above
    (alert,) = check(figures(failures_in_window=3), LIMITS, NOW)
    assert alert.key == "failure_rate" and alert.severity == "CRITICAL" and "30%" in alert.message


def test_backlog_size_and_growth_against_execution_rate():
    assert keys(check(figures(backlog=1001), LIMITS, NOW)) == ["backlog"]
    grows = figures(enqueued_last_day=500, executed_last_day=100)
    assert keys(check(grows, LIMITS, NOW)) == ["backlog_growth"]
    keeps_up = figures(enqueued_last_day=500, executed_last_day=450)
    assert check(keeps_up, LIMITS, NOW) == []


def test_no_completed_batch_for_too_long_but_not_before_the_first_batch():
    stale = figures(last_completed_batch=NOW - timedelta(hours=25))
    assert keys(check(stale, LIMITS, NOW)) == ["no_success"]
    never_ran = figures(last_completed_batch=None, first_batch=None)
    assert check(never_ran, LIMITS, NOW) == []
    never_completed = figures(last_completed_batch=None, first_batch=NOW - timedelta(days=2))
    assert keys(check(never_completed, LIMITS, NOW)) == ["no_success"]


def test_ratio_shortfall_and_large_success_notice():
    found = check(
        figures(
            shortfalls=[("S.T:P1", 4.0, 2.9), ("S.T:P2", 4.0, 3.1)],
            large_successes=[("S.T:P3", 11 * GIB), ("S.T:P4", 9 * GIB)],
        ),
        LIMITS,
        NOW,
    )
    assert keys(found) == ["large_success:S.T:P3", "ratio_shortfall:S.T:P1"]
    assert {a.severity for a in found} == {"INFO", "WARNING"}


def test_quiet_period_holds_back_a_repeat_until_it_has_passed():
    quiet = timedelta(minutes=LIMITS.dedupe_minutes)
    assert is_quiet(NOW - quiet + timedelta(minutes=1), NOW, quiet)
    assert not is_quiet(NOW - quiet, NOW, quiet)
    assert not is_quiet(None, NOW, quiet)
    assert not is_quiet(NOW, NOW, timedelta(0))


def test_a_tablespace_alert_needs_both_fullness_and_failures_on_it():
    found = check(
        figures(
            tablespaces=(
                TablespaceFigure("TS_FULL", 97.5, 3, ("ORA-01688",)),
                TablespaceFigure("TS_ARCHIVE", 99.0, 0),  # full by design, nothing fails
                TablespaceFigure("USERS", 90.0, 5, ("ORA-01652",)),  # at, not over
            )
        ),
        LIMITS,
        NOW,
    )
    assert keys(found) == ["tablespace_full:TS_FULL"]
    (alert,) = found
    assert alert.severity == "CRITICAL"
    assert "97.5% full" in alert.message and "3 action(s)" in alert.message
    assert "ORA-01688" in alert.message


def test_paused_and_missing_maintenance_dags_unless_ignored():
    dags = (
        DagState("hcc_ilm_execute", DagStatus.PAUSED),
        DagState("hcc_ilm_refresh", DagStatus.ACTIVE),
        DagState("hcc_compress", DagStatus.PAUSED),
        DagState(
            "hcc_advisor", DagStatus.MISSING, "The Dag with dag_id: `hcc_advisor` was not found"
        ),
        DagState("hcc_ilm_evaluate", DagStatus.UNKNOWN, "API server unreachable"),
    )
    found = check(figures(dags=dags), Health(paused_dags_ignored=("hcc_compress",)), NOW)
    assert keys(found) == ["dag_not_scheduled:hcc_advisor", "dag_not_scheduled:hcc_ilm_execute"]
    by_key = {a.key: a.message for a in found}
    assert "is paused" in by_key["dag_not_scheduled:hcc_ilm_execute"]
    assert "not known to Airflow" in by_key["dag_not_scheduled:hcc_advisor"]


def trend(recent, baseline, n=10, m=10):
    return DurationFigure("ILM COMPRESS", recent, n, baseline, m)


@pytest.mark.parametrize(
    ("figure", "raised"),
    [
        (trend(31.0, 20.0), True),  # +55% > 50%
        (trend(30.0, 20.0), False),  # +50% is not above
        (trend(15.0, 20.0), False),  # faster
        (trend(60.0, 20.0, n=4), False),  # too few recent samples
        (trend(60.0, 20.0, m=4), False),  # too few baseline samples
        (trend(60.0, None, m=0), False),  # no baseline yet
    ],
)
def test_duration_trend_compares_seconds_per_gib_with_the_baseline(figure, raised):
    found = check(figures(durations=(figure,)), LIMITS, NOW)
    assert keys(found) == (["duration_trend:ILM COMPRESS"] if raised else [])
    if raised:
        assert "+55%" in found[0].message and "31.0 s/GiB" in found[0].message


def test_every_threshold_of_housekeeping_yaml_is_read_by_a_declared_alert():
    # dedupe_minutes governs delivery, not a check.
    declared = {t for spec in ALERTS for t in spec.thresholds}
    assert declared | {"dedupe_minutes"} == {f for f in Health.model_fields}
    assert len({spec.name for spec in ALERTS}) == len(ALERTS)
    assert all(f in Health.model_fields for f in declared)


def test_each_health_alert_is_raised_by_its_own_check_only():
    # Figures that trip every check at once: each alert comes from the declaration named by it.
    tripping = figures(
        failures_in_window=10,
        backlog=5000,
        enqueued_last_day=900,
        executed_last_day=0,
        last_completed_batch=NOW - timedelta(days=3),
        shortfalls=[("S.T:P1", 4.0, 1.0)],
        large_successes=[("S.T:P2", 20 * GB)],
        tablespaces=(TablespaceFigure("TS", 95.0, 1),),
        dags=(DagState("hcc_ilm_execute", DagStatus.PAUSED),),
        durations=(trend(50.0, 10.0),),
    )
    names = {a.name for a in check(tripping, LIMITS, NOW)}
    assert names == {spec.name for spec in ALERTS if spec.check is not None}
    assert {f.name for f in fields(HealthFigures)} >= {"tablespaces", "dags", "durations"}


def test_failure_alerts_share_a_key_per_task_not_per_partition_or_run():
    one = failure_alert("hcc_ilm_execute", "execute_action", 3, "r1", "ORA-01652")
    two = failure_alert("hcc_ilm_execute", "execute_action", 7, "r2", "ORA-00054")
    run = failure_alert("hcc_ilm_execute", None, None, "r1", "task failed")
    assert one.key == two.key == "task_failed:hcc_ilm_execute.execute_action"
    assert one.message == "hcc_ilm_execute.execute_action[3] failed in run r1: ORA-01652"
    assert run.key == "dag_failed:hcc_ilm_execute" and run.name == "dag_failed"
    assert one.severity == "CRITICAL"


def test_subject_names_the_worst_severity_and_the_count():
    info = Alert("large_success", "large_success:X", "INFO", "X saved 11.0 GiB")
    crit = Alert("failure_rate", "failure_rate", "CRITICAL", "30% failed")
    assert subject_line([info], "dw") == "[HCC INFO] dw: X saved 11.0 GiB"
    assert subject_line([info, crit], "dw") == "[HCC CRITICAL] dw: 2 alerts"

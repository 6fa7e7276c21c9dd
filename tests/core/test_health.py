from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hcc_operators.core.health import Alert, HealthFigures, check, deduplicate
from hcc_operators.core.housekeeping_config import Health
from hcc_operators.core.units import GIB

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


def test_deduplication_within_the_interval():
    alert = Alert("backlog", "WARNING", "x")
    recent = {"backlog": NOW - timedelta(minutes=LIMITS.dedupe_minutes - 1)}
    old = {"backlog": NOW - timedelta(minutes=LIMITS.dedupe_minutes)}
    assert deduplicate([alert], recent, LIMITS, NOW) == []
    assert deduplicate([alert], old, LIMITS, NOW) == [alert]
    assert deduplicate([alert], {}, LIMITS, NOW) == [alert]

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hcc_operators.core.queue_control import Actor
from hcc_operators.repository.policy_versions import PolicyRecord, policy_history, sync_policies

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def rec(name: str, checksum: str, priority: int = 10) -> PolicyRecord:
    return PolicyRecord(name, checksum, True, priority, "COMPRESS", '{"x": 1}')


def test_unchanged_policy_keeps_its_version(sqlite_engine):
    assert sync_policies(sqlite_engine, [rec("a", "c1")], T0) == {"a": 1}
    assert sync_policies(sqlite_engine, [rec("a", "c1")], T0 + timedelta(days=1)) == {"a": 1}
    assert len(policy_history(sqlite_engine, "a")) == 1


def test_changed_policy_gets_a_new_version_and_the_old_one_is_kept(sqlite_engine):
    sync_policies(sqlite_engine, [rec("a", "c1")], T0)
    assert sync_policies(sqlite_engine, [rec("a", "c2", 5)], T0 + timedelta(days=1)) == {"a": 2}
    history = policy_history(sqlite_engine, "a")
    assert [(h["version"], h["is_current"], h["priority"]) for h in history] == [
        (1, False, 10),
        (2, True, 5),
    ]
    assert history[0]["superseded_at"] == T0 + timedelta(days=1)


def test_removed_policy_is_superseded_and_returns_with_a_new_version(sqlite_engine):
    sync_policies(sqlite_engine, [rec("a", "c1"), rec("b", "c1")], T0)
    assert sync_policies(sqlite_engine, [rec("a", "c1")], T0) == {"a": 1}
    assert [h["is_current"] for h in policy_history(sqlite_engine, "b")] == [False]
    assert sync_policies(sqlite_engine, [rec("a", "c1"), rec("b", "c1")], T0) == {"a": 1, "b": 2}


def test_each_version_records_who_made_it_and_who_retired_its_predecessor(sqlite_engine):
    scheduler = Actor("airflow-scheduler", "dag run scheduled__2026-01-01")
    alice = Actor("alice", "cli")
    sync_policies(sqlite_engine, [rec("a", "c1"), rec("b", "c1")], T0, actor=scheduler)
    # An unchanged policy keeps its author: syncing again records nobody new.
    sync_policies(sqlite_engine, [rec("a", "c1"), rec("b", "c1")], T0, actor=alice)
    sync_policies(
        sqlite_engine,
        [rec("a", "c2")],
        T0 + timedelta(days=1),
        actor=alice,
        reason="raise the minimum age",
    )
    fields = ("version", "created_by", "created_via", "change_reason", "superseded_by")
    assert [tuple(h[f] for f in fields) for h in policy_history(sqlite_engine, "a")] == [
        (1, "airflow-scheduler", "dag run scheduled__2026-01-01", None, "alice"),
        (2, "alice", "cli", "raise the minimum age", None),
    ]
    # b was removed from the file by the same change: retired by alice.
    assert [h["superseded_by"] for h in policy_history(sqlite_engine, "b")] == ["alice"]

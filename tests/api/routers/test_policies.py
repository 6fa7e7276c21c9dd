from __future__ import annotations


def test_current_policies_by_priority(authed):
    current = authed.get("/hcc/policies").json()
    assert [(p["policy_name"], p["version"]) for p in current] == [
        ("purge_ancient", 1),
        ("compress_old", 2),
    ]
    definition = current[1]["definition"]
    assert definition["conditions"]["min_age_days"] == 90
    assert definition["action"]["level"] == "QUERY HIGH"


def test_history_newest_version_first(authed):
    history = authed.get("/hcc/policies/compress_old/history").json()
    assert [(p["version"], p["is_current"]) for p in history] == [(2, True), (1, False)]
    assert history[1]["superseded_at"] == "2026-02-01T00:00:00Z"
    assert authed.get("/hcc/policies/nope/history").status_code == 404


def test_history_names_who_made_each_version(authed, repository):
    from datetime import UTC, datetime

    from hcc_operators.core.queue_control import Actor
    from hcc_operators.repository.policy_versions import PolicyRecord, sync_policies

    sync_policies(
        repository,
        [PolicyRecord("compress_old", "changed", True, 10, "COMPRESS", "{}")],
        datetime(2026, 3, 10, tzinfo=UTC),
        actor=Actor("alice", "cli"),
        reason="older partitions only",
    )
    newest, previous, _ = authed.get("/hcc/policies/compress_old/history").json()
    assert (newest["version"], newest["created_by"], newest["created_via"]) == (3, "alice", "cli")
    assert newest["change_reason"] == "older partitions only"
    assert (previous["superseded_by"], previous["created_by"]) == ("alice", None)

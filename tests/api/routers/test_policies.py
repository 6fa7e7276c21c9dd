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

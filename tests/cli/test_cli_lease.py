"""`hcc lease status|release`: the execution lease for operators, releases audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine

from hcc_operators.repository import lease_events, leases
from hcc_operators.services.ilm_plan import LEASE

NOW = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)


def engine_of(dsn):
    return create_engine(dsn)


def test_status_of_a_free_lease(hcc, demo_dsn):
    code, out, _ = hcc("lease", "status", "--dsn", demo_dsn)
    assert code == 0 and "lease hcc_ilm_execute: free" in out


def test_status_shows_the_holder_and_whether_it_expired(hcc, demo_dsn):
    leases.acquire(engine_of(demo_dsn), LEASE, "forced__2026-03-06", timedelta(hours=4), NOW)
    code, out, _ = hcc("lease", "status", "--dsn", demo_dsn, "--at", NOW.isoformat())
    assert code == 0 and "held by forced__2026-03-06" in out and "until" in out
    later = (NOW + timedelta(hours=5)).isoformat()
    code, out, _ = hcc("lease", "status", "--dsn", demo_dsn, "--at", later, "--json")
    data = json.loads(out)
    assert (data["holder"], data["expired"], data["tables"]) == ("forced__2026-03-06", True, [])


def test_release_is_audited_with_who_and_why(hcc, demo_dsn):
    engine = engine_of(demo_dsn)
    leases.acquire(engine, LEASE, "dead-run", timedelta(hours=4), NOW)
    code, out, _ = hcc(
        "lease",
        "release",
        "--dsn",
        demo_dsn,
        "--holder",
        "dead-run",
        "--reason",
        "worker killed with kill -9",
        "--by",
        "alice",
        "--at",
        NOW.isoformat(),
    )
    assert code == 0 and "released hcc_ilm_execute held by dead-run (by alice" in out
    assert leases.current(engine, LEASE) is None
    (event,) = lease_events.recent(engine, LEASE)
    assert (event.event, event.holder, event.actor, event.reason) == (
        "RELEASED",
        "dead-run",
        "alice",
        "worker killed with kill -9",
    )
    code, out, _ = hcc("lease", "status", "--dsn", demo_dsn)
    assert "RELEASED" in out and "alice" in out


def test_release_refuses_a_lease_the_named_run_does_not_hold(hcc, demo_dsn):
    engine = engine_of(demo_dsn)
    leases.acquire(engine, LEASE, "live-run", timedelta(hours=4), NOW)
    code, _, err = hcc("lease", "release", "--dsn", demo_dsn, "--holder", "other", "--reason", "x")
    assert code == 1 and "other does not hold hcc_ilm_execute (it is held by live-run)" in err
    assert leases.current(engine, LEASE).holder == "live-run"
    assert lease_events.recent(engine, LEASE) == []


def test_release_needs_a_reason(hcc, demo_dsn):
    code, _, err = hcc("lease", "release", "--dsn", demo_dsn, "--holder", "x", "--reason", "  ")
    assert code == 1 and "--reason must say why" in err
    code, _, err = hcc("lease", "release", "--dsn", demo_dsn, "--holder", "x")
    assert code == 1 and "--reason" in err

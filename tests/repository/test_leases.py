from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hcc_operators.repository import leases

T0 = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
TTL = timedelta(minutes=30)


def test_second_holder_is_refused_while_the_lease_is_live(sqlite_engine):
    assert leases.acquire(sqlite_engine, "ilm_execute", "run-a", TTL, T0)
    assert not leases.acquire(sqlite_engine, "ilm_execute", "run-b", TTL, T0 + timedelta(minutes=5))
    assert leases.holder_of(sqlite_engine, "ilm_execute", T0 + timedelta(minutes=5)) == "run-a"


def test_holder_renews_and_an_expired_lease_is_taken_over(sqlite_engine):
    assert leases.acquire(sqlite_engine, "q", "run-a", TTL, T0)
    assert leases.acquire(sqlite_engine, "q", "run-a", TTL, T0 + timedelta(minutes=20))
    # renewed at +20 min, so still held at +45 min
    assert not leases.acquire(sqlite_engine, "q", "run-b", TTL, T0 + timedelta(minutes=45))
    assert leases.acquire(sqlite_engine, "q", "run-b", TTL, T0 + timedelta(minutes=51))
    assert leases.holder_of(sqlite_engine, "q", T0 + timedelta(minutes=52)) == "run-b"


def test_release_only_by_the_holder(sqlite_engine):
    leases.acquire(sqlite_engine, "q", "run-a", TTL, T0)
    leases.release(sqlite_engine, "q", "run-b")
    assert leases.holder_of(sqlite_engine, "q", T0) == "run-a"
    leases.release(sqlite_engine, "q", "run-a")
    assert leases.holder_of(sqlite_engine, "q", T0) is None

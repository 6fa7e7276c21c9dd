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


def test_a_dead_holder_s_lease_is_taken_over_with_a_record(sqlite_engine):
    from hcc_operators.repository import lease_events

    leases.acquire(sqlite_engine, "q", "run-a", TTL, T0)
    later = T0 + timedelta(minutes=5)  # run-a's lease is still live
    taken = leases.take_over(
        sqlite_engine, "q", dead_holder="run-a", holder="run-b", ttl=TTL, now=later, reason="gone"
    )
    assert taken and leases.holder_of(sqlite_engine, "q", later) == "run-b"
    (event,) = lease_events.recent(sqlite_engine, "q")
    assert (event.event, event.holder, event.new_holder, event.actor, event.reason) == (
        "TAKEN_OVER",
        "run-a",
        "run-b",
        "run-b",
        "gone",
    )
    # run-a no longer holds it: a second takeover from run-a changes nothing
    assert not leases.take_over(
        sqlite_engine, "q", dead_holder="run-a", holder="run-c", ttl=TTL, now=later, reason="x"
    )
    assert leases.holder_of(sqlite_engine, "q", later) == "run-b"


def test_an_operator_release_is_audited_and_names_the_holder_declared_dead(sqlite_engine):
    from hcc_operators.repository import lease_events

    leases.acquire(sqlite_engine, "q", "run-a", TTL, T0)
    assert not leases.release_by_operator(
        sqlite_engine, "q", holder="run-x", actor="dba", reason="wrong run", now=T0
    )
    assert leases.current(sqlite_engine, "q").holder == "run-a"
    assert leases.release_by_operator(
        sqlite_engine, "q", holder="run-a", actor="dba", reason="worker killed", now=T0
    )
    assert leases.current(sqlite_engine, "q") is None
    (event,) = lease_events.recent(sqlite_engine, "q")
    assert (event.event, event.holder, event.actor, event.reason) == (
        "RELEASED",
        "run-a",
        "dba",
        "worker killed",
    )
    with sqlite_engine.connect() as conn:
        assert lease_events.declared_dead(conn) == {"run-a"}


def test_current_shows_an_expired_lease_as_expired(sqlite_engine):
    leases.acquire(sqlite_engine, "q", "run-a", TTL, T0)
    state = leases.current(sqlite_engine, "q")
    assert not state.expired(T0 + TTL - timedelta(seconds=1))
    assert state.expired(T0 + TTL)

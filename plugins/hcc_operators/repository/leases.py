"""Named leases in the repository: one holder at a time, taken over only once expired, or
once its holder is known dead (``take_over``, audited in hcc_lease_events).

max_active_runs=1 stops overlapping runs of one DAG in one Airflow; the lease also stops a second
deployment, or a CLI user, from executing the same queue at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from hcc_operators.repository import lease_events
from hcc_operators.repository.tables import leases


@dataclass(frozen=True)
class LeaseState:
    """The lease row as it is: who holds it, since when, until when."""

    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now


def acquire(engine: Engine, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or renew the lease. False when someone else holds an unexpired one."""
    expires = now + ttl
    with engine.begin() as conn:
        taken = conn.execute(
            update(leases)
            .where(leases.c.lease_name == name)
            .where(or_(leases.c.holder == holder, leases.c.expires_at <= now))
            .values(holder=holder, acquired_at=now, expires_at=expires)
        ).rowcount
        if taken:
            return True
        try:
            conn.execute(
                insert(leases).values(
                    lease_name=name, holder=holder, acquired_at=now, expires_at=expires
                )
            )
        except IntegrityError:
            return False
    return True


def take_over(
    engine: Engine,
    name: str,
    *,
    dead_holder: str,
    holder: str,
    ttl: timedelta,
    now: datetime,
    reason: str,
) -> bool:
    """Take the lease from ``dead_holder`` (its run is known to have ended), recording who
    took it and why. False when the lease no longer belongs to ``dead_holder``."""
    with engine.begin() as conn:
        taken = conn.execute(
            update(leases)
            .where(leases.c.lease_name == name, leases.c.holder == dead_holder)
            .values(holder=holder, acquired_at=now, expires_at=now + ttl)
        ).rowcount
        if taken:
            lease_events.record(
                conn,
                name,
                lease_events.TAKEN_OVER,
                holder=dead_holder,
                new_holder=holder,
                actor=holder,
                reason=reason,
                now=now,
            )
    return bool(taken)


def release(engine: Engine, name: str, holder: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(leases).where(and_(leases.c.lease_name == name, leases.c.holder == holder))
        )


def release_by_operator(
    engine: Engine, name: str, *, holder: str, actor: str, reason: str, now: datetime
) -> bool:
    """An operator frees the lease of ``holder`` (a run they know is dead), audited. False
    when ``holder`` does not hold it (any more)."""
    with engine.begin() as conn:
        gone = conn.execute(
            delete(leases).where(leases.c.lease_name == name, leases.c.holder == holder)
        ).rowcount
        if gone:
            lease_events.record(
                conn,
                name,
                lease_events.RELEASED,
                holder=holder,
                new_holder=None,
                actor=actor,
                reason=reason,
                now=now,
            )
    return bool(gone)


def current(engine: Engine, name: str) -> LeaseState | None:
    """The lease row, expired or not (None when nobody has taken it since its release)."""
    with engine.connect() as conn:
        row = conn.execute(select(leases).where(leases.c.lease_name == name)).first()
    if row is None:
        return None
    return LeaseState(row.lease_name, row.holder, row.acquired_at, row.expires_at)


def holder_of(engine: Engine, name: str, now: datetime) -> str | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(leases.c.holder).where(leases.c.lease_name == name, leases.c.expires_at > now)
        ).first()
    return row.holder if row else None

"""Named leases in the repository: one holder at a time, taken over only once expired.

max_active_runs=1 stops overlapping runs of one DAG in one Airflow; the lease also stops a second
deployment, or a CLI user, from executing the same queue at the same time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from hcc_operators.repository.tables import leases


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


def release(engine: Engine, name: str, holder: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(leases).where(and_(leases.c.lease_name == name, leases.c.holder == holder))
        )


def holder_of(engine: Engine, name: str, now: datetime) -> str | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(leases.c.holder).where(leases.c.lease_name == name, leases.c.expires_at > now)
        ).first()
    return row.holder if row else None

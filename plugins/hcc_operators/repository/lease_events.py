"""The audit trail of leases that changed hands other than by a normal finish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from hcc_operators.repository.tables import lease_events

TAKEN_OVER = "TAKEN_OVER"  # a run took the lease from a holder whose run had ended
RELEASED = "RELEASED"  # an operator released it (`hcc lease release`)


@dataclass(frozen=True)
class LeaseEvent:
    event_id: int
    lease_name: str
    event: str
    holder: str | None
    new_holder: str | None
    actor: str
    reason: str
    happened_at: datetime


def record(
    conn: Connection,
    name: str,
    event: str,
    *,
    holder: str | None,
    new_holder: str | None,
    actor: str,
    reason: str,
    now: datetime,
) -> None:
    conn.execute(
        insert(lease_events).values(
            lease_name=name,
            event=event,
            holder=holder,
            new_holder=new_holder,
            actor=actor,
            reason=reason,
            happened_at=now,
        )
    )


def recent(engine: Engine, name: str | None = None, *, limit: int = 10) -> list[LeaseEvent]:
    query = select(lease_events).order_by(lease_events.c.event_id.desc()).limit(limit)
    if name is not None:
        query = query.where(lease_events.c.lease_name == name)
    with engine.connect() as conn:
        return [
            LeaseEvent(
                r.event_id,
                r.lease_name,
                r.event,
                r.holder,
                r.new_holder,
                r.actor,
                r.reason,
                r.happened_at,
            )
            for r in conn.execute(query)
        ]


def declared_dead(conn: Connection) -> set[str]:
    """Holders whose lease was taken over or released because their run had ended: their
    RUNNING items can be re-verified without waiting for the items' own leases."""
    return {
        r.holder
        for r in conn.execute(
            select(lease_events.c.holder).where(lease_events.c.holder.is_not(None))
        )
    }

"""Space saved, one event per finished action: the single definition charts and metrics share.

Compression: successful COMPRESS executions (a rolled-back one turns ROLLED_BACK and drops out).
ILM: successful actions with sizes before and after, net of growth (a decompress counts negative).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.engine import Engine

from hcc_operators.repository.tables import compression_executions, execution_log


@dataclass(frozen=True)
class Saving:
    source: str  # compression or ilm
    owner: str
    at: datetime
    bytes: int


def savings(engine: Engine) -> list[Saving]:
    c = compression_executions.c
    x = execution_log.c
    with engine.connect() as conn:
        compressed = conn.execute(
            select(c.owner, c.started_at, c.finished_at, c.space_saved).where(
                and_(c.operation == "COMPRESS", c.status == "SUCCESS", c.space_saved.is_not(None))
            )
        ).all()
        ilm = conn.execute(
            select(x.owner, x.started_at, x.finished_at, x.bytes_before, x.bytes_after).where(
                and_(x.status == "SUCCESS", x.bytes_before.is_not(None), x.bytes_after.is_not(None))
            )
        ).all()
    events = [
        Saving("compression", r.owner, r.finished_at or r.started_at, int(r.space_saved))
        for r in compressed
    ]
    events += [
        Saving("ilm", r.owner, r.finished_at or r.started_at, int(r.bytes_before - r.bytes_after))
        for r in ilm
    ]
    return sorted(events, key=lambda s: s.at)

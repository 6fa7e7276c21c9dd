"""Sync policies from policies.yaml into the repository, one new version per change.

Old versions stay (is_current = false, superseded_at set) so the audit trail can say which
definition a queue item or execution was made under, and who made each version: the acting
user (core.queue_control.Actor) of the evaluation run or the `hcc policies sync` call that
found policies.yaml changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.queue_control import Actor
from hcc_operators.repository.tables import ilm_policies, threshold_profiles


@dataclass(frozen=True)
class PolicyRecord:
    name: str
    checksum: str
    enabled: bool
    priority: int
    action: str
    definition: str  # canonical JSON


def sync_policies(
    engine: Engine,
    records: list[PolicyRecord],
    now: datetime,
    *,
    actor: Actor | None = None,
    reason: str | None = None,
) -> dict[str, int]:
    """Store changed or new policies as new versions; return the current version per name.

    Policies removed from the file are superseded (kept for audit, no longer current).
    ``actor`` and ``reason`` are recorded on every version created and every one superseded.
    """
    by = actor.name if actor else None
    versions: dict[str, int] = {}
    with engine.begin() as conn:
        current = {
            row.policy_name: row
            for row in conn.execute(select(ilm_policies).where(ilm_policies.c.is_current))
        }
        for rec in records:
            row = current.pop(rec.name, None)
            if row is not None and row.checksum == rec.checksum:
                versions[rec.name] = row.version
                continue
            last = conn.execute(
                select(func.max(ilm_policies.c.version)).where(
                    ilm_policies.c.policy_name == rec.name
                )
            ).scalar()
            if row is not None:
                _supersede(conn, row.policy_id, now, by)
            version = (last or 0) + 1
            conn.execute(
                insert(ilm_policies).values(
                    policy_name=rec.name,
                    version=version,
                    checksum=rec.checksum,
                    enabled=rec.enabled,
                    priority=rec.priority,
                    action=rec.action,
                    definition=rec.definition,
                    is_current=True,
                    created_at=now,
                    created_by=by,
                    created_via=actor.via if actor else None,
                    change_reason=reason,
                )
            )
            versions[rec.name] = version
        for row in current.values():
            _supersede(conn, row.policy_id, now, by)
    return versions


def _supersede(conn, policy_id: int, now: datetime, by: str | None) -> None:
    conn.execute(
        update(ilm_policies)
        .where(ilm_policies.c.policy_id == policy_id)
        .values(is_current=False, superseded_at=now, superseded_by=by)
    )


def sync_profiles(engine: Engine, profiles: dict[str, tuple[int, int, int]], now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(threshold_profiles.delete())
        if profiles:
            conn.execute(
                insert(threshold_profiles),
                [
                    {
                        "profile_name": name,
                        "hot_days": h,
                        "warm_days": w,
                        "cold_days": c,
                        "updated_at": now,
                    }
                    for name, (h, w, c) in profiles.items()
                ],
            )


def policy_history(engine: Engine, name: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ilm_policies)
            .where(ilm_policies.c.policy_name == name)
            .order_by(ilm_policies.c.version)
        )
        return [dict(r._mapping) for r in rows]

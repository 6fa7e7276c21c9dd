"""ILM policy versions as synced from include/config/policies.yaml."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine, Row

from hcc_operators.api.models import PolicyVersionOut
from hcc_operators.api.queries.rows import json_or_none
from hcc_operators.repository.tables import ilm_policies

_FIELDS = (
    "policy_id",
    "policy_name",
    "version",
    "checksum",
    "priority",
    "action",
    "created_at",
    "created_by",
    "created_via",
    "change_reason",
    "superseded_at",
    "superseded_by",
)


def policy_out(row: Row) -> PolicyVersionOut:
    return PolicyVersionOut(
        **{k: getattr(row, k) for k in _FIELDS},
        enabled=bool(row.enabled),
        is_current=bool(row.is_current),
        definition=json_or_none(row.definition) or {},
    )


def current_policies(engine: Engine) -> list[PolicyVersionOut]:
    p = ilm_policies.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(ilm_policies).where(p.is_current.is_(True)).order_by(p.priority, p.policy_name)
        ).all()
    return [policy_out(r) for r in rows]


def policy_history(engine: Engine, name: str) -> list[PolicyVersionOut]:
    p = ilm_policies.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(ilm_policies).where(p.policy_name == name).order_by(p.version.desc())
        ).all()
    return [policy_out(r) for r in rows]

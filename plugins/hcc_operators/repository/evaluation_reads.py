"""Reading stage-2 results back: reason counts, and one partition's decisions with their text.

A detail row stores only a reason code; its text is rendered here by core.eligibility.decide
from the evaluation's own snapshot of the partition, the policy version it was made under and
the free space recorded with the evaluation, so it reads exactly as the pure evaluator words it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import and_, delete, func, select
from sqlalchemy.engine import Connection

from hcc_operators.core.eligibility import PartitionState, decide
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.policy_config import Policy
from hcc_operators.core.reasons import Reason
from hcc_operators.repository.partition_rows import state_of
from hcc_operators.repository.tables import (
    evaluation_details,
    evaluation_objects,
    evaluation_targets,
    evaluations,
    ilm_policies,
)


@dataclass(frozen=True)
class Decision:
    policy_name: str
    policy_version: int
    reason: Reason
    text: str
    evaluation_id: str
    evaluated_at: datetime

    @property
    def eligible(self) -> bool:
        return self.reason is Reason.ELIGIBLE


def reason_counts(conn: Connection, evaluation_no: int | None = None) -> dict[Reason, int]:
    """Pairs per reason in one evaluation (the latest when not given)."""
    if evaluation_no is None:
        evaluation_no = conn.scalar(select(func.max(evaluations.c.evaluation_no)))
        if evaluation_no is None:
            return {}
    d = evaluation_details.c
    return {
        Reason.from_code(code): n
        for code, n in conn.execute(
            select(d.reason, func.count())
            .where(d.evaluation_no == evaluation_no)
            .group_by(d.reason)
        )
    }


def partition_decisions(conn: Connection, ref: ObjectRef) -> list[Decision]:
    """Every policy's decision for ``ref`` in the latest evaluation that saw it, by policy name."""
    o, t, d, p, e = (
        evaluation_objects.c,
        evaluation_targets.c,
        evaluation_details.c,
        ilm_policies.c,
        evaluations.c,
    )
    obj = conn.execute(
        select(evaluation_objects)
        .where(o.owner == ref.owner, o.table_name == ref.table, o.partition_name == ref.partition)
        .order_by(o.evaluation_no.desc())
        .limit(1)
    ).first()
    if obj is None:
        return []
    header = conn.execute(select(evaluations).where(e.evaluation_no == obj.evaluation_no)).one()
    free = json.loads(header.tablespaces_free or "{}")
    rows = conn.execute(
        select(
            d.reason, p.policy_name, p.version, p.definition, t.hot_days, t.warm_days, t.cold_days
        )
        .select_from(evaluation_targets)
        .join(ilm_policies, p.policy_id == t.policy_id)
        .join(
            evaluation_details,
            and_(
                d.evaluation_no == t.evaluation_no,
                d.policy_id == t.policy_id,
                d.object_no == obj.object_no,
            ),
        )
        .where(
            t.evaluation_no == obj.evaluation_no,
            t.owner == obj.owner,
            t.table_name == obj.table_name,
        )
        .order_by(p.policy_name)
    ).all()
    state = state_of(obj)
    return [
        Decision(
            policy_name=r.policy_name,
            policy_version=r.version,
            reason=Reason.from_code(r.reason),
            text=_text(r, state, free),
            evaluation_id=header.evaluation_id,
            evaluated_at=header.evaluated_at,
        )
        for r in rows
    ]


def purge_before(conn: Connection, cut: datetime) -> int:
    """Delete evaluations made before ``cut`` with all their rows; returns details deleted."""
    old = [
        n
        for (n,) in conn.execute(
            select(evaluations.c.evaluation_no).where(evaluations.c.evaluated_at < cut)
        )
    ]
    deleted = 0
    for start in range(0, len(old), 500):
        chunk = old[start : start + 500]
        deleted += conn.execute(
            delete(evaluation_details).where(evaluation_details.c.evaluation_no.in_(chunk))
        ).rowcount
        for table in (evaluation_targets, evaluation_objects, evaluations):
            conn.execute(delete(table).where(table.c.evaluation_no.in_(chunk)))
    return deleted


def _text(row, state: PartitionState, free: dict) -> str:
    stored = Reason.from_code(row.reason)
    try:
        policy = Policy.model_validate(
            _without_nulls(json.loads(row.definition)), context={"allow_custom_sql": True}
        )
    except (ValueError, ValidationError):
        return stored.text
    if policy.conditions.custom_sql:
        # The predicate ran in the database; its result is what the stored reason says.
        holds = stored is not Reason.CUSTOM_PREDICATE_FALSE
        state = replace(state, custom_predicates={policy.name: holds})
    limits = (row.hot_days, row.warm_days, row.cold_days)
    detail = decide(policy, state, limits, free)
    if detail.reason is not stored:
        # Would mean the evaluators disagree; the stored decision is what the queue acted on.
        return stored.text
    return detail.text


def _without_nulls(value):
    # Canonical JSON spells out every default, None included; the model takes None as "given".
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value

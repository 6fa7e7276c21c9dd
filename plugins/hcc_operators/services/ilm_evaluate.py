"""ILM stage 2: policies x partition access rows -> evaluation details and the queue, set-based.

Every pair is decided inside the database: the partitions are snapshot once per evaluation
(hcc_ilm_eval_objects), each policy's targeting comes from core.eligibility.table_limits
(hcc_ilm_eval_targets), and one INSERT ... SELECT per policy writes its reason codes
(repository/evaluation_sql.py compiles core's checks into a CASE). The eligible pairs go into
the queue with one INSERT ... SELECT per policy, and stale PENDING items are cancelled with one
UPDATE. No row crosses into Python, so a million partitions x 20 policies is a few statements.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, func, insert, literal, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from hcc_operators.core.actions import dump_params
from hcc_operators.core.eligibility import table_limits
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.policy_config import Policy, PolicySet
from hcc_operators.core.queue_control import ACTIVE as ACTIVE_STATUSES
from hcc_operators.core.queue_control import Actor
from hcc_operators.core.reasons import Reason
from hcc_operators.repository import evaluation_sql
from hcc_operators.repository.bulk import bulk_cache
from hcc_operators.repository.column_types import UtcDateTime
from hcc_operators.repository.policy_versions import PolicyRecord, sync_policies, sync_profiles
from hcc_operators.repository.tables import (
    evaluation_details,
    evaluation_objects,
    evaluation_targets,
    evaluations,
    ilm_policies,
    ilm_queue,
    partition_access,
)
from hcc_operators.warehouse.base import Warehouse

# PENDING, HELD, RUNNING: a partition with a held item gets no second item beside it, and
# only PENDING items are cancelled as stale (_cancel_stale), so evaluation never undoes a hold.
ACTIVE = tuple(s.value for s in ACTIVE_STATUSES)
BULK = 5000
_ELIGIBLE = Reason.ELIGIBLE.code


def evaluate_policies(
    warehouse: Warehouse,
    engine: Engine,
    policies: PolicySet,
    *,
    now: datetime,
    evaluation_id: str,
    actor: Actor | None = None,
) -> dict:
    """``actor``: who is recorded as the author of any policy version this run creates (the
    user who triggered the evaluation's DAG run, or the scheduler)."""
    versions = sync_policy_set(engine, policies, now=now, actor=actor)
    free = {name: ts.free_bytes for name, ts in warehouse.tablespaces().items()}
    warnings: list[str] = []
    enqueued = 0
    with engine.begin() as conn, bulk_cache(conn):
        _check_custom_sql(conn, policies)
        ids = _policy_ids(conn, versions)
        number = conn.execute(
            insert(evaluations).values(
                evaluation_id=evaluation_id,
                evaluated_at=now,
                tablespaces_free=json.dumps(free, sort_keys=True),
            )
        ).inserted_primary_key[0]
        _snapshot(conn, number)
        tables = [
            tuple(r)
            for r in conn.execute(
                select(evaluation_objects.c.owner, evaluation_objects.c.table_name)
                .where(evaluation_objects.c.evaluation_no == number)
                .distinct()
                .order_by(evaluation_objects.c.owner, evaluation_objects.c.table_name)
            )
        ]
        decided: list[Policy] = []
        for policy, limits in table_limits(policies, tables, warnings=warnings):
            rows = [
                {
                    "evaluation_no": number,
                    "policy_id": ids[policy.name],
                    "owner": owner,
                    "table_name": table,
                    "hot_days": lim[0],
                    "warm_days": lim[1],
                    "cold_days": lim[2],
                }
                for (owner, table), lim in zip(tables, limits, strict=True)
                if lim is not None
            ]
            if not rows:
                continue
            for start in range(0, len(rows), BULK):
                conn.execute(insert(evaluation_targets), rows[start : start + BULK])
            _write_details(conn, number, policy, ids[policy.name], free)
            decided.append(policy)
        # Cancel before enqueueing: what is enqueued now is eligible by definition.
        cancelled = _cancel_stale(conn, number, now)
        active = _any_active(conn)
        for policy in decided:
            enqueued += _enqueue(
                conn, number, policy, ids[policy.name], versions, now, active=active
            )
        counts = {
            Reason.from_code(code).value: n
            for code, n in conn.execute(
                select(evaluation_details.c.reason, func.count())
                .where(evaluation_details.c.evaluation_no == number)
                .group_by(evaluation_details.c.reason)
            )
        }
        pairs = sum(counts.values())
        eligible = counts.get(Reason.ELIGIBLE.value, 0)
        conn.execute(
            update(evaluations)
            .where(evaluations.c.evaluation_no == number)
            .values(pairs=pairs, eligible=eligible)
        )

    return {
        "evaluation_id": evaluation_id,
        "pairs": pairs,
        "eligible": eligible,
        "enqueued": enqueued,
        "cancelled_stale": cancelled,
        "reasons": dict(sorted(counts.items())),
        "warnings": warnings,
        "policy_versions": versions,
    }


def sync_policy_set(
    engine: Engine,
    policies: PolicySet,
    *,
    now: datetime,
    actor: Actor | None,
    reason: str | None = None,
) -> dict[str, int]:
    """policies.yaml into the repository: a new version of each changed policy, recorded with
    its author (evaluation does this first; `hcc policies sync` does it alone). Returns the
    current version per policy."""
    versions = sync_policies(
        engine, [_record(p) for p in policies.policies], now, actor=actor, reason=reason
    )
    sync_profiles(
        engine,
        {n: (p.hot_days, p.warm_days, p.cold_days) for n, p in policies.profiles.items()},
        now,
    )
    return versions


def _record(policy: Policy) -> PolicyRecord:
    return PolicyRecord(
        policy.name,
        policy.checksum,
        policy.enabled,
        policy.priority,
        policy.kind.value,
        policy.canonical_json,
    )


def _policy_ids(conn: Connection, versions: dict[str, int]) -> dict[str, int]:
    p = ilm_policies.c
    found = {
        name: policy_id
        for name, version, policy_id in conn.execute(
            select(p.policy_name, p.version, p.policy_id).where(p.is_current == True)  # noqa: E712
        )
        if versions.get(name) == version
    }
    missing = sorted(set(versions) - set(found))
    if missing:
        raise RuntimeError(f"policy versions not found after sync: {', '.join(missing)}")
    return found


def _snapshot(conn: Connection, number: int) -> None:
    conn.execute(_snapshot_statement(number))


def _snapshot_statement(number: int):
    """Copy every partition's facts, numbered in (owner, table, partition) order: the order of
    hcc_partition_access's key and of the queue's index, so neither the snapshot's index nor
    the queue's is written out of order. Partitions without a date bound are included: the
    checks read them as age 0 and HOT, as the pure evaluator and ``hcc explain`` do."""
    pa, o = partition_access.c, evaluation_objects.c
    copied = [
        c.name for c in evaluation_objects.columns if c.name in pa and c.name != "evaluation_no"
    ]
    values = {
        o.evaluation_no: literal(number),
        o.object_no: func.row_number().over(order_by=(pa.owner, pa.table_name, pa.partition_name)),
        o.compression_rank: evaluation_sql.compression_rank(pa.compression),
        **{o[name]: pa[name] for name in copied},
    }
    return insert(evaluation_objects).from_select(list(values), select(*values.values()))


def _targeted(number: int, policy_id: int):
    """The snapshot rows of the tables a policy targets, with that policy's band limits."""
    o, t = evaluation_objects.c, evaluation_targets.c
    return (
        select(evaluation_objects, t.hot_days, t.warm_days, t.cold_days)
        .join(
            evaluation_targets,
            and_(
                t.evaluation_no == o.evaluation_no,
                t.owner == o.owner,
                t.table_name == o.table_name,
            ),
        )
        .where(o.evaluation_no == number, t.policy_id == policy_id)
        .subquery("targeted")
    )


def _write_details(conn, number: int, policy: Policy, policy_id: int, free) -> None:
    conn.execute(_details_statement(number, policy, policy_id, free))


def _details_statement(number: int, policy: Policy, policy_id: int, free):
    rows = _targeted(number, policy_id)
    reason = evaluation_sql.reason_code(policy, rows.c, rows.c, free)
    d = evaluation_details.c
    return insert(evaluation_details).from_select(
        [d.evaluation_no, d.policy_id, d.object_no, d.reason],
        select(literal(number), literal(policy_id), rows.c.object_no, reason).order_by(
            rows.c.object_no
        ),
    )


def _check_custom_sql(conn: Connection, policies: PolicySet) -> None:
    """Run each enabled custom_sql predicate once, so a broken one stops the run before any
    write with the database's own message. Only reachable when settings.allow_custom_sql is
    true (policy_config refuses it otherwise); nothing is interpolated into the predicate."""
    for policy in policies.policies:
        sql = policy.conditions.custom_sql
        if not sql or not policy.enabled:
            continue
        try:
            with conn.begin_nested():
                conn.execute(evaluation_sql.custom_predicate_check(sql))
        except DBAPIError as err:  # the DB's own message names the problem in the predicate
            raise ConfigError(
                f"custom_sql does not run: {err.orig}",
                source=policies.source,
                field=f"{policy.name}.conditions.custom_sql",
            ) from err


def _enqueue(conn, number: int, policy: Policy, policy_id: int, versions, now, *, active=True):
    statement = _enqueue_statement(number, policy, policy_id, versions, now, active=active)
    return conn.execute(statement).rowcount


def _enqueue_statement(number: int, policy: Policy, policy_id: int, versions, now, *, active=True):
    """Queue the policy's eligible pairs; with ``active``, only those without an
    active item (pass False when the queue has none: the probe per pair is then wasted)."""
    o, d, q, t = evaluation_objects.c, evaluation_details.c, ilm_queue.c, evaluation_targets.c
    has_active = (
        select(literal(1))
        .select_from(ilm_queue)
        .where(
            q.status.in_(ACTIVE),
            q.policy_name == policy.name,
            q.owner == o.owner,
            q.table_name == o.table_name,
            q.partition_name == o.partition_name,
        )
        .exists()
    )
    at = literal(now, UtcDateTime())
    values = {
        q.policy_name: literal(policy.name),
        q.policy_version: literal(versions[policy.name]),
        q.priority: literal(policy.priority),
        q.owner: o.owner,
        q.table_name: o.table_name,
        q.partition_name: o.partition_name,
        q.action: literal(policy.kind.value),
        # The kind's parameter model as JSON: the same for every partition of the policy.
        q.action_params: literal(dump_params(policy.action)),
        q.size_bytes: o.size_bytes,
        q.age_days: o.age_days,
        q.upper_bound: o.upper_bound,
        q.status: literal("PENDING"),
        q.attempts: literal(0),
        q.carried_over: literal(False),
        q.enqueued_at: at,
        q.updated_at: at,
    }
    only = evaluation_sql.queued_only(policy, o, t)
    source = (
        select(*values.values())
        .select_from(evaluation_details)
        .join(
            evaluation_objects,
            and_(o.evaluation_no == d.evaluation_no, o.object_no == d.object_no),
        )
        .where(
            d.evaluation_no == number,
            d.policy_id == policy_id,
            d.reason == _ELIGIBLE,
            *((only,) if only is not None else ()),
            *((~has_active,) if active else ()),
        )
        # object_no follows (owner, table, partition), the queue index's key: 6 million rows at
        # a million partitions insert a third faster in key order than oldest first. The
        # execution order does not depend on it: core.selection breaks ties oldest first.
        .order_by(d.object_no)
    )
    return insert(ilm_queue).from_select(list(values), source)


def _any_active(conn) -> bool:
    """Whether any queue item is PENDING or RUNNING (then each new pair is checked against
    them; on an empty queue, as on the first evaluation, that probe per pair is skipped)."""
    probe = select(ilm_queue.c.queue_id).where(ilm_queue.c.status.in_(ACTIVE)).limit(1)
    return conn.execute(probe).first() is not None


def _cancel_stale(conn, number: int, now: datetime) -> int:
    pending = (
        select(ilm_queue.c.queue_id)
        .where(ilm_queue.c.status == "PENDING", ilm_queue.c.parent_queue_id.is_(None))
        .limit(1)
    )
    if conn.execute(pending).first() is None:
        return 0
    return conn.execute(_cancel_statement(number, now)).rowcount


def _cancel_statement(number: int, now: datetime):
    """Cancel PENDING items that this evaluation did not find eligible (RUNNING ones finish).

    The eligible items are found by one uncorrelated join from the PENDING queue through the
    snapshot's object index and the details' primary key, not by a NOT EXISTS per item, which
    SQLite would plan as a scan of the evaluation's details per queue row.
    """
    o, d, q, p = evaluation_objects.c, evaluation_details.c, ilm_queue.c, ilm_policies.c
    pending = ilm_queue.alias("pending")
    k = pending.c
    still_eligible = (
        select(k.queue_id)
        .select_from(pending)
        .join(
            evaluation_objects,
            and_(
                o.owner == k.owner,
                o.table_name == k.table_name,
                o.partition_name == k.partition_name,
                o.evaluation_no == number,
            ),
        )
        .join(ilm_policies, p.policy_name == k.policy_name)
        .join(
            evaluation_details,
            and_(
                d.evaluation_no == number,
                d.policy_id == p.policy_id,
                d.object_no == o.object_no,
            ),
        )
        .where(k.status == "PENDING", d.reason == _ELIGIBLE)
    )
    return (
        update(ilm_queue)
        .where(
            q.status == "PENDING",
            # A follow-up was queued by an action's success, not by a policy's decision.
            q.parent_queue_id.is_(None),
            q.queue_id.not_in(still_eligible),
        )
        .values(
            status="CANCELLED",
            updated_at=now,
            last_error="no longer eligible at the latest evaluation",
        )
    )

"""ILM stage 2: policies x partition access rows -> evaluation details and the queue.

The partition access rows are read in one query, every pair is decided in one pass of
core.eligibility, and details and queue rows are written in bulk: no round trip per partition.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, insert, select, text, update
from sqlalchemy.engine import Connection, Engine

from hcc_operators.core.eligibility import EligiblePair, PartitionState, iter_details
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.core.policy_config import Policy, PolicySet
from hcc_operators.core.temperature import Temperature
from hcc_operators.repository.policy_versions import PolicyRecord, sync_policies, sync_profiles
from hcc_operators.repository.tables import evaluation_details, ilm_queue, partition_access
from hcc_operators.warehouse.base import Warehouse

ACTIVE = ("PENDING", "RUNNING")
BULK = 5000


def evaluate_policies(
    warehouse: Warehouse,
    engine: Engine,
    policies: PolicySet,
    *,
    now: datetime,
    evaluation_id: str,
) -> dict:
    versions = sync_policies(engine, [_record(p) for p in policies.policies], now)
    sync_profiles(
        engine,
        {n: (p.hot_days, p.warm_days, p.cold_days) for n, p in policies.profiles.items()},
        now,
    )
    free = {name: ts.free_bytes for name, ts in warehouse.tablespaces().items()}

    with engine.connect() as conn:
        states = _load_states(conn, policies)

    counts: dict[str, int] = {}
    eligible: list[EligiblePair] = []
    warnings: list[str] = []
    batch: list[dict] = []
    with engine.begin() as conn:
        for detail in iter_details(policies, states, free, warnings=warnings):
            counts[detail.reason.value] = counts.get(detail.reason.value, 0) + 1
            if detail.eligible:
                eligible.append(EligiblePair(detail.policy, detail.partition))
            batch.append(_detail_row(detail, versions, evaluation_id, now))
            if len(batch) >= BULK:
                conn.execute(insert(evaluation_details), batch)
                batch = []
        if batch:
            conn.execute(insert(evaluation_details), batch)
        enqueued, cancelled = _sync_queue(conn, eligible, policies, versions, now)

    return {
        "evaluation_id": evaluation_id,
        "pairs": sum(counts.values()),
        "eligible": len(eligible),
        "enqueued": enqueued,
        "cancelled_stale": cancelled,
        "reasons": dict(sorted(counts.items())),
        "warnings": warnings,
        "policy_versions": versions,
    }


def _record(policy: Policy) -> PolicyRecord:
    return PolicyRecord(
        policy.name,
        policy.checksum,
        policy.enabled,
        policy.priority,
        policy.kind.value,
        policy.canonical_json,
    )


def _load_states(conn: Connection, policies: PolicySet) -> list[PartitionState]:
    predicates = _custom_predicates(conn, policies)
    states = []
    for r in conn.execute(select(partition_access).where(partition_access.c.age_days.is_not(None))):
        key = (r.owner, r.table_name, r.partition_name)
        states.append(
            PartitionState(
                ref=ObjectRef(r.owner, r.table_name, r.partition_name),
                upper_bound=r.upper_bound.date() if r.upper_bound else None,
                age_days=r.age_days,
                age_months=r.age_months,
                size_bytes=r.size_bytes,
                temperature=Temperature(r.temperature),
                compression=CompressionType.parse(r.compression),
                tablespace=r.tablespace_name,
                tablespace_used_pct=r.tablespace_used_pct,
                read_only=bool(r.read_only),
                is_newest=bool(r.is_newest),
                merge_target=r.merge_target,
                last_access_days=(r.refreshed_at - r.last_access).days if r.last_access else None,
                custom_predicates={name: key in hits for name, hits in predicates.items()} or None,
            )
        )
    return states


def _custom_predicates(conn: Connection, policies: PolicySet) -> dict[str, set[tuple]]:
    """Evaluate each enabled custom_sql predicate once, set-based, over hcc_partition_access.

    Only reachable when settings.allow_custom_sql is true (policy_config refuses it otherwise);
    the predicate sees the columns of hcc_partition_access and nothing is interpolated into it.
    """
    hits: dict[str, set[tuple]] = {}
    for policy in policies.policies:
        sql = policy.conditions.custom_sql
        if not sql or not policy.enabled:
            continue
        query = text(
            f"SELECT owner, table_name, partition_name FROM hcc_partition_access WHERE ({sql})"
        )
        try:
            hits[policy.name] = {tuple(row) for row in conn.execute(query)}
        except Exception as err:  # the DB's own message names the problem in the predicate
            raise ConfigError(
                f"custom_sql does not run: {err}",
                source=policies.source,
                field=f"{policy.name}.conditions.custom_sql",
            ) from err
    return hits


def _detail_row(detail, versions, evaluation_id, now) -> dict:
    ref = detail.ref
    return {
        "evaluation_id": evaluation_id,
        "policy_name": detail.policy_name,
        "policy_version": versions[detail.policy_name],
        "owner": ref.owner,
        "table_name": ref.table,
        "partition_name": ref.partition,
        "eligible": detail.eligible,
        "reason": detail.reason.value,
        "reason_text": detail.text,
        "evaluated_at": now,
    }


def action_params(policy: Policy, state: PartitionState) -> dict:
    action = policy.action
    params: dict = {}
    for name in (
        "level",
        "pctfree",
        "tablespace",
        "compression",
        "archive",
        "archive_table_suffix",
        "strategy",
        "params",
    ):
        value = getattr(action, name, None)
        if value is not None:
            params[name] = getattr(value, "value", value)
    if state.merge_target:
        params["merge_into"] = state.merge_target
    return params


def _sync_queue(conn, eligible, policies, versions, now) -> tuple[int, int]:
    """Enqueue new eligible pairs once; cancel PENDING items no longer eligible."""
    active = {
        (r.policy_name, r.owner, r.table_name, r.partition_name): r.queue_id
        for r in conn.execute(
            select(
                ilm_queue.c.queue_id,
                ilm_queue.c.policy_name,
                ilm_queue.c.owner,
                ilm_queue.c.table_name,
                ilm_queue.c.partition_name,
            ).where(ilm_queue.c.status.in_(ACTIVE))
        )
    }
    wanted = set()
    rows = []
    for pair in eligible:
        ref = pair.partition.ref
        key = (pair.policy.name, ref.owner, ref.table, ref.partition)
        wanted.add(key)
        if key in active:
            continue
        rows.append(
            {
                "policy_name": pair.policy.name,
                "policy_version": versions[pair.policy.name],
                "priority": pair.policy.priority,
                "owner": ref.owner,
                "table_name": ref.table,
                "partition_name": ref.partition,
                "action": pair.policy.kind.value,
                "action_params": json.dumps(action_params(pair.policy, pair.partition)),
                "size_bytes": pair.partition.size_bytes,
                "status": "PENDING",
                "attempts": 0,
                "carried_over": False,
                "enqueued_at": now,
                "updated_at": now,
            }
        )
    for start in range(0, len(rows), BULK):
        conn.execute(insert(ilm_queue), rows[start : start + BULK])
    stale = [qid for key, qid in active.items() if key not in wanted]
    cancelled = 0
    for start in range(0, len(stale), 500):
        cancelled += conn.execute(
            update(ilm_queue)
            .where(
                and_(
                    ilm_queue.c.queue_id.in_(stale[start : start + 500]),
                    ilm_queue.c.status == "PENDING",
                )
            )
            .values(
                status="CANCELLED",
                updated_at=now,
                last_error="no longer eligible at the latest evaluation",
            )
        ).rowcount
    return len(rows), cancelled

"""The seed framework's ILM stage 2, re-implemented faithfully as the evaluation baseline.

The seed looped over policies, then over partitions, and handled one (policy, partition) pair
at a time: SELECT the partition's row, decide, INSERT its detail row, INSERT a queue row if
eligible. That is a database round trip per pair (two or three), which is what the set-based
stage 2 (services/ilm_evaluate.py) replaces; this module exists only to measure the
difference on the same data.

To keep the comparison about the algorithm and not the stack, it uses the same repository
engine and SQLAlchemy Core tables as ours, one transaction for the whole run (the seed's
commit per pair would only make it slower), and decides with the same rules in the same
order (core.reasons.EVALUATION_ORDER), written plainly per pair. It is given every fair
advantage that does not change the algorithm: statements are built once and executed with
bound parameters (SQLAlchemy's compiled cache then skips recompiling), table patterns are
compiled and profiles resolved once per policy target, not per pair. tests/bench checks that it
reaches the same decisions as core.eligibility on a small warehouse.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    insert,
    select,
)
from sqlalchemy.engine import Engine

from hcc_operators.core.models import ActionKind, CompressionType
from hcc_operators.core.policy_config import Policy, PolicySet
from hcc_operators.core.temperature import Temperature, Thresholds, temperature
from hcc_operators.repository.column_types import UtcDateTime
from hcc_operators.repository.tables import ilm_queue, partition_access

_MB = 1024 * 1024

# The seed's detail table: one wide row per pair with its text, indexed by object and run.
seed_metadata = MetaData()
seed_details = Table(
    "seed_ilm_eval_details",
    seed_metadata,
    Column("detail_id", Integer, primary_key=True),
    Column("evaluation_id", String(64), nullable=False),
    Column("policy_name", String(128), nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("owner", String(128), nullable=False),
    Column("table_name", String(128), nullable=False),
    Column("partition_name", String(128), nullable=False),
    Column("eligible", Boolean, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("reason_text", Text),
    Column("evaluated_at", UtcDateTime(), nullable=False),
)
Index(
    "seed_eval_obj_ix",
    seed_details.c.owner,
    seed_details.c.table_name,
    seed_details.c.partition_name,
)
Index("seed_eval_run_ix", seed_details.c.evaluation_id)


class DeadlineReached(Exception):
    """The run was stopped at its time cap; ``pairs`` were decided and written by then."""

    def __init__(self, pairs: int, elapsed_s: float):
        super().__init__(f"stopped after {pairs} pairs in {elapsed_s:.1f} s")
        self.pairs = pairs
        self.elapsed_s = elapsed_s


def decide(policy: Policy, thresholds: Thresholds, row, free: dict[str, int]) -> tuple[str, str]:
    """(reason, text) for one pair, checks in EVALUATION_ORDER; ``row`` is a partition_access
    row as selected."""
    c = policy.conditions
    action = policy.action
    kind = policy.kind
    # A MERGE is judged on its whole period: the period's age, not the partition's.
    days_fact, months_fact, _ = action.age_facts()
    days = getattr(row, days_fact) or 0
    months = getattr(row, months_fact) or 0
    last_access_days = row.last_access_days
    temp = temperature(days, thresholds, last_access_days=last_access_days)
    current = CompressionType.parse(row.compression)
    if not policy.enabled:
        return "POLICY_DISABLED", f"policy {policy.name} is disabled"
    if c.min_age_days is not None and days < c.min_age_days:
        return "TOO_YOUNG", f"age {days} days < minimum {c.min_age_days} days"
    if c.min_age_months is not None and months < c.min_age_months:
        return "TOO_YOUNG", f"age {months} months < minimum {c.min_age_months} months"
    if c.min_size_mb is not None and row.size_bytes < c.min_size_mb * _MB:
        return "TOO_SMALL", f"size {row.size_bytes / _MB:.1f} MB < minimum {c.min_size_mb:g} MB"
    if c.temperatures and temp not in c.temperatures:
        return "TEMPERATURE_MISMATCH", f"temperature {temp.value} not in {c.temperatures}"
    if c.min_tablespace_used_pct is not None and (
        row.tablespace_used_pct is None or row.tablespace_used_pct < c.min_tablespace_used_pct
    ):
        return "NO_SPACE_PRESSURE", f"tablespace {row.tablespace_name} below threshold"
    target = getattr(action, "level", None) or getattr(action, "compression", None)
    target_ts = action.tablespace if kind is ActionKind.MOVE else None
    if kind is ActionKind.COMPRESS:
        if current is target:
            return "ALREADY_IN_TARGET_STATE", f"already compressed {target.value}"
        if target.rank < current.rank:
            return "COMPRESSION_NOT_HIGHER", f"target {target.value} lower than {current.value}"
    elif kind is ActionKind.MOVE:
        if row.tablespace_name == target_ts and (target is None or current is target):
            return "ALREADY_IN_TARGET_STATE", f"already in tablespace {target_ts}"
        if target is not None and target.rank < current.rank:
            return "COMPRESSION_NOT_HIGHER", f"target {target.value} lower than {current.value}"
    elif kind is ActionKind.READ_ONLY and row.read_only:
        return "ALREADY_IN_TARGET_STATE", "already read-only"
    if kind.destructive:
        if not policy.allow_destructive:
            return "DESTRUCTIVE_NOT_ALLOWED", f"{kind.value} without allow_destructive"
        if row.is_newest:
            return "NEWEST_PARTITION", f"{row.partition_name} is the newest partition"
        if temp is Temperature.HOT:
            return "HOT_PARTITION", "temperature HOT"
    period = getattr(action, "period_kind", None)
    members = getattr(row, f"{period.value}_members") if period else None
    if kind is ActionKind.MERGE and (members is None or members < 2):
        return "NO_MERGE_TARGET", f"no other partition of its {period.value}"
    if kind.rewrites_segment:
        space = target_ts or getattr(action, "tablespace", None) or row.tablespace_name
        available = free.get(space) if space else None
        needed = getattr(row, f"{period.value}_bytes") if period else row.size_bytes
        if available is None or needed is None or available < needed:
            return "INSUFFICIENT_SPACE_IN_TARGET", f"tablespace {space} lacks free space"
    if c.custom_sql is not None:
        # The bench's policies have no custom_sql; the seed ran it per pair, as a query.
        raise NotImplementedError("custom_sql is not part of the benchmark workload")
    return "ELIGIBLE", f"eligible: age {days} days, {row.size_bytes / _MB:.1f} MB, {temp.value}"


def _targets(policies: PolicySet, policy: Policy) -> list[tuple]:
    """(pattern, thresholds) per table target of ``policy``, in the policy's order."""
    return [
        (t.compiled(), policies.resolve_profile(policies.profile_for(policy, t))[1])
        for t in policy.tables
    ]


def _thresholds_for(targets: list[tuple], owner: str, table: str) -> Thresholds | None:
    for pattern, thresholds in targets:
        if pattern.matches(owner, table):
            return thresholds
    return None


def evaluate_seed(
    engine: Engine,
    policies: PolicySet,
    versions: dict[str, int],
    free: dict[str, int],
    *,
    now: datetime,
    evaluation_id: str,
    deadline_s: float | None = None,
) -> dict:
    """Policy by policy, partition by partition; returns counts like evaluate_policies.

    With ``deadline_s`` the run stops (rolled back) once that many seconds have passed and
    raises DeadlineReached with the pairs done, so a caller can report a measured rate.
    """
    pa = partition_access
    list_keys = select(pa.c.owner, pa.c.table_name, pa.c.partition_name).order_by(
        pa.c.age_days.desc(), pa.c.owner, pa.c.table_name, pa.c.partition_name
    )
    one_row = select(pa).where(
        and_(
            pa.c.owner == bindparam("k_owner"),
            pa.c.table_name == bindparam("k_table"),
            pa.c.partition_name == bindparam("k_partition"),
        )
    )
    seed_metadata.create_all(engine, checkfirst=True)
    add_detail = insert(seed_details)
    add_queue = insert(ilm_queue)
    started = time.perf_counter()
    pairs = eligible = 0
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for policy in sorted(policies.policies, key=lambda p: (p.priority, p.name)):
            targets = _targets(policies, policy)
            version = versions[policy.name]
            # The seed listed the partitions once per policy, then went back for each row.
            for owner, table, partition in conn.execute(list_keys).all():
                thresholds = _thresholds_for(targets, owner, table)
                if thresholds is None:
                    continue
                row = conn.execute(
                    one_row, {"k_owner": owner, "k_table": table, "k_partition": partition}
                ).one()
                reason, text = decide(policy, thresholds, row, free)
                conn.execute(
                    add_detail,
                    {
                        "evaluation_id": evaluation_id,
                        "policy_name": policy.name,
                        "policy_version": version,
                        "owner": owner,
                        "table_name": table,
                        "partition_name": partition,
                        "eligible": reason == "ELIGIBLE",
                        "reason": reason,
                        "reason_text": text,
                        "evaluated_at": now,
                    },
                )
                if reason == "ELIGIBLE":
                    eligible += 1
                # A MERGE queues one item per period, on the period's last partition.
                period = getattr(policy.action, "period_kind", None)
                if reason == "ELIGIBLE" and (
                    period is None or getattr(row, f"{period.value}_last")
                ):
                    conn.execute(
                        add_queue,
                        {
                            "policy_name": policy.name,
                            "policy_version": version,
                            "priority": policy.priority,
                            "owner": owner,
                            "table_name": table,
                            "partition_name": partition,
                            "action": policy.kind.value,
                            "action_params": json.dumps({}),
                            "size_bytes": row.size_bytes,
                            "status": "PENDING",
                            "attempts": 0,
                            "carried_over": False,
                            "enqueued_at": now,
                            "updated_at": now,
                        },
                    )
                counts[reason] = counts.get(reason, 0) + 1
                pairs += 1
                if deadline_s is not None and pairs % 1000 == 0:
                    elapsed = time.perf_counter() - started
                    if elapsed > deadline_s:
                        # Leaving the block by an exception rolls the transaction back.
                        raise DeadlineReached(pairs, elapsed)
    return {"pairs": pairs, "eligible": eligible, "reasons": dict(sorted(counts.items()))}

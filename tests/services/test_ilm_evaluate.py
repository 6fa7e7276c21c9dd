"""Stage 2 set-based: the SQL evaluator against the pure one in core, on random data."""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, insert, select

from hcc_operators.core.actions import dump_params
from hcc_operators.core.eligibility import (
    PartitionState,
    PolicyTerms,
    checks_for,
    iter_details,
    temperature_expr,
)
from hcc_operators.core.eligibility.facts import DERIVED_FACTS, STORED_FACTS, column_of
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import ActionKind, CompressionType, ObjectRef
from hcc_operators.core.policy_config import parse_policies
from hcc_operators.core.selection import QueueItem, order_queue
from hcc_operators.repository.evaluation_reads import partition_decisions, reason_counts
from hcc_operators.repository.partition_rows import state_of
from hcc_operators.repository.tables import (
    evaluation_details,
    evaluations,
    ilm_queue,
    partition_access,
)
from hcc_operators.services.ilm_evaluate import evaluate_policies

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
SPACES = ("USERS", "TS_HOT", "TS_ARCH", "TS_FULL")
LEVELS = [c.value for c in CompressionType]
MB = 2**20


class Warehouse:
    def __init__(self, free: dict[str, int]) -> None:
        self.free = free

    def tablespaces(self):
        return {name: SimpleNamespace(free_bytes=b) for name, b in self.free.items()}


# Values a fact may take, by its type: every stored fact gets random values, NULLs included
# where the fact may be NULL, so any check that reads it sees its edge cases.
CHOICES = {
    "age_days": [0, 5, 29, 30, 31, 89, 90, 91, 200, 364, 365, 400, 1094, 1095, 4000, None],
    "size_bytes": [0, MB, 64 * MB, 100 * MB, 2**30, 50 * 2**30],
    "compression": LEVELS,
    "tablespace": list(SPACES) + [None],
    "tablespace_used_pct": [None, 10.0, 85.0, 90.0, 99.5],
    "access_source": [None, "HEATMAP", "AWR", "SIMULATED"],
    "modification_source": [None, "HEATMAP", "DML"],
}
DAYS = [None, 0, 3, 29, 30, 60, 89, 90, 91, 120, 500, 2000]
COUNTS = [None, 1, 2, 3, 12]
BYTES = [None, MB, 300 * MB, 2**30, 40 * 2**30]


def _value(rng: random.Random, name: str, annotation: str):
    if name in CHOICES:
        return rng.choice(CHOICES[name])
    if annotation == "bool":
        return rng.random() < 0.25
    if name.endswith("_members"):
        return rng.choice(COUNTS)
    if name.endswith("_bytes"):
        return rng.choice(BYTES)
    if name.endswith(("_days", "_months")):
        return rng.choice(DAYS)
    raise AssertionError(f"no generator for fact {name} ({annotation}): add one")


def random_rows(rng: random.Random, n: int) -> list[dict]:
    """Rows of hcc_partition_access with a random value for every stored fact."""
    annotations = {f.name: str(f.type) for f in fields(PartitionState)}
    rows = []
    tables = [("SALES", "ORDERS"), ("SALES", "CLICKS"), ("HR", "PAYROLL"), ("LOG", "EVENTS")]
    for i in range(n):
        owner, table = rng.choice(tables)
        facts = {name: _value(rng, name, annotations[name]) for name in STORED_FACTS}
        days = facts["age_days"]
        facts["age_months"] = None if days is None or rng.random() < 0.1 else days // 30
        row = {column_of(name): value for name, value in facts.items()}
        row.update(
            owner=owner,
            table_name=table,
            partition_name=f"P{i:04d}",
            temperature=rng.choice(["HOT", "WARM", "COLD", "FROZEN"]),
            refreshed_at=NOW,
            upper_bound=NOW - timedelta(days=days or 0),
        )
        rows.append(row)
    return rows


def test_the_generator_covers_every_fact_a_check_reads():
    policies = parse_policies(POLICIES)
    read = set()
    for policy in policies.policies:
        terms = PolicyTerms.of(policy)
        for _, expr in checks_for(terms, {"USERS": 1}):
            read |= expr.facts()
        read |= temperature_expr(terms.age_days_fact).facts()
        only = policy.action.queued_only_when()
        read |= only.facts() if only is not None else set()
    generated = set(STORED_FACTS) | set(DERIVED_FACTS) | {"hot_days", "warm_days", "cold_days"}
    derived_here = {"temperature"}
    assert read - derived_here <= generated
    # And every stored fact is read by some check of these policies (else it is untested).
    assert set(STORED_FACTS) <= read, set(STORED_FACTS) - read


POLICIES = """
settings: {allow_custom_sql: true, default_profile: DEFAULT}
profiles:
  DEFAULT: {hot_days: 90, warm_days: 365, cold_days: 1095}
  FAST: {hot_days: 30, warm_days: 180, cold_days: 730}
policies:
  - {name: qh, priority: 10, tables: ["SALES.*"], action: {type: COMPRESS, level: QUERY HIGH},
     conditions: {min_age_days: 90, min_size_mb: 64, temperatures: [WARM, COLD]}}
  - {name: pressure, priority: 5, profile: FAST, tables: [SALES.CLICKS, {pattern: "LOG.*"}],
     action: {type: COMPRESS, level: ARCHIVE LOW},
     conditions: {min_age_days: 30, min_tablespace_used_pct: 90}}
  - {name: tier, priority: 20, tables: ["*.*"],
     action: {type: MOVE, tablespace: TS_ARCH, compression: ARCHIVE HIGH},
     conditions: {min_age_months: 12, temperatures: [COLD, FROZEN]}}
  - {name: tier_plain, priority: 21, tables: [HR.PAYROLL],
     action: {type: MOVE, tablespace: TS_FULL}, conditions: {min_age_days: 30}}
  - {name: tier_nowhere, priority: 22, tables: [LOG.EVENTS],
     action: {type: MOVE, tablespace: NO_SUCH_TS}, conditions: {min_age_days: 1}}
  - {name: freeze, priority: 30, tables: ["*.*"], action: {type: READ_ONLY},
     conditions: {temperatures: [FROZEN]}}
  - {name: yearly, priority: 40, tables: ["SALES.*"], action: {type: MERGE},
     conditions: {min_age_months: 13}}
  - {name: purge, priority: 50, tables: ["LOG.*", {pattern: HR.PAYROLL, profile: FAST}],
     allow_destructive: true, action: {type: DROP}, conditions: {min_age_days: 365}}
  - {name: empty_old, priority: 51, tables: ["LOG.*"], allow_destructive: true,
     action: {type: TRUNCATE}, conditions: {min_age_months: 2}}
  - {name: switched_off, enabled: false, priority: 60, tables: ["*.*"],
     action: {type: COMPRESS, level: ADVANCED}}
  - {name: custom, priority: 70, tables: ["SALES.ORDERS"], action: {type: COMPRESS, level: ADVANCED},
     conditions: {custom_sql: "size_bytes >= 1073741824 AND read_only = 0"}}
  - {name: quarters, priority: 41, tables: ["LOG.*"], action: {type: MERGE, period: quarterly},
     conditions: {min_age_days: 60, min_age_months: 2}}
  - {name: ado, priority: 80, tables: ["*.*"], action: {type: COMPRESS, level: QUERY LOW},
     conditions: {no_access_days: 30, no_modification_days: 90}}
  - {name: purge_archived, priority: 52, tables: ["HR.*"], allow_destructive: true,
     action: {type: DROP, archive: true}, conditions: {min_age_months: 6}}
"""


def states_of(rows: list[dict], custom: dict[tuple, bool]) -> list[PartitionState]:
    return [
        state_of(
            SimpleNamespace(**r),
            custom_predicates={
                "custom": custom[(r["owner"], r["table_name"], r["partition_name"])]
            },
        )
        for r in rows
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_set_based_decisions_queue_and_texts_equal_the_pure_evaluator(sqlite_engine, seed):
    rng = random.Random(seed)
    rows = random_rows(rng, 400)
    free = {"USERS": 50 * 2**30, "TS_HOT": 0, "TS_ARCH": 10 * 2**30, "TS_FULL": MB}
    with sqlite_engine.begin() as conn:
        conn.execute(insert(partition_access), rows)
    policies = parse_policies(POLICIES)

    result = evaluate_policies(
        Warehouse(free), sqlite_engine, policies, now=NOW, evaluation_id="ev1"
    )

    custom = {
        (r["owner"], r["table_name"], r["partition_name"]): (
            r["size_bytes"] >= 2**30 and not r["read_only"]
        )
        for r in rows
    }
    states = states_of(rows, custom)
    expected = list(iter_details(policies, states, free))
    assert result["pairs"] == len(expected) > 1000
    want = {}
    for d in expected:
        want[d.reason.value] = want.get(d.reason.value, 0) + 1
    assert result["reasons"] == dict(sorted(want.items()))
    assert len(want) >= 10  # the random data reaches most reasons

    # The queue holds the eligible pairs, in queue order, with the pure path's parameters.
    with sqlite_engine.connect() as conn:
        queued = conn.execute(select(ilm_queue).order_by(ilm_queue.c.queue_id)).all()
        assert reason_counts(conn) == {r: n for r, n in _counts(expected).items()}
    eligible = [d for d in expected if d.queued]
    # The queue's own order is its index's; the order batches take them in is core's.
    items = [
        QueueItem(
            q.queue_id,
            q.policy_name,
            q.priority,
            q.enqueued_at,
            q.size_bytes,
            ActionKind(q.action),
            ObjectRef(q.owner, q.table_name, q.partition_name),
            age_days=q.age_days,
        )
        for q in queued
    ]
    by_id = {q.queue_id: q for q in queued}
    queued = [by_id[i.queue_id] for i in order_queue(items, now=NOW, boost_every_hours=None)]
    assert [(q.policy_name, q.owner, q.table_name, q.partition_name) for q in queued] == [
        (d.policy_name, d.ref.owner, d.ref.table, d.ref.partition) for d in eligible
    ]
    for q, d in zip(queued, eligible, strict=True):
        assert q.action_params == dump_params(d.policy.action)
        assert (q.priority, q.action, q.status, q.size_bytes) == (
            d.policy.priority,
            d.policy.kind.value,
            "PENDING",
            d.partition.size_bytes,
        )

    # Texts are rendered on read and read as the pure evaluator words them.
    by_partition: dict[str, list] = {}
    for d in expected:
        by_partition.setdefault(d.ref.label, []).append(d)
    with sqlite_engine.connect() as conn:
        for label in rng.sample(sorted(by_partition), 40):
            mine = by_partition[label]
            found = partition_decisions(conn, ObjectRef.parse(label))
            assert [(f.policy_name, f.reason, f.text) for f in found] == sorted(
                (d.policy_name, d.reason, d.text) for d in mine
            )


def _counts(details):
    out = {}
    for d in details:
        out[d.reason] = out.get(d.reason, 0) + 1
    return out


def test_a_second_evaluation_keeps_active_items_and_cancels_stale_ones(sqlite_engine):
    rows = random_rows(random.Random(7), 200)
    with sqlite_engine.begin() as conn:
        conn.execute(insert(partition_access), rows)
    wh = Warehouse({s: 2**40 for s in SPACES})
    first = evaluate_policies(
        wh, sqlite_engine, parse_policies(POLICIES), now=NOW, evaluation_id="ev1"
    )
    # A MERGE queues one item per period (its last partition), so fewer items than pairs.
    assert 0 < first["enqueued"] <= first["eligible"]
    again = evaluate_policies(
        wh,
        sqlite_engine,
        parse_policies(POLICIES),
        now=NOW + timedelta(hours=1),
        evaluation_id="ev2",
    )
    assert (again["enqueued"], again["cancelled_stale"]) == (0, 0)

    # Raising qh's minimum age makes its younger items stale: they are cancelled, once.
    stricter = POLICIES.replace(
        "min_age_days: 90, min_size_mb: 64", "min_age_days: 1000, min_size_mb: 64"
    )
    third = evaluate_policies(
        wh,
        sqlite_engine,
        parse_policies(stricter),
        now=NOW + timedelta(hours=2),
        evaluation_id="ev3",
    )
    with sqlite_engine.connect() as conn:
        cancelled = conn.execute(
            select(ilm_queue.c.policy_name, func.count())
            .where(ilm_queue.c.status == "CANCELLED")
            .group_by(ilm_queue.c.policy_name)
        ).all()
        assert conn.scalar(select(func.count()).select_from(evaluations)) == 3
    assert third["enqueued"] == 0 and third["cancelled_stale"] > 0
    assert cancelled == [("qh", third["cancelled_stale"])]


def test_a_broken_custom_predicate_names_the_policy_and_writes_nothing(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.execute(insert(partition_access), random_rows(random.Random(3), 20))
    broken = POLICIES.replace("size_bytes >= 1073741824", "no_such_column > 1")
    with pytest.raises(ConfigError) as err:
        evaluate_policies(
            Warehouse({}), sqlite_engine, parse_policies(broken), now=NOW, evaluation_id="bad"
        )
    assert "custom.conditions.custom_sql" in str(err.value)
    assert "no_such_column" in str(err.value)
    with sqlite_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(evaluations)) == 0
        assert conn.scalar(select(func.count()).select_from(evaluation_details)) == 0
        assert conn.scalar(select(func.count()).select_from(ilm_queue)) == 0


def test_the_statements_parse_as_oracle_sql():
    sqlglot = pytest.importorskip("sqlglot")
    from sqlalchemy.dialects import oracle

    from hcc_operators.services import ilm_evaluate

    policies = parse_policies(POLICIES)
    free = {"USERS": 10, "TS_ARCH": 20}
    statements = [ilm_evaluate._snapshot_statement(7)]
    for n, policy in enumerate(policies.policies, start=1):
        statements.append(ilm_evaluate._details_statement(7, policy, n, free))
        statements.append(ilm_evaluate._enqueue_statement(7, policy, n, {policy.name: 1}, NOW))
    statements.append(ilm_evaluate._cancel_statement(7, NOW))
    dialect = oracle.dialect()
    for statement in statements:
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        parsed = sqlglot.parse_one(sql, read="oracle")
        assert type(parsed).__name__ in ("Insert", "Update"), sql

"""The stage-2 checks as SQL: one CASE expression per policy that yields a reason code.

The CASE is compiled from core.eligibility.checks, the same expressions the pure evaluator
compiles to closures, in the same order, so both give the same first failing reason (and
tests/services/test_ilm_evaluate.py holds them to it on random data). SQLAlchemy Core renders
it for SQLite (the embedded warehouse) and Oracle alike; NULL facts behave as the pure side's
three-valued logic says (core/expr.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import and_, case, exists, func, literal, not_, null, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from hcc_operators.core import expr as e
from hcc_operators.core.eligibility import PolicyTerms, checks_for, temperature_expr
from hcc_operators.core.eligibility.facts import column_of
from hcc_operators.core.models import CompressionType
from hcc_operators.core.policy_config import Policy
from hcc_operators.core.reasons import Reason
from hcc_operators.repository.tables import partition_access

Read = Callable[[str], ColumnElement]

_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def compression_rank(column: ColumnElement) -> ColumnElement:
    """CompressionType.rank of a stored COMPRESS_FOR value (refresh writes the enum's value)."""
    return case({ct.value: ct.rank for ct in CompressionType}, value=column, else_=null())


def to_sql(node: e.Expr, read: Read, owner_keys=None) -> ColumnElement:
    """``node`` as a SQL expression; ``read`` maps a fact name to its column expression."""
    if isinstance(node, e.Fact):
        return read(node.name)
    if isinstance(node, e.Const):
        return null() if node.value is None else literal(node.value)
    if isinstance(node, e.Cmp):
        return _OPS[node.op](
            to_sql(node.left, read, owner_keys), to_sql(node.right, read, owner_keys)
        )
    if isinstance(node, e.IsNull):
        return to_sql(node.expr, read, owner_keys).is_(None)
    if isinstance(node, e.And):
        return and_(*(to_sql(p, read, owner_keys) for p in node.parts))
    if isinstance(node, e.Or):
        return or_(*(to_sql(p, read, owner_keys) for p in node.parts))
    if isinstance(node, e.Not):
        return not_(to_sql(node.expr, read, owner_keys))
    if isinstance(node, e.In):
        return to_sql(node.expr, read, owner_keys).in_(list(node.values))
    if isinstance(node, e.Coalesce):
        return func.coalesce(
            to_sql(node.expr, read, owner_keys), to_sql(node.default, read, owner_keys)
        )
    if isinstance(node, e.Add):
        return to_sql(node.left, read, owner_keys) + to_sql(node.right, read, owner_keys)
    if isinstance(node, e.Lookup):
        if not node.mapping:
            return null()
        return case(dict(node.mapping), value=to_sql(node.key, read, owner_keys), else_=null())
    if isinstance(node, e.Case):
        return case(
            *((to_sql(w, read, owner_keys), to_sql(v, read, owner_keys)) for w, v in node.whens),
            else_=to_sql(node.default, read, owner_keys),
        )
    if isinstance(node, e.CustomPredicate):
        if owner_keys is None:
            raise ValueError("a custom predicate needs the partition's key columns")
        return _custom_holds(owner_keys, node.sql)
    raise TypeError(f"no SQL for expression node {type(node).__name__}")


def reader(o, t) -> Read:
    """Facts from a row of hcc_ilm_eval_objects (``o``) joined to the policy's targets (``t``,
    which holds the band limits); the temperature is computed from both."""

    def base(name: str) -> ColumnElement:
        if name in ("hot_days", "warm_days", "cold_days"):
            return getattr(t, name)
        return getattr(o, column_of(name))

    return base


def temperature(o, t, age_fact: str = "age_days") -> ColumnElement:
    return to_sql(temperature_expr(age_fact), reader(o, t))


def reason_code(policy: Policy, o, t, tablespaces_free: Mapping[str, int]) -> ColumnElement:
    """The reason code of ``policy`` for the partition in ``o`` (targeted through ``t``)."""
    terms = PolicyTerms.of(policy)
    base = reader(o, t)
    temp = temperature(o, t, terms.age_days_fact)

    def read(name: str) -> ColumnElement:
        return temp if name == "temperature" else base(name)

    whens: list[tuple[ColumnElement, int]] = []
    for check, condition in checks_for(terms, tablespaces_free):
        if condition == e.TRUE:
            if not whens:
                return literal(check.reason.code)
            return case(*whens, else_=check.reason.code)
        whens.append((to_sql(condition, read, o), check.reason.code))
    if not whens:
        return literal(Reason.ELIGIBLE.code)
    return case(*whens, else_=Reason.ELIGIBLE.code)


def queued_only(policy: Policy, o, t) -> ColumnElement | None:
    """The condition an eligible partition must meet to get a queue item, or None."""
    only = policy.action.queued_only_when()
    if only is None:
        return None
    return to_sql(only, reader(o, t), o)


def custom_predicate_check(custom_sql: str):
    """A statement that runs ``custom_sql`` once, so a broken predicate fails before any write."""
    return select(literal(1)).select_from(partition_access).where(text(f"({custom_sql})")).limit(1)


def _custom_holds(o, custom_sql: str) -> ColumnElement:
    # The predicate sees hcc_partition_access's columns, as documented for custom_sql.
    pa = partition_access
    return exists(
        select(literal(1))
        .select_from(pa)
        .where(
            pa.c.owner == o.owner,
            pa.c.table_name == o.table_name,
            pa.c.partition_name == o.partition_name,
            text(f"({custom_sql})"),
        )
    )

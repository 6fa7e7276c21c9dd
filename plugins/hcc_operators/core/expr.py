"""A small expression language over partition facts, for the eligibility checks.

Each check is written once as an expression; ``compile_truth`` turns it into a Python closure
for the pure evaluator and ``hcc explain``, and repository/evaluation_sql.py turns the same tree
into SQL for the set-based stage 2. Writing the rule once is what keeps the three in step.

Semantics are SQL's: a NULL fact makes a comparison unknown, and a check fails only when its
expression is *true* (a CASE WHEN takes a branch only on true). The Python side therefore
compiles two closures per node, "is true" and "is false", instead of carrying three values:
(a AND b) is true iff both are true, NOT a is true iff a is false, and so on. That gives the
SQL answer for every NULL without a third value in the hot loop.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class Expr:
    """Base of the expression nodes; build them with the helpers below."""

    def facts(self) -> set[str]:
        """Names of the facts the expression reads."""
        found: set[str] = set()
        _collect(self, found)
        return found


@dataclass(frozen=True)
class Fact(Expr):
    """A partition fact: a PartitionState attribute and the column of the same name."""

    name: str


@dataclass(frozen=True)
class Const(Expr):
    value: Any


@dataclass(frozen=True)
class Cmp(Expr):
    op: str  # one of OPS
    left: Expr
    right: Expr


@dataclass(frozen=True)
class IsNull(Expr):
    expr: Expr


@dataclass(frozen=True)
class And(Expr):
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Or(Expr):
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Not(Expr):
    expr: Expr


@dataclass(frozen=True)
class In(Expr):
    expr: Expr
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Coalesce(Expr):
    expr: Expr
    default: Expr


@dataclass(frozen=True)
class Add(Expr):
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Lookup(Expr):
    """``mapping[key]``, NULL when the key is NULL or missing (free bytes per tablespace)."""

    key: Expr
    mapping: tuple[tuple[Any, Any], ...]


@dataclass(frozen=True)
class Case(Expr):
    """The value of the first ``when`` that is true, else ``default``."""

    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr


@dataclass(frozen=True)
class CustomPredicate(Expr):
    """A policy's reviewed custom_sql. SQL runs it against hcc_partition_access; the pure side
    reads the result recorded for the policy in ``custom_predicates`` (never NULL: an
    unevaluated predicate is false, so it cannot let work through)."""

    policy: str
    sql: str


OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


# --- builders ----------------------------------------------------------------------------


def fact(name: str) -> Fact:
    return Fact(name)


def const(value: Any) -> Const:
    return Const(value)


def _e(value: Any) -> Expr:
    return value if isinstance(value, Expr) else Const(value)


def lt(a, b) -> Cmp:
    return Cmp("<", _e(a), _e(b))


def le(a, b) -> Cmp:
    return Cmp("<=", _e(a), _e(b))


def gt(a, b) -> Cmp:
    return Cmp(">", _e(a), _e(b))


def ge(a, b) -> Cmp:
    return Cmp(">=", _e(a), _e(b))


def eq(a, b) -> Cmp:
    return Cmp("==", _e(a), _e(b))


def ne(a, b) -> Cmp:
    return Cmp("!=", _e(a), _e(b))


def is_null(a) -> IsNull:
    return IsNull(_e(a))


def not_null(a) -> Not:
    return Not(IsNull(_e(a)))


def all_of(*parts) -> Expr:
    parts = tuple(_e(p) for p in parts)
    return parts[0] if len(parts) == 1 else And(parts)


def any_of(*parts) -> Expr:
    parts = tuple(_e(p) for p in parts)
    return parts[0] if len(parts) == 1 else Or(parts)


def not_(a) -> Not:
    return Not(_e(a))


def is_in(a, values) -> In:
    return In(_e(a), tuple(values))


def coalesce(a, default) -> Coalesce:
    return Coalesce(_e(a), _e(default))


def add(a, b) -> Add:
    return Add(_e(a), _e(b))


def lookup(key, mapping: Mapping) -> Lookup:
    return Lookup(_e(key), tuple(sorted(mapping.items())))


def case(whens, default) -> Case:
    return Case(tuple((_e(w), _e(v)) for w, v in whens), _e(default))


TRUE = Const(True)


def _collect(node: Expr, found: set[str]) -> None:
    if isinstance(node, Fact):
        found.add(node.name)
        return
    for value in vars(node).values():
        if isinstance(value, Expr):
            _collect(value, found)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Expr):
                    _collect(item, found)
                elif isinstance(item, tuple):
                    for sub in item:
                        if isinstance(sub, Expr):
                            _collect(sub, found)


# --- Python compilation ------------------------------------------------------------------

#: Reads a fact from the evaluation's environment (partition state plus derived facts).
Reader = Callable[[str], Callable[[Any], Any]]
Closure = Callable[[Any], Any]


def compile_value(node: Expr, read: Reader) -> Closure:
    """A closure computing the value of ``node`` (None for SQL NULL)."""
    if isinstance(node, Fact):
        return read(node.name)
    if isinstance(node, Const):
        value = node.value
        return lambda env: value
    if isinstance(node, Coalesce):
        inner, default = compile_value(node.expr, read), compile_value(node.default, read)

        def coalesced(env):
            value = inner(env)
            return default(env) if value is None else value

        return coalesced
    if isinstance(node, Add):
        left, right = compile_value(node.left, read), compile_value(node.right, read)

        def added(env):
            a, b = left(env), right(env)
            return None if a is None or b is None else a + b

        return added
    if isinstance(node, Lookup):
        key, table = compile_value(node.key, read), dict(node.mapping)

        def looked_up(env):
            k = key(env)
            return None if k is None else table.get(k)

        return looked_up
    if isinstance(node, Case):
        whens = [(compile_truth(w, read), compile_value(v, read)) for w, v in node.whens]
        default = compile_value(node.default, read)

        def chosen(env):
            for when, value in whens:
                if when(env):
                    return value(env)
            return default(env)

        return chosen
    # A predicate used as a value: true, false or unknown.
    true, false = compile_truth(node, read), compile_falsity(node, read)
    return lambda env: True if true(env) else (False if false(env) else None)


def compile_truth(node: Expr, read: Reader) -> Closure:
    """A closure answering "is ``node`` true?" (False for false and for unknown)."""
    if isinstance(node, Cmp):
        return _compare(node.op, node.left, node.right, read)
    if isinstance(node, IsNull):
        inner = compile_value(node.expr, read)
        return lambda env: inner(env) is None
    if isinstance(node, And):
        parts = [compile_truth(p, read) for p in node.parts]
        return lambda env: all(p(env) for p in parts)
    if isinstance(node, Or):
        parts = [compile_truth(p, read) for p in node.parts]
        return lambda env: any(p(env) for p in parts)
    if isinstance(node, Not):
        return compile_falsity(node.expr, read)
    if isinstance(node, In):
        inner, values = compile_value(node.expr, read), frozenset(node.values)
        return lambda env: inner(env) in values
    if isinstance(node, CustomPredicate):
        name, results = node.policy, read("custom_predicates")
        return lambda env: (results(env) or {}).get(name) is True
    if isinstance(node, Const):
        value = node.value is True
        return lambda env: value
    value = compile_value(node, read)
    return lambda env: value(env) is True


def compile_falsity(node: Expr, read: Reader) -> Closure:
    """A closure answering "is ``node`` false?" (False for true and for unknown)."""
    if isinstance(node, Cmp):
        return _compare(_NEGATED[node.op], node.left, node.right, read)
    if isinstance(node, IsNull):
        inner = compile_value(node.expr, read)
        return lambda env: inner(env) is not None
    if isinstance(node, And):
        parts = [compile_falsity(p, read) for p in node.parts]
        return lambda env: any(p(env) for p in parts)
    if isinstance(node, Or):
        parts = [compile_falsity(p, read) for p in node.parts]
        return lambda env: all(p(env) for p in parts)
    if isinstance(node, Not):
        return compile_truth(node.expr, read)
    if isinstance(node, In):
        inner, values = compile_value(node.expr, read), frozenset(node.values)

        def not_in(env):
            v = inner(env)
            return v is not None and v not in values

        return not_in
    if isinstance(node, CustomPredicate):
        truth = compile_truth(node, read)
        return lambda env: not truth(env)
    if isinstance(node, Const):
        value = node.value is False
        return lambda env: value
    value = compile_value(node, read)
    return lambda env: value(env) is False


def _compare(op: str, left: Expr, right: Expr, read: Reader) -> Closure:
    fn = OPS[op]
    a = compile_value(left, read)
    if isinstance(right, Const):
        # The common shape (fact < constant), kept to one call per check.
        b = right.value
        if b is None:
            return lambda env: False

        def against_constant(env):
            v = a(env)
            return v is not None and fn(v, b)

        return against_constant
    bb = compile_value(right, read)

    def compared(env):
        v, w = a(env), bb(env)
        return v is not None and w is not None and fn(v, w)

    return compared

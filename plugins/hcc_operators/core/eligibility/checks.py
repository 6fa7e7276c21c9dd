"""The eligibility checks, in the order they are made: each written once as an expression.

A check says when it *fails* (an expression over partition facts, core.expr) and
how its reason reads. The pure evaluator compiles the expressions to closures, the set-based
stage 2 compiles them to one SQL CASE per policy (repository/evaluation_sql.py), and
``hcc explain`` uses the pure evaluator on facts read live: the first failing check is the
recorded reason in all three. Kind-specific parts (is the target state reached, is the
compression lower, what space a rewrite needs) come from the action kind's parameters
(core.actions), so a new kind needs no edit here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hcc_operators.core.actions import ActionParams
from hcc_operators.core.eligibility.facts import SOURCE_NAMES, PartitionState
from hcc_operators.core.expr import (
    TRUE,
    Expr,
    all_of,
    any_of,
    case,
    coalesce,
    const,
    eq,
    fact,
    is_in,
    is_null,
    lookup,
    lt,
    not_,
    not_null,
)
from hcc_operators.core.expr import CustomPredicate as _Custom
from hcc_operators.core.models import ActionKind
from hcc_operators.core.policy_config import Conditions, Policy
from hcc_operators.core.reasons import Reason
from hcc_operators.core.temperature import Temperature
from hcc_operators.core.units import MIB, format_bytes


@dataclass(frozen=True, slots=True)
class PolicyTerms:
    """What the checks read from one policy, computed once per evaluation."""

    policy: Policy
    name: str
    version: str
    kind: ActionKind
    params: ActionParams
    conditions: Conditions
    age_days_fact: str
    age_months_fact: str
    age_label: str

    @classmethod
    def of(cls, policy: Policy) -> PolicyTerms:
        days, months, label = policy.action.age_facts()
        return cls(
            policy=policy,
            name=policy.name,
            version=policy.checksum,
            kind=policy.kind,
            params=policy.action,
            conditions=policy.conditions,
            age_days_fact=days,
            age_months_fact=months,
            age_label=label,
        )


def temperature_expr(age_fact: str = "age_days") -> Expr:
    """core.temperature.temperature as an expression over the policy's band limits: a recent
    access makes a partition HOT; a partition without an age is HOT."""
    age, access, hot = fact(age_fact), fact("last_access_days"), fact("hot_days")
    return case(
        [
            (is_null(age), Temperature.HOT.value),
            (lt(age, hot), Temperature.HOT.value),
            (all_of(not_null(access), lt(access, hot)), Temperature.HOT.value),
            (lt(age, fact("warm_days")), Temperature.WARM.value),
            (lt(age, fact("cold_days")), Temperature.COLD.value),
        ],
        Temperature.FROZEN.value,
    )


Text = Callable[[PolicyTerms, PartitionState, str, Mapping[str, int]], tuple[str, tuple]]
Fails = Callable[[PolicyTerms, Mapping[str, int]], Expr | None]


@dataclass(frozen=True)
class Check:
    """``fails(terms, free)``: when the check fails for the policy (None: it does not apply
    to the policy); ``text(terms, state, temperature, free)``: the reason's template and
    values. ``free`` maps tablespaces to their free bytes at the evaluation."""

    reason: Reason
    fails: Fails
    text: Text


def _age(terms: PolicyTerms, state: PartitionState, field: str) -> int:
    return getattr(state, field) or 0


def _target_space(terms: PolicyTerms, free: Mapping[str, int]) -> Expr:
    target = terms.params.target_tablespace()
    return const(free.get(target)) if target else lookup(fact("tablespace"), free)


def _space_name(terms: PolicyTerms, state: PartitionState) -> str:
    return terms.params.target_tablespace() or state.tablespace or "(none)"


def _needed(terms: PolicyTerms, state: PartitionState) -> int:
    from hcc_operators.core.eligibility.evaluate import value_of

    return value_of(terms.params.space_needed(), state) or 0


def _ado_source(source: str | None, what: str) -> str:
    if not source:
        return f"no source tracks {what}"
    return f"{what} tracked by {SOURCE_NAMES.get(source, source)}"


def _c(terms: PolicyTerms) -> Conditions:
    return terms.conditions


CHECKS: tuple[Check, ...] = (
    Check(
        Reason.POLICY_DISABLED,
        lambda t, f: None if t.policy.enabled else TRUE,
        lambda t, s, temp, free: ("policy {} is disabled", (t.name,)),
    ),
    Check(
        Reason.TOO_YOUNG,
        lambda t, f: (
            None
            if _c(t).min_age_days is None
            else lt(coalesce(fact(t.age_days_fact), 0), _c(t).min_age_days)
        ),
        lambda t, s, temp, free: (
            f"{t.age_label} {{}} days < minimum {{}} days",
            (_age(t, s, t.age_days_fact), _c(t).min_age_days),
        ),
    ),
    Check(
        Reason.TOO_YOUNG,
        lambda t, f: (
            None
            if _c(t).min_age_months is None
            else lt(coalesce(fact(t.age_months_fact), 0), _c(t).min_age_months)
        ),
        lambda t, s, temp, free: (
            f"{t.age_label} {{}} months < minimum {{}} months",
            (_age(t, s, t.age_months_fact), _c(t).min_age_months),
        ),
    ),
    Check(
        Reason.TOO_SMALL,
        lambda t, f: (
            None if _c(t).min_size_mb is None else lt(fact("size_bytes"), _c(t).min_size_mb * MIB)
        ),
        lambda t, s, temp, free: (
            "size {} < minimum {}",
            (format_bytes(s.size_bytes or 0), format_bytes(_c(t).min_size_mb * MIB)),
        ),
    ),
    Check(
        Reason.TEMPERATURE_MISMATCH,
        lambda t, f: (
            None
            if not _c(t).temperatures
            else not_(is_in(fact("temperature"), sorted(x.value for x in _c(t).temperatures)))
        ),
        lambda t, s, temp, free: (
            "temperature {} not in [{}]",
            (temp, ", ".join(x.value for x in _c(t).temperatures or ())),
        ),
    ),
    # ADO's "no access for N days": unknown access (nothing tracks reads) is not "no access".
    Check(
        Reason.RECENTLY_ACCESSED,
        lambda t, f: (
            None
            if _c(t).no_access_days is None
            else any_of(
                is_null(fact("access_source")),
                all_of(
                    not_null(fact("last_access_days")),
                    lt(fact("last_access_days"), _c(t).no_access_days),
                ),
            )
        ),
        lambda t, s, temp, free: (
            "read {} days ago < {} days without access ({})",
            (
                "unknown" if s.last_access_days is None else s.last_access_days,
                _c(t).no_access_days,
                _ado_source(s.access_source, "reads"),
            ),
        ),
    ),
    # ADO's "no modification for N days": Heat Map's write time, else DML monitoring.
    Check(
        Reason.RECENTLY_MODIFIED,
        lambda t, f: (
            None
            if _c(t).no_modification_days is None
            else any_of(
                is_null(fact("modification_source")),
                is_null(fact("last_modification_days")),
                lt(fact("last_modification_days"), _c(t).no_modification_days),
            )
        ),
        lambda t, s, temp, free: (
            "modified {} days ago < {} days without modification ({})",
            (
                "unknown" if s.last_modification_days is None else s.last_modification_days,
                _c(t).no_modification_days,
                _ado_source(s.modification_source, "modifications"),
            ),
        ),
    ),
    Check(
        Reason.NO_SPACE_PRESSURE,
        lambda t, f: (
            None if _c(t).min_tablespace_used_pct is None else is_null(fact("tablespace_used_pct"))
        ),
        lambda t, s, temp, free: (
            "usage of tablespace {} unknown; threshold {:g}%",
            (s.tablespace, _c(t).min_tablespace_used_pct),
        ),
    ),
    Check(
        Reason.NO_SPACE_PRESSURE,
        lambda t, f: (
            None
            if _c(t).min_tablespace_used_pct is None
            else lt(fact("tablespace_used_pct"), _c(t).min_tablespace_used_pct)
        ),
        lambda t, s, temp, free: (
            "tablespace {} {:.1f}% used < threshold {:g}%",
            (s.tablespace, s.tablespace_used_pct, _c(t).min_tablespace_used_pct),
        ),
    ),
    Check(
        Reason.ALREADY_IN_TARGET_STATE,
        lambda t, f: t.params.target_reached(),
        lambda t, s, temp, free: t.params.target_reached_text(s),
    ),
    Check(
        Reason.COMPRESSION_NOT_HIGHER,
        lambda t, f: t.params.lower_than_current(),
        lambda t, s, temp, free: t.params.lower_text(s),
    ),
    Check(
        Reason.DESTRUCTIVE_NOT_ALLOWED,
        lambda t, f: TRUE if t.kind.destructive and not t.policy.allow_destructive else None,
        lambda t, s, temp, free: ("{} without allow_destructive: true", (t.kind.value,)),
    ),
    Check(
        Reason.NEWEST_PARTITION,
        lambda t, f: eq(fact("is_newest"), True) if t.kind.destructive else None,
        lambda t, s, temp, free: (
            "{} is the newest partition of {}.{}",
            (s.ref.partition, s.ref.owner, s.ref.table),
        ),
    ),
    Check(
        Reason.HOT_PARTITION,
        lambda t, f: eq(fact("temperature"), Temperature.HOT.value) if t.kind.destructive else None,
        lambda t, s, temp, free: (
            "temperature HOT (age {} days, last access {} days)",
            (
                s.age_days or 0,
                "unknown" if s.last_access_days is None else s.last_access_days,
            ),
        ),
    ),
    Check(
        Reason.UNSUPPORTED_LAYOUT,
        lambda t, f: t.params.unsupported(),
        lambda t, s, temp, free: t.params.unsupported_text(s),
    ),
    Check(
        Reason.NO_MERGE_TARGET,
        lambda t, f: t.params.nothing_to_merge(),
        lambda t, s, temp, free: t.params.nothing_to_merge_text(s),
    ),
    Check(
        Reason.INSUFFICIENT_SPACE_IN_TARGET,
        lambda t, f: is_null(_target_space(t, f)) if t.kind.rewrites_segment else None,
        lambda t, s, temp, free: ("free space of tablespace {} unknown", (_space_name(t, s),)),
    ),
    Check(
        Reason.INSUFFICIENT_SPACE_IN_TARGET,
        lambda t, f: (
            lt(_target_space(t, f), t.params.space_needed()) if t.kind.rewrites_segment else None
        ),
        lambda t, s, temp, free: (
            "tablespace {} has {} free < {} needed",
            (
                _space_name(t, s),
                format_bytes(_free_of(t, s, free) or 0),
                format_bytes(_needed(t, s) or 0),
            ),
        ),
    ),
    Check(
        Reason.CUSTOM_PREDICATE_FALSE,
        lambda t, f: None if _c(t).custom_sql is None else not_(_Custom(t.name, _c(t).custom_sql)),
        lambda t, s, temp, free: (
            ("custom_sql was not evaluated: {}", (_c(t).custom_sql,))
            if (s.custom_predicates or {}).get(t.name) is None
            else ("custom_sql is false: {}", (_c(t).custom_sql,))
        ),
    ),
)


def _free_of(terms: PolicyTerms, state: PartitionState, free: Mapping[str, int]) -> int | None:
    target = terms.params.target_tablespace() or state.tablespace
    return free.get(target) if target else None


def eligible_text(
    terms: PolicyTerms, state: PartitionState, temp: str, free: Mapping[str, int]
) -> tuple[str, tuple]:
    return (
        "eligible: age {} days, {}, {}, {} in {}",
        (
            state.age_days or 0,
            format_bytes(state.size_bytes or 0),
            temp,
            state.compression.value,
            state.tablespace,
        ),
    )


#: The reasons in the order they are checked (a reason may have several checks).
EVALUATION_ORDER: tuple[Reason, ...] = tuple(dict.fromkeys(c.reason for c in CHECKS))


def checks_for(terms: PolicyTerms, free: Mapping[str, int]) -> list[tuple[Check, Expr]]:
    """The checks that apply to a policy, with their failure expressions, in order; a check
    that fails for every partition ends the list, as it ends every decision."""
    found: list[tuple[Check, Expr]] = []
    for check in CHECKS:
        expr = check.fails(terms, free)
        if expr is None:
            continue
        found.append((check, expr))
        if expr == TRUE:
            break
    return found

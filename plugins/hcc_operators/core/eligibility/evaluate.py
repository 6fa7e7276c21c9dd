"""The pure evaluator: which policies apply to which partitions, with the reason for each.

It compiles each policy's checks (core.eligibility.checks) to closures once and runs them per
partition; stage 2 runs the same checks as SQL, ``hcc explain`` through ``explain`` here.
Table patterns are matched once per (policy, table). A detail keeps references and raw values;
its text is formatted only when read, because most of the millions of details produced per run
are written out and never displayed.
"""

from __future__ import annotations

import gc
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hcc_operators.core.eligibility.checks import (
    Check,
    PolicyTerms,
    checks_for,
    eligible_text,
    temperature_expr,
)
from hcc_operators.core.eligibility.facts import PartitionState
from hcc_operators.core.expr import Expr, compile_truth, compile_value
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.policy_config import Policy, PolicySet, TableTarget
from hcc_operators.core.reasons import Reason
from hcc_operators.core.table_patterns import TablePattern
from hcc_operators.core.temperature import Thresholds

#: A profile's (hot_days, warm_days, cold_days): the band limits a policy applies to a table.
Limits = tuple[int, int, int]
_LIMIT_INDEX = {"hot_days": 0, "warm_days": 1, "cold_days": 2}


def _read(name: str):
    """How a compiled check reads a fact from its environment ``(state, temperature, limits)``."""
    if name == "temperature":
        return operator.itemgetter(1)
    if name in _LIMIT_INDEX:
        i = _LIMIT_INDEX[name]
        return lambda env: env[2][i]
    if name == "compression_rank":
        return lambda env: env[0].compression.rank
    getter = operator.attrgetter(name)
    return lambda env: getter(env[0])


def value_of(expr: Expr, state: PartitionState, limits: Limits = (1, 2, 3)) -> Any:
    """The value of ``expr`` for one partition (for reason texts; not for hot loops)."""
    return compile_value(expr, _read)((state, None, limits))


@dataclass(slots=True)
class CompiledPolicy:
    terms: PolicyTerms
    temperature: Any
    checks: list[tuple[Check, Any]]
    queued: Any  # closure: whether an eligible partition gets the queue item (None: all do)
    free: Mapping[str, int]


def compile_policy(policy: Policy, free: Mapping[str, int]) -> CompiledPolicy:
    terms = PolicyTerms.of(policy)
    only = policy.action.queued_only_when()
    return CompiledPolicy(
        terms=terms,
        temperature=compile_value(temperature_expr(terms.age_days_fact), _read),
        checks=[(check, compile_truth(expr, _read)) for check, expr in checks_for(terms, free)],
        queued=None if only is None else compile_truth(only, _read),
        free=free,
    )


class EvaluationDetail(NamedTuple):
    """Why one policy does or does not apply to one partition.

    A named tuple rather than a frozen dataclass: millions are built per run and a tuple is
    several times cheaper to construct.
    """

    compiled: CompiledPolicy
    partition: PartitionState
    reason: Reason
    check: Check | None  # the failing check; None when eligible
    temperature: str
    queued: bool = False

    @property
    def plan(self) -> PolicyTerms:
        return self.compiled.terms

    @property
    def policy(self) -> Policy:
        return self.compiled.terms.policy

    @property
    def policy_name(self) -> str:
        return self.compiled.terms.name

    @property
    def policy_version(self) -> str:
        return self.compiled.terms.version

    @property
    def ref(self) -> ObjectRef:
        return self.partition.ref

    @property
    def eligible(self) -> bool:
        return self.reason is Reason.ELIGIBLE

    @property
    def text(self) -> str:
        args = (self.compiled.terms, self.partition, self.temperature, self.compiled.free)
        template, values = (self.check.text if self.check else eligible_text)(*args)
        return template.format(*values)

    def to_dict(self) -> dict:
        return {
            "policy": self.policy_name,
            "policy_version": self.policy_version,
            "object": self.ref.label,
            "action": self.plan.kind.value,
            "eligible": self.eligible,
            "reason": self.reason.value,
            "text": self.text,
        }


class EligiblePair(NamedTuple):
    policy: Policy
    partition: PartitionState


@dataclass
class EvaluationResult:
    details: list[EvaluationDetail]
    eligible: list[EligiblePair]
    warnings: list[str] = field(default_factory=list)

    @property
    def queued(self) -> list[EligiblePair]:
        """The eligible pairs that get a queue item (a MERGE: one per period)."""
        return [EligiblePair(d.policy, d.partition) for d in self.details if d.queued]

    def counts(self) -> dict[Reason, int]:
        out: dict[Reason, int] = {}
        for detail in self.details:
            out[detail.reason] = out.get(detail.reason, 0) + 1
        return out


_ELIGIBLE = Reason.ELIGIBLE


def _decide(compiled: CompiledPolicy, state: PartitionState, limits: Limits) -> EvaluationDetail:
    temp = compiled.temperature((state, None, limits))
    env = (state, temp, limits)
    for check, fails in compiled.checks:
        if fails(env):
            return EvaluationDetail(compiled, state, check.reason, check, temp)
    queued = compiled.queued is None or compiled.queued(env)
    return EvaluationDetail(compiled, state, _ELIGIBLE, None, temp, queued)


def _as_policy_set(policies: PolicySet | Sequence[Policy]) -> PolicySet:
    if isinstance(policies, PolicySet):
        return policies
    return PolicySet(policies=tuple(policies))


def _first_target(
    targets: Sequence[tuple[TablePattern, TableTarget]], owner: str, table: str
) -> TableTarget | None:
    for pattern, target in targets:
        if pattern.matches(owner, table):
            return target
    return None


def _oldest_first(state: PartitionState) -> tuple:
    # Plain strings, not ObjectRef, in the key: dataclass comparison is many times slower.
    ref = state.ref
    return (
        -(state.age_days or 0),
        ref.owner,
        ref.table,
        ref.partition or "",
        ref.subpartition or "",
    )


def table_limits(
    policy_set: PolicySet,
    tables: Sequence[tuple[str, str]],
    *,
    warnings: list[str] | None = None,
) -> Iterator[tuple[Policy, list[Limits | None]]]:
    """Per policy in queue order (priority, then name): for each of ``tables`` (owner, table)
    the temperature limits of the profile its first matching target names, or None when the
    policy does not target that table. Profile fallbacks are appended to ``warnings`` once per
    (policy, profile). Both evaluators (pure and set-based SQL) take their targeting from here.
    """
    resolved: dict[str | None, tuple[Thresholds, str | None]] = {}
    warned: set[tuple[str, str | None]] = set()

    def thresholds_for(policy: Policy, target: TableTarget) -> Limits:
        wanted = policy_set.profile_for(policy, target)
        if wanted not in resolved:
            _, found, warning = policy_set.resolve_profile(wanted)
            resolved[wanted] = (found, warning)
        found, warning = resolved[wanted]
        if warning and warnings is not None and (policy.name, wanted) not in warned:
            warned.add((policy.name, wanted))
            warnings.append(f"policy {policy.name}: {warning}")
        return found.hot_days, found.warm_days, found.cold_days

    for policy in sorted(policy_set.policies, key=lambda pol: (pol.priority, pol.name)):
        targets = [(t.compiled(), t) for t in policy.tables]
        limits: list[Limits | None] = []
        for owner, table in tables:
            target = _first_target(targets, owner, table)
            limits.append(None if target is None else thresholds_for(policy, target))
        yield policy, limits


def decide(
    policy: Policy,
    state: PartitionState,
    limits: Limits,
    tablespaces_free: Mapping[str, int],
) -> EvaluationDetail:
    """One policy's decision for one partition whose table it targets with ``limits``: what
    the set-based evaluator's stored reason codes are rendered back into text with."""
    return _decide(compile_policy(policy, tablespaces_free), state, limits)


def iter_details(
    policies: PolicySet | Sequence[Policy],
    partitions: Iterable[PartitionState],
    tablespaces_free: Mapping[str, int],
    *,
    warnings: list[str] | None = None,
) -> Iterator[EvaluationDetail]:
    """Details in queue order: policy by policy (priority, then name), and within a policy the
    oldest partition first (then owner, table, partition name)."""
    policy_set = _as_policy_set(policies)
    states = sorted(partitions, key=_oldest_first)
    table_index: dict[tuple[str, str], int] = {}
    table_of = [
        table_index.setdefault((s.ref.owner, s.ref.table), len(table_index)) for s in states
    ]
    for policy, limits in table_limits(policy_set, list(table_index), warnings=warnings):
        if not any(limits):
            continue
        compiled = compile_policy(policy, tablespaces_free)
        for state, table in zip(states, table_of, strict=True):
            bands = limits[table]
            if bands is not None:
                yield _decide(compiled, state, bands)


def evaluate(
    policies: PolicySet | Sequence[Policy],
    partitions: Iterable[PartitionState],
    tablespaces_free: Mapping[str, int],
) -> EvaluationResult:
    """Every (policy, partition of a target table) decision and the eligible pairs, both in
    queue order (see ``iter_details``); at a million partitions prefer streaming with
    ``iter_details``, since holding every detail costs memory in the gigabytes."""
    warnings: list[str] = []
    # The details form no reference cycles, yet each allocation counts towards the cyclic
    # collector's thresholds, and its full passes over millions of live objects double the run
    # time; pausing it while they are built is safe and it is restored even on error.
    collecting = gc.isenabled()
    gc.disable()
    try:
        details = list(iter_details(policies, partitions, tablespaces_free, warnings=warnings))
    finally:
        if collecting:
            gc.enable()
    eligible = [EligiblePair(d.policy, d.partition) for d in details if d.reason is _ELIGIBLE]
    return EvaluationResult(details=details, eligible=eligible, warnings=warnings)


def explain(
    policies: PolicySet | Sequence[Policy],
    partition: PartitionState,
    tablespaces_free: Mapping[str, int],
) -> list[EvaluationDetail]:
    """The decision of every policy that targets ``partition``'s table, in priority order."""
    return evaluate(policies, [partition], tablespaces_free).details

"""Which policies apply to which partitions, with the reason for every decision.

Checks run in ``core.reasons.EVALUATION_ORDER``; the first failing one is the recorded reason,
so the UI, the CLI and the set-based SQL evaluator all tell the same story.

Scale: table patterns are matched once per (policy, table) and everything a check needs from a
policy is precomputed in a ``_Plan``, leaving a loop of attribute reads and comparisons per
partition. A detail keeps references and raw numbers; its text is formatted only when read,
because most of the millions of details produced per run are written out and never displayed.
``iter_details`` streams details for callers that write them out in chunks.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from hcc_operators.core.models import ActionKind, CompressionType, ObjectRef
from hcc_operators.core.policy_config import (
    CompressAction,
    MoveAction,
    Policy,
    PolicySet,
    TableTarget,
)
from hcc_operators.core.reasons import Reason
from hcc_operators.core.table_patterns import TablePattern
from hcc_operators.core.temperature import (
    Temperature,
    Thresholds,
    age_days,
    age_months,
    days_since,
    partition_temperature,
)

_MB = 1024 * 1024

#: (policy, partition) -> predicted bytes of the rewritten segment.
RewriteEstimate = Callable[[Policy, "PartitionState"], int]


@dataclass(frozen=True, slots=True)
class PartitionState:
    """One partition as the refresh stage recorded it.

    Temperature decisions are re-derived per policy from ``age_days`` and ``last_access_days``
    with the thresholds of that policy's profile, so a profile edit takes effect at the next
    evaluation without a refresh. The stored ``temperature`` is used only for a partition
    without a date bound (``age_days`` None: MAXVALUE, list or number bounds), which has no
    age to derive from; such a partition counts as age 0, so it is never too old for anything.

    ``custom_predicates`` holds, per policy name, the result of that policy's custom_sql for
    this partition; a policy with custom_sql and no entry is not eligible, since an
    unevaluated predicate must not let work through.
    """

    ref: ObjectRef
    upper_bound: date | None
    age_days: int | None
    age_months: int | None
    size_bytes: int
    temperature: Temperature | None
    compression: CompressionType
    tablespace: str | None
    tablespace_used_pct: float | None = None
    read_only: bool = False
    is_newest: bool = False
    merge_target: str | None = None
    merge_target_bytes: int = 0
    last_access_days: int | None = None
    custom_predicates: Mapping[str, bool] | None = field(default=None, hash=False, compare=False)


def partition_state(
    ref: ObjectRef,
    *,
    upper_bound: date | datetime,
    reference: date | datetime,
    thresholds: Thresholds,
    size_bytes: int,
    compression: CompressionType = CompressionType.NONE,
    tablespace: str | None = None,
    last_access: date | datetime | None = None,
    **extra: object,
) -> PartitionState:
    """Build a state from a partition's bound, deriving ages and temperature consistently."""
    return PartitionState(
        ref=ref,
        upper_bound=upper_bound.date() if isinstance(upper_bound, datetime) else upper_bound,
        age_days=age_days(upper_bound, reference),
        age_months=age_months(upper_bound, reference),
        size_bytes=size_bytes,
        temperature=partition_temperature(
            upper_bound, reference, thresholds, last_access=last_access
        ),
        compression=compression,
        tablespace=tablespace,
        last_access_days=days_since(last_access, reference),
        **extra,  # type: ignore[arg-type]
    )


@dataclass(slots=True)
class _Plan:
    """What the checks need from one policy, computed once per evaluation."""

    policy: Policy
    name: str
    version: str
    kind: ActionKind
    enabled: bool
    min_days: int | None
    min_months: int | None
    min_bytes: float | None
    min_size_mb: float | None
    temperatures: frozenset[Temperature] | None
    temperatures_text: str
    min_used_pct: float | None
    target_compression: CompressionType | None
    target_tablespace: str | None
    destructive: bool
    allow_destructive: bool
    has_custom: bool
    custom_sql: str | None
    is_compress: bool
    is_move: bool
    is_read_only: bool
    is_merge: bool
    rewrites: bool


def _plan(policy: Policy) -> _Plan:
    c = policy.conditions
    action = policy.action
    target_compression = None
    if isinstance(action, CompressAction):
        target_compression = action.level
    elif isinstance(action, MoveAction):
        target_compression = action.compression
    return _Plan(
        policy=policy,
        name=policy.name,
        version=policy.checksum,
        kind=policy.kind,
        enabled=policy.enabled,
        min_days=c.min_age_days,
        min_months=c.min_age_months,
        min_bytes=c.min_size_mb * _MB if c.min_size_mb is not None else None,
        min_size_mb=c.min_size_mb,
        temperatures=frozenset(c.temperatures) if c.temperatures else None,
        temperatures_text=", ".join(t.value for t in c.temperatures or ()),
        min_used_pct=c.min_tablespace_used_pct,
        target_compression=target_compression,
        target_tablespace=action.tablespace if isinstance(action, MoveAction) else None,
        destructive=policy.kind.destructive,
        allow_destructive=policy.allow_destructive,
        has_custom=c.custom_sql is not None,
        custom_sql=c.custom_sql,
        is_compress=policy.kind is ActionKind.COMPRESS,
        is_move=policy.kind is ActionKind.MOVE,
        is_read_only=policy.kind is ActionKind.READ_ONLY,
        is_merge=policy.kind is ActionKind.MERGE,
        rewrites=policy.kind.rewrites_segment,
    )


_NO_FACTS: tuple = ()


class EvaluationDetail(NamedTuple):
    """Why one policy does or does not apply to one partition.

    A named tuple rather than a frozen dataclass: millions are built per run and a tuple is
    several times cheaper to construct.
    """

    plan: _Plan
    partition: PartitionState
    reason: Reason
    template: str
    facts: tuple = _NO_FACTS

    @property
    def policy(self) -> Policy:
        return self.plan.policy

    @property
    def policy_name(self) -> str:
        return self.plan.name

    @property
    def policy_version(self) -> str:
        return self.plan.version

    @property
    def ref(self) -> ObjectRef:
        return self.partition.ref

    @property
    def eligible(self) -> bool:
        return self.reason is Reason.ELIGIBLE

    @property
    def text(self) -> str:
        return self.template.format(*self.facts)

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

    def counts(self) -> dict[Reason, int]:
        out: dict[Reason, int] = {}
        for detail in self.details:
            out[detail.reason] = out.get(detail.reason, 0) + 1
        return out


def _mb(size: float) -> float:
    return size / _MB


# Enum members bound once: class attribute access on an Enum goes through a descriptor, which
# is measurable at millions of checks.
_ELIGIBLE = Reason.ELIGIBLE
_HOT, _WARM, _COLD, _FROZEN = (
    Temperature.HOT,
    Temperature.WARM,
    Temperature.COLD,
    Temperature.FROZEN,
)


def _check(
    p: _Plan,
    s: PartitionState,
    temp: Temperature,
    free: Mapping[str, int],
    estimate: RewriteEstimate | None,
) -> tuple[Reason, str, tuple]:
    """The first failing check in EVALUATION_ORDER, or ELIGIBLE; with the text's numbers."""
    if not p.enabled:
        return Reason.POLICY_DISABLED, "policy {} is disabled", (p.name,)
    days = s.age_days or 0
    if p.min_days is not None and days < p.min_days:
        return Reason.TOO_YOUNG, "age {} days < minimum {} days", (days, p.min_days)
    if p.min_months is not None and (s.age_months or 0) < p.min_months:
        return (
            Reason.TOO_YOUNG,
            "age {} months < minimum {} months",
            (
                s.age_months or 0,
                p.min_months,
            ),
        )
    if p.min_bytes is not None and s.size_bytes < p.min_bytes:
        return (
            Reason.TOO_SMALL,
            "size {:.1f} MB < minimum {:g} MB",
            (
                _mb(s.size_bytes),
                p.min_size_mb,
            ),
        )
    if p.temperatures is not None and temp not in p.temperatures:
        return (
            Reason.TEMPERATURE_MISMATCH,
            "temperature {} not in [{}]",
            (
                temp.value,
                p.temperatures_text,
            ),
        )
    if p.min_used_pct is not None:
        if s.tablespace_used_pct is None:
            return (
                Reason.NO_SPACE_PRESSURE,
                "usage of tablespace {} unknown; threshold {:g}%",
                (
                    s.tablespace,
                    p.min_used_pct,
                ),
            )
        if s.tablespace_used_pct < p.min_used_pct:
            return (
                Reason.NO_SPACE_PRESSURE,
                "tablespace {} {:.1f}% used < threshold {:g}%",
                (
                    s.tablespace,
                    s.tablespace_used_pct,
                    p.min_used_pct,
                ),
            )
    target = p.target_compression
    if p.is_compress:
        if s.compression is target:
            return Reason.ALREADY_IN_TARGET_STATE, "already compressed {}", (target.value,)
        if target.rank < s.compression.rank:
            return (
                Reason.COMPRESSION_NOT_HIGHER,
                "target {} is lower than current {}",
                (
                    target.value,
                    s.compression.value,
                ),
            )
    elif p.is_move:
        in_place = s.tablespace == p.target_tablespace
        if in_place and (target is None or s.compression is target):
            return (
                Reason.ALREADY_IN_TARGET_STATE,
                "already in tablespace {} with {}",
                (
                    p.target_tablespace,
                    s.compression.value,
                ),
            )
        if target is not None and target.rank < s.compression.rank:
            return (
                Reason.COMPRESSION_NOT_HIGHER,
                "target {} is lower than current {}",
                (
                    target.value,
                    s.compression.value,
                ),
            )
    elif p.is_read_only and s.read_only:
        return Reason.ALREADY_IN_TARGET_STATE, "already read-only", _NO_FACTS
    if p.destructive:
        if not p.allow_destructive:
            return (
                Reason.DESTRUCTIVE_NOT_ALLOWED,
                "{} without allow_destructive: true",
                (p.kind.value,),
            )
        if s.is_newest:
            return (
                Reason.NEWEST_PARTITION,
                "{} is the newest partition of {}.{}",
                (
                    s.ref.partition,
                    s.ref.owner,
                    s.ref.table,
                ),
            )
        if temp is _HOT:
            return (
                Reason.HOT_PARTITION,
                "temperature HOT (age {} days, last access {} days)",
                (
                    days,
                    "unknown" if s.last_access_days is None else s.last_access_days,
                ),
            )
    if p.is_merge and s.merge_target is None:
        return (
            Reason.NO_MERGE_TARGET,
            "no adjacent yearly partition in tablespace {}",
            (s.tablespace,),
        )
    if p.rewrites:
        space = p.target_tablespace or s.tablespace
        available = free.get(space) if space else None
        if estimate is not None:
            needed = estimate(p.policy, s)
        else:
            needed = s.size_bytes + (s.merge_target_bytes if p.is_merge else 0)
        if available is None:
            return (
                Reason.INSUFFICIENT_SPACE_IN_TARGET,
                "free space of tablespace {} unknown",
                (space or "(none)",),
            )
        if available < needed:
            return (
                Reason.INSUFFICIENT_SPACE_IN_TARGET,
                "tablespace {} has {:.1f} MB free < {:.1f} MB needed",
                (space, _mb(available), _mb(needed)),
            )
    if p.has_custom:
        result = (s.custom_predicates or {}).get(p.name)
        if result is None:
            return (
                Reason.CUSTOM_PREDICATE_FALSE,
                "custom_sql was not evaluated: {}",
                (p.custom_sql,),
            )
        if not result:
            return Reason.CUSTOM_PREDICATE_FALSE, "custom_sql is false: {}", (p.custom_sql,)
    return (
        _ELIGIBLE,
        "eligible: age {} days, {:.1f} MB, {}, {} in {}",
        (
            days,
            _mb(s.size_bytes),
            temp.value,
            s.compression.value,
            s.tablespace,
        ),
    )


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


Limits = tuple[int, int, int]  # a profile's (hot_days, warm_days, cold_days)


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


def _temperature_of(state: PartitionState, bands: Limits) -> Temperature:
    # core.temperature.temperature(), inlined: this runs once per policy x partition.
    days = state.age_days
    if days is None:
        return state.temperature or _HOT
    if days < bands[0] or (
        state.last_access_days is not None and state.last_access_days < bands[0]
    ):
        return _HOT
    if days < bands[1]:
        return _WARM
    if days < bands[2]:
        return _COLD
    return _FROZEN


def decide(
    policy: Policy,
    state: PartitionState,
    limits: Limits,
    tablespaces_free: Mapping[str, int],
) -> EvaluationDetail:
    """One policy's decision for one partition whose table it targets with ``limits``: what
    the set-based evaluator's stored reason codes are rendered back into text with."""
    plan = _plan(policy)
    temp = _temperature_of(state, limits)
    reason, template, facts = _check(plan, state, temp, tablespaces_free, None)
    return EvaluationDetail(plan, state, reason, template, facts)


def plan_of(policy: Policy) -> _Plan:
    """What the checks read from ``policy``; the SQL evaluator compiles the same fields."""
    return _plan(policy)


def iter_details(
    policies: PolicySet | Sequence[Policy],
    partitions: Iterable[PartitionState],
    tablespaces_free: Mapping[str, int],
    *,
    estimated_rewrite_bytes: RewriteEstimate | None = None,
    warnings: list[str] | None = None,
) -> Iterator[EvaluationDetail]:
    """Details in queue order: policy by policy (priority, then name), and within a policy the
    oldest partition first (then owner, table, partition name).

    Partitions are sorted once and table patterns matched once per (policy, table); the loop
    per partition only looks up its table's thresholds. Profile fallbacks are appended to
    ``warnings`` once per (policy, profile).
    """
    policy_set = _as_policy_set(policies)
    states = sorted(partitions, key=_oldest_first)
    table_index: dict[tuple[str, str], int] = {}
    table_of = [
        table_index.setdefault((s.ref.owner, s.ref.table), len(table_index)) for s in states
    ]
    for policy, limits in table_limits(policy_set, list(table_index), warnings=warnings):
        if not any(limits):
            continue
        plan = _plan(policy)
        for state, table in zip(states, table_of, strict=True):
            bands = limits[table]
            if bands is None:
                continue
            temp = _temperature_of(state, bands)
            reason, template, facts = _check(
                plan, state, temp, tablespaces_free, estimated_rewrite_bytes
            )
            yield EvaluationDetail(plan, state, reason, template, facts)


def evaluate(
    policies: PolicySet | Sequence[Policy],
    partitions: Iterable[PartitionState],
    tablespaces_free: Mapping[str, int],
    *,
    estimated_rewrite_bytes: RewriteEstimate | None = None,
) -> EvaluationResult:
    """Every (policy, partition of a target table) decision, and the eligible pairs, both in
    queue order (see ``iter_details``); at a million partitions prefer streaming with
    ``iter_details``, since holding every detail costs memory in the gigabytes."""
    warnings: list[str] = []
    # The details form no reference cycles, yet each allocation counts towards the cyclic
    # collector's thresholds, and its full passes over millions of live objects double the run
    # time; pausing it while they are built is safe and it is restored even on error.
    collecting = gc.isenabled()
    gc.disable()
    try:
        details = list(
            iter_details(
                policies,
                partitions,
                tablespaces_free,
                estimated_rewrite_bytes=estimated_rewrite_bytes,
                warnings=warnings,
            )
        )
    finally:
        if collecting:
            gc.enable()
    # iter_details yields in queue order already.
    eligible = [EligiblePair(d.plan.policy, d.partition) for d in details if d.reason is _ELIGIBLE]
    return EvaluationResult(details=details, eligible=eligible, warnings=warnings)


def explain(
    policies: PolicySet | Sequence[Policy],
    partition: PartitionState,
    tablespaces_free: Mapping[str, int],
    *,
    estimated_rewrite_bytes: RewriteEstimate | None = None,
) -> list[EvaluationDetail]:
    """The decision of every policy that targets ``partition``'s table, in priority order.

    Policies whose table patterns do not match the partition's table are left out.
    """
    return evaluate(
        policies, [partition], tablespaces_free, estimated_rewrite_bytes=estimated_rewrite_bytes
    ).details

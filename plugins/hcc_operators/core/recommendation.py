"""From one object's measurements and a strategy to a compression recommendation, with a reason.

Ratios are DBMS_COMPRESSION estimates: uncompressed size divided by size at that level. The
rules, in the order they are checked:

1. An empty segment, an object without rows or one below the strategy's ``min_size_mb`` gets no
   recommendation (SKIP).
2. The ratio of the current level must be known (1.0 for NONE), otherwise the savings of any
   change cannot be estimated (SKIP). Ratios that are missing, not finite or <= 0 are ignored.
3. Hotness sets a ceiling: above ``max_hotness_advanced`` nothing higher than the current level
   is allowed, above ``max_hotness_hcc`` at most ADVANCED; otherwise ``max_level``. Levels at
   or below the current one are never recommended.
4. The gain rule: walk the allowed levels above the current one in rank order (cheapest to
   decompress first), starting from the current level as the accepted option. A level replaces
   the accepted option only if its ratio is strictly higher and at least
   ``ratio(accepted) * (1 + min_ratio_gain)``. The last accepted level is recommended; so every
   step up beats the best cheaper choice the advisor would otherwise make by ``min_ratio_gain``,
   and a higher level with a worse ratio than a lower one is never picked. If the walk never
   leaves the current level the verdict is KEEP.
5. Recompression: an HCC object whose decayed fraction (sampled rows no longer stored in HCC) is
   at least ``recompress_decay_threshold`` is recommended to be rebuilt at its current level,
   or at a higher level if rule 4 accepts one (RECOMPRESS). Rebuilding at the current level is
   allowed even above ``max_level``: it restores a choice someone already made. A decayed object
   that is too hot for HCC is kept as is (KEEP): it would decay again, and going down a level is
   never recommended.

Savings: the uncompressed size is estimated from the current size and the current level's
ratio; when the decayed fraction ``f`` is known, the decayed rows are taken as uncompressed, so
``size_uncompressed = size_now / ((1 - f) / ratio_now + f)``. Then
``savings = size_now - size_uncompressed / ratio_new``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from hcc_operators.core.advisor_config import Strategy
from hcc_operators.core.models import ESTIMATED_TYPES, CompressionType, ObjectRef
from hcc_operators.core.units import format_bytes


class Verdict(enum.StrEnum):
    COMPRESS = "COMPRESS"  # move to a higher level
    RECOMPRESS = "RECOMPRESS"  # rebuild a decayed HCC object (same or higher level)
    KEEP = "KEEP"  # measured, best left as it is
    SKIP = "SKIP"  # no recommendation possible (too small, no estimate)


@dataclass(frozen=True)
class ObjectMeasurement:
    ref: ObjectRef
    size_bytes: int
    num_rows: int
    current: CompressionType
    ratios: Mapping[CompressionType, float] = field(default_factory=dict)
    hotness: float = 0.0
    decayed_fraction: float | None = None  # None unless the object is HCC and was sampled
    # False when the segment's tablespace is not on HCC-capable storage (Exadata, ZFS SA,
    # Pillar): HCC would fail there with ORA-64307, so ADVANCED is the most we recommend.
    hcc_capable: bool = True


@dataclass(frozen=True)
class Recommendation:
    ref: ObjectRef
    strategy: str
    verdict: Verdict
    current: CompressionType
    recommended: CompressionType | None
    expected_ratio: float | None
    estimated_savings_bytes: int
    reason: str

    @property
    def is_recompression(self) -> bool:
        return self.verdict is Verdict.RECOMPRESS

    def to_dict(self) -> dict:
        return {
            "object": self.ref.label,
            "strategy": self.strategy,
            "verdict": self.verdict.value,
            "current": self.current.value,
            "recommended": self.recommended.value if self.recommended else None,
            "expected_ratio": self.expected_ratio,
            "estimated_savings_bytes": self.estimated_savings_bytes,
            "is_recompression": self.is_recompression,
            "reason": self.reason,
        }


def recommend(obj: ObjectMeasurement, strategy: Strategy) -> Recommendation:
    """Apply the module's rules to one object."""

    def result(
        verdict: Verdict,
        reason: str,
        recommended: CompressionType | None = None,
        ratio: float | None = None,
        savings: int = 0,
    ) -> Recommendation:
        return Recommendation(
            ref=obj.ref,
            strategy=strategy.name,
            verdict=verdict,
            current=obj.current,
            recommended=recommended,
            expected_ratio=ratio,
            estimated_savings_bytes=savings,
            reason=reason,
        )

    if obj.size_bytes <= 0:
        return result(Verdict.SKIP, "empty segment (0 bytes)")
    if obj.num_rows <= 0:
        return result(Verdict.SKIP, f"no rows in {format_bytes(obj.size_bytes)}")
    if obj.size_bytes < strategy.min_size_bytes:
        return result(
            Verdict.SKIP,
            f"too small: {format_bytes(obj.size_bytes)} < {format_bytes(strategy.min_size_bytes)} "
            f"(strategy {strategy.name})",
        )

    ratios = _valid_ratios(obj.ratios)
    current_ratio = 1.0 if obj.current is CompressionType.NONE else ratios.get(obj.current)
    if current_ratio is None:
        return result(
            Verdict.SKIP,
            f"no ratio estimate for the current level {obj.current.value}; "
            "savings cannot be estimated",
        )
    missing = [t.value for t in ESTIMATED_TYPES if t not in ratios and t.rank > obj.current.rank]
    missing_note = f"; no estimate for {', '.join(missing)}" if missing else ""
    heat = _heat_note(obj.hotness, strategy)

    decay = obj.decayed_fraction
    decayed = (
        obj.current.is_hcc and decay is not None and decay >= strategy.recompress_decay_threshold
    )
    if decayed and obj.hotness > strategy.max_hotness_hcc:
        return result(
            Verdict.KEEP,
            f"{decay:.0%} of sampled rows decayed out of {obj.current.value}, but hotness "
            f"{obj.hotness:.1f} > {strategy.max_hotness_hcc:g}: it would decay again",
        )

    ceiling = strategy.max_level if decayed else _ceiling(obj.hotness, strategy)
    if not obj.hcc_capable and ceiling is not None and ceiling.is_hcc:
        ceiling = CompressionType.ADVANCED
        missing_note += "; HCC not possible: the tablespace's storage does not support it"
    chosen, chosen_ratio, steps = _walk(obj.current, current_ratio, ratios, ceiling, strategy)
    effective_now = _effective_ratio(current_ratio, decay if obj.current.is_hcc else None)
    savings = _savings(obj.size_bytes, effective_now, chosen_ratio)

    if decayed and savings <= 0:
        return result(
            Verdict.KEEP,
            f"{decay:.0%} of sampled rows decayed out of {obj.current.value}, but rebuilding "
            f"at ratio {chosen_ratio:.2f} would not save space; {heat}{missing_note}",
            ratio=current_ratio,
        )
    if decayed:
        target = ("at " if chosen is obj.current else "up to ") + chosen.value
        return result(
            Verdict.RECOMPRESS,
            f"{decay:.0%} of sampled rows decayed out of {obj.current.value} "
            f"(threshold {strategy.recompress_decay_threshold:.0%}); recompress {target}, "
            f"ratio {chosen_ratio:.2f}{steps}; saves about {format_bytes(savings)} of "
            f"{format_bytes(obj.size_bytes)}; {heat}{missing_note}",
            recommended=chosen,
            ratio=chosen_ratio,
            savings=savings,
        )
    if chosen is obj.current:
        return result(
            Verdict.KEEP,
            f"keep {obj.current.value} (ratio {current_ratio:.2f}): "
            f"{_keep_why(obj, ceiling, ratios, strategy)}; {heat}{missing_note}",
            ratio=current_ratio,
        )
    return result(
        Verdict.COMPRESS,
        f"{chosen.value} ratio {chosen_ratio:.2f}{steps}; saves about {format_bytes(savings)} of "
        f"{format_bytes(obj.size_bytes)}; {heat}{missing_note}",
        recommended=chosen,
        ratio=chosen_ratio,
        savings=savings,
    )


def _valid_ratios(ratios: Mapping[CompressionType, float]) -> dict[CompressionType, float]:
    # A failed estimate may arrive as None, NaN or 0; any of those would poison the arithmetic.
    return {
        ctype: float(value)
        for ctype, value in ratios.items()
        if value is not None and math.isfinite(value) and value > 0
    }


def _ceiling(hotness: float, strategy: Strategy) -> CompressionType | None:
    if hotness > strategy.max_hotness_advanced:
        return None
    if hotness > strategy.max_hotness_hcc:
        return min(strategy.max_level, CompressionType.ADVANCED, key=lambda t: t.rank)
    return strategy.max_level


def _walk(
    current: CompressionType,
    current_ratio: float,
    ratios: dict[CompressionType, float],
    ceiling: CompressionType | None,
    strategy: Strategy,
) -> tuple[CompressionType, float, str]:
    """Rule 4; returns the accepted level, its ratio and how each accepted step won."""
    accepted, accepted_ratio, steps = current, current_ratio, []
    if ceiling is None:
        return accepted, accepted_ratio, ""
    for level in ESTIMATED_TYPES:
        if level.rank <= current.rank or level.rank > ceiling.rank or level not in ratios:
            continue
        ratio = ratios[level]
        if ratio > accepted_ratio and ratio >= accepted_ratio * (1 + strategy.min_ratio_gain):
            steps.append(
                f"{level.value} {ratio:.2f} beats {accepted.value} {accepted_ratio:.2f} by "
                f"{ratio / accepted_ratio - 1:.0%} (min {strategy.min_ratio_gain:.0%})"
            )
            accepted, accepted_ratio = level, ratio
    return accepted, accepted_ratio, (" (" + "; ".join(steps) + ")") if steps else ""


def _effective_ratio(level_ratio: float, decayed_fraction: float | None) -> float:
    if not decayed_fraction:
        return level_ratio
    f = min(max(decayed_fraction, 0.0), 1.0)
    return 1.0 / ((1.0 - f) / level_ratio + f)


def _savings(size_now: int, ratio_now: float, ratio_new: float) -> int:
    size_uncompressed = size_now * ratio_now
    return round(size_now - size_uncompressed / ratio_new)


def _keep_why(
    obj: ObjectMeasurement,
    ceiling: CompressionType | None,
    ratios: dict[CompressionType, float],
    strategy: Strategy,
) -> str:
    if ceiling is None:
        return "too hot for any higher level"
    if obj.current.rank >= ceiling.rank:
        limit = "the hotness limit" if ceiling is not strategy.max_level else "max_level"
        return f"already at or above {ceiling.value} ({limit})"
    if not any(obj.current.rank < t.rank <= ceiling.rank for t in ratios):
        return f"no ratio estimate for any level up to {ceiling.value}"
    return f"no level up to {ceiling.value} gains at least {strategy.min_ratio_gain:.0%}"


def _heat_note(hotness: float, strategy: Strategy) -> str:
    return (
        f"hotness {hotness:.1f} (HCC <= {strategy.max_hotness_hcc:g}, "
        f"ADVANCED <= {strategy.max_hotness_advanced:g})"
    )

"""The partition facts every eligibility check reads, and where each one is stored.

The refresh stage computes them (core.partition_facts) into hcc_partition_access, stage 2
snapshots the same columns into hcc_ilm_eval_objects, and ``hcc explain`` computes them live
with the same function: one set of facts, whichever evaluator reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date

from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.core.temperature import Temperature


@dataclass(frozen=True, slots=True)
class PartitionState:
    """One partition as the refresh stage recorded it (or ``hcc explain`` read it live).

    Ages count from the partition's last day (core.temperature). A partition without a date
    bound (MAXVALUE, list or number bounds) has no age: the checks read it as age 0, so it is
    never old enough for anything, and as HOT. ``temperature`` is the band stored for display
    (with the table's refresh profile); each policy re-derives it with its own profile.

    Access and modification: ``*_days`` are whole days since the last one, ``*_source`` where
    that came from (HEATMAP, AWR, DML) or None when nothing tracks it.

    Consolidation periods (year, quarter): ``<period>_members`` partitions of the table lie
    wholly within this partition's period (None when it lies in none), holding
    ``<period>_bytes``; ``<period>_age_*`` is the age of the period's last day, and
    ``<period>_last`` marks the period's highest-bound partition.

    ``custom_predicates`` holds, per policy name, the result of that policy's custom_sql; a
    policy with custom_sql and no entry is not eligible.
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
    has_subpartitions: bool = False
    last_access_days: int | None = None
    access_source: str | None = None
    last_modification_days: int | None = None
    modification_source: str | None = None
    year_members: int | None = None
    year_bytes: int | None = None
    year_age_days: int | None = None
    year_age_months: int | None = None
    year_last: bool = False
    quarter_members: int | None = None
    quarter_bytes: int | None = None
    quarter_age_days: int | None = None
    quarter_age_months: int | None = None
    quarter_last: bool = False
    custom_predicates: Mapping[str, bool] | None = field(default=None, hash=False, compare=False)

    @property
    def compression_rank(self) -> int:
        return self.compression.rank


#: What each tracking source (``access_source``, ``modification_source``) is called in reasons.
SOURCE_NAMES = {
    "HEATMAP": "Heat Map",
    "AWR": "AWR segment statistics",
    "DML": "DML monitoring (ALL_TAB_MODIFICATIONS)",
}

#: Facts a check may read that are stored: every PartitionState field but the identity, the
#: bound (its ages are the facts), the display band and the custom predicates' results.
_NOT_FACTS = {"ref", "upper_bound", "temperature", "custom_predicates"}
STORED_FACTS: tuple[str, ...] = tuple(
    f.name for f in fields(PartitionState) if f.name not in _NOT_FACTS
)
#: Facts derived from a stored one (kept as a column too, so SQL can index and compare it).
DERIVED_FACTS = ("compression_rank",)
#: Facts that depend on the policy: its temperature band limits and the band they give.
POLICY_FACTS = ("temperature", "hot_days", "warm_days", "cold_days")
#: The column holding a fact in hcc_partition_access and hcc_ilm_eval_objects, where its
#: name differs (the dictionary's TABLESPACE_NAME).
COLUMN_OF = {"tablespace": "tablespace_name"}


def column_of(fact_name: str) -> str:
    return COLUMN_OF.get(fact_name, fact_name)

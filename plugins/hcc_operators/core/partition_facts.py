"""The facts of every partition of one table, from its dictionary rows: what the refresh stage
stores and what ``hcc explain`` computes live, with this one function, so the nightly
evaluation and ``explain`` read the same facts for a partition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hcc_operators.core.eligibility.facts import PartitionState
from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.instants import as_utc
from hcc_operators.core.models import AccessStats, DmlStats, ObjectRef, SegmentInfo, TablespaceInfo
from hcc_operators.core.partition_layout import PartitionBounds, Period, layout_facts
from hcc_operators.core.temperature import (
    Thresholds,
    age_days,
    age_months,
    days_since,
    temperature,
)


@dataclass(frozen=True)
class PartitionRecord:
    """A partition's facts plus what hcc_partition_access keeps for display."""

    state: PartitionState
    position: int | None
    high_value: str | None
    upper_bound: datetime | None
    num_rows: int | None
    temperature_source: str
    last_access: datetime | None
    logical_reads: int | None
    dml_total: int | None


def table_partition_facts(
    segments: Sequence[SegmentInfo],
    *,
    dml: Mapping[ObjectRef, DmlStats],
    access: Mapping[ObjectRef, AccessStats],
    access_source: str | None,
    spaces: Mapping[str, TablespaceInfo],
    thresholds: Thresholds,
    now: datetime,
) -> list[PartitionRecord]:
    """Facts of the partitions (not subpartitions) in ``segments``, all of ONE table.

    ``access_source``: where the warehouse's access statistics came from (HEATMAP, AWR) or
    None when nothing tracks reads; a partition without an entry then was not
    read since tracking began.
    """
    parts = [s for s in segments if s.ref.partition and not s.ref.subpartition]
    bounds = {s.ref.partition: upper_bound_date(s.high_value) for s in parts}
    layout = layout_facts(
        [
            PartitionBounds(
                s.ref.partition, s.position or 0, bounds[s.ref.partition], s.tablespace, s.bytes
            )
            for s in parts
        ]
    )
    records = []
    for seg in parts:
        bound = bounds[seg.ref.partition]
        facts = layout[seg.ref.partition]
        acc = access.get(seg.ref)
        last_access = as_utc(acc.last_access) if acc and acc.last_access else None
        access_days = days_since(last_access, now)
        modified_days, modified_source = _modification(seg, dml.get(seg.ref), acc, now)
        if bound is not None:
            days, months = age_days(bound, now), age_months(bound, now)
            temp = temperature(days, thresholds, last_access_days=access_days)
            temp_source = "HEATMAP" if acc and acc.source == "HEATMAP" and last_access else "AGE"
        else:
            # MAXVALUE or a non-date bound: no age, so it is treated as current (HOT).
            days = months = None
            temp = temperature(0, thresholds)
            temp_source = "NO_DATE_BOUND"
        space = spaces.get(seg.tablespace or "")
        periods = {}
        for period in Period:
            found = facts.periods.get(period)
            prefix = period.value
            if found is None:
                periods.update(
                    {
                        f"{prefix}_members": None,
                        f"{prefix}_bytes": None,
                        f"{prefix}_age_days": None,
                        f"{prefix}_age_months": None,
                        f"{prefix}_last": False,
                    }
                )
                continue
            end = datetime.combine(found.last_day, datetime.min.time())
            # The period's age is that of a partition ending on its last day.
            bound_after = end + timedelta(days=1)
            periods.update(
                {
                    f"{prefix}_members": len(found.members),
                    f"{prefix}_bytes": found.bytes,
                    f"{prefix}_age_days": age_days(bound_after, now),
                    f"{prefix}_age_months": age_months(bound_after, now),
                    f"{prefix}_last": found.is_last(seg.ref.partition),
                }
            )
        state = PartitionState(
            ref=seg.ref,
            upper_bound=bound.date() if bound else None,
            age_days=days,
            age_months=months,
            size_bytes=seg.bytes,
            temperature=temp,
            compression=seg.compression,
            tablespace=seg.tablespace,
            tablespace_used_pct=round(space.used_percent, 2) if space else None,
            read_only=seg.read_only,
            is_newest=facts.is_newest,
            has_subpartitions=seg.has_subpartitions,
            last_access_days=access_days,
            access_source=access_source,
            last_modification_days=modified_days,
            modification_source=modified_source,
            **periods,
        )
        records.append(
            PartitionRecord(
                state=state,
                position=seg.position,
                high_value=seg.high_value,
                upper_bound=bound.replace(tzinfo=now.tzinfo) if bound else None,
                num_rows=seg.num_rows,
                temperature_source=temp_source,
                last_access=last_access,
                logical_reads=acc.logical_reads if acc else None,
                dml_total=(dml[seg.ref].total if seg.ref in dml else None),
            )
        )
    return records


def _modification(
    seg: SegmentInfo, dml: DmlStats | None, acc: AccessStats | None, now: datetime
) -> tuple[int | None, str | None]:
    """(days since the last modification, its source): Heat Map's write time where it has
    one, else DML monitoring, which lists a segment modified since its statistics were
    gathered (no entry: not modified since LAST_ANALYZED, a lower bound)."""
    if acc is not None and acc.source == "HEATMAP" and acc.last_modification:
        return days_since(as_utc(acc.last_modification), now), acc.source
    if dml is not None and dml.total > 0 and dml.timestamp is not None:
        return days_since(as_utc(dml.timestamp), now), "DML"
    if dml is None and seg.last_analyzed is not None:
        return days_since(as_utc(seg.last_analyzed), now), "DML"
    return None, None


def access_source_of(access: Mapping[ObjectRef, AccessStats]) -> str | None:
    """The source the warehouse's access statistics came from, None when it has none."""
    for entry in access.values():
        return entry.source if entry.source != "NONE" else None
    return None

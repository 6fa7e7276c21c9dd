"""ILM stage 1: read the dictionary and rebuild the partition access rows.

One pass over the dictionary per run (tables, segments, DML, access, tablespaces), never a
query per partition. The rows of the scanned tables are replaced in one transaction, so stage 2
never sees a half-refreshed table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, tuple_
from sqlalchemy.engine import Engine

from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.instants import as_utc
from hcc_operators.core.models import ObjectRef, SegmentInfo
from hcc_operators.core.partition_layout import PartitionBounds, layout_facts
from hcc_operators.core.temperature import Thresholds, age_days, age_months, days_since, temperature
from hcc_operators.repository.tables import partition_access
from hcc_operators.warehouse.base import Warehouse


@dataclass(frozen=True)
class RefreshResult:
    tables: int
    partitions: int
    by_temperature: dict[str, int]

    def to_dict(self) -> dict:
        return {
            "tables": self.tables,
            "partitions": self.partitions,
            "by_temperature": self.by_temperature,
        }


def refresh_partition_access(
    warehouse: Warehouse,
    engine: Engine,
    *,
    is_target: Callable[[str, str], bool],
    thresholds_for: Callable[[str, str], Thresholds],
    now: datetime,
) -> RefreshResult:
    owners = warehouse.list_schemas()
    tables = [
        t for t in warehouse.list_tables(owners) if t.partitioned and is_target(t.owner, t.table)
    ]
    refs = [ObjectRef(t.owner, t.table) for t in tables]
    segments = (
        [
            s
            for s in warehouse.list_segments(sorted({r.owner for r in refs}), refs)
            if s.ref.partition and not s.ref.subpartition
        ]
        if refs
        else []
    )
    scanned = sorted({r.owner for r in refs})
    dml = warehouse.dml_stats(scanned) if refs else {}
    access = warehouse.access_stats(scanned) if refs else {}
    spaces = warehouse.tablespaces()

    by_table: dict[tuple[str, str], list[SegmentInfo]] = defaultdict(list)
    for seg in segments:
        by_table[(seg.ref.owner, seg.ref.table)].append(seg)

    rows = []
    for (owner, table), segs in by_table.items():
        thresholds = thresholds_for(owner, table)
        bounds = {s.ref.partition: upper_bound_date(s.high_value) for s in segs}
        facts = layout_facts(
            [
                PartitionBounds(
                    s.ref.partition, s.position or 0, bounds[s.ref.partition], s.tablespace
                )
                for s in segs
            ]
        )
        for seg in segs:
            rows.append(
                _row(
                    seg,
                    bounds[seg.ref.partition],
                    facts[seg.ref.partition],
                    thresholds,
                    dml.get(seg.ref),
                    access.get(seg.ref),
                    spaces,
                    now,
                )
            )

    with engine.begin() as conn:
        keys = [(r.owner, r.table) for r in refs]
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            conn.execute(
                delete(partition_access).where(
                    tuple_(partition_access.c.owner, partition_access.c.table_name).in_(chunk)
                )
            )
        for start in range(0, len(rows), 5000):
            conn.execute(insert(partition_access), rows[start : start + 5000])

    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["temperature"]] += 1
    return RefreshResult(len(by_table), len(rows), dict(sorted(counts.items())))


def _row(seg, bound, facts, thresholds, dml, acc, spaces, now) -> dict:
    last_access = as_utc(acc.last_access) if acc else None
    if bound is not None:
        days = age_days(bound, now)
        months = age_months(bound, now)
        temp = temperature(days, thresholds, last_access_days=days_since(last_access, now))
        source = "HEATMAP" if acc and acc.source == "HEATMAP" and last_access else "AGE"
    else:
        # MAXVALUE or a non-date bound: no age, so it is treated as current (HOT).
        days = months = None
        temp = temperature(0, thresholds)
        source = "NO_DATE_BOUND"
    space = spaces.get(seg.tablespace or "")
    return {
        "owner": seg.ref.owner,
        "table_name": seg.ref.table,
        "partition_name": seg.ref.partition,
        "partition_position": seg.position,
        "high_value": seg.high_value,
        "upper_bound": bound.replace(tzinfo=now.tzinfo) if bound else None,
        "age_days": days,
        "age_months": months,
        "size_bytes": seg.bytes,
        "num_rows": seg.num_rows,
        "compression": seg.compression.value,
        "tablespace_name": seg.tablespace,
        "tablespace_used_pct": round(space.used_percent, 2) if space else None,
        "read_only": seg.read_only,
        "is_newest": facts.is_newest,
        "merge_target": facts.merge_target,
        "temperature": temp.value,
        "temperature_source": source,
        "last_access": last_access,
        "last_access_days": days_since(last_access, now),
        "logical_reads": acc.logical_reads if acc else None,
        "dml_total": dml.total if dml else None,
        "refreshed_at": now,
    }

"""ILM stage 1: read the dictionary and rebuild the partition access rows.

One pass over the dictionary per run (tables, segments, DML, access, tablespaces), never a
query per partition. The rows of the scanned tables are replaced in one transaction, so stage 2
never sees a half-refreshed table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, tuple_
from sqlalchemy.engine import Engine

from hcc_operators.core.models import ObjectRef, SegmentInfo
from hcc_operators.core.partition_facts import access_source_of, table_partition_facts
from hcc_operators.core.temperature import Thresholds
from hcc_operators.repository.partition_rows import access_row
from hcc_operators.repository.tables import partition_access
from hcc_operators.warehouse.base import Warehouse


@dataclass(frozen=True)
class RefreshResult:
    tables: int
    partitions: int
    by_temperature: dict[str, int]
    #: Partitions left out, with why (a compression value the package does not know).
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "tables": self.tables,
            "partitions": self.partitions,
            "by_temperature": self.by_temperature,
            "skipped": self.skipped,
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

    source = access_source_of(access)
    rows = []
    for (owner, table), segs in by_table.items():
        records = table_partition_facts(
            segs,
            dml=dml,
            access=access,
            access_source=source,
            spaces=spaces,
            thresholds=thresholds_for(owner, table),
            now=now,
        )
        rows.extend(access_row(record, now) for record in records)

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
    skipped = {
        ref.label: why
        for ref, why in warehouse.unreadable().items()
        if (ref.owner, ref.table) in {(r.owner, r.table) for r in refs}
    }
    return RefreshResult(len(by_table), len(rows), dict(sorted(counts.items())), skipped)

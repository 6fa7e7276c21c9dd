"""Benchmark layouts: generated monthly fact tables adding up to an exact partition count."""

from __future__ import annotations

import math
import random
from datetime import date

from hcc_operators.core.models import CompressionType as C
from hcc_operators.warehouse.embedded.layout import (
    DEMO_START,
    ORACLE_MAINTAINED,
    TablespaceSpec,
    TableSpec,
)
from hcc_operators.warehouse.embedded.periods import add_months, month_start, months_between

TABLES_PER_SCHEMA = 500
DATA_TABLESPACES = 8
_PROFILES = ("sales", "ledger", "event_log", "sensor", "audit")
_ROWS_PER_MONTH = (200_000, 1_000_000, 5_000_000, 20_000_000)


def scaled_layout(
    partitions: int, today: date, rng: random.Random
) -> tuple[list[tuple[str, int]], tuple[TablespaceSpec, ...], tuple[TableSpec, ...]]:
    """Schemas, tablespaces and tables holding exactly ``partitions`` partitions."""
    last_start = add_months(month_start(today), 1)
    per_table = months_between(DEMO_START, last_start) + 1
    count = math.ceil(partitions / per_table)
    tablespaces = tuple(
        TablespaceSpec(f"DATA_{i:02d}", i % 2 == 1, 0.6 + 0.04 * i)
        for i in range(1, DATA_TABLESPACES + 1)
    ) + (TablespaceSpec("ARCH_01", True, 0.5), TablespaceSpec("FULL_01", True, None))
    tables = []
    for i in range(count):
        remaining = partitions - i * per_table
        start = DEMO_START if remaining >= per_table else add_months(last_start, 1 - remaining)
        ts = tablespaces[i % DATA_TABLESPACES]
        compress: tuple[tuple[int, C], ...] = ((6, C.ADVANCED),)
        archive = None
        if ts.hcc_supported:
            compress = ((6, C.ADVANCED), (24, C.QUERY_HIGH))
            archive = (48, "ARCH_01")
        tables.append(
            TableSpec(
                owner=f"DW_{i // TABLES_PER_SCHEMA + 1:02d}",
                name=f"FACT_{i + 1:05d}",
                profile=_PROFILES[i % len(_PROFILES)],
                layout="MONTHLY",
                tablespace=ts.name,
                rows_per_month=rng.choice(_ROWS_PER_MONTH),
                start=start,
                compress=compress,
                archive=archive,
                global_index=i % 3 == 0,
            )
        )
    owners = sorted({t.owner for t in tables})
    schemas = [(o, 0) for o in owners] + [(o, 1) for o in ORACLE_MAINTAINED]
    return schemas, tablespaces, tuple(tables)

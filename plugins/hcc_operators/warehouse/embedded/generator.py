"""Builds the embedded warehouse file: a seeded, deterministic simulated Oracle dictionary.

``build_warehouse(path, seed=..., today=...)`` always produces the same dictionary content for
the same arguments (a test compares dumps). Sample rows are not built here: they are generated
lazily from each segment's ``data_seed`` when a sample is asked for (see datagen.py), which is
what lets an integer scale build a million partitions in seconds.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import CompressionType
from hcc_operators.warehouse.embedded import profile_ratios, schema, sizing
from hcc_operators.warehouse.embedded.connection import connect
from hcc_operators.warehouse.embedded.highvalues import list_bound, range_bound
from hcc_operators.warehouse.embedded.layout import (
    DEMO_SCHEMAS,
    DEMO_TABLES,
    DEMO_TABLESPACES,
    KEY_COLUMN,
    ORACLE_MAINTAINED,
    TablespaceSpec,
    TableSpec,
)
from hcc_operators.warehouse.embedded.periods import (
    Period,
    add_months,
    layout_periods,
    months_between,
)
from hcc_operators.warehouse.embedded.scaled import scaled_layout
from hcc_operators.warehouse.embedded.warehouse import DEFAULT_VERSION, EmbeddedWarehouse

SEGMENT_COLUMNS = (
    "owner",
    "table_name",
    "partition_name",
    "subpartition_name",
    "position",
    "high_value",
    "bound_key",
    "is_interval",
    "has_subpartitions",
    "tablespace",
    "compression",
    "bytes",
    "uncompressed_bytes",
    "num_rows",
    "read_only",
    "last_analyzed",
    "data_seed",
    "data_from",
    "data_to",
    "decayed_fraction",
    "inserts",
    "updates",
    "deletes",
    "truncated",
    "dml_timestamp",
    "logical_reads",
    "physical_reads",
    "last_access",
    "last_modification",
)
_INSERT_SEGMENT = (
    f"INSERT INTO sim_segments ({', '.join(SEGMENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(SEGMENT_COLUMNS))})"
)
BATCH = 50_000
MONTHLY_GROWTH = 1.012
#: Index and other segments take this share on top of table segments in a tablespace.
OTHER_SEGMENTS_SHARE = 0.15
FULL_TABLESPACE_FREE = 2 * 1024 * 1024
SUBPARTITION_WEIGHTS = (0.35, 0.25, 0.25, 0.15)
MAX_BENCH_PARTITIONS = 1_000_000


def _randint(rng: random.Random, low: int, high: int) -> int:
    # random.randint is several times slower; this matters at a million partitions.
    return low + int(rng.random() * (high - low + 1))


def _ts(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ", timespec="seconds") if value else None


class _TableBuilder:
    """Turns one TableSpec into dictionary rows, drawing from the shared seeded generator."""

    def __init__(self, rng: random.Random, today: date, ratios, hcc_tablespaces: set[str]):
        self.rng = rng
        self.today = today
        self.now = datetime.combine(today, time(6, 0))
        self.ratios = ratios
        self.hcc_tablespaces = hcc_tablespaces
        self.interval_counter = 12000

    def _compression(self, spec: TableSpec, age: int, tablespace: str) -> CompressionType:
        chosen = CompressionType.NONE
        for min_age, ctype in spec.compress:
            if age >= min_age:
                chosen = ctype
        if chosen.is_hcc and tablespace not in self.hcc_tablespaces:
            raise ValueError(
                f"layout error: {spec.owner}.{spec.name} is {chosen.value} in {tablespace}, "
                "which does not support HCC"
            )
        return chosen

    def _rows(self, spec: TableSpec, period: Period) -> tuple[int, date, date]:
        """Rows, and the range of days they cover (empty for a future period)."""
        end = period.end or add_months(period.start, 1)
        covered_end = min(end, self.today + timedelta(days=1))
        if covered_end <= period.start:
            return 0, period.start, period.start
        months = max(months_between(period.start, end), 1)
        elapsed = (covered_end - period.start).days / max((end - period.start).days, 1)
        growth = MONTHLY_GROWTH ** months_between(spec.start, period.start)
        jitter = self.rng.uniform(0.85, 1.15)
        rows = int(spec.rows_per_month * months * growth * jitter * elapsed)
        return max(rows, 1), period.start, covered_end

    def _age(self, period: Period) -> int:
        last_day = (period.end or self.today) - timedelta(days=1)
        return (
            months_between(min(last_day, self.today), self.today)
            if (period.start <= self.today)
            else -1
        )

    def _activity(
        self, age: int, rows: int, analyzed: datetime, hcc: bool, decay_probability: float
    ) -> dict:
        """DML since the last statistics and reads, by age: recent hot, old cold."""
        rng, now = self.rng, self.now
        inserts = updates = deletes = 0
        decayed = 0.0
        if rows and age == 0:
            inserts = int(rows * rng.uniform(0.03, 0.08))
            updates = int(rows * rng.uniform(0.001, 0.01))
            deletes = int(rows * rng.uniform(0.0, 0.001))
        elif rows and age == 1:
            inserts = int(rows * 0.002)
            updates = int(rows * rng.uniform(0.001, 0.004))
        elif rows and age <= 6 and rng.random() < 0.4:
            updates = int(rows * rng.uniform(0.0001, 0.002))
        elif rows and rng.random() < 0.04:
            updates = int(rows * rng.uniform(0.00005, 0.0005))
        if rows and hcc and age >= 3 and rng.random() < decay_probability:
            # Rows updated after the HCC load migrate out of their compression unit.
            updates += int(rows * rng.uniform(0.05, 0.45))
        if hcc and rows:
            decayed = 1.0 - math.exp(-updates / rows)
        dml_ts = None
        if inserts or updates or deletes:
            span = (now - analyzed).total_seconds()
            dml_ts = analyzed + timedelta(
                seconds=span * (0.8 + 0.2 * rng.random()) if age == 0 else span * rng.random()
            )
        heat = math.exp(-max(age, 0) / 2.0) if rows else 0.0
        logical = int(rows * 0.05 * heat * rng.uniform(0.5, 1.5))
        report_scan = rows and age > 6 and rng.random() < 0.08
        if report_scan:
            logical += rows // 40
        physical = int(logical * min(0.01 + 0.5 * (1.0 - heat), 0.9))
        if not rows:
            last_access = None
        elif age <= 1:
            last_access = now - timedelta(minutes=_randint(rng, 1, 48 * 60))
        elif age <= 6 or report_scan:
            last_access = now - timedelta(days=_randint(rng, 1, 60))
        elif age > 36 and rng.random() < 0.5:
            last_access = None
        else:
            last_access = now - timedelta(days=_randint(rng, 60, 30 * age))
        return {
            "inserts": inserts,
            "updates": updates,
            "deletes": deletes,
            "dml_ts": dml_ts,
            "decayed": decayed,
            "logical": logical,
            "physical": physical,
            "last_access": last_access,
        }

    def _segment(
        self,
        spec: TableSpec,
        *,
        partition: str,
        subpartition: str,
        position: int | None,
        high_value: str | None,
        bound_key: str | None,
        interval: bool,
        period: Period | None,
        rows_share: float = 1.0,
        age: int = 0,
        rows_and_range=None,
    ) -> tuple:
        rng = self.rng
        if rows_and_range is None:  # a non-partitioned table: rows_per_month is its size
            rows, first_day, covered_end = spec.rows_per_month, spec.start, self.today
        else:
            rows, first_day, covered_end = rows_and_range
        rows = int(rows * rows_share)
        tablespace = spec.tablespace
        if spec.archive and age >= spec.archive[0]:
            tablespace = spec.archive[1]
        ctype = self._compression(spec, age, tablespace)
        is_partition = bool(partition)
        ratio, bytes_per_row = self.ratios[(spec.profile, ctype)]
        uncompressed = int(rows * bytes_per_row)
        size = sizing.segment_bytes(uncompressed, ratio, is_partition=is_partition) if rows else 0
        if period is not None and period.end is not None and period.end <= self.today:
            analyzed_day = min(
                period.end + timedelta(days=_randint(rng, 1, 3)), self.today - timedelta(days=2)
            )
        else:
            analyzed_day = self.today - timedelta(days=2)
        analyzed = datetime.combine(analyzed_day, time(22, 0))
        act = self._activity(age, rows, analyzed, ctype.is_hcc, spec.decay_probability)
        read_only = spec.read_only_after is not None and age >= spec.read_only_after and rows > 0
        last_mod = act["dml_ts"] or (
            datetime.combine(covered_end, time(0, 0)) - timedelta(minutes=_randint(rng, 1, 600))
            if rows
            else None
        )
        return (
            spec.owner,
            spec.name,
            partition,
            subpartition,
            position,
            high_value,
            bound_key,
            int(interval),
            0,
            tablespace,
            ctype.value,
            size,
            uncompressed,
            rows,
            int(read_only),
            _ts(analyzed),
            rng.getrandbits(31),
            first_day.isoformat(),
            covered_end.isoformat(),
            round(act["decayed"], 6),
            act["inserts"],
            act["updates"],
            act["deletes"],
            0,
            _ts(act["dml_ts"]),
            act["logical"],
            act["physical"],
            _ts(act["last_access"]),
            _ts(last_mod),
        )

    def table_row(self, spec: TableSpec) -> tuple:
        partitioning = subpartitioning = interval = None
        if spec.partitioned:
            partitioning = "RANGE"
            if spec.layout == "COMPOSITE":
                subpartitioning = "LIST"
            if spec.layout == "INTERVAL":
                interval = "NUMTOYMINTERVAL(1,'MONTH')"
        analyzed = datetime.combine(self.today - timedelta(days=2), time(22, 0))
        default_ctype = (
            spec.compress[0][1].value if spec.compress and spec.compress[0][0] == 0 else "NONE"
        )
        return (
            spec.owner,
            spec.name,
            int(spec.partitioned),
            partitioning,
            subpartitioning,
            interval,
            int(spec.layout == "TEMPORARY"),
            int(spec.layout == "NESTED"),
            0,
            None if spec.layout == "TEMPORARY" else spec.tablespace,
            default_ctype,
            0,
            None if spec.layout == "TEMPORARY" else _ts(analyzed),
            spec.profile,
            spec.key_type,
        )

    def segments(self, spec: TableSpec) -> Iterator[tuple]:
        if spec.layout in ("TEMPORARY", "NESTED"):
            return
        if not spec.partitioned:
            yield self._segment(
                spec,
                partition="",
                subpartition="",
                position=None,
                high_value=None,
                bound_key=None,
                interval=False,
                period=None,
                age=months_between(spec.start, self.today),
            )
            return
        names = None
        if spec.layout == "INTERVAL":
            count = months_between(spec.start, self.today) + 1
            names = tuple(f"SYS_P{self.interval_counter + i}" for i in range(count))
            self.interval_counter += count
        periods = layout_periods(
            spec.layout,
            spec.start,
            self.today,
            yearly_until=spec.yearly_until,
            maxvalue=spec.maxvalue,
            interval_names=names,
        )
        for position, period in enumerate(periods, start=1):
            high_value, key = range_bound(spec.key_type, period.end)
            age = self._age(period)
            rows_range = self._rows(spec, period) if period.end else (0, period.start, period.start)
            if not spec.subpartitions:
                yield self._segment(
                    spec,
                    partition=period.name,
                    subpartition="",
                    position=position,
                    high_value=high_value,
                    bound_key=key,
                    interval=period.interval,
                    period=period,
                    age=age,
                    rows_and_range=rows_range,
                )
                continue
            subs = [
                self._segment(
                    spec,
                    partition=period.name,
                    subpartition=f"{period.name}_{sub}",
                    position=sub_position,
                    high_value=list_bound([sub]),
                    bound_key=sub,
                    interval=False,
                    period=period,
                    age=age,
                    rows_share=SUBPARTITION_WEIGHTS[(sub_position - 1) % 4],
                    rows_and_range=rows_range,
                )
                for sub_position, sub in enumerate(spec.subpartitions, start=1)
            ]
            yield _composite_parent(subs, position, high_value, key)
            yield from subs


_PARTITION = SEGMENT_COLUMNS.index("partition_name")
_SUBPARTITION = SEGMENT_COLUMNS.index("subpartition_name")
_HAS_SUBPARTITIONS = SEGMENT_COLUMNS.index("has_subpartitions")


def _composite_parent(subs: list[tuple], position: int, high_value: str, key: str) -> tuple:
    col = {name: i for i, name in enumerate(SEGMENT_COLUMNS)}
    first = subs[0]

    def total(name: str) -> int:
        return sum(s[col[name]] for s in subs)

    parent = list(first)
    parent[col["subpartition_name"]] = ""
    parent[col["position"]] = position
    parent[col["high_value"]] = high_value
    parent[col["bound_key"]] = key
    parent[col["has_subpartitions"]] = 1
    for name in (
        "bytes",
        "uncompressed_bytes",
        "num_rows",
        "inserts",
        "updates",
        "deletes",
        "logical_reads",
        "physical_reads",
    ):
        parent[col[name]] = total(name)
    parent[col["decayed_fraction"]] = 0.0
    parent[col["data_seed"]] = first[col["data_seed"]] ^ 0x5A5A5A
    accesses = [s[col["last_access"]] for s in subs if s[col["last_access"]]]
    parent[col["last_access"]] = max(accesses) if accesses else None
    dml = [s[col["dml_timestamp"]] for s in subs if s[col["dml_timestamp"]]]
    parent[col["dml_timestamp"]] = max(dml) if dml else None
    return tuple(parent)


def _index_rows(
    spec: TableSpec, leaves: list[tuple[str, str]]
) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(indexes, index partitions, key constraints) of a table. A local index is on the
    partition key; a LOCAL primary key includes the key (so it can be local); a global
    primary key is on ID alone. ``leaves``: (partition, subpartition or '') of each segment;
    a local index of a composite table has one subpartition per table subpartition, named
    as Oracle names them by default (like the table's)."""
    indexes, index_partitions, constraints = [], [], []
    if spec.layout in ("TEMPORARY", "NESTED"):
        return indexes, index_partitions, constraints
    key = KEY_COLUMN
    if spec.local_index and spec.partitioned:
        name = f"{spec.name[:24]}_LIX"
        indexes.append((spec.owner, name, spec.owner, spec.name, "LOCAL", "N/A", key, "NONUNIQUE"))
        index_partitions.extend((spec.owner, name, p, sp, "USABLE") for p, sp in leaves)
    if spec.local_pk and spec.partitioned:
        name = f"{spec.name[:25]}_PK"
        columns = f"ID,{key}"
        indexes.append((spec.owner, name, spec.owner, spec.name, "LOCAL", "N/A", columns, "UNIQUE"))
        index_partitions.extend((spec.owner, name, p, sp, "USABLE") for p, sp in leaves)
        constraints.append((spec.owner, name, spec.name, "P", columns, name, "ENABLED"))
    elif spec.global_index or (spec.local_index and not spec.partitioned):
        name = f"{spec.name[:25]}_PK"
        indexes.append((spec.owner, name, spec.owner, spec.name, "GLOBAL", "VALID", "ID", "UNIQUE"))
        constraints.append((spec.owner, name, spec.name, "P", "ID", name, "ENABLED"))
    return indexes, index_partitions, constraints


def _batched(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _size_tablespaces(conn, tablespaces: tuple[TablespaceSpec, ...]) -> None:
    used_by_ts = dict(
        conn.execute(
            "SELECT tablespace, sum(bytes) FROM sim_segments WHERE has_subpartitions = 0"
            " AND tablespace IS NOT NULL GROUP BY tablespace"
        ).fetchall()
    )
    rows = []
    for ts in tablespaces:
        used = int(used_by_ts.get(ts.name, 0) * (1 + OTHER_SEGMENTS_SHARE))
        if ts.fill is None:
            total = used + FULL_TABLESPACE_FREE
        else:
            total = max(int(used / ts.fill), 100 * 1024 * 1024)
            total = -(-total // (1024 * 1024)) * 1024 * 1024  # whole MB, as datafiles are sized
        rows.append((ts.name, total, used, int(ts.hcc_supported), int(ts.read_only)))
    conn.executemany(
        "INSERT INTO sim_tablespaces (name, total_bytes, used_bytes, hcc_supported, read_only)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )


def _remove_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(str(path) + suffix)
        if candidate.exists():
            candidate.unlink()


def _validate(seed, today, scale) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an integer, got {seed!r}", field="seed")
    if today is not None and (not isinstance(today, date) or isinstance(today, datetime)):
        raise ConfigError(f"today must be a datetime.date, got {today!r}", field="today")
    if scale == "demo":
        return
    if (
        isinstance(scale, bool)
        or not isinstance(scale, int)
        or not (1 <= scale <= MAX_BENCH_PARTITIONS)
    ):
        raise ConfigError(
            f"scale must be 'demo' or a partition count from 1 to {MAX_BENCH_PARTITIONS:,}, "
            f"got {scale!r}",
            field="scale",
        )


def build_warehouse(
    path: str | os.PathLike,
    *,
    seed: int = 42,
    today: date | None = None,
    scale: str | int = "demo",
    metadata_only: bool = False,
    version: tuple[int, ...] = DEFAULT_VERSION,
) -> EmbeddedWarehouse:
    """Create (or replace) the warehouse file at ``path`` and open it.

    ``scale="demo"``: the demo schemas (dozens of tables, thousands of partitions).
    ``scale=<int>``: about that many partitions of generated fact tables for benchmarks,
    always metadata-only. ``metadata_only``: no per-segment samples; estimates and rewrites
    use the ratio measured once per data profile.
    """
    _validate(seed, today, scale)
    today = today or date.today()
    if scale != "demo":
        metadata_only = True
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_file(path)
    rng = random.Random(seed)
    ratios = profile_ratios.measure_all(seed, today)
    if scale == "demo":
        schemas = [(s, 0) for s in DEMO_SCHEMAS] + [(s, 1) for s in ORACLE_MAINTAINED]
        tablespaces, tables = DEMO_TABLESPACES, DEMO_TABLES
    else:
        schemas, tablespaces, tables = scaled_layout(int(scale), today, rng)
    hcc = {t.name for t in tablespaces if t.hcc_supported}
    builder = _TableBuilder(rng, today, ratios, hcc)
    conn = connect(path)
    # Nothing to protect while the file is being created: no journal until the build is done.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        schema.create_tables(conn)
        conn.executemany(
            "INSERT INTO sim_schemas (owner, oracle_maintained) VALUES (?, ?)", schemas
        )
        profile_ratios.store(conn, ratios)
        conn.executemany(
            "INSERT INTO sim_tables (owner, table_name, partitioned, partitioning_type,"
            " subpartitioning_type, interval_expr, temporary, nested, iot, tablespace,"
            " compression, read_only, last_analyzed, profile, key_type)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [builder.table_row(spec) for spec in tables],
        )
        indexes: list[tuple] = []
        index_partitions: list[tuple] = []
        constraints: list[tuple] = []

        def all_segments() -> Iterator[tuple]:
            for spec in tables:
                # The segments a local index has one piece for: partitions, and for a
                # composite partition (no segment of its own) its subpartitions.
                leaves: list[tuple[str, str]] = []
                for row in builder.segments(spec):
                    if row[_PARTITION] and (row[_SUBPARTITION] or not row[_HAS_SUBPARTITIONS]):
                        leaves.append((row[_PARTITION], row[_SUBPARTITION]))
                    yield row
                idx, idx_parts, keys = _index_rows(spec, leaves)
                indexes.extend(idx)
                index_partitions.extend(idx_parts)
                constraints.extend(keys)

        for batch in _batched(all_segments()):
            conn.executemany(_INSERT_SEGMENT, batch)
        conn.executemany("INSERT INTO sim_indexes VALUES (?, ?, ?, ?, ?, ?, ?, ?)", indexes)
        conn.executemany("INSERT INTO sim_constraints VALUES (?, ?, ?, ?, ?, ?, ?)", constraints)
        for batch in _batched(index_partitions):
            conn.executemany(
                "INSERT INTO sim_index_partitions (owner, index_name, partition_name,"
                " subpartition_name, status) VALUES (?, ?, ?, ?, ?)",
                batch,
            )
        _size_tablespaces(conn, tablespaces)
        schema.create_indexes(conn)
        meta = {
            "schema_version": schema.SCHEMA_VERSION,
            "seed": str(seed),
            "today": today.isoformat(),
            "scale": str(scale),
            "metadata_only": "1" if metadata_only else "0",
        }
        conn.executemany("INSERT INTO sim_meta (key, value) VALUES (?, ?)", sorted(meta.items()))
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return EmbeddedWarehouse(path, version=version)

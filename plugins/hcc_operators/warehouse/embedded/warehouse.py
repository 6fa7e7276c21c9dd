"""EmbeddedWarehouse: the Warehouse protocol on a SQLite file simulating an Oracle warehouse.

Several Airflow task processes may open the same file: reads run concurrently (WAL), and
every apply() is one BEGIN IMMEDIATE transaction, so actions on the file are serialised and
atomic, and a fault inserted by one process is seen by all.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hcc_operators import clock
from hcc_operators.core import ddl
from hcc_operators.core.errors import ConfigError, Transience, WarehouseError
from hcc_operators.core.licences import Licences
from hcc_operators.core.models import (
    AccessStats,
    Action,
    ActionKind,
    ApplyResult,
    CompressionSample,
    CompressionType,
    DmlStats,
    IndexDefinition,
    IndexInfo,
    KeyConstraint,
    ObjectRef,
    SegmentInfo,
    TableInfo,
    TablespaceInfo,
)
from hcc_operators.core.preflight import SessionFacts
from hcc_operators.core.sample_rows import check_sample_rows, rows_to_sample
from hcc_operators.warehouse import sql_files
from hcc_operators.warehouse.embedded import (
    account,
    actions,
    calls,
    dictionary,
    dml,
    faults,
    loads,
    lookup,
    profile_ratios,
    samples,
    schema,
)
from hcc_operators.warehouse.embedded import oracle_errors as ora
from hcc_operators.warehouse.embedded.connection import (
    DEFAULT_BUSY_TIMEOUT_S,
    apply_pragmas,
    connect,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEFAULT_VERSION = (19, 21, 0)
#: The demo warehouse plays an Exadata with the Advanced Compression Option; AWR is not
#: simulated. A connection's extras can say otherwise (core.licences).
DEMO_LICENCES = Licences(advanced_compression=True, diagnostics_pack=False)
SLEEP_SCALE_ENV = "HCC_EMBEDDED_SLEEP_SCALE"
#: Segments sampled when estimating a whole partitioned table or a composite partition.
MAX_SAMPLED_SEGMENTS = 4


def _sysdate() -> datetime:
    """The simulated database's SYSDATE: the package's one clock (HCC_NOW when a test freezes
    it), in UTC and without a zone, as core.instants reads dictionary times back."""
    return clock.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _sleep_scale(value: float | None) -> float:
    if value is None:
        text = os.environ.get(SLEEP_SCALE_ENV, "").strip()
        if not text:
            return 0.0
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(
                f"{SLEEP_SCALE_ENV}={text!r} is not a number", source=SLEEP_SCALE_ENV
            ) from None
    if value < 0:
        raise ConfigError(f"sleep_scale must be >= 0, got {value}", field="sleep_scale")
    return float(value)


def _spread(rows: list[sqlite3.Row], count: int) -> list[sqlite3.Row]:
    if len(rows) <= count:
        return rows
    picks = sorted({round(i * (len(rows) - 1) / (count - 1)) for i in range(count)})
    return [rows[i] for i in picks]


class EmbeddedWarehouse:
    """The demo warehouse. Build the file with ``generator.build_warehouse`` first."""

    backend = "embedded"

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        version: tuple[int, ...] = DEFAULT_VERSION,
        sleep_scale: float | None = None,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        licences: Licences = DEMO_LICENCES,
    ):
        if not (
            isinstance(version, tuple)
            and version
            and all(isinstance(v, int) and v >= 0 for v in version)
        ):
            raise ConfigError(
                f"version must be a tuple of integers like (19, 21, 0), got {version!r}",
                field="version",
            )
        self.path = Path(path)
        try:
            is_file = self.path.is_file()
        except OSError as err:  # a name too long for the file system, a path through a file
            raise WarehouseError(f"no embedded warehouse at {self.path}: {err.strerror}") from None
        if not is_file:
            raise WarehouseError(
                f"no embedded warehouse at {self.path}; build one with "
                "hcc_operators.warehouse.embedded.build_warehouse(path)"
            )
        self._version = version
        self._sleep_scale = _sleep_scale(sleep_scale)
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.RLock()
        self._engine: Engine | None = None
        self._unreadable: dict[ObjectRef, str] = {}
        self.licences = licences
        try:
            self._conn = connect(self.path, busy_timeout_s=busy_timeout_s)
            built = schema.is_built(self._conn)
        except sqlite3.DatabaseError as err:
            # Any file can be named in a DSN (sqlite:////etc/passwd): SQLite's own words say
            # why it is not one of ours ("file is not a database", "readonly database").
            raise WarehouseError(
                f"{self.path} is not an embedded warehouse SQLite can open: {err}"
            ) from None
        if not built:
            self._conn.close()
            raise WarehouseError(
                f"{self.path} is not an embedded warehouse (no sim_ tables); build it with "
                "build_warehouse(path)"
            )
        try:
            schema.upgrade(self._conn)
        except sqlite3.DatabaseError as err:
            self._conn.close()
            raise WarehouseError(
                f"{self.path} was built by an older version and cannot be upgraded ({err}); "
                "rebuild it with build_warehouse(path)"
            ) from None
        meta = dict(self._conn.execute("SELECT key, value FROM sim_meta").fetchall())
        self.metadata_only = meta.get("metadata_only") == "1"

    # --- protocol: reads ------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    def version(self) -> tuple[int, ...]:
        return self._version

    def list_schemas(self, *, include_oracle_maintained: bool = False) -> list[str]:
        with self._reading() as conn:
            return dictionary.list_schemas(conn, include_oracle_maintained)

    def list_tables(self, owners: Sequence[str]) -> list[TableInfo]:
        with self._reading() as conn:
            return dictionary.list_tables(conn, owners)

    def list_segments(
        self, owners: Sequence[str], tables: Sequence[ObjectRef] | None = None
    ) -> list[SegmentInfo]:
        with self._reading() as conn:
            return dictionary.list_segments(conn, owners, tables, self._unreadable)

    def unreadable(self) -> dict[ObjectRef, str]:
        return dict(self._unreadable)

    def segment(self, ref: ObjectRef) -> SegmentInfo | None:
        with self._reading() as conn:
            return dictionary.segment(conn, ref)

    def row_count(self, ref: ObjectRef) -> int:
        with self._reading() as conn:
            return dictionary.row_count(conn, ref)

    def dml_stats(self, owners: Sequence[str]) -> dict[ObjectRef, DmlStats]:
        with self._reading() as conn:
            return dictionary.dml_stats(conn, owners)

    def access_stats(self, owners: Sequence[str]) -> dict[ObjectRef, AccessStats]:
        # What the Oracle backend may read (LIC-04, LIC-01): Heat Map with the Advanced
        # Compression Option, else AWR with the Diagnostics Pack, else nothing, and then
        # modifications come from DML monitoring alone. The simulated tracking also counts
        # reads, which Oracle's Heat Map does not (HEAT-02 records times only).
        if self.licences.advanced_compression:
            source = "HEATMAP"
        elif self.licences.diagnostics_pack:
            source = "AWR"
        else:
            return {}
        with self._reading() as conn:
            return dictionary.access_stats(conn, owners, source)

    def tablespaces(self) -> dict[str, TablespaceInfo]:
        with self._reading() as conn:
            return dictionary.tablespaces(conn)

    def indexes(self, owner: str, table: str) -> list[IndexInfo]:
        with self._reading() as conn:
            return dictionary.indexes(conn, owner, table)

    def session_facts(self, owners: Sequence[str] = ()) -> SessionFacts:
        """The simulated account (account.py): what grants.sql gives unless revoked."""
        with self._reading() as conn:
            return account.facts(conn, self._version, owners)

    # --- protocol: compression ------------------------------------------------------------

    def _segment_ratio(self, seg: sqlite3.Row, profile: str, ctype: CompressionType) -> float:
        """The ratio a rewrite of the segment achieves: measured on a larger sample of its own
        rows than an estimate takes (samples.py), so estimate and outcome differ as on Oracle;
        per profile when the warehouse is metadata-only (then both are the profile's)."""
        if ctype is CompressionType.NONE:
            return 1.0
        if (
            self.metadata_only
            or not seg["num_rows"]
            or not seg["data_from"]
            or not seg["data_to"]
            or seg["data_from"] >= seg["data_to"]
        ):
            return profile_ratios.load(self._conn, profile, ctype)
        rows = samples.rewrite_sample_size(seg["num_rows"])
        return samples.measured(
            profile, seg["data_seed"], rows, seg["data_from"], seg["data_to"], ctype, together=False
        ).ratio

    def estimate_ratio(
        self,
        ref: ObjectRef,
        ctype: CompressionType,
        *,
        sample_rows: int,
        scratch_tablespace: str | None = None,
    ) -> float:
        if not isinstance(ctype, CompressionType):
            raise ConfigError(f"ctype must be a CompressionType, got {ctype!r}", field="ctype")
        # -1 reads every row, as DBMS_COMPRESSION.COMP_RATIO_ALLROWS does on Oracle.
        check_sample_rows(sample_rows)
        with self._reading() as conn:
            table = lookup.table_row(conn, ref.owner, ref.table)
            leaves = [r for r in lookup.leaf_rows(conn, ref) if r["num_rows"]]
            if scratch_tablespace is not None:
                self._check_scratch(conn, scratch_tablespace, leaves, sample_rows)
            if ctype is CompressionType.NONE or not leaves:
                return 1.0
            plain = packed = 0.0
            for leaf, rows in self._sampled(leaves, sample_rows):
                if self._profile_only(leaf):
                    ratio = profile_ratios.load(conn, table["profile"], ctype)
                else:
                    ratio = samples.measured(
                        table["profile"],
                        leaf["data_seed"],
                        rows,
                        leaf["data_from"],
                        leaf["data_to"],
                        ctype,
                    ).ratio
                plain += leaf["uncompressed_bytes"]
                packed += leaf["uncompressed_bytes"] / ratio
            return plain / packed if packed else 1.0

    def estimate_sample_rows(self, ref: ObjectRef, *, sample_rows: int) -> int | None:
        """Rows estimate_ratio really compresses for ``ref`` when ``sample_rows`` are asked:
        at most MAX_SAMPLE_ROWS from each of at most MAX_SAMPLED_SEGMENTS segments (the
        profile's reference sample where a segment has no rows of its own to sample)."""
        check_sample_rows(sample_rows)
        with self._reading() as conn:
            leaves = [r for r in lookup.leaf_rows(conn, ref) if r["num_rows"]]
        return sum(
            profile_ratios.REFERENCE_ROWS if self._profile_only(leaf) else rows
            for leaf, rows in self._sampled(leaves, sample_rows)
        )

    @staticmethod
    def _sampled(leaves: list[sqlite3.Row], sample_rows: int) -> list[tuple[sqlite3.Row, int]]:
        """The segments an estimate compresses, and the rows it takes from each."""
        chosen = _spread(sorted(leaves, key=lambda r: r["seg_id"]), MAX_SAMPLED_SEGMENTS)
        return [
            (
                leaf,
                samples.sample_size(
                    rows_to_sample(sample_rows, leaf["num_rows"]), leaf["num_rows"]
                ),
            )
            for leaf in chosen
        ]

    def _profile_only(self, leaf: sqlite3.Row) -> bool:
        # No rows of its own to sample: the profile's reference measurement stands in.
        return self.metadata_only or not leaf["data_from"] or not leaf["data_to"]

    @staticmethod
    def _check_scratch(
        conn: sqlite3.Connection, name: str, leaves: list[sqlite3.Row], sample_rows: int
    ) -> None:
        # DBMS_COMPRESSION builds scratch copies of the sample there (CTAS: a temp segment).
        ts = lookup.tablespace_row(conn, name)
        needed = 0
        for leaf in leaves:
            share = rows_to_sample(sample_rows, leaf["num_rows"]) / leaf["num_rows"]
            needed = max(needed, int(leaf["uncompressed_bytes"] * share))
        if ts["read_only"]:
            raise ora.tablespace_read_only(name)
        if ts["total_bytes"] - ts["used_bytes"] < needed:
            raise ora.unable_to_extend_temp(needed, name)

    def compression_sample(self, ref: ObjectRef, *, sample_rows: int) -> CompressionSample:
        check_sample_rows(sample_rows, allow_all=False)
        with self._reading() as conn:
            leaves = [r for r in lookup.leaf_rows(conn, ref) if r["num_rows"]]
        total = sum(r["num_rows"] for r in leaves)
        wanted = min(sample_rows, total)
        # Spread the sample over the segments by their rows, largest remainders first.
        exact = [wanted * r["num_rows"] / total for r in leaves] if total else []
        shares = [int(x) for x in exact]
        for i in sorted(range(len(exact)), key=lambda i: exact[i] - shares[i], reverse=True)[
            : wanted - sum(shares)
        ]:
            shares[i] += 1
        counts: dict[CompressionType, int] = {}
        for leaf, share in zip(leaves, shares, strict=True):
            ctype = CompressionType.parse(leaf["compression"])
            decayed = round(share * leaf["decayed_fraction"]) if ctype.is_hcc else 0
            for kind, count in ((ctype, share - decayed), (CompressionType.ADVANCED, decayed)):
                if count:
                    counts[kind] = counts.get(kind, 0) + count
        return CompressionSample(rows_by_type=counts)

    # --- protocol: actions ----------------------------------------------------------------

    @contextmanager
    def _writing(self, busy_timeout_s: float | None = None) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn
            timeout = max(busy_timeout_s or 0, self._busy_timeout_s)
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise WarehouseError(
                    f"resource busy: the warehouse file stayed locked for {timeout:.0f}s ({exc})",
                    code="ORA-00054",
                ) from exc
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    def _fault_error(self, kind: faults.FaultKind, action: Action) -> WarehouseError:
        ref = action.ref
        if kind is faults.FaultKind.LOCK_HELD:
            return ora.resource_busy(ref)
        if kind is faults.FaultKind.TABLESPACE_FULL:
            seg = lookup.find_segment(self._conn, ref)
            table = lookup.table_row(self._conn, ref.owner, ref.table)
            tablespace = action.tablespace or (seg["tablespace"] if seg else table["tablespace"])
            return ora.unable_to_extend(ref, seg["bytes"] if seg else 0, tablespace or "?")
        return ora.connection_lost(ref, committed=False)

    def apply(self, action: Action, *, ddl_lock_timeout_s: int = 30) -> ApplyResult:
        """Change the simulated state as Oracle would; see actions.py for each kind.

        ``ddl_lock_timeout_s`` bounds the wait for the file's write lock (never below the
        connection's busy timeout: SQLite locks the whole file, not one object); object locks
        held by other sessions are simulated with LOCK_HELD faults.
        """
        if not isinstance(action, Action):
            raise ConfigError(f"apply() needs an Action, got {type(action).__name__}")
        if action.kind is ActionKind.CUSTOM:
            raise actions.custom_refused(action.ref.label)
        statements = tuple(ddl.render(action, version=self._version))
        now = _sysdate()
        with self._writing(ddl_lock_timeout_s) as conn:
            lookup.table_row(conn, action.ref.owner, action.ref.table)
            fired = faults.fire(conn, action.ref.label)
        if fired.before is not None:
            # The fault is consumed (committed) even though no statement ran.
            raise self._fault_error(fired.before, action)
        duration = 0.0
        sent: list[str] = []
        # Oracle commits each DDL statement: a failure part-way leaves the earlier ones done,
        # which is what the callers' re-reading of the live state is for.
        for statement in statements:
            with self._writing(ddl_lock_timeout_s) as conn:
                ctx = actions.Context(conn, self._version, self._segment_ratio, now)
                if isinstance(statement, ddl.SqlCall):
                    # The named text is what Oracle would run; it must exist and bind these.
                    text = sql_files.load(statement.name)
                    shown = statement.display(text)
                    seconds = calls.run(ctx, statement, text) * fired.slow_factor
                else:
                    shown = statement
                    seconds = actions.run(ctx, statement) * fired.slow_factor
                duration += seconds
                sent.append(shown)
                conn.execute(
                    "INSERT INTO sim_ddl_log (applied_at, object_label, action_kind, statements,"
                    " duration_s) VALUES (?, ?, ?, ?, ?)",
                    (now.isoformat(sep=" "), action.ref.label, action.kind.value, shown, seconds),
                )
        if fired.after_commit:
            raise ora.connection_lost(action.ref, committed=True)
        if self._sleep_scale:
            time.sleep(duration * self._sleep_scale)
        return ApplyResult(statements=tuple(sent), duration_s=duration, simulated=True)

    def run_statements(self, statements: Sequence[str]) -> None:
        """Run statements the package rendered outside an Action (the archive table's
        creation, its indexes and keys), each as Oracle would, committed one by one."""
        now = _sysdate()
        for statement in statements:
            with self._writing() as conn:
                ctx = actions.Context(conn, self._version, self._segment_ratio, now)
                actions.run(ctx, statement)

    # --- simulation controls (not part of the protocol) -----------------------------------

    def index_definitions(self, owner: str, table: str) -> list[IndexDefinition]:
        with self._reading() as conn:
            return dictionary.index_definitions(conn, owner, table)

    def key_constraints(self, owner: str, table: str) -> list[KeyConstraint]:
        with self._reading() as conn:
            return dictionary.key_constraints(conn, owner, table)

    def execute_ddl(self, statements: Sequence[str]) -> None:
        self.run_statements(statements)

    def simulate_dml(
        self, ref: ObjectRef, *, inserts: int = 0, updates: int = 0, deletes: int = 0
    ) -> None:
        """Record DML on a segment: statistics, size and, for HCC segments, row decay."""
        with self._writing() as conn:
            dml.apply_dml(
                conn,
                ref,
                _sysdate(),
                inserts=inserts,
                updates=updates,
                deletes=deletes,
            )
            if ref.subpartition:
                actions.refresh_parent(conn, ref.owner, ref.table, ref.partition or "")

    def simulate_load(self, owner: str, table: str, *, day: date, rows: int) -> ObjectRef:
        """Insert ``rows`` rows dated ``day`` into a range-partitioned table (loads.py): into
        the partition holding the day, a new interval partition when an interval table has
        none yet, ORA-14400 when a range table has none. Returns the partition loaded."""
        with self._writing() as conn:
            return loads.load_day(conn, owner, table, day, rows, _sysdate())

    def inject_fault(
        self,
        target: str | ObjectRef,
        kind: faults.FaultKind | str,
        *,
        times: int = 1,
        factor: float = faults.DEFAULT_SLOW_FACTOR,
    ) -> int:
        """Make the next ``times`` actions on ``target`` (a label or glob) fail with ``kind``."""
        with self._writing() as conn:
            return faults.add(conn, target, kind, times=times, factor=factor)

    def inject_random_faults(
        self,
        kind: faults.FaultKind | str,
        probability: float,
        seed: int,
        *,
        factor: float = faults.DEFAULT_SLOW_FACTOR,
    ) -> int:
        """Fail any action with ``probability``, repeatably for a ``seed``, until cleared."""
        with self._writing() as conn:
            return faults.add_random(conn, kind, probability, seed, factor=factor)

    def clear_faults(self) -> int:
        with self._writing() as conn:
            return faults.clear(conn)

    def pending_faults(self) -> list[faults.Fault]:
        with self._reading() as conn:
            return faults.pending(conn)

    def revoke_privilege(self, privilege: str) -> None:
        """Take a grants.sql privilege from the simulated account (ORA-01031 follows)."""
        with self._writing() as conn:
            account.revoke(conn, privilege)

    def grant_privilege(self, privilege: str) -> None:
        with self._writing() as conn:
            account.grant(conn, privilege)

    def set_quota(self, user: str, tablespace: str, max_bytes: int | None) -> None:
        """A user's quota on a tablespace: None unlimited, 0 none."""
        with self._writing() as conn:
            account.set_quota(conn, user, tablespace, max_bytes)

    # --- protocol: session and connections ------------------------------------------------

    def set_session_info(self, module: str, action: str) -> None:
        with self._writing() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO sim_sessions (pid, module, action, updated_at)"
                " VALUES (?, ?, ?, ?)",
                (os.getpid(), module, action, _sysdate().isoformat(sep=" ")),
            )

    def repository_engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                from sqlalchemy import create_engine, event

                engine = create_engine(f"sqlite:///{self.path}")
                busy = self._busy_timeout_s

                @event.listens_for(engine, "connect")
                def _pragmas(dbapi_connection, _record) -> None:
                    apply_pragmas(dbapi_connection, busy_timeout_s=busy)

                self._engine = engine
            return self._engine

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
            self._conn.close()

    def __enter__(self) -> EmbeddedWarehouse:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EmbeddedWarehouse({str(self.path)!r}, version={self._version!r})"


__all__ = ["EmbeddedWarehouse", "DEFAULT_VERSION", "Transience"]

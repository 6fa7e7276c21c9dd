"""OracleWarehouse: the Warehouse protocol over python-oracledb (thin mode).

Built from the provider's OracleHook (``oracle_warehouse_from_conn_id``) or from any callable
returning a DB-API connection, which is how the recording tests drive it. Every query and
PL/SQL block comes from include/sql/oracle through ``sql_files``; every DDL statement comes from
core.ddl. Values are bound; owner lists are handled by running a query once per owner, which
keeps every statement a plain single-bind query (no collection types to create or grant, and
one plan per statement whatever the number of owners).

The dictionary queries use columns added in 12.2 (READ_ONLY of partitions, ORACLE_MAINTAINED),
so the backend refuses older databases clearly (core.oracle_features.MINIMUM_VERSION).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import oracledb

from hcc_operators.core import ddl, identifiers, licences
from hcc_operators.core import privileges as privileges_module
from hcc_operators.core.errors import ConfigError, Transience, WarehouseError
from hcc_operators.core.licences import Licences
from hcc_operators.core.models import (
    AccessStats,
    Action,
    ApplyResult,
    CompressionSample,
    CompressionType,
    DmlStats,
    IndexDefinition,
    IndexInfo,
    KeyConstraint,
    ObjectKind,
    ObjectRef,
    SegmentInfo,
    TableInfo,
    TablespaceInfo,
    UnknownCompression,
)
from hcc_operators.core.oracle_features import MINIMUM_VERSION, version_text
from hcc_operators.core.preflight import SessionFacts
from hcc_operators.core.sample_rows import check_sample_rows
from hcc_operators.warehouse import oracle_rows, sql_files
from hcc_operators.warehouse.oracle_errors import PRIVILEGE_CODES, translate

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

#: The oldest release whose dictionary the queries under include/sql/oracle read.
MINIMUM_BACKEND_VERSION = MINIMUM_VERSION

#: DBMS_COMPRESSION.COMP_* constants (PL/SQL Packages and Types Reference, DBMS_COMPRESSION).
COMP_TYPE = {
    CompressionType.NONE: 1,
    CompressionType.ADVANCED: 2,
    CompressionType.QUERY_HIGH: 4,
    CompressionType.QUERY_LOW: 8,
    CompressionType.ARCHIVE_HIGH: 16,
    CompressionType.ARCHIVE_LOW: 32,
    CompressionType.BASIC: 4096,
}
# COMP_BLOCK (64) is reported for a row in a row-store compressed block without a finer level.
_TYPE_OF_CODE = {code: ctype for ctype, code in COMP_TYPE.items()} | {64: CompressionType.BASIC}

#: DBMS_APPLICATION_INFO limits (bytes); longer values are cut, as Oracle would.
MODULE_MAX_BYTES = 48
ACTION_MAX_BYTES = 32

ConnectionFactory = Callable[[], Any]


class OracleWarehouse:
    backend = "oracle"

    def __init__(
        self,
        *,
        hook: Any | None = None,
        connection_factory: ConnectionFactory | None = None,
        licences: Licences | None = None,
        access_window_days: int = 30,
        hcc_tablespaces: Collection[str] | None = None,
        module: str = "hcc_operators",
    ):
        """``licences``: the options the connection declares (core.licences): Heat Map is read
        only with the Advanced Compression Option, AWR only with the Diagnostics Pack.
        ``hcc_tablespaces``: the tablespaces on HCC-capable storage (Exadata, ZFS Storage
        Appliance, Pillar); None assumes all are, as on Exadata.
        """
        if (hook is None) == (connection_factory is None):
            raise ConfigError("OracleWarehouse needs exactly one of hook or connection_factory")
        self._factory: ConnectionFactory = (
            connection_factory if connection_factory is not None else hook.get_conn
        )
        if isinstance(access_window_days, bool) or not isinstance(access_window_days, int):
            raise ConfigError(f"access_window_days {access_window_days!r} is not a whole number")
        if access_window_days < 1:
            raise ConfigError(f"access_window_days {access_window_days} must be at least 1")
        self.licences = licences or Licences()
        self._window_days = access_window_days
        self._hcc_tablespaces = None if hcc_tablespaces is None else frozenset(hcc_tablespaces)
        self._module = module
        self._conn: Any | None = None
        self._version: tuple[int, ...] | None = None
        self._engine: Engine | None = None
        #: Where the last access_stats() call read from: HEATMAP, AWR or NONE.
        self.access_source = "NONE"
        self._unreadable: dict[ObjectRef, str] = {}

    # --- connection plumbing -------------------------------------------------------------------

    def _connection(self) -> Any:
        if self._conn is None:
            try:
                self._conn = self._factory()
            except oracledb.Error as err:
                raise translate(err, doing="connecting to Oracle") from err
        return self._conn

    def _run(
        self,
        sql: str,
        binds: dict[str, Any] | None,
        *,
        doing: str,
        ddl_statement: bool = False,
        fetch: bool = True,
    ) -> list[dict[str, Any]]:
        conn = self._connection()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, binds or {})
                if not fetch or cursor.description is None:
                    return []
                names = [column[0].lower() for column in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except oracledb.Error as err:
            raise translate(err, doing=doing, ddl=ddl_statement) from err

    def _query(
        self, name: str, binds: dict[str, Any] | None = None, **fragments: str
    ) -> list[dict[str, Any]]:
        return self._run(sql_files.load(name, **fragments), binds, doing=f"running {name}")

    def _dictionary_version(self) -> tuple[int, ...]:
        version = self.version()
        if version < MINIMUM_BACKEND_VERSION:
            raise WarehouseError(
                f"Oracle {version_text(version)} is not supported by the Oracle backend; its "
                f"dictionary queries need {version_text(MINIMUM_BACKEND_VERSION)} or later",
                transience=Transience.PERMANENT,
            )
        return version

    # --- protocol ------------------------------------------------------------------------------

    def version(self) -> tuple[int, ...]:
        if self._version is None:
            rows = self._query("dictionary/version")
            parsed = oracle_rows.version(rows[0]["version"]) if rows else ()
            if not parsed:
                raise WarehouseError(
                    "PRODUCT_COMPONENT_VERSION returned no Oracle Database version",
                    transience=Transience.PERMANENT,
                )
            self._version = parsed
        return self._version

    def list_schemas(self, *, include_oracle_maintained: bool = False) -> list[str]:
        self._dictionary_version()
        rows = self._query(
            "dictionary/schemas", {"include_maintained": 1 if include_oracle_maintained else 0}
        )
        return [row["owner"] for row in rows]

    def list_tables(self, owners: Sequence[str]) -> list[TableInfo]:
        self._dictionary_version()
        tables: list[TableInfo] = []
        for owner in _owners(owners):
            rows = self._query("dictionary/tables", {"owner": owner})
            tables.extend(self._readable(oracle_rows.table_info, rows))
        return tables

    def list_segments(
        self, owners: Sequence[str], tables: Sequence[ObjectRef] | None = None
    ) -> list[SegmentInfo]:
        self._dictionary_version()
        wanted = _owners(owners)
        if tables is None:
            targets: list[tuple[str, str | None]] = [(owner, None) for owner in wanted]
        else:
            owner_set = set(wanted)
            for ref in tables:
                identifiers.qualified(ref.owner, ref.table)
            targets = list(
                dict.fromkeys((t.owner, t.table) for t in tables if t.owner in owner_set)
            )
        segments: list[SegmentInfo] = []
        for owner, table in targets:
            segments.extend(self._segments(owner, table))
        return segments

    def _segments(
        self,
        owner: str,
        table: str | None,
        partition: str | None = None,
        subpartition: str | None = None,
        *,
        kinds: Iterable[ObjectKind] = tuple(ObjectKind),
    ) -> list[SegmentInfo]:
        found: list[SegmentInfo] = []
        kinds = set(kinds)
        if ObjectKind.TABLE in kinds:
            rows = self._query("dictionary/table_segments", {"owner": owner, "table_name": table})
            found.extend(self._readable(oracle_rows.table_segment, rows))
        if ObjectKind.PARTITION in kinds:
            rows = self._query(
                "dictionary/partitions",
                {"owner": owner, "table_name": table, "partition_name": partition},
            )
            found.extend(self._readable(oracle_rows.partition_segment, rows))
        if ObjectKind.SUBPARTITION in kinds:
            rows = self._query(
                "dictionary/subpartitions",
                {
                    "owner": owner,
                    "table_name": table,
                    "partition_name": partition,
                    "subpartition_name": subpartition,
                },
            )
            found.extend(self._readable(oracle_rows.subpartition_segment, rows))
        return found

    def _readable(self, convert, rows) -> list:
        """Rows converted; a row whose compression the package does not know is left out
        (and listed by ``unreadable``) instead of aborting the whole read."""
        out = []
        for row in rows:
            try:
                out.append(convert(row))
            except UnknownCompression as err:
                ref = oracle_rows.ref_of(row)
                self._unreadable[ref] = (
                    f"COMPRESS_FOR {err.raw!r} is not a value this package knows"
                )
                log.warning("%s skipped: %s", ref.label, self._unreadable[ref])
        return out

    def unreadable(self) -> dict[ObjectRef, str]:
        return dict(self._unreadable)

    def segment(self, ref: ObjectRef) -> SegmentInfo | None:
        """Live state now; None also for a partitioned table, which has no segment of its own."""
        self._dictionary_version()
        _validate_ref(ref)
        found = self._segments(
            ref.owner, ref.table, ref.partition, ref.subpartition, kinds=(ref.kind,)
        )
        matches = [s for s in found if s.ref == ref]
        return matches[0] if matches else None

    def row_count(self, ref: ObjectRef) -> int:
        target = ddl.segment_target(ref, version=self.version())
        rows = self._query("stats/row_count", target=target)
        return int(rows[0]["row_count"])

    def dml_stats(self, owners: Sequence[str]) -> dict[ObjectRef, DmlStats]:
        self._dictionary_version()
        self._flush_monitoring()
        stats: dict[ObjectRef, DmlStats] = {}
        for owner in _owners(owners):
            for row in self._query("stats/modifications", {"owner": owner}):
                ref, entry = oracle_rows.dml_entry(row)
                stats[ref] = entry
        return stats

    def _flush_monitoring(self) -> None:
        try:
            self._query("stats/flush_monitoring")
        except WarehouseError as err:
            if err.code not in PRIVILEGE_CODES:
                raise
            log.warning(
                "DML counters not flushed (%s); ALL_TAB_MODIFICATIONS is as of the last "
                "automatic flush. Grant ANALYZE ANY to flush on demand.",
                err,
            )

    def access_stats(self, owners: Sequence[str]) -> dict[ObjectRef, AccessStats]:
        self._dictionary_version()
        wanted = _owners(owners)
        # Heat Map is part of the Advanced Compression Option (LIC-04), AWR of the
        # Diagnostics Pack (LIC-01): neither is read unless the connection declares it.
        if self.licences.advanced_compression:
            heat = self._optional_stats("stats/heat_map", wanted, oracle_rows.heat_map_entry)
            if heat:
                self.access_source = "HEATMAP"
                return heat
        if self.licences.diagnostics_pack:
            awr = self._optional_stats(
                "stats/awr_segment_reads",
                wanted,
                oracle_rows.awr_entry,
                days=self._window_days,
            )
            if awr:
                self.access_source = "AWR"
                return awr
        self.access_source = "NONE"
        return {}

    def _optional_stats(
        self,
        name: str,
        owners: list[str],
        convert: Callable[[dict[str, Any]], tuple[ObjectRef, AccessStats]],
        **extra_binds: Any,
    ) -> dict[ObjectRef, AccessStats]:
        """Rows of an access source, or {} when the view is not readable by this account."""
        found: dict[ObjectRef, AccessStats] = {}
        for owner in owners:
            try:
                rows = self._query(name, {"owner": owner, **extra_binds})
            except WarehouseError as err:
                if err.code not in PRIVILEGE_CODES:
                    raise
                log.warning("%s is not readable (%s); trying the next access source", name, err)
                return {}
            for row in rows:
                ref, entry = convert(row)
                found[ref] = entry
        return found

    def tablespaces(self) -> dict[str, TablespaceInfo]:
        rows = self._query("dictionary/tablespaces")
        return {
            row["tablespace_name"]: oracle_rows.tablespace(
                row,
                hcc_supported=self._hcc_tablespaces is None
                or row["tablespace_name"] in self._hcc_tablespaces,
            )
            for row in rows
        }

    def session_facts(self, owners: Sequence[str] = ()) -> SessionFacts:
        """What `hcc preflight` checks: privileges, reachable SYS objects, quotas, parameters.

        Every read that the account may lack the privilege for is optional: a missing grant is
        a finding of the pre-flight, not an error of it."""
        (user,) = self._query("preflight/session_user") or [{}]
        privileges = frozenset(r["privilege"] for r in self._query("preflight/session_privs"))
        reachable = set()
        for name in sorted({g.on for g in privileges_module.GRANTS if g.on}):
            if self._query("preflight/sys_object", {"object_name": name}):
                reachable.add(name)
        quotas = {
            r["tablespace_name"]: _quota(r["max_bytes"])
            for r in self._query("preflight/user_quotas")
        }
        parameters = {
            r["name"].lower(): r["value"] for r in self._optional_rows("preflight/parameters")
        }
        owner_quotas: dict[tuple[str, str], int | None] | None = {}
        for owner in _owners(owners):
            rows = self._optional_rows("preflight/owner_quotas", {"owner": owner}, none=True)
            if rows is None:
                owner_quotas = None
                break
            owner_quotas.update(
                {(owner, r["tablespace_name"]): _quota(r["max_bytes"]) for r in rows}
            )
        return SessionFacts(
            user=user.get("username") or "?",
            default_tablespace=user.get("default_tablespace"),
            version=self.version(),
            system_privileges=privileges,
            sys_objects=frozenset(reachable),
            quotas=quotas,
            compatible=parameters.get("compatible"),
            heat_map=parameters.get("heat_map"),
            owner_quotas=owner_quotas,
        )

    def _optional_rows(
        self, name: str, binds: dict[str, Any] | None = None, *, none: bool = False
    ) -> list[dict[str, Any]] | None:
        """Rows of a view the account may not be granted: [] (or None) when it is not."""
        try:
            return self._query(name, binds)
        except WarehouseError as err:
            if err.code not in PRIVILEGE_CODES:
                raise
            log.info("%s is not readable (%s); reported by the pre-flight", name, err.code)
            return None if none else []

    def indexes(self, owner: str, table: str) -> list[IndexInfo]:
        self._dictionary_version()
        identifiers.qualified(owner, table)
        binds = {"owner": owner, "table_name": table}
        # A composite-partitioned local index is listed by its subpartitions, each with its
        # own status (IDX-10): its partitions have none to rebuild (IDX-02).
        rows = [
            *self._query("dictionary/indexes", binds),
            *self._query("dictionary/index_subpartitions", binds),
        ]
        return [oracle_rows.index_info(row) for row in rows]

    def estimate_ratio(
        self,
        ref: ObjectRef,
        ctype: CompressionType,
        *,
        sample_rows: int,
        scratch_tablespace: str | None = None,
    ) -> float:
        _validate_ref(ref)
        _validate_sample(sample_rows)
        if ctype is CompressionType.NONE:
            return 1.0
        if scratch_tablespace is not None:
            identifiers.quote(scratch_tablespace, kind="tablespace")
        conn = self._connection()
        doing = f"estimating {ctype.value} for {ref.label}"
        try:
            with conn.cursor() as cursor:
                ratio = cursor.var(oracledb.DB_TYPE_NUMBER)
                comptype_str = cursor.var(oracledb.DB_TYPE_VARCHAR, 4000)
                cursor.execute(
                    sql_files.load("compression/ratio"),
                    {
                        "scratch_tablespace": scratch_tablespace,
                        "owner": ref.owner,
                        "table_name": ref.table,
                        "subobject_name": ref.subpartition or ref.partition,
                        "comptype": COMP_TYPE[ctype],
                        "sample_rows": sample_rows,
                        "ratio": ratio,
                        "comptype_str": comptype_str,
                    },
                )
                value = ratio.getvalue()
        except oracledb.Error as err:
            raise translate(err, doing=doing) from err
        if value is None or float(value) <= 0:
            raise WarehouseError(
                f"{doing}: DBMS_COMPRESSION returned no usable ratio ({value!r})",
                transience=Transience.PERMANENT,
            )
        return float(value)

    def estimate_sample_rows(self, ref: ObjectRef, *, sample_rows: int) -> int | None:
        # compression/ratio.sql reads back only the ratio and COMPTYPE_STR; subset_numrows is
        # what was asked, not what DBMS_COMPRESSION used (DBC-04 is unverified), so unknown.
        _validate_sample(sample_rows)
        return None

    def compression_sample(self, ref: ObjectRef, *, sample_rows: int) -> CompressionSample:
        _validate_sample(sample_rows, allow_all=False)
        target = ddl.segment_target(ref, version=self.version())
        rows = self._query(
            "compression/row_types",
            {
                "owner": ref.owner,
                "table_name": ref.table,
                "subobject_name": ref.subpartition or ref.partition,
                "sample_rows": sample_rows,
            },
            target=target,
        )
        counts: dict[CompressionType, int] = {}
        for row in rows:
            code = int(row["comp_type"])
            ctype = _TYPE_OF_CODE.get(code)
            if ctype is None:
                log.warning(
                    "%s: %d rows with unknown compression code %d left out",
                    ref.label,
                    row["row_count"],
                    code,
                )
                continue
            counts[ctype] = counts.get(ctype, 0) + int(row["row_count"])
        return CompressionSample(counts)

    def apply(self, action: Action, *, ddl_lock_timeout_s: int = 30) -> ApplyResult:
        statements = ddl.render(action, version=self.version())
        lock_timeout = ddl.render_ddl_lock_timeout(ddl_lock_timeout_s)
        self._run(lock_timeout, None, doing="setting DDL_LOCK_TIMEOUT", fetch=False)
        self.set_session_info(self._module, f"{action.kind.value} {action.ref.label}")
        doing = f"{action.kind.value} of {action.ref.label}"
        started = time.monotonic()
        sent = []
        for statement in statements:
            if isinstance(statement, ddl.SqlCall):
                text = sql_files.load(statement.name)
                self._run(text, dict(statement.binds), doing=doing, fetch=False)
                sent.append(statement.display(text))
            else:
                self._run(statement, None, doing=doing, ddl_statement=True, fetch=False)
                sent.append(statement)
        return ApplyResult(tuple(sent), time.monotonic() - started)

    def index_definitions(self, owner: str, table: str) -> list[IndexDefinition]:
        self._dictionary_version()
        identifiers.qualified(owner, table)
        rows = self._query("dictionary/index_columns", {"owner": owner, "table_name": table})
        return oracle_rows.index_definitions(rows)

    def key_constraints(self, owner: str, table: str) -> list[KeyConstraint]:
        self._dictionary_version()
        identifiers.qualified(owner, table)
        rows = self._query("dictionary/key_constraints", {"owner": owner, "table_name": table})
        return oracle_rows.key_constraints(rows, owner)

    def execute_ddl(self, statements: Sequence[str]) -> None:
        for statement in statements:
            self._run(statement, None, doing=statement[:80], ddl_statement=True, fetch=False)

    def set_session_info(self, module: str, action: str) -> None:
        self._run(
            sql_files.load("session/set_module"),
            {
                "module_name": _cut(module, MODULE_MAX_BYTES),
                "action_name": _cut(action, ACTION_MAX_BYTES),
            },
            doing="setting DBMS_APPLICATION_INFO module",
            fetch=False,
        )

    def repository_engine(self) -> Engine:
        """An engine over the same connection logic; never a URI with the password in it."""
        if self._engine is None:
            from sqlalchemy import create_engine

            self._engine = create_engine("oracle+oracledb://", creator=self._factory)
        return self._engine

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except oracledb.Error as err:
                log.warning("closing the Oracle connection failed: %s", err)
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> OracleWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _owners(owners: Sequence[str]) -> list[str]:
    if isinstance(owners, str):
        raise ConfigError(f"owners must be a list of schema names, not the string {owners!r}")
    for owner in owners:
        identifiers.quote(owner, kind="owner")
    return list(dict.fromkeys(owners))


def _validate_ref(ref: ObjectRef) -> None:
    identifiers.qualified(ref.owner, ref.table)
    if ref.partition is not None:
        identifiers.quote(ref.partition, kind="partition")
    if ref.subpartition is not None:
        identifiers.quote(ref.subpartition, kind="subpartition")


def _validate_sample(sample_rows: int, *, allow_all: bool = True) -> None:
    # DBMS_COMPRESSION.COMP_RATIO_ALLROWS (-1) estimates over every row.
    check_sample_rows(sample_rows, allow_all=allow_all)


def _quota(max_bytes: Any) -> int | None:
    """DBA_TS_QUOTAS.MAX_BYTES: -1 is unlimited (VIEW-02)."""
    value = int(max_bytes)
    return None if value == -1 else value


def _cut(text: str, max_bytes: int) -> str:
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def oracle_warehouse_from_conn_id(conn_id: str = "hcc_warehouse") -> OracleWarehouse:
    """OracleWarehouse behind an Airflow connection of conn_type ``oracle``.

    The connection's extras carry ``service_name`` (the hook builds the DSN from host, port
    and it), the licences (core.licences: ``hcc_advanced_compression``,
    ``hcc_diagnostics_pack``) and optionally ``hcc_tablespaces`` (the tablespaces on
    HCC-capable storage). Thin or thick mode is the connection's choice: the provider reads
    ``thick_mode``, ``thick_mode_lib_dir`` and ``thick_mode_config_dir`` from the extras (thick
    mode is needed for Native Network Encryption, DRV-01, and for databases before 12.1).
    """
    from airflow.providers.oracle.hooks.oracle import OracleHook

    hook = OracleHook(oracle_conn_id=conn_id)
    extras = hook.get_connection(conn_id).extra_dejson
    thick = extras.get("thick_mode")
    if (
        thick is not None
        and not isinstance(thick, bool)
        and str(thick).lower()
        not in (
            "true",
            "false",
        )
    ):
        raise ConfigError(
            f"extra thick_mode of connection {conn_id!r} must be true or false, got {thick!r}",
            field="thick_mode",
        )
    hcc_tablespaces = extras.get("hcc_tablespaces")
    if hcc_tablespaces is not None and (
        isinstance(hcc_tablespaces, str) or not isinstance(hcc_tablespaces, list)
    ):
        raise ConfigError(
            f"extra hcc_tablespaces of connection {conn_id!r} must be a list of names",
            field="hcc_tablespaces",
        )
    return OracleWarehouse(
        hook=hook,
        licences=licences.from_extras(extras, conn_id),
        hcc_tablespaces=hcc_tablespaces,
    )


def oracle_warehouse_from_dsn(dsn: str) -> OracleWarehouse:
    """From ``oracle+oracledb://user:password@host:port/?service_name=NAME`` (CLI use)."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(dsn)
    except Exception as err:  # sqlalchemy raises ArgumentError for unparseable URLs
        raise ConfigError(f"cannot read Oracle DSN: {err}", field="dsn") from err
    if url.get_backend_name() != "oracle":
        raise ConfigError(f"DSN scheme {url.drivername!r} is not oracle", field="dsn")
    service_name = url.query.get("service_name")
    if url.database or not service_name or not url.host:
        raise ConfigError(
            "an Oracle DSN needs a host and ?service_name=NAME and no /path (a path would be "
            "read as a SID by SQLAlchemy)",
            field="dsn",
        )
    connect_args = {
        "user": url.username,
        "password": url.password,
        "dsn": oracledb.makedsn(url.host, url.port or 1521, service_name=str(service_name)),
    }
    return OracleWarehouse(connection_factory=lambda: oracledb.connect(**connect_args))

"""Oracle DDL for each Action, built from validated identifiers and bound-free literals.

render() is the only place partition DDL text is produced; the Oracle backend executes it and
the embedded warehouse records it, so dry runs and logs show the exact statements.

Clause order follows the SQL Language Reference diagrams (move_table_clause,
move_table_partition, move_table_subpartition, modify_table_partition, merge_table_partitions,
exchange_partition_subpart, drop_table_partition, truncate_partition_subpart). DDL cannot take
bind variables, so every name goes through core.identifiers and every number is range-checked
before it is formatted into the text.

``Action.online`` applies to the kinds that have an ONLINE keyword (COMPRESS, MOVE, MERGE);
the others are dictionary operations or take a short exclusive lock whatever is asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hcc_operators.core import identifiers
from hcc_operators.core.errors import ConfigError, PolicyError
from hcc_operators.core.models import (
    Action,
    CompressionType,
    IndexInfo,
    ObjectKind,
    ObjectRef,
)
from hcc_operators.core.oracle_features import MINIMUM_VERSION, Feature, require, version_text

#: DDL_LOCK_TIMEOUT bounds (seconds), as documented for the initialisation parameter.
DDL_LOCK_TIMEOUT_MAX = 1_000_000

_COMPRESSION_12C = {
    CompressionType.NONE: "NOCOMPRESS",
    CompressionType.BASIC: "ROW STORE COMPRESS BASIC",
    CompressionType.ADVANCED: "ROW STORE COMPRESS ADVANCED",
    CompressionType.QUERY_LOW: "COLUMN STORE COMPRESS FOR QUERY LOW",
    CompressionType.QUERY_HIGH: "COLUMN STORE COMPRESS FOR QUERY HIGH",
    CompressionType.ARCHIVE_LOW: "COLUMN STORE COMPRESS FOR ARCHIVE LOW",
    CompressionType.ARCHIVE_HIGH: "COLUMN STORE COMPRESS FOR ARCHIVE HIGH",
}


def check_version(version: Sequence[int]) -> tuple[int, ...]:
    """The version as a tuple of ints, refused when older than the package supports."""
    try:
        parts = tuple(version)
    except TypeError:
        parts = ()
    if not parts or not all(isinstance(p, int) and not isinstance(p, bool) for p in parts):
        raise ConfigError(f"Oracle version {version!r} is not a tuple of integers like (19, 0)")
    if parts < MINIMUM_VERSION:
        raise PolicyError(
            f"Oracle {version_text(parts)} is not supported; the partition DDL needs "
            f"{version_text(MINIMUM_VERSION)} or later"
        )
    return parts


def compression_clause(ctype: CompressionType, version: Sequence[int] = (19,)) -> str:
    """The table_compression clause for ``ctype`` (the 12c spelling the dictionary echoes)."""
    parts = check_version(version)
    if not isinstance(ctype, CompressionType):
        raise ConfigError(f"compression {ctype!r} is not a CompressionType")
    if ctype.is_hcc:
        require(Feature.HCC, parts)
    return _COMPRESSION_12C[ctype]


@dataclass(frozen=True)
class SqlCall:
    """A named statement of include/sql/oracle (a PL/SQL call) with its bind values.

    DDL cannot take binds, so it is rendered here as text; a PL/SQL call can and must, so an
    action that needs one renders this instead and the warehouse loads the named text and
    binds the values (values are never formatted into SQL)."""

    name: str
    binds: tuple[tuple[str, object], ...]

    def display(self, text: str | None = None) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.binds)
        return f"{text or self.name}\n-- binds: {shown}"


Statement = str | SqlCall


def display(statement: Statement, text: str | None = None) -> str:
    """How a statement is logged: DDL as sent, a call as its text and bind values."""
    return statement.display(text) if isinstance(statement, SqlCall) else statement


def render(action: Action, *, version: tuple[int, ...] = (19,)) -> list[Statement]:
    """The statements that perform ``action`` on a database of ``version``, in order."""
    from hcc_operators.core.actions import spec  # the kinds import this module's helpers

    parts = check_version(version)
    return spec(action.kind).render(action, parts)


def render_create_for_exchange(
    new_table: ObjectRef, like: ObjectRef, version: tuple[int, ...] = (19,)
) -> str:
    """An empty table shaped exactly like ``like`` for a later partition exchange (12.2+)."""
    parts = check_version(version)
    require(
        Feature.CREATE_TABLE_FOR_EXCHANGE,
        parts,
        hint="create the exchange table by hand with matching columns and storage",
    )
    for ref in (new_table, like):
        require_kind(ref, ObjectKind.TABLE, "CREATE TABLE ... FOR EXCHANGE")
    size = identifiers.max_identifier_bytes(parts)
    return f"CREATE TABLE {table_name(new_table, size)} FOR EXCHANGE WITH TABLE {table_name(like, size)}"


def render_create_index(
    index: ObjectRef,
    table: ObjectRef,
    columns: Sequence[str],
    *,
    unique: bool = False,
    bitmap: bool = False,
    version: tuple[int, ...] = (19,),
) -> str:
    """CREATE [UNIQUE | BITMAP] INDEX on a non-partitioned table (an archive table's twin of a
    local index, EXCHANGE-02). ``index`` names the index as OWNER.NAME in its ``table`` field."""
    size = identifiers.max_identifier_bytes(check_version(version))
    if not columns:
        raise PolicyError(f"index {index.label} needs at least one column")
    if unique and bitmap:
        raise PolicyError(f"index {index.label} cannot be both UNIQUE and BITMAP")
    kind = "UNIQUE INDEX" if unique else "BITMAP INDEX" if bitmap else "INDEX"
    cols = ", ".join(identifiers.quote(c, kind="column", max_bytes=size) for c in columns)
    return f"CREATE {kind} {table_name(index, size)} ON {table_name(table, size)} ({cols})"


def render_add_key(
    table: ObjectRef,
    name: str,
    kind: str,
    columns: Sequence[str],
    *,
    using_index: str | None = None,
    version: tuple[int, ...] = (19,),
) -> str:
    """ALTER TABLE ... ADD CONSTRAINT name PRIMARY KEY | UNIQUE (cols) [USING INDEX idx]."""
    size = identifiers.max_identifier_bytes(check_version(version))
    keyword = {"P": "PRIMARY KEY", "U": "UNIQUE"}.get(kind)
    if keyword is None:
        raise PolicyError(f"constraint kind {kind!r} is not P or U")
    cols = ", ".join(identifiers.quote(c, kind="column", max_bytes=size) for c in columns)
    text = (
        f"ALTER TABLE {table_name(table, size)} ADD CONSTRAINT "
        f"{identifiers.quote(name, kind='constraint', max_bytes=size)} {keyword} ({cols})"
    )
    if using_index:
        text += " USING INDEX " + table_name(ObjectRef(table.owner, using_index), size)
    return text


def render_index_rebuild(
    index: IndexInfo, *, online: bool = True, version: tuple[int, ...] = (19,)
) -> str:
    """ALTER INDEX ... REBUILD for a non-partitioned index, one index partition, or one index
    subpartition (a composite-partitioned index is rebuilt one subpartition at a time:
    REBUILD PARTITION of it is ORA-14287, rule book IDX-02)."""
    size = identifiers.max_identifier_bytes(check_version(version))
    name = identifiers.qualified(index.owner, index.index, kind="index", max_bytes=size)
    if index.partition is None and index.subpartition is None and index.status.upper() == "N/A":
        # ORA-14086: a partitioned index may not be rebuilt as a whole.
        raise PolicyError(
            f"index {index.owner}.{index.index} is partitioned; rebuild it one partition "
            "at a time (IndexInfo.partition)"
        )
    text = f"ALTER INDEX {name} REBUILD"
    if index.subpartition is not None:
        sub = identifiers.quote(index.subpartition, kind="subpartition", max_bytes=size)
        text += f" SUBPARTITION {sub}"
    elif index.partition is not None:
        part = identifiers.quote(index.partition, kind="partition", max_bytes=size)
        text += f" PARTITION {part}"
    return text + (" ONLINE" if online else "")


def render_rebuild_unusable_local(ref: ObjectRef, *, version: tuple[int, ...] = (19,)) -> str:
    """Rebuild the unusable local index partitions of one partition or subpartition."""
    size = identifiers.max_identifier_bytes(check_version(version))
    if ref.kind is ObjectKind.TABLE:
        raise PolicyError(
            f"{ref.label}: REBUILD UNUSABLE LOCAL INDEXES needs a partition or subpartition; "
            "rebuild the indexes of a non-partitioned table with ALTER INDEX ... REBUILD"
        )
    return (
        f"ALTER TABLE {table_name(ref, size)} MODIFY {segment_clause(ref, size)} "
        "REBUILD UNUSABLE LOCAL INDEXES"
    )


def segment_target(ref: ObjectRef, *, version: tuple[int, ...] = (19,)) -> str:
    """``"O"."T"``, ``"O"."T" PARTITION ("P")`` or ``"O"."T" SUBPARTITION ("S")`` for queries."""
    size = identifiers.max_identifier_bytes(check_version(version))
    target = table_name(ref, size)
    if ref.kind is ObjectKind.TABLE:
        return target
    keyword, name = segment_clause(ref, size).split(" ", 1)
    return f"{target} {keyword} ({name})"


def render_ddl_lock_timeout(seconds: int) -> str:
    """ALTER SESSION SET DDL_LOCK_TIMEOUT; formatted, not bound, because DDL takes no binds."""
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise ConfigError(f"DDL lock timeout {seconds!r} is not a whole number of seconds")
    if not 0 <= seconds <= DDL_LOCK_TIMEOUT_MAX:
        raise ConfigError(
            f"DDL lock timeout {seconds} s is outside 0..{DDL_LOCK_TIMEOUT_MAX} seconds"
        )
    return f"ALTER SESSION SET DDL_LOCK_TIMEOUT = {seconds}"


# --- building blocks -------------------------------------------------------------------------


def table_name(ref: ObjectRef, size: int) -> str:
    return identifiers.qualified(ref.owner, ref.table, kind="table", max_bytes=size)


def segment_clause(ref: ObjectRef, size: int) -> str:
    """``PARTITION "P"`` or ``SUBPARTITION "S"`` (subpartition names are unique per table)."""
    if ref.subpartition:
        return "SUBPARTITION " + identifiers.quote(
            ref.subpartition, kind="subpartition", max_bytes=size
        )
    return "PARTITION " + identifiers.quote(ref.partition or "", kind="partition", max_bytes=size)


def require_kind(ref: ObjectRef, kind: ObjectKind, what: str) -> None:
    if ref.kind is not kind:
        raise PolicyError(
            f"{ref.label}: {what} applies to a {kind.value.lower()}, not a {ref.kind.value.lower()}"
        )


def require_segment(action: Action, what: str) -> None:
    if action.ref.kind is ObjectKind.TABLE:
        raise PolicyError(
            f"{action.ref.label}: {what} applies to a partition or subpartition, "
            "not to a whole table"
        )


def pctfree_clause(action: Action) -> str | None:
    if action.pctfree is None:
        return None
    value = action.pctfree
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
        raise ConfigError(f"{action.ref.label}: PCTFREE {value!r} is not a whole number 0..99")
    return f"PCTFREE {value}"


def parallel_clause(action: Action) -> str | None:
    if action.parallel is None:
        return None
    value = action.parallel
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{action.ref.label}: PARALLEL {value!r} is not a whole number >= 1")
    return f"PARALLEL {value}"


def tablespace_clause(action: Action, size: int) -> str | None:
    if action.tablespace is None:
        return None
    return "TABLESPACE " + identifiers.quote(action.tablespace, kind="tablespace", max_bytes=size)


def compression_of(action: Action, version: tuple[int, ...]) -> str | None:
    if action.compression is None:
        return None
    return compression_clause(action.compression, version)


def join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def global_indexes_clause(action: Action) -> str | None:
    return "UPDATE GLOBAL INDEXES" if action.update_indexes else None

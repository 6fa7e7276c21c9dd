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

from collections.abc import Callable, Sequence

from hcc_operators.core import identifiers
from hcc_operators.core.errors import ConfigError, PolicyError
from hcc_operators.core.models import (
    Action,
    ActionKind,
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
# 11.2 spellings; 12c still accepts them, but the new ones are what the dictionary echoes back.
_COMPRESSION_11G = {
    CompressionType.NONE: "NOCOMPRESS",
    CompressionType.BASIC: "COMPRESS BASIC",
    CompressionType.ADVANCED: "COMPRESS FOR OLTP",
    CompressionType.QUERY_LOW: "COMPRESS FOR QUERY LOW",
    CompressionType.QUERY_HIGH: "COMPRESS FOR QUERY HIGH",
    CompressionType.ARCHIVE_LOW: "COMPRESS FOR ARCHIVE LOW",
    CompressionType.ARCHIVE_HIGH: "COMPRESS FOR ARCHIVE HIGH",
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
    """The table_compression clause for ``ctype`` in the spelling of ``version``."""
    parts = check_version(version)
    if not isinstance(ctype, CompressionType):
        raise ConfigError(f"compression {ctype!r} is not a CompressionType")
    if ctype.is_hcc:
        require(Feature.HCC, parts)
    try:
        require(Feature.COMPRESSION_12C_SYNTAX, parts)
    except PolicyError:
        return _COMPRESSION_11G[ctype]
    return _COMPRESSION_12C[ctype]


def render(action: Action, *, version: tuple[int, ...] = (19,)) -> list[str]:
    """The statements that perform ``action`` on a database of ``version``, in order."""
    parts = check_version(version)
    if action.kind is ActionKind.CUSTOM:
        raise PolicyError(
            f"{action.ref.label}: CUSTOM actions carry their own statements; "
            "core.ddl renders only the built-in action kinds"
        )
    return _RENDERERS[action.kind](action, parts)


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
        _require_kind(ref, ObjectKind.TABLE, "CREATE TABLE ... FOR EXCHANGE")
    size = identifiers.max_identifier_bytes(parts)
    return f"CREATE TABLE {_table(new_table, size)} FOR EXCHANGE WITH TABLE {_table(like, size)}"


def render_index_rebuild(
    index: IndexInfo, *, online: bool = True, version: tuple[int, ...] = (19,)
) -> str:
    """ALTER INDEX ... REBUILD for a non-partitioned index or one index partition."""
    size = identifiers.max_identifier_bytes(check_version(version))
    name = identifiers.qualified(index.owner, index.index, kind="index", max_bytes=size)
    if index.partition is None and index.status.upper() == "N/A":
        # ORA-14086: a partitioned index may not be rebuilt as a whole.
        raise PolicyError(
            f"index {index.owner}.{index.index} is partitioned; rebuild it one partition "
            "at a time (IndexInfo.partition)"
        )
    text = f"ALTER INDEX {name} REBUILD"
    if index.partition is not None:
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
        f"ALTER TABLE {_table(ref, size)} MODIFY {_segment(ref, size)} "
        "REBUILD UNUSABLE LOCAL INDEXES"
    )


def segment_target(ref: ObjectRef, *, version: tuple[int, ...] = (19,)) -> str:
    """``"O"."T"``, ``"O"."T" PARTITION ("P")`` or ``"O"."T" SUBPARTITION ("S")`` for queries."""
    size = identifiers.max_identifier_bytes(check_version(version))
    target = _table(ref, size)
    if ref.kind is ObjectKind.TABLE:
        return target
    keyword, name = _segment(ref, size).split(" ", 1)
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


def _table(ref: ObjectRef, size: int) -> str:
    return identifiers.qualified(ref.owner, ref.table, kind="table", max_bytes=size)


def _segment(ref: ObjectRef, size: int) -> str:
    """``PARTITION "P"`` or ``SUBPARTITION "S"`` (subpartition names are unique per table)."""
    if ref.subpartition:
        return "SUBPARTITION " + identifiers.quote(
            ref.subpartition, kind="subpartition", max_bytes=size
        )
    return "PARTITION " + identifiers.quote(ref.partition or "", kind="partition", max_bytes=size)


def _require_kind(ref: ObjectRef, kind: ObjectKind, what: str) -> None:
    if ref.kind is not kind:
        raise PolicyError(
            f"{ref.label}: {what} applies to a {kind.value.lower()}, not a {ref.kind.value.lower()}"
        )


def _require_segment(action: Action, what: str) -> None:
    if action.ref.kind is ObjectKind.TABLE:
        raise PolicyError(
            f"{action.ref.label}: {what} applies to a partition or subpartition, "
            "not to a whole table"
        )


def _pctfree(action: Action) -> str | None:
    if action.pctfree is None:
        return None
    value = action.pctfree
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
        raise ConfigError(f"{action.ref.label}: PCTFREE {value!r} is not a whole number 0..99")
    return f"PCTFREE {value}"


def _parallel(action: Action) -> str | None:
    if action.parallel is None:
        return None
    value = action.parallel
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{action.ref.label}: PARALLEL {value!r} is not a whole number >= 1")
    return f"PARALLEL {value}"


def _tablespace(action: Action, size: int) -> str | None:
    if action.tablespace is None:
        return None
    return "TABLESPACE " + identifiers.quote(action.tablespace, kind="tablespace", max_bytes=size)


def _compression(action: Action, version: tuple[int, ...]) -> str | None:
    if action.compression is None:
        return None
    return compression_clause(action.compression, version)


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def _global_indexes(action: Action) -> str | None:
    return "UPDATE GLOBAL INDEXES" if action.update_indexes else None


# --- one renderer per action kind ------------------------------------------------------------


def _move(action: Action, version: tuple[int, ...]) -> list[str]:
    ref = action.ref
    if action.kind is ActionKind.COMPRESS and action.compression is None:
        raise PolicyError(f"{ref.label}: a COMPRESS action needs a target compression")
    if action.kind is ActionKind.MOVE and action.tablespace is None:
        raise PolicyError(f"{ref.label}: a MOVE action needs a target tablespace")
    size = identifiers.max_identifier_bytes(version)
    table = _table(ref, size)
    tablespace = _tablespace(action, size)
    compression = _compression(action, version)
    parallel = _parallel(action)
    pctfree = _pctfree(action)
    update = "UPDATE INDEXES" if action.update_indexes else None

    if ref.kind is ObjectKind.TABLE:
        if action.online:
            require(Feature.ONLINE_TABLE_MOVE, version, hint="set online: false to move offline")
        if action.update_indexes:
            require(
                Feature.TABLE_MOVE_UPDATE_INDEXES,
                version,
                hint="set update_indexes: false and rebuild the indexes after the move",
            )
        online = "ONLINE" if action.online else None
        return [
            _join(
                f"ALTER TABLE {table} MOVE",
                online,
                tablespace,
                pctfree,
                compression,
                parallel,
                update,
            )
        ]

    if action.online:
        require(Feature.ONLINE_PARTITION_MOVE, version, hint="set online: false to move offline")
    online = "ONLINE" if action.online else None
    if ref.kind is ObjectKind.SUBPARTITION:
        # move_table_subpartition takes only partitioning_storage_clause, which has no
        # physical attributes: a subpartition's PCTFREE is the partition's default.
        pctfree = None
    return [
        _join(
            f"ALTER TABLE {table} MOVE {_segment(ref, size)}",
            tablespace,
            pctfree,
            compression,
            update,
            parallel,
            online,
        )
    ]


def _read_only(action: Action, version: tuple[int, ...]) -> list[str]:
    ref = action.ref
    size = identifiers.max_identifier_bytes(version)
    if ref.kind is ObjectKind.TABLE:
        require(Feature.TABLE_READ_ONLY, version)
        return [f"ALTER TABLE {_table(ref, size)} READ ONLY"]
    require(
        Feature.PARTITION_READ_ONLY,
        version,
        hint="move the partition to a read-only tablespace instead",
    )
    return [f"ALTER TABLE {_table(ref, size)} MODIFY {_segment(ref, size)} READ ONLY"]


def _merge(action: Action, version: tuple[int, ...]) -> list[str]:
    ref = action.ref
    _require_kind(ref, ObjectKind.PARTITION, "MERGE PARTITIONS")
    if not action.merge_into:
        raise PolicyError(f"{ref.label}: a MERGE action needs merge_into (the partition to keep)")
    if action.merge_into == ref.partition:
        raise PolicyError(f"{ref.label}: a partition cannot be merged into itself")
    if action.online:
        require(Feature.ONLINE_MERGE, version, hint="set online: false to merge offline")
    size = identifiers.max_identifier_bytes(version)
    upper = identifiers.quote(ref.partition or "", kind="partition", max_bytes=size)
    into = identifiers.quote(action.merge_into, kind="partition", max_bytes=size)
    # Range partitions are listed in ascending bound order; merge_into is the lower neighbour.
    return [
        _join(
            f"ALTER TABLE {_table(ref, size)} MERGE PARTITIONS {into}, {upper}",
            f"INTO PARTITION {into}",
            _tablespace(action, size),
            _pctfree(action),
            _compression(action, version),
            "UPDATE INDEXES" if action.update_indexes else None,
            _parallel(action),
            "ONLINE" if action.online else None,
        )
    ]


def _drop(action: Action, version: tuple[int, ...]) -> list[str]:
    _require_segment(action, "DROP")
    size = identifiers.max_identifier_bytes(version)
    ref = action.ref
    return [
        _join(
            f"ALTER TABLE {_table(ref, size)} DROP {_segment(ref, size)}", _global_indexes(action)
        )
    ]


def _truncate(action: Action, version: tuple[int, ...]) -> list[str]:
    _require_segment(action, "TRUNCATE")
    size = identifiers.max_identifier_bytes(version)
    ref = action.ref
    return [
        _join(
            f"ALTER TABLE {_table(ref, size)} TRUNCATE {_segment(ref, size)} DROP STORAGE",
            _global_indexes(action),
        )
    ]


def _exchange(action: Action, version: tuple[int, ...]) -> list[str]:
    _require_segment(action, "EXCHANGE")
    ref = action.ref
    other = action.exchange_table
    if other is None:
        raise PolicyError(f"{ref.label}: an EXCHANGE action needs exchange_table")
    _require_kind(other, ObjectKind.TABLE, "the exchange table")
    size = identifiers.max_identifier_bytes(version)
    return [
        _join(
            f"ALTER TABLE {_table(ref, size)} EXCHANGE {_segment(ref, size)}",
            f"WITH TABLE {_table(other, size)} INCLUDING INDEXES WITHOUT VALIDATION",
            _global_indexes(action),
        )
    ]


def _rebuild_indexes(action: Action, version: tuple[int, ...]) -> list[str]:
    return [render_rebuild_unusable_local(action.ref, version=version)]


_RENDERERS: dict[ActionKind, Callable[[Action, tuple[int, ...]], list[str]]] = {
    ActionKind.COMPRESS: _move,
    ActionKind.MOVE: _move,
    ActionKind.READ_ONLY: _read_only,
    ActionKind.MERGE: _merge,
    ActionKind.DROP: _drop,
    ActionKind.TRUNCATE: _truncate,
    ActionKind.EXCHANGE: _exchange,
    ActionKind.REBUILD_INDEXES: _rebuild_indexes,
}

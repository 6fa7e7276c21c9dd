"""What COMPRESS and MOVE share: both rewrite a segment with ALTER TABLE ... MOVE.

A composite partition has no segment of its own (ORA-14257 refuses to move it): its
subpartitions are moved one by one, after ``MODIFY DEFAULT ATTRIBUTES FOR PARTITION`` has
changed the partition's defaults, so subpartitions added to it later get the new storage too
(docs/oracle-rules.md, rows COMPOSITE-*). On a *-HASH subpartitioned table only the TABLESPACE
of a partition's defaults can be changed (COMPOSITE-05): the defaults then get the tablespace
alone (nothing at all for a COMPRESS), the subpartitions are still rewritten one by one with
the compression asked for, and the result says that the partition's compression default
stayed as it was (``note``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Annotated

from pydantic import BeforeValidator, Field

from hcc_operators.core import ddl, identifiers
from hcc_operators.core.actions.base import ActionParams, Live
from hcc_operators.core.errors import PolicyError
from hcc_operators.core.models import Action, ActionKind, ObjectKind, ObjectRef, SegmentInfo
from hcc_operators.core.oracle_features import Feature, require
from hcc_operators.core.rewrite_options import PARALLEL_MAX, PARALLEL_MIN


def _online(value):
    # ``auto`` (the default) is spelled None inside: decided per action from the licences.
    if isinstance(value, str) and value.strip().lower() == "auto":
        return None
    return value


class RewriteParams(ActionParams):
    """Parameters of the kinds that rewrite segments (COMPRESS, MOVE, MERGE)."""

    online: Annotated[bool | None, BeforeValidator(_online)] = Field(
        None,
        description="auto (default): ONLINE when the connection declares the Advanced "
        "Compression Option (needed for compressed segments, docs/oracle-rules.md LIC-05), "
        "else offline; true: always ONLINE (refused without the option); false: offline, "
        "which blocks DML on the partition while it runs",
    )
    parallel: int | None = Field(
        None,
        ge=PARALLEL_MIN,
        le=PARALLEL_MAX,
        description="PARALLEL degree of the rewrite; none: serial",
    )
    gather_stats: bool = Field(
        False,
        description="Queue GATHER_STATS on the rewritten partition once the rewrite succeeded "
        "(DBMS_STATS, incremental statistics aware)",
    )

    def follow_ups(self) -> list[ActionParams]:
        if not self.gather_stats:
            return []
        from hcc_operators.core.actions.gather_stats import GatherStatsParams

        return [GatherStatsParams()]


def subpartitions_of(ref: ObjectRef, table: Sequence[SegmentInfo]) -> tuple[str, ...]:
    return tuple(
        s.ref.subpartition
        for s in table
        if s.ref.partition == ref.partition and s.ref.subpartition and not ref.subpartition
    )


def resolve_segments(action: Action, table: Sequence[SegmentInfo]) -> Action:
    """A composite partition's rewrite names its live subpartitions and how they are
    partitioned (from the partition's own row)."""
    if action.ref.kind is not ObjectKind.PARTITION:
        return action
    subtype = next(
        (
            s.subpartitioning_type
            for s in table
            if s.ref.partition == action.ref.partition and not s.ref.subpartition
        ),
        None,
    )
    return replace(
        action,
        subpartitions=subpartitions_of(action.ref, table),
        subpartitioning_type=subtype,
    )


def hash_subpartitioned(action: Action) -> bool:
    return bool(action.subpartitions) and (action.subpartitioning_type or "").upper() == "HASH"


def note(action: Action) -> str | None:
    """What the result must say about a composite partition's defaults the DDL left alone."""
    if not hash_subpartitioned(action) or action.compression is None:
        return None
    kept = (
        "only its TABLESPACE default was changed"
        if action.tablespace
        else "its default attributes were not changed"
    )
    return (
        f"subpartitions rewritten one by one with {action.compression.value}; the compression "
        f"default of hash subpartitions cannot be changed per partition (COMPOSITE-05), so "
        f"{kept} and subpartitions added to {action.ref.partition} later keep the old "
        "compression"
    )


def render(action: Action, version: tuple[int, ...]) -> list[str]:
    ref = action.ref
    if action.kind is ActionKind.COMPRESS and action.compression is None:
        raise PolicyError(f"{ref.label}: a COMPRESS action needs a target compression")
    if action.kind is ActionKind.MOVE and action.tablespace is None:
        raise PolicyError(f"{ref.label}: a MOVE action needs a target tablespace")
    size = identifiers.max_identifier_bytes(version)
    table = ddl.table_name(ref, size)
    tablespace = ddl.tablespace_clause(action, size)
    compression = ddl.compression_of(action, version)
    parallel = ddl.parallel_clause(action)
    pctfree = ddl.pctfree_clause(action)
    update = "UPDATE INDEXES" if action.update_indexes else None

    if action.online is None:
        raise PolicyError(
            f"{ref.label}: ONLINE was not decided (online: auto is resolved against the "
            "connection's licences before the DDL is rendered)"
        )
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
            ddl.join(
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
    if action.subpartitions:
        # A composite partition: new defaults first, then each subpartition. The defaults
        # take no PCTFREE for the subpartitions' segments and no ONLINE (a dictionary change);
        # for hash subpartitions only the TABLESPACE (COMPOSITE-05).
        defaults = [tablespace] if hash_subpartitioned(action) else [tablespace, compression]
        statements = []
        if any(defaults):
            statements.append(
                ddl.join(
                    f"ALTER TABLE {table} MODIFY DEFAULT ATTRIBUTES FOR "
                    f"{ddl.segment_clause(ref, size)}",
                    *defaults,
                )
            )
        for name in action.subpartitions:
            sub = replace(ref, subpartition=name)
            statements.append(
                ddl.join(
                    f"ALTER TABLE {table} MOVE {ddl.segment_clause(sub, size)}",
                    tablespace,
                    compression,
                    update,
                    parallel,
                    online,
                )
            )
        return statements
    if ref.kind is ObjectKind.SUBPARTITION:
        # move_table_subpartition takes only partitioning_storage_clause, which has no
        # physical attributes: a subpartition's PCTFREE is the partition's default.
        pctfree = None
    return [
        ddl.join(
            f"ALTER TABLE {table} MOVE {ddl.segment_clause(ref, size)}",
            tablespace,
            pctfree,
            compression,
            update,
            parallel,
            online,
        )
    ]


def in_target_state(action: Action, seg: SegmentInfo | None) -> bool:
    if seg is None:
        return False
    same_compression = action.compression is None or seg.compression == action.compression
    in_tablespace = action.tablespace is None or (seg.tablespace or "") == action.tablespace
    return same_compression and in_tablespace


def applied(action: Action, live: Live) -> bool:
    """Done when the segment (every subpartition of a composite partition) has the target
    compression and tablespace."""
    target = live.target
    if target is None:
        return False
    if target.has_subpartitions:
        subs = [
            s for s in live.table if s.ref.partition == action.ref.partition and s.ref.subpartition
        ]
        return bool(subs) and all(in_target_state(action, s) for s in subs)
    return in_target_state(action, target)

"""COMPRESS and MOVE of simple and composite partitions (COMPOSITE-01..05, MOVE-01)."""

from __future__ import annotations

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.actions import Live
from hcc_operators.core.actions.compress import CompressParams
from hcc_operators.core.actions.move import MoveParams
from hcc_operators.core.actions.rewrite import applied, note
from hcc_operators.core.errors import PolicyError
from hcc_operators.core.models import CompressionType, ObjectRef, SegmentInfo

C = CompressionType
T = '"SALES"."RETURNS"'
PART = ObjectRef("SALES", "RETURNS", "P_2020_01")


def seg(ref, comp=C.NONE, ts="DATA", composite=False, subtype=None):
    return SegmentInfo(
        ref,
        ts,
        comp,
        800,
        100,
        10,
        has_subpartitions=composite,
        subpartitioning_type=subtype or ("LIST" if composite else None),
    )


SUBS = [seg(ObjectRef("SALES", "RETURNS", "P_2020_01", f"P_2020_01_{r}")) for r in ("EU", "US")]
COMPOSITE = [seg(PART, composite=True), *SUBS]
HASHED = [seg(PART, composite=True, subtype="HASH"), *SUBS]


def test_a_simple_partition_moves_in_one_statement():
    action = CompressParams(level="query high", pctfree=0, online=True).to_action(
        PART, table=[seg(PART)]
    )
    assert ddl.render(action) == [
        f'ALTER TABLE {T} MOVE PARTITION "P_2020_01" PCTFREE 0 COLUMN STORE COMPRESS FOR '
        "QUERY HIGH UPDATE INDEXES ONLINE"
    ]


def test_a_composite_partition_moves_subpartition_by_subpartition_after_its_defaults():
    action = MoveParams(
        tablespace="arch", compression="archive high", pctfree=5, online=True
    ).to_action(PART, table=COMPOSITE)
    assert action.subpartitions == ("P_2020_01_EU", "P_2020_01_US")
    assert ddl.render(action) == [
        f'ALTER TABLE {T} MODIFY DEFAULT ATTRIBUTES FOR PARTITION "P_2020_01" TABLESPACE "ARCH" '
        "COLUMN STORE COMPRESS FOR ARCHIVE HIGH",
        # No PCTFREE on a subpartition (partitioning_storage_clause has no physical attributes).
        f'ALTER TABLE {T} MOVE SUBPARTITION "P_2020_01_EU" TABLESPACE "ARCH" COLUMN STORE '
        "COMPRESS FOR ARCHIVE HIGH UPDATE INDEXES ONLINE",
        f'ALTER TABLE {T} MOVE SUBPARTITION "P_2020_01_US" TABLESPACE "ARCH" COLUMN STORE '
        "COMPRESS FOR ARCHIVE HIGH UPDATE INDEXES ONLINE",
    ]


def test_composite_05_a_hash_partition_move_changes_only_the_tablespace_default():
    # COMPOSITE-05: on a *-hash table TABLESPACE is the only default attribute that can be
    # changed; the subpartitions are still moved with the compression asked for.
    action = MoveParams(
        tablespace="arch", compression="archive high", pctfree=5, online=True
    ).to_action(PART, table=HASHED)
    assert action.subpartitioning_type == "HASH"
    assert ddl.render(action) == [
        f'ALTER TABLE {T} MODIFY DEFAULT ATTRIBUTES FOR PARTITION "P_2020_01" TABLESPACE "ARCH"',
        f'ALTER TABLE {T} MOVE SUBPARTITION "P_2020_01_EU" TABLESPACE "ARCH" COLUMN STORE '
        "COMPRESS FOR ARCHIVE HIGH UPDATE INDEXES ONLINE",
        f'ALTER TABLE {T} MOVE SUBPARTITION "P_2020_01_US" TABLESPACE "ARCH" COLUMN STORE '
        "COMPRESS FOR ARCHIVE HIGH UPDATE INDEXES ONLINE",
    ]
    said = note(action)
    assert "compression default of hash subpartitions cannot be changed per partition" in said
    assert "only its TABLESPACE default was changed" in said


def test_composite_05_a_hash_partition_compress_leaves_the_defaults_alone():
    action = CompressParams(level="query high", online=False).to_action(PART, table=HASHED)
    assert ddl.render(action) == [
        f'ALTER TABLE {T} MOVE SUBPARTITION "P_2020_01_EU" COLUMN STORE COMPRESS FOR QUERY HIGH '
        "UPDATE INDEXES",
        f'ALTER TABLE {T} MOVE SUBPARTITION "P_2020_01_US" COLUMN STORE COMPRESS FOR QUERY HIGH '
        "UPDATE INDEXES",
    ]
    assert "its default attributes were not changed" in note(action)


def test_composite_05_says_nothing_when_no_compression_default_was_wanted():
    # A list-subpartitioned partition takes both defaults; a hash one moved without a new
    # level loses nothing.
    assert note(CompressParams(level="query high").to_action(PART, table=COMPOSITE)) is None
    assert note(MoveParams(tablespace="arch").to_action(PART, table=HASHED)) is None


def test_a_composite_partition_is_done_when_every_subpartition_is():
    action = CompressParams(level="query high").to_action(PART, table=COMPOSITE)
    done = [seg(s.ref, C.QUERY_HIGH) for s in SUBS]
    assert applied(action, Live(target=COMPOSITE[0], table=[COMPOSITE[0], *done]))
    half = [done[0], SUBS[1]]
    assert not applied(action, Live(target=COMPOSITE[0], table=[COMPOSITE[0], *half]))


def test_online_and_parallel_are_policy_options():
    action = CompressParams(level="query low", online=False, parallel=8).to_action(PART)
    assert ddl.render(action) == [
        f'ALTER TABLE {T} MOVE PARTITION "P_2020_01" COLUMN STORE COMPRESS FOR QUERY LOW '
        "UPDATE INDEXES PARALLEL 8"
    ]
    with pytest.raises(ValueError):
        CompressParams(level="query low", parallel=0)


def test_move_keeps_the_level_when_none_is_given():
    action = MoveParams(tablespace="arch", online=True).to_action(PART)
    assert action.compression is None
    (statement,) = ddl.render(action)
    assert "COMPRESS" not in statement
    with pytest.raises(PolicyError, match="needs a target tablespace"):
        ddl.render(action.__class__(action.kind, PART))

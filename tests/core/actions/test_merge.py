"""MERGE: one statement per period, named so Oracle accepts it (MERGE-01..06, MERGE-16)."""

from __future__ import annotations

from datetime import datetime

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.actions import Live
from hcc_operators.core.actions.merge import MergeParams, applied, merge_into_name
from hcc_operators.core.errors import NothingToDo, PolicyError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef, SegmentInfo

T = '"SALES"."ORDERS"'
C = CompressionType


def seg(name, pos, bound, *, ts="DATA", comp=C.QUERY_HIGH, size=100):
    high = "MAXVALUE" if bound is None else f"TO_DATE(' {bound:%Y-%m-%d} 00:00:00', 'SYYYY-MM-DD')"
    return SegmentInfo(
        ObjectRef("SALES", "ORDERS", name),
        ts,
        comp,
        size,
        size // 8,
        10,
        high_value=high,
        position=pos,
    )


def months(year, first=1, last=12, **kw):
    return [
        seg(f"P_{year}_{m:02d}", m, datetime(year + (m == 12), m % 12 + 1, 1), **kw)
        for m in range(first, last + 1)
    ]


TABLE = [seg("P_OLD", 0, datetime(2019, 1, 1)), *months(2019)]


def merge_of(sources, into, **kw) -> Action:
    return Action(
        ActionKind.MERGE, ObjectRef("SALES", "ORDERS", into), merge_sources=tuple(sources), **kw
    )


def test_a_closed_year_merges_in_one_statement_into_a_new_name():
    action = MergeParams(online=True).to_action(
        ObjectRef("SALES", "ORDERS", "P_2019_12"), table=TABLE, upper_bound=datetime(2020, 1, 1)
    )
    assert action.ref.partition == "P_2019"
    assert action.merge_sources == tuple(f"P_2019_{m:02d}" for m in range(1, 13))
    (statement,) = ddl.render(action, version=(19,))
    names = ", ".join(f'"P_2019_{m:02d}"' for m in range(1, 13))
    assert statement == (
        f'ALTER TABLE {T} MERGE PARTITIONS {names} INTO PARTITION "P_2019" '
        'TABLESPACE "DATA" COLUMN STORE COMPRESS FOR QUERY HIGH UPDATE INDEXES ONLINE'
    )


def test_a_lower_partition_already_named_for_the_year_is_never_the_into_name():
    # ORA-14275/14272: INTO may only reuse the highest source. Merge into it, then rename.
    table = [
        seg("P_OLD", 0, datetime(2019, 1, 1)),
        seg("P_2019", 1, datetime(2019, 7, 1)),
        *months(2019, 7, 12),
    ]
    action = MergeParams(online=True).to_action(
        ObjectRef("SALES", "ORDERS", "P_2019_12"), table=table, upper_bound=datetime(2020, 1, 1)
    )
    assert action.merge_sources[0] == "P_2019" and merge_into_name(action) == "P_2019_12"
    merge, rename = ddl.render(action, version=(19,))
    assert merge.startswith(f'ALTER TABLE {T} MERGE PARTITIONS "P_2019", "P_2019_07"')
    assert 'INTO PARTITION "P_2019_12"' in merge
    assert rename == f'ALTER TABLE {T} RENAME PARTITION "P_2019_12" TO "P_2019"'


def test_after_a_crash_between_merge_and_rename_only_the_rename_is_left():
    table = [seg("P_OLD", 0, datetime(2019, 1, 1)), seg("P_2019_12", 1, datetime(2020, 1, 1))]
    action = MergeParams(online=True).to_action(
        ObjectRef("SALES", "ORDERS", "P_2019_12"), table=table, upper_bound=datetime(2020, 1, 1)
    )
    assert action.merge_sources == ("P_2019_12",)
    assert ddl.render(action) == [f'ALTER TABLE {T} RENAME PARTITION "P_2019_12" TO "P_2019"']
    assert not applied(action, Live(target=None, sources_left=("P_2019_12",)))


def test_a_consolidated_year_renders_nothing_and_is_applied():
    table = [seg("P_OLD", 0, datetime(2019, 1, 1)), seg("P_2019", 1, datetime(2020, 1, 1))]
    action = MergeParams(online=True).to_action(
        ObjectRef("SALES", "ORDERS", "P_2019_12"), table=table, upper_bound=datetime(2020, 1, 1)
    )
    assert ddl.render(action) == []
    assert applied(action, Live(target=table[1], sources_left=("P_2019",)))


def test_a_period_merges_in_one_statement_and_online_needs_18c():
    three = merge_of(["P_2019_10", "P_2019_11", "P_2019_12"], "P_2019_Q4", online=False)
    assert ddl.render(three, version=(12, 2))[0].startswith(
        f'ALTER TABLE {T} MERGE PARTITIONS "P_2019_10", "P_2019_11", "P_2019_12" '
        'INTO PARTITION "P_2019_Q4"'
    )
    with pytest.raises(PolicyError, match=r"Oracle 11\.2 is not supported"):
        ddl.render(three, version=(11, 2))
    with pytest.raises(PolicyError, match=r"ONLINE needs Oracle 18"):
        ddl.render(merge_of(["P_2019_11", "P_2019_12"], "P_X"), version=(12, 2))


def test_quarterly_merges_take_the_quarter_and_its_name():
    params = MergeParams(period="quarterly")
    action = params.to_action(
        ObjectRef("SALES", "ORDERS", "P_2019_05"), table=TABLE, upper_bound=datetime(2019, 6, 1)
    )
    assert action.ref.partition == "P_2019_Q2"
    assert action.merge_sources == ("P_2019_04", "P_2019_05", "P_2019_06")


def test_storage_of_the_result():
    mixed = [
        seg("P_OLD", 0, datetime(2019, 1, 1)),
        *months(2019, 1, 6, comp=C.ARCHIVE_HIGH, ts="ARCH"),
        *months(2019, 7, 12, comp=C.QUERY_HIGH, ts="HOT"),
    ]
    ref = ObjectRef("SALES", "ORDERS", "P_2019_12")
    # Never lower an archived month: the densest compression, the latest partition's tablespace.
    action = MergeParams().to_action(ref, table=mixed, upper_bound=datetime(2020, 1, 1))
    assert (action.compression, action.tablespace) == (C.ARCHIVE_HIGH, "HOT")
    chosen = MergeParams(tablespace="arch", compression="query low").to_action(
        ref, table=mixed, upper_bound=datetime(2020, 1, 1)
    )
    assert (chosen.compression, chosen.tablespace) == (C.QUERY_LOW, "ARCH")


def test_nothing_to_merge_and_name_conflicts_say_why():
    ref = ObjectRef("SALES", "ORDERS", "P_2019_12")
    with pytest.raises(NothingToDo, match="no partition wholly within 2018"):
        MergeParams().to_action(ref, table=TABLE, upper_bound=datetime(2018, 6, 1))
    taken = [*TABLE, seg("P_2019", 13, None)]
    with pytest.raises(PolicyError, match="P_2019 already exists outside 2019"):
        MergeParams().to_action(ref, table=taken, upper_bound=datetime(2020, 1, 1))


def test_a_move_follow_up_waits_until_the_whole_year_is_in_the_tablespace():
    table = [seg("P_OLD", 0, datetime(2019, 1, 1)), *months(2019, ts="HOT")]
    table[5] = seg("P_2019_05", 5, datetime(2019, 6, 1), ts="ARCH")
    params = MergeParams(require_tablespace="ARCH")
    ref = ObjectRef("SALES", "ORDERS", "P_2019_05")
    with pytest.raises(NothingToDo, match="11 of the 12 partitions of 2019 are not yet in ARCH"):
        params.to_action(ref, table=table, upper_bound=datetime(2019, 6, 1))


def test_name_templates_are_checked_when_the_policy_is_read():
    assert (
        MergeParams(name="Y{year}")
        .to_action(
            ObjectRef("SALES", "ORDERS", "P_2019_12"), table=TABLE, upper_bound=datetime(2020, 1, 1)
        )
        .ref.partition
        == "Y2019"
    )
    with pytest.raises(ValueError, match=r"must contain \{quarter\}"):
        MergeParams(period="quarterly", name="Q_{year}")
    with pytest.raises(ValueError, match="not a usable template"):
        MergeParams(name="P_{year}{nope}")
    with pytest.raises(ValueError, match="not a usable template"):
        MergeParams(name="1_{year}")
    assert MergeParams.model_validate({"into": "quarterly"}).period == "quarterly"

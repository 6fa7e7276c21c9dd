"""GATHER_STATS: a bound PL/SQL call, current once the partition was analyzed after the
rewrite that queued it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.actions import Live, parse_params
from hcc_operators.core.actions.gather_stats import GatherStatsParams
from hcc_operators.core.actions.move import MoveParams
from hcc_operators.core.errors import PolicyError
from hcc_operators.core.models import ActionKind, CompressionType, ObjectRef, SegmentInfo

PART = ObjectRef("SALES", "ORDERS", "P_2024_01")
REWRITTEN = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def seg(analyzed):
    return SegmentInfo(
        PART, "DATA", CompressionType.QUERY_HIGH, 800, 100, 5, last_analyzed=analyzed
    )


def test_renders_a_named_call_with_every_value_bound():
    action = GatherStatsParams(degree=4).to_action(PART)
    (call,) = ddl.render(action)
    assert isinstance(call, ddl.SqlCall) and call.name == "stats/gather_partition_stats"
    assert dict(call.binds) == {
        "ownname": "SALES",
        "tabname": "ORDERS",
        "partname": "P_2024_01",
        "granularity": "APPROX_GLOBAL AND PARTITION",
        "degree": 4,
    }
    assert "SALES" not in call.name  # nothing is formatted into the statement text
    with pytest.raises(PolicyError, match="GATHER_STATS applies to a table partition"):
        ddl.render(GatherStatsParams().to_action(ObjectRef("SALES", "ORDERS")))


def test_current_only_when_analyzed_after_the_rewrite():
    action = GatherStatsParams(after=REWRITTEN).to_action(PART)
    spec = ActionKind.GATHER_STATS.spec
    assert not spec.applied(action, Live(target=seg(None)))
    assert not spec.applied(action, Live(target=seg(datetime(2026, 10, 31))))
    assert spec.applied(action, Live(target=seg(datetime(2026, 11, 1, 3, 0))))


def test_offered_as_a_follow_up_of_rewrites_only():
    assert set(ActionKind.GATHER_STATS.spec.follows) == {
        ActionKind.COMPRESS,
        ActionKind.MOVE,
        ActionKind.MERGE,
    }
    follow = MoveParams(tablespace="arch", gather_stats=True).follow_ups()
    assert [f.kind for f in follow] == [ActionKind.GATHER_STATS]
    assert parse_params({"type": "GATHER_STATS", "after": REWRITTEN.isoformat()}).after == REWRITTEN

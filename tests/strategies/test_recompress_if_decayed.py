from __future__ import annotations

import pytest

from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import ActionStatus, ObjectRef
from hcc_operators.strategies.recompress_if_decayed import RecompressIfDecayed

STRATEGY = RecompressIfDecayed()


def _segments(wh):
    return [
        s
        for s in wh.list_segments(["SALES"], [ObjectRef("SALES", "ORDERS_FACT")])
        if s.ref.partition
    ]


def _decayed_partition(wh, at_least):
    for seg in _segments(wh):
        if seg.compression.is_hcc:
            sample = wh.compression_sample(seg.ref, sample_rows=10_000)
            if 1 - sample.fraction(seg.compression) > at_least:
                return seg
    pytest.fail("the demo warehouse has no decayed HCC partition")


def test_recompresses_a_decayed_partition_once(demo_warehouse):
    wh = demo_warehouse
    seg = _decayed_partition(wh, 0.1)
    params = STRATEGY.validate(seg.ref, {"max_decayed_fraction": 0.1, "sample_rows": 10_000})

    result = STRATEGY.execute(wh, seg.ref, params)

    assert result.status is ActionStatus.SUCCESS, result.message
    assert result.details["decayed_before"] > 0.1
    assert result.details["decayed_after"] == 0
    assert result.details["rows_before"] == result.details["rows_after"]
    after = wh.segment(seg.ref)
    assert (after.compression, after.tablespace) == (seg.compression, seg.tablespace)
    assert STRATEGY.execute(wh, seg.ref, params).status is ActionStatus.SKIPPED


def test_below_threshold_is_skipped(demo_warehouse):
    seg = _decayed_partition(demo_warehouse, 0.01)
    params = STRATEGY.validate(seg.ref, {"max_decayed_fraction": 0.99})
    result = STRATEGY.execute(demo_warehouse, seg.ref, params)
    assert result.status is ActionStatus.SKIPPED
    assert result.statements == ()


def test_non_hcc_partition_is_skipped(demo_warehouse):
    seg = next(s for s in _segments(demo_warehouse) if not s.compression.is_hcc)
    result = STRATEGY.execute(demo_warehouse, seg.ref, STRATEGY.validate(seg.ref, {}))
    assert result.status is ActionStatus.SKIPPED
    assert "not HCC" in result.message


def test_partitioned_table_target_is_refused(demo_warehouse):
    ref = ObjectRef("SALES", "ORDERS_FACT")
    with pytest.raises(WarehouseError, match="target its partitions"):
        STRATEGY.execute(demo_warehouse, ref, STRATEGY.validate(ref, {}))

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcc_operators.core.advisor_config import Strategy
from hcc_operators.core.models import ESTIMATED_TYPES, CompressionType, ObjectRef
from hcc_operators.core.recommendation import ObjectMeasurement, Verdict, recommend

C = CompressionType
GIB = 1024**3
REF = ObjectRef("DW", "SALES", "P_2020")


def _strategy(**overrides) -> Strategy:
    values = {
        "name": "test",
        "max_hotness_hcc": 25,
        "max_hotness_advanced": 60,
        "min_ratio_gain": 0.25,
        "min_size_mb": 256,
        "max_level": "ARCHIVE LOW",
        "recompress_decay_threshold": 0.2,
    }
    return Strategy(**{**values, **overrides})


def _obj(ratios=None, *, current=C.NONE, size=10 * GIB, rows=10**8, hot=0.0, decay=None):
    default = {C.ADVANCED: 2.0, C.QUERY_LOW: 2.4, C.QUERY_HIGH: 2.9, C.ARCHIVE_LOW: 3.5}
    return ObjectMeasurement(
        ref=REF,
        size_bytes=size,
        num_rows=rows,
        current=current,
        ratios=default if ratios is None else ratios,
        hotness=hot,
        decayed_fraction=decay,
    )


def test_gain_rule_compares_with_the_last_accepted_level():
    # ADVANCED 2.0 beats NONE 1.0; QUERY LOW 2.4 < 2.0*1.25; QUERY HIGH 2.9 >= 2.5;
    # ARCHIVE LOW 3.5 < 2.9*1.25 = 3.625.
    rec = recommend(_obj(), _strategy())
    assert rec.verdict is Verdict.COMPRESS
    assert rec.recommended is C.QUERY_HIGH
    assert rec.expected_ratio == 2.9
    assert rec.estimated_savings_bytes == round(10 * GIB * (1 - 1 / 2.9))
    assert not rec.is_recompression
    assert "QUERY HIGH 2.90 beats ADVANCED 2.00 by 45% (min 25%)" in rec.reason
    assert "saves about 6.6 GiB of 10.0 GiB" in rec.reason


def test_savings_start_from_the_current_levels_ratio():
    rec = recommend(_obj({C.ADVANCED: 2.0, C.QUERY_HIGH: 5.0}, current=C.ADVANCED), _strategy())
    assert rec.recommended is C.QUERY_HIGH
    # uncompressed = 10 GiB * 2.0; at 5.0 that is 4 GiB: 6 GiB saved.
    assert rec.estimated_savings_bytes == 6 * GIB


def test_max_level_caps_the_walk():
    ratios = {C.ADVANCED: 2, C.QUERY_LOW: 4, C.QUERY_HIGH: 8, C.ARCHIVE_LOW: 16, C.ARCHIVE_HIGH: 32}
    rec = recommend(_obj(ratios), _strategy(max_level="QUERY HIGH"))
    assert rec.recommended is C.QUERY_HIGH


def test_higher_level_with_a_worse_ratio_is_not_picked():
    ratios = {C.QUERY_LOW: 4.0, C.QUERY_HIGH: 3.0, C.ARCHIVE_LOW: 4.4}
    assert recommend(_obj(ratios), _strategy(min_ratio_gain=0.0)).recommended is C.ARCHIVE_LOW
    assert recommend(_obj(ratios), _strategy(min_ratio_gain=0.2)).recommended is C.QUERY_LOW


def test_equal_ratio_never_buys_a_higher_level_even_with_zero_gain():
    rec = recommend(_obj({C.QUERY_LOW: 3.0, C.QUERY_HIGH: 3.0}), _strategy(min_ratio_gain=0))
    assert rec.recommended is C.QUERY_LOW


def test_hot_for_hcc_gets_at_most_advanced():
    rec = recommend(_obj(hot=40), _strategy())
    assert rec.recommended is C.ADVANCED
    assert "hotness 40.0 (HCC <= 25, ADVANCED <= 60)" in rec.reason


def test_hotness_limits_are_inclusive():
    assert recommend(_obj(hot=25), _strategy()).recommended is C.QUERY_HIGH
    assert recommend(_obj(hot=25.01), _strategy()).recommended is C.ADVANCED
    assert recommend(_obj(hot=60), _strategy()).recommended is C.ADVANCED
    assert recommend(_obj(hot=60.01), _strategy()).recommended is None


def test_too_hot_for_anything_is_kept():
    rec = recommend(_obj(hot=61), _strategy())
    assert rec.verdict is Verdict.KEEP
    assert rec.recommended is None
    assert rec.estimated_savings_bytes == 0
    assert "too hot for any higher level" in rec.reason


def test_never_recommends_a_lower_level():
    # A hot QUERY HIGH object: ADVANCED would be allowed by hotness but is lower.
    ratios = {C.ADVANCED: 9.0, C.QUERY_HIGH: 3.0}
    rec = recommend(_obj(ratios, current=C.QUERY_HIGH, hot=40), _strategy())
    assert rec.verdict is Verdict.KEEP
    assert rec.recommended is None
    assert "already at or above ADVANCED (the hotness limit)" in rec.reason


def test_already_at_the_best_level_is_kept():
    rec = recommend(_obj(current=C.ARCHIVE_LOW), _strategy())
    assert rec.verdict is Verdict.KEEP
    assert rec.expected_ratio == 3.5
    assert "already at or above ARCHIVE LOW (max_level)" in rec.reason


def test_no_level_gains_enough_is_kept():
    rec = recommend(_obj({C.ADVANCED: 1.1, C.QUERY_LOW: 1.2}), _strategy())
    assert rec.verdict is Verdict.KEEP
    assert "no level up to ARCHIVE LOW gains at least 25%" in rec.reason


def test_missing_estimates_are_skipped_and_named():
    rec = recommend(_obj({C.ADVANCED: 2.0, C.ARCHIVE_LOW: 3.5}), _strategy())
    assert rec.recommended is C.ARCHIVE_LOW
    assert "no estimate for QUERY LOW, QUERY HIGH, ARCHIVE HIGH" in rec.reason


def test_no_estimates_at_all_is_kept_with_the_reason():
    rec = recommend(_obj({}), _strategy())
    assert rec.verdict is Verdict.KEEP
    assert "no ratio estimate for any level up to ARCHIVE LOW" in rec.reason


@pytest.mark.parametrize("bad", [0.0, -2.0, math.nan, math.inf, None])
def test_unusable_ratios_are_ignored(bad):
    rec = recommend(_obj({C.ADVANCED: 2.0, C.QUERY_LOW: bad}), _strategy())
    assert rec.recommended is C.ADVANCED
    assert "no estimate for QUERY LOW" in rec.reason


def test_ratios_below_one_never_win():
    rec = recommend(_obj({C.ADVANCED: 0.8, C.QUERY_LOW: 0.95}), _strategy(min_ratio_gain=0))
    assert rec.verdict is Verdict.KEEP


def test_current_ratio_unknown_means_no_recommendation():
    rec = recommend(_obj({C.ARCHIVE_LOW: 9.0}, current=C.QUERY_LOW), _strategy())
    assert rec.verdict is Verdict.SKIP
    assert "no ratio estimate for the current level QUERY LOW" in rec.reason


def test_current_ratio_below_one_is_still_a_baseline():
    rec = recommend(_obj({C.ADVANCED: 0.5, C.QUERY_HIGH: 2.0}, current=C.ADVANCED), _strategy())
    assert rec.recommended is C.QUERY_HIGH
    # uncompressed = 5 GiB; at 2.0 that is 2.5 GiB: 7.5 GiB saved.
    assert rec.estimated_savings_bytes == round(7.5 * GIB)


@pytest.mark.parametrize(
    ("size", "rows", "text"),
    [
        (0, 10, "empty segment"),
        (-1, 10, "empty segment"),
        (GIB, 0, "no rows"),
        (255 * 1024**2, 10, "too small: 255.0 MiB < 256.0 MiB (strategy test)"),
    ],
)
def test_small_or_empty_objects_get_no_recommendation(size, rows, text):
    rec = recommend(_obj(size=size, rows=rows), _strategy())
    assert rec.verdict is Verdict.SKIP
    assert rec.recommended is None
    assert text in rec.reason


def test_decayed_hcc_object_is_recompressed_at_its_level():
    ratios = {C.QUERY_HIGH: 4.0, C.ARCHIVE_LOW: 4.2}
    rec = recommend(_obj(ratios, current=C.QUERY_HIGH, decay=0.3), _strategy())
    assert rec.verdict is Verdict.RECOMPRESS
    assert rec.is_recompression
    assert rec.recommended is C.QUERY_HIGH
    # size = U * (0.7 / 4 + 0.3): U = 10 GiB / 0.475; at 4.0 that is 5.26 GiB.
    uncompressed = 10 * GIB / (0.7 / 4 + 0.3)
    assert rec.estimated_savings_bytes == round(10 * GIB - uncompressed / 4)
    assert "30% of sampled rows decayed out of QUERY HIGH (threshold 20%)" in rec.reason
    assert "recompress at QUERY HIGH" in rec.reason


def test_decayed_object_may_move_up_when_the_gain_rule_allows():
    ratios = {C.QUERY_HIGH: 4.0, C.ARCHIVE_LOW: 6.0}
    rec = recommend(_obj(ratios, current=C.QUERY_HIGH, decay=0.5), _strategy())
    assert rec.verdict is Verdict.RECOMPRESS
    assert rec.recommended is C.ARCHIVE_LOW
    assert "recompress up to ARCHIVE LOW" in rec.reason


def test_recompression_at_the_current_level_is_allowed_above_max_level():
    rec = recommend(
        _obj({C.ARCHIVE_HIGH: 8.0}, current=C.ARCHIVE_HIGH, decay=0.4),
        _strategy(max_level="QUERY HIGH"),
    )
    assert rec.verdict is Verdict.RECOMPRESS
    assert rec.recommended is C.ARCHIVE_HIGH


def test_decayed_but_hot_is_kept():
    rec = recommend(_obj({C.QUERY_HIGH: 4.0}, current=C.QUERY_HIGH, decay=0.5, hot=30), _strategy())
    assert rec.verdict is Verdict.KEEP
    assert "it would decay again" in rec.reason


def test_decay_below_threshold_only_refines_the_savings():
    ratios = {C.QUERY_HIGH: 4.0, C.ARCHIVE_LOW: 6.0}
    rec = recommend(_obj(ratios, current=C.QUERY_HIGH, decay=0.1), _strategy())
    assert rec.verdict is Verdict.COMPRESS
    uncompressed = 10 * GIB / (0.9 / 4 + 0.1)
    assert rec.estimated_savings_bytes == round(10 * GIB - uncompressed / 6)


def test_decay_on_a_non_hcc_object_is_ignored():
    rec = recommend(_obj({C.ADVANCED: 2.0}, current=C.ADVANCED, decay=0.9), _strategy())
    assert rec.verdict is Verdict.KEEP


def test_recompression_that_would_not_save_space_is_kept():
    rec = recommend(_obj({C.QUERY_LOW: 0.8}, current=C.QUERY_LOW, decay=0.5), _strategy())
    assert rec.verdict is Verdict.KEEP
    assert "would not save space" in rec.reason


def test_to_dict_is_plain():
    data = recommend(_obj(), _strategy()).to_dict()
    assert data["object"] == "DW.SALES:P_2020"
    assert data["verdict"] == "COMPRESS"
    assert data["recommended"] == "QUERY HIGH"
    assert data["current"] == "NONE"
    assert data["is_recompression"] is False
    assert data["strategy"] == "test"


levels = st.sampled_from([C.NONE, C.BASIC, *ESTIMATED_TYPES])
ratio_maps = st.dictionaries(
    st.sampled_from([C.BASIC, *ESTIMATED_TYPES]),
    st.one_of(st.floats(min_value=0.01, max_value=50), st.just(math.nan), st.just(0.0)),
)


@given(
    current=levels,
    ratios=ratio_maps,
    hot=st.floats(min_value=0, max_value=100),
    decay=st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
    size=st.integers(min_value=0, max_value=10**13),
    gain=st.floats(min_value=0, max_value=2),
    max_level=st.sampled_from(ESTIMATED_TYPES),
)
def test_invariants_hold_for_any_input(current, ratios, hot, decay, size, gain, max_level):
    strategy = _strategy(min_ratio_gain=gain, max_level=max_level)
    rec = recommend(_obj(ratios, current=current, size=size, hot=hot, decay=decay), strategy)
    assert rec.reason
    if rec.recommended is None:
        assert rec.verdict in (Verdict.KEEP, Verdict.SKIP)
        assert rec.estimated_savings_bytes == 0
        return
    assert rec.recommended.rank >= current.rank
    assert rec.estimated_savings_bytes > 0
    assert size >= strategy.min_size_bytes
    if hot > strategy.max_hotness_hcc:
        assert not rec.recommended.is_hcc
    if hot > strategy.max_hotness_advanced:
        pytest.fail("a recommendation for an object hotter than every limit")
    if rec.verdict is Verdict.COMPRESS:
        assert rec.recommended.rank > current.rank
        assert rec.recommended.rank <= max_level.rank
    else:
        assert rec.verdict is Verdict.RECOMPRESS and current.is_hcc
        assert rec.recommended is current or rec.recommended.rank <= max_level.rank


def test_storage_without_hcc_caps_the_recommendation_at_advanced():
    from hcc_operators.core.advisor_config import load_advisor_config
    from hcc_operators.core.models import CompressionType as CT
    from hcc_operators.core.models import ObjectRef
    from hcc_operators.core.recommendation import ObjectMeasurement, recommend

    strategy = load_advisor_config().strategy("balanced")
    ratios = {
        CT.ADVANCED: 2.0,
        CT.QUERY_LOW: 3.0,
        CT.QUERY_HIGH: 5.0,
        CT.ARCHIVE_LOW: 6.0,
        CT.ARCHIVE_HIGH: 8.0,
    }
    base = dict(
        ref=ObjectRef("S", "T", "P"),
        size_bytes=10 * 2**30,
        num_rows=10**7,
        current=CT.NONE,
        ratios=ratios,
        hotness=0.0,
    )
    on_exadata = recommend(ObjectMeasurement(**base), strategy)
    on_plain_disk = recommend(ObjectMeasurement(**base, hcc_capable=False), strategy)
    assert on_exadata.recommended.is_hcc
    assert on_plain_disk.recommended is CT.ADVANCED
    assert "storage does not support" in on_plain_disk.reason

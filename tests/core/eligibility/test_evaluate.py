from __future__ import annotations

from datetime import date

import pytest

from hcc_operators.core.eligibility import (
    EVALUATION_ORDER,
    PartitionState,
    evaluate,
    explain,
)
from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.core.policy_config import Policy, PolicySet, parse_policies
from hcc_operators.core.reasons import Reason
from hcc_operators.core.table_patterns import TablePattern
from hcc_operators.core.temperature import Temperature, Thresholds, temperature

MB = 1024 * 1024
GB = 1024 * MB
FREE = {"DATA_HOT": 10 * GB, "ARCHIVE_HCC": 10 * GB}
C = CompressionType


def policy(**fields) -> Policy:
    data = {"name": "p", "tables": ["SALES.ORDERS"], "action": {"type": "READ_ONLY"}}
    data.update(fields)
    return Policy.model_validate(data, context={"allow_custom_sql": True})


def state(**fields) -> PartitionState:
    data = dict(
        ref=ObjectRef("SALES", "ORDERS", "P2020_01"),
        upper_bound=date(2020, 2, 1),
        age_days=1000,
        age_months=33,
        size_bytes=100 * MB,
        temperature=None,
        compression=C.NONE,
        tablespace="DATA_HOT",
        tablespace_used_pct=50.0,
    )
    data.update(fields)
    return PartitionState(**data)


def decide(pol: Policy, st: PartitionState, free=FREE, **kwargs):
    details = evaluate([pol], [st], free, **kwargs).details
    assert len(details) == 1
    return details[0]


def test_eligible_with_numbers_in_the_text():
    detail = decide(policy(), state())
    assert detail.eligible and detail.reason is Reason.ELIGIBLE
    assert detail.text == "eligible: age 1000 days, 100.0 MiB, COLD, NONE in DATA_HOT"
    assert detail.policy_name == "p" and detail.policy_version == policy().checksum
    assert detail.to_dict() == {
        "policy": "p",
        "policy_version": policy().checksum,
        "object": "SALES.ORDERS:P2020_01",
        "action": "READ_ONLY",
        "eligible": True,
        "reason": "ELIGIBLE",
        "text": detail.text,
    }


def test_policy_disabled():
    detail = decide(policy(enabled=False), state())
    assert detail.reason is Reason.POLICY_DISABLED and not detail.eligible


def test_too_young_in_days():
    detail = decide(policy(conditions={"min_age_days": 90}), state(age_days=45))
    assert detail.reason is Reason.TOO_YOUNG
    assert detail.text == "age 45 days < minimum 90 days"


def test_too_young_in_months():
    detail = decide(policy(conditions={"min_age_months": 3}), state(age_months=2))
    assert detail.reason is Reason.TOO_YOUNG
    assert detail.text == "age 2 months < minimum 3 months"


def test_old_enough_at_exactly_the_minimum():
    pol = policy(conditions={"min_age_days": 90, "min_age_months": 3})
    assert decide(pol, state(age_days=90, age_months=3)).eligible


def test_too_small():
    detail = decide(policy(conditions={"min_size_mb": 64}), state(size_bytes=12 * MB))
    assert detail.reason is Reason.TOO_SMALL
    assert detail.text == "size 12.0 MiB < minimum 64.0 MiB"


def test_temperature_mismatch():
    detail = decide(policy(conditions={"temperatures": ["WARM"]}), state(age_days=1000))
    assert detail.reason is Reason.TEMPERATURE_MISMATCH
    assert detail.text == "temperature COLD not in [WARM]"


def test_no_space_pressure():
    pol = policy(conditions={"min_tablespace_used_pct": 85})
    detail = decide(pol, state(tablespace_used_pct=62.0))
    assert detail.reason is Reason.NO_SPACE_PRESSURE
    assert detail.text == "tablespace DATA_HOT 62.0% used < threshold 85%"
    assert decide(pol, state(tablespace_used_pct=None)).reason is Reason.NO_SPACE_PRESSURE
    assert decide(pol, state(tablespace_used_pct=85.0)).eligible


COMPRESS_QH = {"type": "COMPRESS", "level": "QUERY HIGH"}
MOVE_AH = {"type": "MOVE", "tablespace": "ARCHIVE_HCC", "compression": "ARCHIVE HIGH"}


@pytest.mark.parametrize(
    ("action", "fields", "text"),
    [
        (COMPRESS_QH, {"compression": C.QUERY_HIGH}, "already compressed QUERY HIGH"),
        (
            MOVE_AH,
            {"tablespace": "ARCHIVE_HCC", "compression": C.ARCHIVE_HIGH},
            "already in tablespace ARCHIVE_HCC with ARCHIVE HIGH",
        ),
        (
            {"type": "MOVE", "tablespace": "ARCHIVE_HCC"},
            {"tablespace": "ARCHIVE_HCC", "compression": C.BASIC},
            "already in tablespace ARCHIVE_HCC with BASIC",
        ),
        ({"type": "READ_ONLY"}, {"read_only": True}, "already read-only"),
    ],
)
def test_already_in_target_state(action, fields, text):
    detail = decide(policy(action=action), state(**fields))
    assert detail.reason is Reason.ALREADY_IN_TARGET_STATE
    assert detail.text == text


def test_move_within_the_target_tablespace_to_a_higher_level_is_eligible():
    st = state(tablespace="ARCHIVE_HCC", compression=C.QUERY_HIGH)
    assert decide(policy(action=MOVE_AH), st).eligible


def test_compression_not_higher_for_compress():
    detail = decide(policy(action=COMPRESS_QH), state(compression=C.ARCHIVE_LOW))
    assert detail.reason is Reason.COMPRESSION_NOT_HIGHER
    assert detail.text == "target QUERY HIGH is lower than current ARCHIVE LOW"


def test_compression_not_higher_for_move():
    detail = decide(
        policy(action=MOVE_AH | {"compression": "QUERY LOW"}), state(compression=C.QUERY_HIGH)
    )
    assert detail.reason is Reason.COMPRESSION_NOT_HIGHER


def test_higher_compression_is_eligible():
    assert decide(policy(action=COMPRESS_QH), state(compression=C.ADVANCED)).eligible


def test_move_without_compression_keeps_the_current_level():
    st = state(compression=C.ARCHIVE_HIGH)
    assert decide(policy(action={"type": "MOVE", "tablespace": "ARCHIVE_HCC"}), st).eligible


DROP = {
    "action": {"type": "DROP"},
    "allow_destructive": True,
    "conditions": {"min_age_months": 12},
}


def test_destructive_not_allowed_is_rechecked_at_evaluation():
    # The loader refuses this policy; a policy built in code bypassing validation still must not
    # drop anything.
    unsafe = policy(**DROP).model_copy(update={"allow_destructive": False})
    detail = decide(unsafe, state())
    assert detail.reason is Reason.DESTRUCTIVE_NOT_ALLOWED
    assert detail.text == "DROP without allow_destructive: true"


@pytest.mark.parametrize("kind", ["DROP", "TRUNCATE"])
def test_newest_partition_is_never_dropped(kind):
    detail = decide(policy(**DROP | {"action": {"type": kind}}), state(is_newest=True))
    assert detail.reason is Reason.NEWEST_PARTITION
    assert detail.text == "P2020_01 is the newest partition of SALES.ORDERS"


def test_hot_partition_is_never_dropped():
    detail = decide(policy(**DROP), state(last_access_days=3))
    assert detail.reason is Reason.HOT_PARTITION
    assert "last access 3 days" in detail.text


def test_newest_and_hot_guards_apply_only_to_destructive_actions():
    st = state(is_newest=True, last_access_days=3)
    assert decide(policy(action=COMPRESS_QH), st).eligible


YEAR = {"year_members": 12, "year_bytes": 1200 * MB, "year_age_days": 900, "year_age_months": 29}


def test_no_merge_target():
    detail = decide(policy(action={"type": "MERGE"}), state())
    assert detail.reason is Reason.NO_MERGE_TARGET
    assert detail.text == "not wholly within one year (it holds rows of more than one)"
    alone = decide(policy(action={"type": "MERGE"}), state(**YEAR | {"year_members": 1}))
    assert (alone.reason, alone.text) == (Reason.NO_MERGE_TARGET, "the only partition of its year")


def test_merge_with_period_partners_is_eligible_and_queued_on_the_last_one():
    pol = policy(action={"type": "MERGE"})
    detail = decide(pol, state(**YEAR))
    assert detail.eligible and not detail.queued
    assert decide(pol, state(**YEAR, year_last=True)).queued


def test_merge_ages_are_the_periods():
    pol = policy(action={"type": "MERGE"}, conditions={"min_age_months": 30})
    detail = decide(pol, state(**YEAR, age_months=40))
    assert detail.reason is Reason.TOO_YOUNG
    assert detail.text == "its year's age 29 months < minimum 30 months"


def test_quarterly_merge_reads_the_quarter():
    pol = policy(action={"type": "MERGE", "period": "quarterly"})
    quarter = {"quarter_members": 3, "quarter_bytes": 300 * MB, "quarter_age_days": 800}
    assert decide(pol, state(**YEAR)).reason is Reason.NO_MERGE_TARGET
    assert decide(pol, state(**quarter)).eligible


def test_insufficient_space_for_an_in_place_compress():
    detail = decide(policy(action=COMPRESS_QH), state(), free={"DATA_HOT": 50 * MB})
    assert detail.reason is Reason.INSUFFICIENT_SPACE_IN_TARGET
    assert detail.text == "tablespace DATA_HOT has 50.0 MiB free < 100.0 MiB needed"


def test_insufficient_space_checks_the_move_target():
    free = {"DATA_HOT": 10 * GB, "ARCHIVE_HCC": 10 * MB}
    detail = decide(policy(action=MOVE_AH), state(), free=free)
    assert detail.reason is Reason.INSUFFICIENT_SPACE_IN_TARGET
    assert "ARCHIVE_HCC" in detail.text


def test_unknown_tablespace_free_space_is_insufficient():
    detail = decide(policy(action=MOVE_AH), state(), free={"DATA_HOT": 10 * GB})
    assert detail.reason is Reason.INSUFFICIENT_SPACE_IN_TARGET
    assert detail.text == "free space of tablespace ARCHIVE_HCC unknown"


def test_merge_needs_room_for_the_whole_period():
    st = state(**YEAR)
    pol = policy(action={"type": "MERGE"})
    short = decide(pol, st, free={"DATA_HOT": 1000 * MB})
    assert short.reason is Reason.INSUFFICIENT_SPACE_IN_TARGET
    assert short.text == "tablespace DATA_HOT has 1,000.0 MiB free < 1.2 GiB needed"
    assert decide(pol, st, free={"DATA_HOT": 1200 * MB}).eligible


def test_read_only_needs_no_space():
    assert decide(policy(), state(), free={}).eligible


def test_custom_predicate():
    pol = policy(conditions={"custom_sql": "num_rows > 0"})
    assert decide(pol, state(custom_predicates={"p": True})).eligible
    detail = decide(pol, state(custom_predicates={"p": False}))
    assert detail.reason is Reason.CUSTOM_PREDICATE_FALSE
    assert detail.text == "custom_sql is false: num_rows > 0"
    missing = decide(pol, state(custom_predicates={"other": True}))
    assert missing.reason is Reason.CUSTOM_PREDICATE_FALSE and "not evaluated" in missing.text


def _walk(steps, free=None):
    """Apply fixes one by one and record the reason seen before each next fix.

    ``unsafe`` in the policy fields builds the policy without allow_destructive, which only
    code that bypasses the loader can do.
    """
    pol_fields: dict = {}
    st_fields: dict = {}
    seen = []
    for pol_fix, st_fix in steps:
        pol_fields.update(pol_fix)
        st_fields.update(st_fix)
        fields = {k: v for k, v in pol_fields.items() if k != "unsafe"}
        pol = policy(**fields)
        if pol_fields.get("unsafe"):
            pol = pol.model_copy(update={"allow_destructive": False})
        seen.append(decide(pol, state(**st_fields), free=free or FREE_WALK).reason)
    return seen


FREE_WALK = {"DATA_HOT": 10 * MB, "ARCHIVE_HCC": 10 * GB}
FILTERS = {
    "min_age_days": 400,
    "min_size_mb": 50,
    "min_tablespace_used_pct": 80,
    "custom_sql": "x = 1",
}
START_POLICY = {"enabled": False, "conditions": FILTERS | {"temperatures": ["WARM"]}}
START_STATE = {
    "age_days": 10,
    "size_bytes": 5 * MB,
    "tablespace_used_pct": 10.0,
    "custom_predicates": {"p": False},
}
FILTER_FIXES = [
    ({"enabled": True}, {}),
    # A MERGE reads its period's age; the other kinds the partition's.
    ({}, {"age_days": 500, "year_age_days": 500}),
    ({}, {"size_bytes": 100 * MB}),
    ({"conditions": FILTERS | {"temperatures": ["HOT", "COLD"]}}, {}),
    ({}, {"tablespace_used_pct": 90.0}),
]
FILTER_REASONS = [
    Reason.POLICY_DISABLED,
    Reason.TOO_YOUNG,
    Reason.TOO_SMALL,
    Reason.TEMPERATURE_MISMATCH,
    Reason.NO_SPACE_PRESSURE,
]


def _assert_in_evaluation_order(seen, expected):
    assert seen == expected
    positions = [EVALUATION_ORDER.index(r) for r in seen[:-1]]
    assert positions == sorted(positions)
    assert seen[-1] is Reason.ELIGIBLE


def test_order_for_compress():
    steps = [
        (START_POLICY | {"action": COMPRESS_QH}, START_STATE | {"compression": C.QUERY_HIGH}),
        *FILTER_FIXES,
        ({}, {"compression": C.ARCHIVE_HIGH}),
        ({}, {"compression": C.NONE}),
        ({}, {"tablespace": "ARCHIVE_HCC"}),
        ({}, {"custom_predicates": {"p": True}}),
    ]
    _assert_in_evaluation_order(
        _walk(steps),
        FILTER_REASONS
        + [
            Reason.ALREADY_IN_TARGET_STATE,
            Reason.COMPRESSION_NOT_HIGHER,
            Reason.INSUFFICIENT_SPACE_IN_TARGET,
            Reason.CUSTOM_PREDICATE_FALSE,
            Reason.ELIGIBLE,
        ],
    )


def test_order_for_drop():
    steps = [
        (
            START_POLICY | DROP | {"conditions": START_POLICY["conditions"], "unsafe": True},
            START_STATE | {"is_newest": True, "last_access_days": 1},
        ),
        *FILTER_FIXES,
        ({"unsafe": False}, {}),
        ({}, {"is_newest": False}),
        ({}, {"last_access_days": None}),
        ({}, {"custom_predicates": {"p": True}}),
    ]
    _assert_in_evaluation_order(
        _walk(steps),
        FILTER_REASONS
        + [
            Reason.DESTRUCTIVE_NOT_ALLOWED,
            Reason.NEWEST_PARTITION,
            Reason.HOT_PARTITION,
            Reason.CUSTOM_PREDICATE_FALSE,
            Reason.ELIGIBLE,
        ],
    )


def test_order_for_merge():
    steps = [
        (START_POLICY | {"action": {"type": "MERGE"}}, START_STATE),
        *FILTER_FIXES,
        ({}, YEAR | {"year_bytes": 100 * MB}),
        ({}, {"tablespace": "ARCHIVE_HCC"}),
        ({}, {"custom_predicates": {"p": True}}),
    ]
    _assert_in_evaluation_order(
        _walk(steps),
        FILTER_REASONS
        + [
            Reason.NO_MERGE_TARGET,
            Reason.INSUFFICIENT_SPACE_IN_TARGET,
            Reason.CUSTOM_PREDICATE_FALSE,
            Reason.ELIGIBLE,
        ],
    )


def test_details_cover_only_target_tables():
    pol = policy(tables=["SALES.ORD*"])
    parts = [
        state(),
        state(ref=ObjectRef("SALES", "ORDER_LINES", "P1")),
        state(ref=ObjectRef("SALES", "RETURNS", "P1")),
        state(ref=ObjectRef("FINANCE", "ORDERS", "P1")),
    ]
    details = evaluate([pol], parts, FREE).details
    assert [d.ref.table for d in details] == ["ORDERS", "ORDER_LINES"]


def test_patterns_are_matched_once_per_table(monkeypatch):
    calls = []
    original = TablePattern.matches

    def counting(self, owner, table):
        calls.append((self.text, owner, table))
        return original(self, owner, table)

    monkeypatch.setattr(TablePattern, "matches", counting)
    policies = [
        policy(name="a", tables=["SALES.X*", "SALES.ORDERS"]),
        policy(name="b", tables=["SALES.*"]),
    ]
    parts = [
        state(ref=ObjectRef("SALES", t, f"P{i}")) for t in ("ORDERS", "RETURNS") for i in range(100)
    ]
    result = evaluate(policies, parts, FREE)
    assert len(result.details) == 100 + 200
    # a: two patterns x two tables; b: one pattern x two tables.
    assert len(calls) == 6


def test_eligible_pairs_are_in_queue_order():
    policies = [
        policy(name="late", priority=20),
        policy(name="b_first", priority=10),
        policy(name="a_first", priority=10),
    ]
    young = state(ref=ObjectRef("SALES", "ORDERS", "P_YOUNG"), age_days=500)
    old = state(ref=ObjectRef("SALES", "ORDERS", "P_OLD"), age_days=2000)
    result = evaluate(policies, [young, old], FREE)
    assert [(e.policy.name, e.partition.ref.partition) for e in result.eligible] == [
        ("a_first", "P_OLD"),
        ("a_first", "P_YOUNG"),
        ("b_first", "P_OLD"),
        ("b_first", "P_YOUNG"),
        ("late", "P_OLD"),
        ("late", "P_YOUNG"),
    ]
    assert result.counts() == {Reason.ELIGIBLE: 6}


def _policy_set(yaml_policies: str) -> PolicySet:
    return parse_policies(
        "profiles:\n"
        "  DEFAULT: {hot_days: 90, warm_days: 365, cold_days: 1095}\n"
        "  FAST: {hot_days: 30, warm_days: 180, cold_days: 730}\n"
        "policies:\n" + yaml_policies,
        source="test.yaml",
    )


def test_temperature_follows_the_policy_profile():
    policy_set = _policy_set(
        "  - {name: dflt, tables: [SALES.ORDERS], action: {type: READ_ONLY},\n"
        "     conditions: {temperatures: [COLD]}}\n"
        "  - {name: fast, profile: FAST, tables: [SALES.ORDERS], action: {type: READ_ONLY},\n"
        "     conditions: {temperatures: [COLD]}}\n"
        "  - name: table_level\n"
        "    profile: NOTHING_LIKE_IT\n"
        "    tables: [{pattern: SALES.ORDERS, profile: FAST}]\n"
        "    action: {type: READ_ONLY}\n"
        "    conditions: {temperatures: [COLD]}\n"
    )
    # 200 days: WARM by DEFAULT, COLD by FAST; the stored temperature is not what decides.
    result = evaluate(policy_set, [state(age_days=200, temperature=Temperature.FROZEN)], FREE)
    reasons = {d.policy_name: d.reason for d in result.details}
    assert reasons == {
        "dflt": Reason.TEMPERATURE_MISMATCH,
        "fast": Reason.ELIGIBLE,
        "table_level": Reason.ELIGIBLE,
    }
    assert result.warnings == []


def test_missing_profile_falls_back_with_a_warning():
    policy_set = _policy_set(
        "  - {name: typo, profile: FSAT, tables: [SALES.ORDERS], action: {type: READ_ONLY},\n"
        "     conditions: {temperatures: [WARM]}}\n"
    )
    parts = [state(age_days=200), state(ref=ObjectRef("SALES", "ORDERS", "P2"), age_days=200)]
    result = evaluate(policy_set, parts, FREE)
    assert [d.reason for d in result.details] == [Reason.ELIGIBLE, Reason.ELIGIBLE]
    assert result.warnings == ["policy typo: profile 'FSAT' is not defined; using DEFAULT"]


def test_partition_without_a_date_bound_is_hot_and_age_zero():
    pol = policy(conditions={"temperatures": ["HOT"]})
    st = state(upper_bound=None, age_days=None, age_months=None, temperature=Temperature.COLD)
    assert decide(pol, st).eligible
    too_young = decide(policy(conditions={"min_age_days": 1}), st)
    assert too_young.reason is Reason.TOO_YOUNG and too_young.text.startswith("age 0 days")


def test_explain_lists_the_policies_targeting_the_partition():
    policy_set = _policy_set(
        "  - {name: b, priority: 2, tables: [SALES.*], action: {type: READ_ONLY}}\n"
        "  - {name: a, priority: 1, tables: [SALES.ORDERS], action: {type: READ_ONLY},\n"
        "     conditions: {min_age_days: 5000}}\n"
        "  - {name: other, tables: [AUDIT.*], action: {type: READ_ONLY}}\n"
    )
    details = explain(policy_set, state(), FREE)
    assert [(d.policy_name, d.reason) for d in details] == [
        ("a", Reason.TOO_YOUNG),
        ("b", Reason.ELIGIBLE),
    ]


@pytest.mark.parametrize("last_access_days", [None, 0, 29, 30, 89, 90, 400])
def test_evaluation_temperature_agrees_with_the_temperature_module(last_access_days):
    thresholds = Thresholds(30, 180, 730)
    policy_set = _policy_set(
        "  - {name: hot, profile: FAST, tables: [SALES.ORDERS], action: {type: READ_ONLY},\n"
        "     conditions: {temperatures: [HOT]}}\n"
    )
    ages = [0, 29, 30, 179, 180, 729, 730, 5000]
    parts = [
        state(
            ref=ObjectRef("SALES", "ORDERS", f"P{a}"), age_days=a, last_access_days=last_access_days
        )
        for a in ages
    ]
    details = {d.ref.partition: d.eligible for d in evaluate(policy_set, parts, FREE).details}
    expected = {
        f"P{a}": temperature(a, thresholds, last_access_days=last_access_days) is Temperature.HOT
        for a in ages
    }
    assert details == expected


def test_no_access_for_n_days_reads_the_tracked_source():
    pol = policy(conditions={"no_access_days": 30})
    assert decide(pol, state(access_source="HEATMAP", last_access_days=45)).eligible
    # Tracked and never read since tracking began: no access.
    assert decide(pol, state(access_source="HEATMAP", last_access_days=None)).eligible
    recent = decide(pol, state(access_source="HEATMAP", last_access_days=3))
    assert recent.reason is Reason.RECENTLY_ACCESSED
    assert recent.text == "read 3 days ago < 30 days without access (reads tracked by Heat Map)"
    unknown = decide(pol, state(access_source=None))
    assert unknown.reason is Reason.RECENTLY_ACCESSED
    assert unknown.text.endswith("(no source tracks reads)")


def test_no_modification_for_n_days_names_heat_map_or_dml_monitoring():
    pol = policy(conditions={"no_modification_days": 90})
    assert decide(pol, state(modification_source="DML", last_modification_days=120)).eligible
    recent = decide(pol, state(modification_source="DML", last_modification_days=10))
    assert recent.reason is Reason.RECENTLY_MODIFIED
    assert recent.text.endswith("(modifications tracked by DML monitoring (ALL_TAB_MODIFICATIONS))")
    heat = decide(pol, state(modification_source="HEATMAP", last_modification_days=10))
    assert heat.text.endswith("(modifications tracked by Heat Map)")
    assert decide(pol, state()).reason is Reason.RECENTLY_MODIFIED


def test_archive_before_drop_of_a_composite_partition_is_unsupported():
    drop = {"type": "DROP", "archive": True}
    young = {"conditions": {"min_age_days": 1}, "acknowledge_young_data": True}
    pol = policy(action=drop, allow_destructive=True, **young)
    detail = decide(pol, state(has_subpartitions=True))
    assert detail.reason is Reason.UNSUPPORTED_LAYOUT
    plain = policy(action={"type": "DROP"}, allow_destructive=True, **young)
    assert decide(plain, state(has_subpartitions=True)).eligible

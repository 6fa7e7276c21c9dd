"""The policy-evaluation workload: 20 policies over the scaled embedded warehouse.

Every policy targets every generated table (``DW_nn.FACT_nnnnn``), written with different
pattern shapes and some table-level profile overrides, so a warehouse of N partitions yields
20 x N (policy, partition) pairs: the "1M x 20" of the target is twenty million decisions and
twenty million detail rows, the worst case, not a subset. The mix of actions, thresholds and
profiles is chosen so that every reason a decision can have shows up in the details.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from hcc_operators.core.policy_config import PolicySet, parse_policies

# Fixed dates so that partition ages, and therefore every count, repeat from run to run.
TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
SEED = 42

_PROFILES = {
    "DEFAULT": {"hot_days": 90, "warm_days": 365, "cold_days": 1095},
    "FAST_COOLING": {"hot_days": 30, "warm_days": 180, "cold_days": 730},
    "LEDGER": {"hot_days": 365, "warm_days": 1095, "cold_days": 2555},
}

# Pattern shapes that each match all generated tables (owners DW_01.., tables FACT_00001..);
# the narrower first entries give some tables their own profile, the last catches the rest.
_ALL = ("DW_*.FACT_*",)
_FAST_THEN_ALL = ({"pattern": "DW_*.FACT_0000?", "profile": "FAST_COOLING"}, "*.FACT_*")
_LEDGER_THEN_ALL = ({"pattern": "DW_0?.FACT_*1", "profile": "LEDGER"}, "DW_??.*")


def _policy(name, priority, tables, action, conditions, **extra) -> dict:
    return {
        "name": name,
        "priority": priority,
        "tables": list(tables),
        "action": action,
        "conditions": conditions,
        **extra,
    }


def policy_data() -> dict:
    """policies.yaml content, as parsed data."""
    compress = "COMPRESS"
    policies = [
        _policy(
            "p01_pressure_archive_low",
            5,
            _ALL,
            {"type": compress, "level": "ARCHIVE LOW"},
            {"min_age_days": 30, "min_tablespace_used_pct": 90},
        ),
        _policy(
            "p02_warm_query_high",
            10,
            _FAST_THEN_ALL,
            {"type": compress, "level": "QUERY HIGH"},
            {"min_age_months": 3, "min_size_mb": 8, "temperatures": ["WARM"]},
        ),
        _policy(
            "p03_warm_query_low",
            11,
            _ALL,
            {"type": compress, "level": "QUERY LOW"},
            {"min_age_months": 2, "temperatures": ["WARM"]},
        ),
        _policy(
            "p04_cold_archive_high",
            12,
            _LEDGER_THEN_ALL,
            {"type": compress, "level": "ARCHIVE HIGH"},
            {"min_age_months": 24, "temperatures": ["COLD", "FROZEN"]},
        ),
        _policy(
            "p05_advanced_young",
            13,
            _ALL,
            {"type": compress, "level": "ADVANCED"},
            {"min_age_days": 45, "min_size_mb": 64},
        ),
        _policy(
            "p06_advanced_large",
            14,
            _FAST_THEN_ALL,
            {"type": compress, "level": "ADVANCED"},
            {"min_age_months": 4, "min_size_mb": 1024},
        ),
        _policy(
            "p07_move_cold_to_arch",
            20,
            _ALL,
            {"type": "MOVE", "tablespace": "ARCH_01", "compression": "ARCHIVE HIGH"},
            {"min_age_months": 24, "temperatures": ["COLD", "FROZEN"]},
        ),
        _policy(
            "p08_move_warm_under_pressure",
            21,
            _FAST_THEN_ALL,
            {"type": "MOVE", "tablespace": "ARCH_01", "compression": "QUERY HIGH"},
            {"min_age_months": 6, "temperatures": ["WARM"], "min_tablespace_used_pct": 75},
        ),
        _policy(
            "p09_move_to_full_tier",
            22,
            _ALL,
            {"type": "MOVE", "tablespace": "FULL_01", "compression": "QUERY HIGH"},
            {"min_age_months": 12},
        ),
        _policy(
            "p10_move_plain",
            23,
            _LEDGER_THEN_ALL,
            {"type": "MOVE", "tablespace": "ARCH_01"},
            {"min_age_months": 36, "temperatures": ["FROZEN"]},
        ),
        _policy(
            "p11_read_only_3y", 30, _LEDGER_THEN_ALL, {"type": "READ_ONLY"}, {"min_age_months": 36}
        ),
        _policy(
            "p12_read_only_frozen", 31, _ALL, {"type": "READ_ONLY"}, {"temperatures": ["FROZEN"]}
        ),
        _policy(
            "p13_merge_yearly",
            40,
            _ALL,
            {"type": "MERGE", "into": "yearly"},
            {"min_age_months": 12},
        ),
        _policy(
            "p14_drop_7y",
            50,
            _ALL,
            {"type": "DROP", "archive": True, "archive_table_suffix": "_ARCH"},
            {"min_age_months": 84},
            allow_destructive=True,
        ),
        _policy(
            "p15_truncate_5y",
            51,
            _FAST_THEN_ALL,
            {"type": "TRUNCATE"},
            {"min_age_months": 60},
            allow_destructive=True,
        ),
        _policy(
            "p16_drop_any_age_days",
            52,
            _ALL,
            {"type": "DROP"},
            {"min_age_days": 1},
            allow_destructive=True,
            # Young data on purpose: the bench exercises the destructive guards at any age.
            acknowledge_young_data=True,
        ),
        _policy(
            "p17_disabled_compress",
            60,
            _ALL,
            {"type": compress, "level": "ADVANCED"},
            {"min_age_months": 13},
            enabled=False,
        ),
        _policy(
            "p18_big_frozen_archive",
            70,
            _ALL,
            {"type": compress, "level": "ARCHIVE HIGH"},
            {"min_size_mb": 4096, "temperatures": ["FROZEN"]},
        ),
        _policy(
            "p19_query_high_cold",
            80,
            _LEDGER_THEN_ALL,
            {"type": compress, "level": "QUERY HIGH"},
            {"min_age_months": 12, "temperatures": ["COLD"]},
        ),
        _policy("p20_catch_all_query_low", 90, _ALL, {"type": compress, "level": "QUERY LOW"}, {}),
    ]
    return {
        "settings": {"allow_custom_sql": False, "default_profile": "DEFAULT"},
        "profiles": _PROFILES,
        "policies": policies,
    }


def policies() -> PolicySet:
    return parse_policies(policy_data(), source="bench/workload.py")


def refresh(warehouse, engine, policy_set: PolicySet):
    """Stage 1 exactly as the refresh operator calls it, with the bench's policies."""
    from hcc_operators.core.table_patterns import matches_any
    from hcc_operators.services import ilm_refresh

    patterns = tuple(t.compiled() for p in policy_set.policies for t in p.tables)
    return ilm_refresh.refresh_partition_access(
        warehouse,
        engine,
        is_target=lambda owner, table: matches_any(patterns, owner, table),
        thresholds_for=policy_set.table_thresholds,
        now=NOW,
    )


def load_states(conn) -> list:
    """hcc_partition_access's rows as core PartitionStates (the pure evaluator's input)."""
    from sqlalchemy import select

    from hcc_operators.core.temperature import Temperature
    from hcc_operators.repository.partition_rows import state_of
    from hcc_operators.repository.tables import partition_access as pa

    return [state_of(r, temperature=Temperature(r.temperature)) for r in conn.execute(select(pa))]

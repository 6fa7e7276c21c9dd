from __future__ import annotations

import textwrap

import pytest

from hcc_operators.core.actions.drop import DropParams as DropAction
from hcc_operators.core.actions.move import MoveParams as MoveAction
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import ActionKind, CompressionType
from hcc_operators.core.policy_config import (
    DEFAULT_PROFILE,
    load_policies,
    parse_policies,
    validate,
)
from hcc_operators.core.temperature import BUILTIN_THRESHOLDS, Temperature, Thresholds

SOURCE = "policies.yaml"
BASE = """
profiles:
  DEFAULT: {hot_days: 30, warm_days: 200, cold_days: 900}
policies:
"""


def parse(policies_yaml: str, head: str = BASE):
    return parse_policies(
        head + textwrap.indent(textwrap.dedent(policies_yaml), "  "), source=SOURCE
    )


def config_error(policies_yaml: str, head: str = BASE) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(policies_yaml, head)
    return info.value


GOOD = """
- name: warm
  tables: [SALES.ORDERS]
  action: {type: COMPRESS, level: QUERY HIGH}
"""


def test_sample_file_loads_and_covers_the_demo_cases():
    policy_set = load_policies()
    kinds = {p.kind for p in policy_set.policies}
    assert {
        ActionKind.COMPRESS,
        ActionKind.MOVE,
        ActionKind.READ_ONLY,
        ActionKind.MERGE,
        ActionKind.DROP,
    } <= kinds
    assert any(not p.enabled for p in policy_set.policies)
    assert any(p.conditions.min_tablespace_used_pct for p in policy_set.policies)
    drop = next(p for p in policy_set.policies if p.kind is ActionKind.DROP)
    assert drop.allow_destructive and isinstance(drop.action, DropAction) and drop.action.archive
    moves = [p.action for p in policy_set.policies if isinstance(p.action, MoveAction)]
    assert {m.tablespace for m in moves} == {"SALES_ARCH"}
    assert policy_set.issues() == []
    assert policy_set.source and policy_set.source.endswith("policies.yaml")


def test_default_path_follows_hcc_config_dir(tmp_path, monkeypatch):
    (tmp_path / "policies.yaml").write_text(BASE + textwrap.indent(GOOD, "  "))
    monkeypatch.setenv("HCC_CONFIG_DIR", str(tmp_path))
    policy_set = load_policies()
    assert [p.name for p in policy_set.policies] == ["warm"]
    assert policy_set.source == str(tmp_path / "policies.yaml")


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found") as info:
        load_policies(tmp_path / "nope.yaml")
    assert info.value.source == str(tmp_path / "nope.yaml")


def test_defaults_and_normalisation():
    policy = parse("""
    - name: p
      tables: [sales.orders]
      action: {type: move, tablespace: archive_hcc, compression: query_high}
      conditions: {temperatures: [cold, FROZEN]}
    """).policies[0]
    assert policy.enabled and policy.priority == 100 and not policy.allow_destructive
    assert policy.action.tablespace == "ARCHIVE_HCC"
    assert policy.action.compression is CompressionType.QUERY_HIGH
    assert policy.conditions.temperatures == (Temperature.COLD, Temperature.FROZEN)


def test_read_only_type_is_accepted_with_a_space():
    assert (
        parse("""
    - name: ro
      tables: [A.B]
      action: {type: read only}
    """)
        .policies[0]
        .kind
        is ActionKind.READ_ONLY
    )


def test_missing_field_names_file_policy_and_field():
    err = config_error("""
    - name: nolevel
      tables: [SALES.ORDERS]
      action: {type: COMPRESS}
    """)
    assert err.source == SOURCE
    assert err.field == "policies[nolevel].action.level"
    assert "missing required field" in str(err)
    assert str(err).startswith("policies.yaml: policies[nolevel].action.level:")


def test_missing_tables_is_reported():
    err = config_error("""
    - name: notables
      action: {type: READ_ONLY}
    """)
    assert err.field == "policies[notables].tables"


def test_unnamed_policy_is_located_by_position():
    err = config_error("""
    - tables: [A.B]
      action: {type: READ_ONLY}
    """)
    assert err.field == "policies[#1].name"


def test_unknown_action_type():
    err = config_error("""
    - name: odd
      tables: [SALES.ORDERS]
      action: {type: SHRED}
    """)
    assert err.field == "policies[odd].action"
    assert "unknown action type 'SHRED'" in str(err) and "COMPRESS" in str(err)


def test_action_without_type():
    err = config_error("""
    - name: notype
      tables: [SALES.ORDERS]
      action: {level: QUERY HIGH}
    """)
    assert "needs a 'type'" in str(err)


@pytest.mark.parametrize("kind", ["DROP", "TRUNCATE"])
def test_destructive_without_opt_in(kind):
    err = config_error(f"""
    - name: purge
      tables: [AUDIT.AUD_TRAIL]
      action: {{type: {kind}}}
      conditions: {{min_age_months: 84}}
    """)
    assert err.field == "policies[purge].allow_destructive"
    assert f"action {kind} removes data" in str(err)


def test_destructive_even_when_disabled_needs_opt_in():
    err = config_error("""
    - name: purge
      enabled: false
      tables: [AUDIT.AUD_TRAIL]
      action: {type: TRUNCATE}
      conditions: {min_age_months: 84}
    """)
    assert err.field == "policies[purge].allow_destructive"


def test_destructive_needs_an_age_bound():
    err = config_error("""
    - name: purge
      tables: [AUDIT.AUD_TRAIL]
      action: {type: DROP}
      allow_destructive: true
    """)
    assert "min_age_days or min_age_months" in str(err)


def test_destructive_with_opt_in_and_age_loads():
    policy = parse("""
    - name: purge
      tables: [AUDIT.AUD_TRAIL]
      action: {type: DROP, archive: true}
      allow_destructive: true
      conditions: {min_age_days: 2555}
    """).policies[0]
    assert policy.action.archive_table_suffix == "_ARCH"


CUSTOM = """
- name: custom
  tables: [SALES.ORDERS]
  action: {type: READ_ONLY}
  conditions: {custom_sql: "num_rows > 0"}
"""


def test_custom_sql_needs_the_setting():
    err = config_error(CUSTOM)
    assert err.field == "policies[custom].conditions.custom_sql"
    assert "settings.allow_custom_sql" in str(err)


def test_custom_sql_with_the_setting():
    policy_set = parse(CUSTOM, head="settings: {allow_custom_sql: true}\npolicies:\n")
    assert policy_set.policies[0].conditions.custom_sql == "num_rows > 0"


def test_custom_sql_must_be_one_predicate():
    err = config_error(
        CUSTOM.replace("num_rows > 0", "1=1; drop table x"),
        head="settings: {allow_custom_sql: true}\npolicies:\n",
    )
    assert "without ';'" in str(err)


def test_duplicate_names():
    err = config_error(GOOD + GOOD)
    assert err.field == "policies[warm].name"
    assert "more than once" in str(err)


def test_bad_table_pattern():
    err = config_error("""
    - name: badpat
      tables: [SALES.ORDERS, "SALES"]
      action: {type: READ_ONLY}
    """)
    assert err.field == "policies[badpat].tables[1].pattern"
    assert "OWNER.TABLE" in str(err)


@pytest.mark.parametrize("tablespace", ["ARCH HCC", "ARCH;DROP", "1ARCH", "TABLE"])
def test_bad_tablespace_identifier(tablespace):
    err = config_error(f"""
    - name: mv
      tables: [SALES.ORDERS]
      action: {{type: MOVE, tablespace: "{tablespace}"}}
    """)
    assert err.field == "policies[mv].action.tablespace"
    assert "tablespace name" in str(err)


def test_bad_archive_suffix():
    err = config_error("""
    - name: purge
      tables: [AUDIT.AUD_TRAIL]
      action: {type: DROP, archive: true, archive_table_suffix: "-old"}
      allow_destructive: true
      conditions: {min_age_months: 84}
    """)
    assert err.field == "policies[purge].action.archive_table_suffix"


@pytest.mark.parametrize("level", ["BASIC", "NONE", "SUPER"])
def test_compression_level_must_be_a_target_level(level):
    err = config_error(f"""
    - name: c
      tables: [A.B]
      action: {{type: COMPRESS, level: {level}}}
    """)
    assert err.field == "policies[c].action.level"
    assert "QUERY HIGH" in str(err)


def test_unknown_field_is_a_typo():
    err = config_error("""
    - name: typo
      tables: [A.B]
      action: {type: READ_ONLY}
      conditions: {min_age_day: 3}
    """)
    assert err.field == "policies[typo].conditions.min_age_day"
    assert "unknown field" in str(err)


def test_several_problems_are_all_listed():
    err = config_error("""
    - name: a
      tables: [A.B]
      action: {type: COMPRESS, level: QUERY HIGH, pctfree: 120}
      priority: high
    """)
    assert "also" in str(err) and "pctfree" in str(err) and "priority" in str(err)


def test_profiles_must_increase():
    with pytest.raises(ConfigError) as info:
        parse_policies(
            "profiles:\n  FAST: {hot_days: 30, warm_days: 20, cold_days: 90}\n", source=SOURCE
        )
    assert info.value.field == "profiles.FAST"
    assert "strictly increasing" in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("policies: [\n", "not valid YAML"), ("- a\n- b\n", "must hold a mapping")],
)
def test_unreadable_documents(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_policies(text, source=SOURCE)


def test_empty_document_is_an_empty_policy_set():
    assert parse_policies("", source=SOURCE).policies == ()


def test_unknown_profile_falls_back_to_default_and_is_reported():
    policy_set = parse("""
    - name: p
      profile: nope
      tables: [A.B, {pattern: A.C, profile: ALSO_MISSING}]
      action: {type: READ_ONLY}
    """)
    name, thresholds, warning = policy_set.resolve_profile("NOPE")
    assert (name, thresholds) == (DEFAULT_PROFILE, Thresholds(30, 200, 900))
    assert "'NOPE' is not defined" in warning
    issues = policy_set.issues()
    assert any(i.startswith("policies[p].profile:") for i in issues)
    assert any(i.startswith("policies[p].tables[1].profile:") for i in issues)


def test_without_default_profile_the_builtin_applies():
    policy_set = parse(
        GOOD, head="profiles:\n  FAST: {hot_days: 1, warm_days: 2, cold_days: 3}\npolicies:\n"
    )
    name, thresholds, warning = policy_set.resolve_profile("MISSING")
    assert thresholds == BUILTIN_THRESHOLDS and "built-in 90/365/1095" in warning
    assert any(i.startswith("settings.default_profile") for i in policy_set.issues())


def test_no_profiles_at_all_uses_builtin_silently():
    policy_set = parse(GOOD, head="policies:\n")
    assert policy_set.resolve_profile(None) == (DEFAULT_PROFILE, BUILTIN_THRESHOLDS, None)
    assert policy_set.issues() == []


def test_table_thresholds_prefer_the_first_policy_with_a_profile():
    policy_set = parse(
        """
    - name: late
      priority: 50
      profile: FAST
      tables: [A.*]
      action: {type: READ_ONLY}
    - name: early
      priority: 1
      tables: [A.B]
      action: {type: READ_ONLY}
    - name: table_level
      priority: 2
      tables: [{pattern: A.C, profile: SLOW}]
      action: {type: READ_ONLY}
    """,
        head=BASE.replace(
            "policies:",
            "  FAST: {hot_days: 1, warm_days: 2, cold_days: 3}\n"
            "  SLOW: {hot_days: 5, warm_days: 6, cold_days: 7}\n"
            "policies:",
        ),
    )
    # "early" targets A.B first but names no profile, so the next policy that does decides.
    assert policy_set.table_thresholds("A", "B") == Thresholds(1, 2, 3)
    assert policy_set.table_thresholds("A", "C") == Thresholds(5, 6, 7)
    assert policy_set.table_thresholds("A", "D") == Thresholds(1, 2, 3)
    assert policy_set.table_thresholds("Z", "D") == Thresholds(30, 200, 900)


def test_validate_prefixes_issues_with_the_file(tmp_path):
    path = tmp_path / "policies.yaml"
    path.write_text(
        BASE + textwrap.indent(GOOD.replace("name: warm", "name: warm\n  profile: X"), "  ")
    )
    issues = validate(path)
    assert len(issues) == 1 and issues[0].startswith(f"{path}: policies[warm].profile")


def test_checksum_is_stable_across_key_order_and_explicit_defaults():
    a = parse("""
    - name: p
      tables: [A.B]
      action: {type: COMPRESS, level: QUERY HIGH}
      conditions: {min_age_months: 3, temperatures: [WARM]}
    """).policies[0]
    b = parse("""
    - conditions: {temperatures: [WARM], min_age_months: 3}
      enabled: true
      action: {level: QUERY HIGH, type: COMPRESS}
      tables: [A.B]
      name: p
    """).policies[0]
    assert a.checksum == b.checksum
    assert len(a.checksum) == 64


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("QUERY HIGH", "ARCHIVE HIGH"),
        ("min_age_months: 3", "min_age_months: 4"),
        ("tables: [A.B]", "tables: [A.B, A.C]"),
    ],
)
def test_checksum_changes_with_the_policy(old, new):
    text = """
    - name: p
      tables: [A.B]
      action: {type: COMPRESS, level: QUERY HIGH}
      conditions: {min_age_months: 3}
    """
    assert parse(text).policies[0].checksum != parse(text.replace(old, new)).policies[0].checksum


def test_get_by_name():
    policy_set = parse(GOOD)
    assert policy_set.get("warm").name == "warm"
    with pytest.raises(KeyError, match="no policy named 'x'"):
        policy_set.get("x")


def test_checksum_hashes_the_canonical_json():
    import hashlib
    import json

    policy = parse(GOOD).policies[0]
    data = json.loads(policy.canonical_json)
    assert data["action"] == {
        "type": "COMPRESS",
        "level": "QUERY HIGH",
        "pctfree": None,
        "online": None,
        "parallel": None,
        "gather_stats": False,
    }
    assert list(data) == sorted(data)
    assert policy.checksum == hashlib.sha256(policy.canonical_json.encode()).hexdigest()


# --- destructive actions on young data, bounds, names (issue 16) ---------------------------


@pytest.mark.parametrize("kind", ["DROP", "TRUNCATE"])
@pytest.mark.parametrize("age", ["min_age_days: 0", "min_age_days: 29", "min_age_months: 0"])
def test_destructive_on_young_data_needs_an_acknowledgement(kind, age):
    young = f"""
    - name: purge
      tables: [STAGE.LOAD]
      action: {{type: {kind}}}
      allow_destructive: true
      conditions: {{{age}}}
    """
    err = config_error(young)
    assert err.field == "policies[purge].acknowledge_young_data"
    assert f"action {kind} with {age} may remove partitions younger than 30 days" in str(err)
    acknowledged = parse(young + "  acknowledge_young_data: true\n").policies[0]
    assert acknowledged.acknowledge_young_data is True


@pytest.mark.parametrize("age", ["min_age_days: 30", "min_age_months: 1"])
def test_a_month_of_age_needs_no_acknowledgement(age):
    policy = parse(f"""
    - name: purge
      tables: [STAGE.LOAD]
      action: {{type: DROP}}
      allow_destructive: true
      conditions: {{{age}}}
    """).policies[0]
    assert policy.acknowledge_young_data is False


def test_the_acknowledgement_leaves_existing_checksums_alone():
    # Policies versioned before the field existed keep their checksum (no spurious version).
    policy = parse(GOOD).policies[0]
    assert "acknowledge_young_data" not in policy.canonical_json
    assert "allow_destructive" in policy.canonical_json


@pytest.mark.parametrize("priority", [-1, 1_000_001, 10**20, 2**63])
def test_priority_is_bounded(priority):
    err = config_error(f"""
    - name: warm
      priority: {priority}
      tables: [SALES.ORDERS]
      action: {{type: COMPRESS, level: QUERY HIGH}}
    """)
    assert err.field == "policies[warm].priority"


@pytest.mark.parametrize("name", ['"warm\\n"', '"warm "', '"-warm"', '"x' + "y" * 128 + '"'])
def test_policy_names_are_matched_whole(name):
    err = config_error(f"""
    - name: {name}
      tables: [SALES.ORDERS]
      action: {{type: COMPRESS, level: QUERY HIGH}}
    """)
    assert err.field.endswith(".name") and "is not a policy name" in str(err)


@pytest.mark.parametrize("value", [".inf", ".nan", "1e400"])
def test_infinite_sizes_are_refused(value):
    err = config_error(f"""
    - name: warm
      tables: [SALES.ORDERS]
      action: {{type: COMPRESS, level: QUERY HIGH}}
      conditions: {{min_size_mb: {value}}}
    """)
    assert err.field == "policies[warm].conditions.min_size_mb"

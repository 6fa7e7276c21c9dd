"""The pre-flight's judgement of a session's facts (pure; the facts are built here)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hcc_operators.core.licences import Licences
from hcc_operators.core.models import TablespaceInfo
from hcc_operators.core.policy_config import PolicySet
from hcc_operators.core.preflight import Needs, SessionFacts, Status, evaluate, needs_of
from hcc_operators.core.privileges import GRANTS, Feature

ALL_SYSTEM = frozenset(g.privilege for g in GRANTS if g.on is None)
ALL_OBJECTS = frozenset(g.on for g in GRANTS if g.on)
FACTS = SessionFacts(
    user="HCC_SVC",
    default_tablespace="USERS",
    version=(19, 21, 0),
    system_privileges=ALL_SYSTEM,
    sys_objects=ALL_OBJECTS,
    quotas={"USERS": None, "ARCH": 10_000},
    compatible="19.0.0",
    heat_map="ON",
    owner_quotas={("SALES", "ARCH"): None},
)
NEEDS = Needs(
    frozenset({Feature.ALWAYS, Feature.PREFLIGHT}), frozenset({"ARCH"}), frozenset({"SALES"})
)
ACO = Licences(advanced_compression=True)
SPACES = {
    "USERS": TablespaceInfo("USERS", 10**9, 10**8, False),
    "ARCH": TablespaceInfo("ARCH", 10**10, 10**8, True),
}


def check(report, name):
    (found,) = [c for c in report.checks if c.name == name]
    return found


def test_a_fully_granted_session_passes():
    report = evaluate(FACTS, NEEDS, ACO, SPACES)
    assert report.worst is Status.OK and not report.failed


def test_a_missing_required_privilege_fails_with_the_grant_to_run():
    facts = replace(FACTS, system_privileges=ALL_SYSTEM - {"CREATE SEQUENCE"})
    report = evaluate(facts, NEEDS, ACO, SPACES)
    found = check(report, "CREATE SEQUENCE")
    assert found.status is Status.FAIL and report.failed
    assert found.remedy == "grants.sql: GRANT CREATE SEQUENCE TO HCC_SVC;"


def test_an_optional_privilege_fails_only_when_the_configuration_needs_it():
    facts = replace(FACTS, system_privileges=ALL_SYSTEM - {"DROP ANY TABLE"})
    assert check(evaluate(facts, NEEDS, ACO, SPACES), "DROP ANY TABLE").status is Status.OK
    needs = replace(NEEDS, features=NEEDS.features | {Feature.DESTRUCTIVE})
    found = check(evaluate(facts, needs, ACO, SPACES), "DROP ANY TABLE")
    assert found.status is Status.FAIL and "destructive" in found.detail


def test_without_analyze_any_the_flush_is_only_a_warning():
    facts = replace(FACTS, system_privileges=ALL_SYSTEM - {"ANALYZE ANY"})
    assert check(evaluate(facts, NEEDS, ACO, SPACES), "ANALYZE ANY").status is Status.WARN


def test_a_missing_sys_view_fails():
    facts = replace(FACTS, sys_objects=ALL_OBJECTS - {"DBA_SEGMENTS"})
    found = check(evaluate(facts, NEEDS, ACO, SPACES), "SELECT ON SYS.DBA_SEGMENTS")
    assert found.status is Status.FAIL
    assert found.remedy == "grants.sql: GRANT SELECT ON sys.dba_segments TO HCC_SVC;"


@pytest.mark.parametrize(
    ("version", "status"), [((12, 1, 0, 2), Status.FAIL), ((12, 2, 0, 1), Status.OK)]
)
def test_the_oldest_supported_release_is_12_2(version, status):
    assert (
        check(evaluate(replace(FACTS, version=version), NEEDS, ACO, SPACES), "version").status
        is status
    )


@pytest.mark.parametrize(
    ("compatible", "status"),
    [
        ("11.1.0", Status.FAIL),
        ("12.1.0.2", Status.WARN),
        ("19.0.0", Status.OK),
        (None, Status.WARN),
    ],
)
def test_compatible(compatible, status):
    facts = replace(FACTS, compatible=compatible)
    assert check(evaluate(facts, NEEDS, ACO, SPACES), "COMPATIBLE").status is status


def test_no_quota_on_the_repository_tablespace_fails_and_unlimited_tablespace_covers_all():
    facts = replace(FACTS, quotas={"ARCH": None})
    found = check(evaluate(facts, NEEDS, ACO, SPACES), "USERS")
    assert found.status is Status.FAIL
    assert found.remedy == "ALTER USER HCC_SVC QUOTA UNLIMITED ON USERS;"
    unlimited = replace(facts, system_privileges=ALL_SYSTEM | {"UNLIMITED TABLESPACE"})
    assert check(evaluate(unlimited, NEEDS, ACO, SPACES), "USERS").status is Status.OK


def test_a_move_target_that_does_not_exist_fails():
    needs = replace(NEEDS, move_targets=frozenset({"NOPE"}))
    assert check(evaluate(FACTS, needs, ACO, SPACES), "NOPE").status is Status.FAIL


def test_owner_quotas_warn_when_missing_or_unreadable():
    facts = replace(FACTS, owner_quotas={})
    assert check(evaluate(facts, NEEDS, ACO, SPACES), "SALES on ARCH").status is Status.WARN
    unreadable = replace(FACTS, owner_quotas=None)
    assert check(evaluate(unreadable, NEEDS, ACO, SPACES), "table owners").status is Status.WARN


def test_no_hcc_storage_is_a_warning():
    spaces = {n: replace(t, hcc_supported=False) for n, t in SPACES.items()}
    assert check(evaluate(FACTS, NEEDS, ACO, spaces), "HCC").status is Status.WARN


@pytest.mark.parametrize(
    ("heat_map", "licences", "status"),
    [
        ("ON", ACO, Status.OK),
        ("OFF", ACO, Status.WARN),
        ("ON", Licences(), Status.WARN),
        ("OFF", Licences(), Status.OK),
        (None, ACO, Status.WARN),
    ],
)
def test_heat_map_against_the_declared_licence(heat_map, licences, status):
    facts = replace(FACTS, heat_map=heat_map)
    assert check(evaluate(facts, NEEDS, licences, SPACES), "Heat Map").status is status


def test_needs_follow_the_policies_and_licences():
    policies = PolicySet.model_validate(
        {
            "policies": [
                {
                    "name": "purge",
                    "tables": ["SALES.*"],
                    "action": {"type": "DROP", "archive": True},
                    "conditions": {"min_age_days": 4000},
                    "allow_destructive": True,
                },
                {
                    "name": "tier",
                    "tables": ["SALES.*"],
                    "action": {"type": "MOVE", "tablespace": "ARCH"},
                },
                {
                    "name": "off",
                    "enabled": False,
                    "tables": ["SALES.*"],
                    "action": {"type": "MOVE", "tablespace": "ELSEWHERE"},
                },
            ]
        }
    )
    needs = needs_of(policies, Licences(diagnostics_pack=True), owners=["SALES"])
    assert needs.features == {
        Feature.ALWAYS,
        Feature.PREFLIGHT,
        Feature.DESTRUCTIVE,
        Feature.EXCHANGE,
        Feature.DIAGNOSTICS_PACK,
    }
    assert needs.move_targets == {"ARCH"} and needs.owners == {"SALES"}

"""`hcc preflight` and the pre-flight task: read the session's facts, judge them (core)."""

from __future__ import annotations

from hcc_operators.core.actions.move import MoveParams
from hcc_operators.core.advisor_config import AdvisorConfig
from hcc_operators.core.policy_config import PolicySet
from hcc_operators.core.preflight import Report, evaluate, needs_of
from hcc_operators.core.table_patterns import matches_any
from hcc_operators.warehouse.base import Warehouse


def move_owners(warehouse: Warehouse, policies: PolicySet) -> list[str]:
    """Owners of the tables an enabled MOVE policy covers: they need quota on its target."""
    patterns = tuple(
        target.compiled()
        for policy in policies.policies
        if policy.enabled and isinstance(policy.action, MoveParams)
        for target in policy.tables
    )
    if not patterns:
        return []
    tables = warehouse.list_tables(warehouse.list_schemas())
    return sorted({t.owner for t in tables if matches_any(patterns, t.owner, t.table)})


def run_preflight(
    warehouse: Warehouse, policies: PolicySet, advisor: AdvisorConfig | None = None
) -> Report:
    owners = move_owners(warehouse, policies)
    needs = needs_of(
        policies,
        warehouse.licences,
        owners=owners,
        scratch_tablespace=advisor.defaults.scratch_tablespace if advisor else None,
    )
    facts = warehouse.session_facts(owners)
    return evaluate(facts, needs, warehouse.licences, warehouse.tablespaces())

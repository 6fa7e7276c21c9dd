"""What `hcc preflight` concludes from a session's facts, before any work runs.

The warehouse reads the facts (SESSION_PRIVS, the SYS objects the account can reach, its quotas,
the version, COMPATIBLE, HEAT_MAP, tablespaces); this module, pure, turns them into one row per
check with OK / WARN / FAIL and what to do. The privileges come from core/privileges.py, the
same list grants.sql is rendered from.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hcc_operators.core.actions.drop import DropParams
from hcc_operators.core.actions.move import MoveParams
from hcc_operators.core.licences import Licences
from hcc_operators.core.models import ActionKind, TablespaceInfo
from hcc_operators.core.oracle_features import MINIMUM_VERSION, version_text
from hcc_operators.core.policy_config import PolicySet
from hcc_operators.core.privileges import GRANTS, Feature, Grant

#: HCC needs COMPATIBLE 11.2 or higher (HCC-03); 128-byte names need 12.2 (IDENT-01).
HCC_COMPATIBLE = (11, 2)
LONG_NAMES_COMPATIBLE = (12, 2)


class Status(enum.StrEnum):
    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class SessionFacts:
    """What the connected session can see about itself. None: could not be read."""

    user: str
    default_tablespace: str | None
    version: tuple[int, ...]
    system_privileges: frozenset[str]
    #: SYS objects (views, packages) the account can reach, upper case names.
    sys_objects: frozenset[str]
    #: The account's quotas: tablespace -> bytes, None for UNLIMITED.
    quotas: Mapping[str, int | None]
    compatible: str | None = None
    heat_map: str | None = None
    #: Table owners' quotas on the MOVE targets (DBA_TS_QUOTAS): (owner, ts) -> bytes/None.
    owner_quotas: Mapping[tuple[str, str], int | None] | None = None
    simulated: bool = False


@dataclass(frozen=True)
class Check:
    area: str
    name: str
    status: Status
    detail: str
    remedy: str = ""


@dataclass(frozen=True)
class Needs:
    """What this deployment's configuration will ask of the database."""

    features: frozenset[Feature]
    move_targets: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()
    scratch_tablespace: str | None = None


@dataclass
class Report:
    facts: SessionFacts
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(c.status is Status.FAIL for c in self.checks)

    @property
    def worst(self) -> Status:
        statuses = {c.status for c in self.checks}
        return next((s for s in (Status.FAIL, Status.WARN) if s in statuses), Status.OK)


def needs_of(
    policies: PolicySet,
    licences: Licences,
    *,
    owners: Iterable[str] = (),
    scratch_tablespace: str | None = None,
) -> Needs:
    """The features, MOVE targets and levels the enabled policies and licences call for."""
    features = {Feature.ALWAYS, Feature.PREFLIGHT}
    targets: set[str] = set()
    for policy in policies.policies:
        if not policy.enabled:
            continue
        action = policy.action
        if action.kind.destructive:
            features.add(Feature.DESTRUCTIVE)
        if action.kind is ActionKind.EXCHANGE or (
            isinstance(action, DropParams) and action.archive
        ):
            features.add(Feature.EXCHANGE)
        if isinstance(action, MoveParams):
            targets.add(action.tablespace)
    if licences.advanced_compression:
        features.add(Feature.HEAT_MAP)
    if licences.diagnostics_pack:
        features.add(Feature.DIAGNOSTICS_PACK)
    return Needs(
        frozenset(features),
        frozenset(targets),
        frozenset(owners),
        scratch_tablespace,
    )


def evaluate(
    facts: SessionFacts,
    needs: Needs,
    licences: Licences,
    tablespaces: Mapping[str, TablespaceInfo],
) -> Report:
    report = Report(facts)
    add = report.checks.append
    for check in _database(facts):
        add(check)
    for grant in GRANTS:
        add(_grant(grant, facts, needs))
    for check in _quotas(facts, needs, tablespaces):
        add(check)
    for check in _storage(needs, tablespaces):
        add(check)
    for check in _features(facts, licences):
        add(check)
    return report


def _version(text: str | None) -> tuple[int, ...]:
    parts = []
    for piece in (text or "").split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


def _database(facts: SessionFacts) -> list[Check]:
    checks = []
    if facts.version >= MINIMUM_VERSION:
        checks.append(
            Check("database", "version", Status.OK, f"Oracle {version_text(facts.version)}")
        )
    else:
        checks.append(
            Check(
                "database",
                "version",
                Status.FAIL,
                f"Oracle {version_text(facts.version)}: the dictionary queries need "
                f"{version_text(MINIMUM_VERSION)} or later",
                "upgrade the database",
            )
        )
    compatible = _version(facts.compatible)
    if not compatible:
        checks.append(
            Check(
                "database",
                "COMPATIBLE",
                Status.WARN,
                "not readable (V$PARAMETER)",
                "GRANT SELECT ON sys.v_$parameter (grants.sql, OPTIONAL for hcc preflight)",
            )
        )
    elif compatible < HCC_COMPATIBLE:
        checks.append(
            Check(
                "database",
                "COMPATIBLE",
                Status.FAIL,
                f"{facts.compatible}: Hybrid Columnar Compression needs 11.2 or higher (HCC-03)",
                "raise COMPATIBLE (irreversible; plan it with the DBA)",
            )
        )
    elif compatible < LONG_NAMES_COMPATIBLE:
        checks.append(
            Check(
                "database",
                "COMPATIBLE",
                Status.WARN,
                f"{facts.compatible}: names are limited to 30 bytes below 12.2 (IDENT-01)",
            )
        )
    else:
        checks.append(Check("database", "COMPATIBLE", Status.OK, facts.compatible or ""))
    return checks


def _grant(grant: Grant, facts: SessionFacts, needs: Needs) -> Check:
    if grant.on is None:
        held = grant.privilege in facts.system_privileges
    else:
        held = grant.on in facts.sys_objects or grant.on.replace("V_$", "V$") in facts.sys_objects
    needed = grant.feature in needs.features
    area = "privilege" if grant.on is None else "object privilege"
    name = grant.key
    if held:
        return Check(area, name, Status.OK, "granted")
    script = f"grants.sql: {grant.statement(facts.user)}"
    if needed:
        what = "needed" if grant.feature is Feature.ALWAYS else f"needed for {grant.feature.value}"
        status = Status.WARN if grant.feature is Feature.PREFLIGHT else Status.FAIL
        if grant.privilege == "ANALYZE ANY":
            # The flush is skipped with a warning without it; only stats follow-ups fail.
            status = Status.WARN
        return Check(area, name, status, f"missing; {what}: {grant.why}", script)
    return Check(area, name, Status.OK, f"not granted; not needed (only for {grant.feature.value})")


def _unlimited(facts: SessionFacts) -> bool:
    return "UNLIMITED TABLESPACE" in facts.system_privileges


def _quota_text(value: int | None) -> str:
    return "UNLIMITED" if value is None else f"{value} bytes"


def _quotas(
    facts: SessionFacts, needs: Needs, tablespaces: Mapping[str, TablespaceInfo]
) -> list[Check]:
    wanted: dict[str, str] = {}
    if facts.default_tablespace:
        wanted[facts.default_tablespace] = "repository tables (default tablespace)"
    scratch = needs.scratch_tablespace or facts.default_tablespace
    if scratch:
        wanted.setdefault(scratch, "the advisor's scratch tablespace")
    for target in sorted(needs.move_targets):
        wanted.setdefault(target, "a MOVE policy's target (PRIV-02)")
    checks = []
    for tablespace, why in wanted.items():
        if tablespace not in tablespaces and tablespace in needs.move_targets:
            checks.append(
                Check(
                    "quota",
                    tablespace,
                    Status.FAIL,
                    f"{why}: the tablespace does not exist (ORA-00959)",
                    "create it or correct policies.yaml",
                )
            )
            continue
        if _unlimited(facts):
            checks.append(Check("quota", tablespace, Status.OK, f"{why}: UNLIMITED TABLESPACE"))
        elif tablespace in facts.quotas and facts.quotas[tablespace] != 0:
            checks.append(
                Check(
                    "quota",
                    tablespace,
                    Status.OK,
                    f"{why}: {_quota_text(facts.quotas[tablespace])}",
                )
            )
        else:
            checks.append(
                Check(
                    "quota",
                    tablespace,
                    Status.FAIL,
                    f"{why}: {facts.user} has no quota (ORA-01950 at the first extent)",
                    f"ALTER USER {facts.user} QUOTA UNLIMITED ON {tablespace};",
                )
            )
    checks += _owner_quotas(facts, needs)
    return checks


def _owner_quotas(facts: SessionFacts, needs: Needs) -> list[Check]:
    if not needs.move_targets or not needs.owners:
        return []
    if facts.owner_quotas is None:
        return [
            Check(
                "quota",
                "table owners",
                Status.WARN,
                "DBA_TS_QUOTAS is not readable: the owners' quotas on MOVE targets are unchecked",
                "GRANT SELECT ON sys.dba_ts_quotas (grants.sql, OPTIONAL for hcc preflight)",
            )
        ]
    checks = []
    for owner in sorted(needs.owners):
        for target in sorted(needs.move_targets):
            key = (owner, target)
            if key in facts.owner_quotas and facts.owner_quotas[key] != 0:
                continue
            checks.append(
                Check(
                    "quota",
                    f"{owner} on {target}",
                    Status.WARN,
                    f"no quota row for {owner} (fine only if {owner} has UNLIMITED "
                    "TABLESPACE); a MOVE of its partitions fails with ORA-01950 otherwise "
                    "(PRIV-03)",
                    f"ALTER USER {owner} QUOTA UNLIMITED ON {target};",
                )
            )
    if not checks:
        checks.append(
            Check("quota", "table owners", Status.OK, "every owner has quota on every MOVE target")
        )
    return checks


def _storage(needs: Needs, tablespaces: Mapping[str, TablespaceInfo]) -> list[Check]:
    capable = sorted(name for name, ts in tablespaces.items() if ts.hcc_supported)
    if not capable:
        return [
            Check(
                "storage",
                "HCC",
                Status.WARN,
                "no tablespace is on storage that supports Hybrid Columnar Compression: QUERY "
                "and ARCHIVE levels fail with ORA-64307 (HCC-01); estimates still work",
                "declare HCC-capable tablespaces in the connection's hcc_tablespaces extra",
            )
        ]
    checks = [
        Check(
            "storage",
            "HCC",
            Status.OK,
            f"{len(capable)} of {len(tablespaces)} tablespaces support HCC: "
            + ", ".join(capable[:8])
            + (" ..." if len(capable) > 8 else ""),
        )
    ]
    for target in sorted(needs.move_targets & set(tablespaces)):
        if not tablespaces[target].hcc_supported:
            checks.append(
                Check(
                    "storage",
                    target,
                    Status.WARN,
                    "a MOVE target without HCC storage: a MOVE there with a QUERY or ARCHIVE "
                    "level fails with ORA-64307",
                )
            )
    return checks


def _features(facts: SessionFacts, licences: Licences) -> list[Check]:
    heat = (facts.heat_map or "").upper()
    checks = [
        Check(
            "licence",
            "Advanced Compression Option",
            Status.OK,
            "declared: ONLINE rewrites of compressed segments, ADVANCED, Heat Map"
            if licences.advanced_compression
            else "not declared: compressed segments are rewritten offline, ADVANCED is "
            "refused, Heat Map is not read",
        ),
        Check(
            "licence",
            "Diagnostics Pack",
            Status.OK,
            "declared: AWR segment statistics are read when Heat Map has none"
            if licences.diagnostics_pack
            else "not declared: AWR is never read",
        ),
    ]
    if not heat:
        checks.append(Check("feature", "Heat Map", Status.WARN, "HEAT_MAP not readable"))
    elif heat == "ON" and not licences.advanced_compression:
        checks.append(
            Check(
                "feature",
                "Heat Map",
                Status.WARN,
                "HEAT_MAP=ON but the Advanced Compression Option is not declared: the package "
                "does not read it (LIC-04); temperature falls back to DML and age",
            )
        )
    elif heat != "ON" and licences.advanced_compression:
        checks.append(
            Check(
                "feature",
                "Heat Map",
                Status.WARN,
                f"HEAT_MAP={heat}: no access times; temperature falls back to DML and age",
                "ALTER SYSTEM SET HEAT_MAP = ON (HEAT-01)",
            )
        )
    else:
        checks.append(Check("feature", "Heat Map", Status.OK, f"HEAT_MAP={heat}"))
    return checks

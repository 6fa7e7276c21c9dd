"""Every privilege and quota the service account needs, declared once.

include/sql/oracle/privileges/grants.sql is rendered from this list (`hcc grants`; a test keeps
the shipped file equal to the rendering), `hcc preflight` checks a live session against it, and
the embedded warehouse grants its simulated account exactly these and refuses a statement whose
privilege was revoked, as Oracle does. Each entry names the rule-book row (docs/oracle-rules.md)
that says why Oracle needs it, or is marked unverified there.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

#: Placeholders of the generic script; `hcc grants` substitutes the real names.
ACCOUNT = "hcc_svc"
SCRATCH = "hcc_scratch"
REPOSITORY = "hcc_repo"


class Feature(enum.StrEnum):
    """What a grant is for: ALWAYS, or a feature a deployment may not use."""

    ALWAYS = "always"
    DESTRUCTIVE = "destructive policies (DROP, TRUNCATE)"
    EXCHANGE = "EXCHANGE actions and archive-before-drop"
    HEAT_MAP = "Heat Map access times (Advanced Compression Option declared)"
    DIAGNOSTICS_PACK = "AWR segment statistics (Diagnostics Pack declared)"
    PREFLIGHT = "hcc preflight"


@dataclass(frozen=True)
class Grant:
    """A system privilege (``on`` None) or an object privilege on a SYS object."""

    privilege: str
    why: str
    feature: Feature = Feature.ALWAYS
    on: str | None = None
    rule: str | None = None

    @property
    def key(self) -> str:
        return f"{self.privilege} ON SYS.{self.on}" if self.on else self.privilege

    def statement(self, account: str) -> str:
        target = f" ON sys.{self.on.lower()}" if self.on else ""
        return f"GRANT {self.privilege}{target} TO {account};"


@dataclass(frozen=True)
class Quota:
    """Space the account itself acquires: its repository tables and the advisor's scratch."""

    tablespace: str
    why: str
    rule: str | None = None

    def statement(self, account: str, tablespace: str) -> str:
        return f"ALTER USER {account} QUOTA UNLIMITED ON {tablespace};"


GRANTS: tuple[Grant, ...] = (
    Grant("CREATE SESSION", "Log in at all: every task connects as this account."),
    Grant(
        "CREATE TABLE",
        "The repository tables (include/sql/oracle/schema/hcc_repository.sql) and the sample "
        "tables DBMS_COMPRESSION.GET_COMPRESSION_RATIO builds and drops in the caller's "
        "schema, inside the scratch tablespace.",
    ),
    Grant(
        "CREATE SEQUENCE",
        "The repository tables' identity columns: Oracle creates a sequence for each, and "
        "CREATE TABLE fails with ORA-01031 without this privilege.",
        rule="PRIV-05",
    ),
    Grant(
        "SELECT ANY TABLE",
        "Row counts for reconciliation, compression estimates and samples of the managed "
        "tables; ALL_TABLES / ALL_TAB_PARTITIONS / ALL_TAB_MODIFICATIONS / ALL_INDEXES list "
        "only tables the account can access. To confine the account to some schemas, grant "
        "SELECT on each of their tables instead.",
        rule="PRIV-07",
    ),
    Grant(
        "ALTER ANY TABLE",
        "The partition DDL (MOVE, MERGE, EXCHANGE, RENAME, MODIFY PARTITION ... READ ONLY, "
        "MODIFY DEFAULT ATTRIBUTES, REBUILD UNUSABLE LOCAL INDEXES) on tables other schemas own.",
        rule="PRIV-01",
    ),
    Grant(
        "ALTER ANY INDEX",
        "ALTER INDEX ... REBUILD [PARTITION | SUBPARTITION] on indexes other schemas own.",
        rule="PRIV-13",
    ),
    Grant(
        "ANALYZE ANY",
        "DBMS_STATS.FLUSH_DATABASE_MONITORING_INFO before DML activity is read (without it "
        "the flush is skipped and ALL_TAB_MODIFICATIONS may be 15 minutes old), and "
        "GATHER_STATS follow-ups on tables other schemas own (STATS-06).",
        rule="PRIV-08",
    ),
    Grant(
        "DROP ANY TABLE",
        "DROP or TRUNCATE PARTITION of a table the account does not own.",
        Feature.DESTRUCTIVE,
        rule="DROP-04",
    ),
    Grant(
        "CREATE ANY TABLE",
        "CREATE TABLE ... FOR EXCHANGE in the table owner's schema.",
        Feature.EXCHANGE,
        rule="PRIV-04",
    ),
    Grant(
        "CREATE ANY INDEX",
        "The archive table's twins of the local indexes that EXCHANGE ... INCLUDING INDEXES "
        "needs, created in the table owner's schema.",
        Feature.EXCHANGE,
        rule="PRIV-12",
    ),
    Grant(
        "SELECT",
        "Oracle-maintained accounts are excluded through DBA_USERS.ORACLE_MAINTAINED.",
        on="DBA_USERS",
    ),
    Grant(
        "SELECT",
        "Segment sizes (bytes, blocks) of tables, partitions and subpartitions.",
        on="DBA_SEGMENTS",
    ),
    Grant(
        "SELECT",
        "Tablespace capacity and read-only state for space checks.",
        on="DBA_TABLESPACES",
    ),
    Grant(
        "SELECT",
        "Tablespace usage for space-pressure policies.",
        on="DBA_TABLESPACE_USAGE_METRICS",
    ),
    Grant(
        "SELECT",
        "Segment access times from Heat Map (HEAT_MAP=ON); read only when the connection "
        "declares the Advanced Compression Option.",
        Feature.HEAT_MAP,
        on="DBA_HEAT_MAP_SEGMENT",
        rule="LIC-04",
    ),
    Grant(
        "SELECT",
        "Segment read counts from AWR when Heat Map has no data; Diagnostics Pack only.",
        Feature.DIAGNOSTICS_PACK,
        on="DBA_HIST_SEG_STAT",
        rule="LIC-01",
    ),
    Grant("SELECT", "AWR object names.", Feature.DIAGNOSTICS_PACK, on="DBA_HIST_SEG_STAT_OBJ"),
    Grant("SELECT", "AWR snapshot times.", Feature.DIAGNOSTICS_PACK, on="DBA_HIST_SNAPSHOT"),
    Grant(
        "SELECT",
        "The table owners' quotas on the tablespaces MOVE policies target.",
        Feature.PREFLIGHT,
        on="DBA_TS_QUOTAS",
        rule="VIEW-02",
    ),
    Grant(
        "SELECT",
        "COMPATIBLE and HEAT_MAP from V$PARAMETER (grant on the V_$ view behind the synonym).",
        Feature.PREFLIGHT,
        on="V_$PARAMETER",
        rule="VIEW-03",
    ),
    Grant(
        "EXECUTE",
        "Compression estimates and per-row compression types. Granted to PUBLIC by default; "
        "explicit so a hardened database that revoked PUBLIC grants keeps working.",
        on="DBMS_COMPRESSION",
        rule="DBC-06",
    ),
    Grant(
        "EXECUTE",
        "Tag sessions with module/action so a DBA sees in V$SESSION which task runs the DDL.",
        on="DBMS_APPLICATION_INFO",
        rule="PRIV-09",
    ),
    Grant(
        "EXECUTE",
        "DBMS_STATS: the monitoring flush and GATHER_STATS follow-ups (ANALYZE ANY above is "
        "the right to use them on other schemas).",
        on="DBMS_STATS",
    ),
)

QUOTAS: tuple[Quota, ...] = (
    Quota(
        REPOSITORY,
        "The repository tables live in the account's default tablespace: give it one with "
        "quota (ORA-01950 at the first insert otherwise).",
        rule="PRIV-03",
    ),
    Quota(
        SCRATCH,
        "DBMS_COMPRESSION builds its sample tables in the scratch tablespace "
        "(advisor.yaml scratch_tablespace; the default tablespace when unset).",
        rule="PRIV-02",
    ),
)

#: The system privilege Oracle checks for each kind of statement on another schema's object.
#: The kinds are the embedded warehouse's statement kinds; DROP/TRUNCATE also need ALTER.
ON_OTHER_SCHEMAS: dict[str, tuple[str, ...]] = {
    "ALTER TABLE": ("ALTER ANY TABLE",),
    "DROP PARTITION": ("ALTER ANY TABLE", "DROP ANY TABLE"),
    "TRUNCATE PARTITION": ("ALTER ANY TABLE", "DROP ANY TABLE"),
    "CREATE TABLE": ("CREATE ANY TABLE",),
    "CREATE INDEX": ("CREATE ANY INDEX",),
    "ALTER INDEX": ("ALTER ANY INDEX",),
    "GATHER STATS": ("ANALYZE ANY",),
}


def required(features: Iterable[Feature]) -> tuple[Grant, ...]:
    """The grants a deployment using ``features`` needs (ALWAYS ones included)."""
    wanted = {Feature.ALWAYS, *features}
    return tuple(g for g in GRANTS if g.feature in wanted)


def system_privileges() -> frozenset[str]:
    return frozenset(g.privilege for g in GRANTS if g.on is None)


def render_grants(
    account: str = ACCOUNT,
    *,
    scratch: str = SCRATCH,
    repository: str = REPOSITORY,
    move_targets: Iterable[str] = (),
) -> str:
    """The grants script, one comment per grant saying what needs it."""
    lines = [
        "-- Least privileges for the service account the `hcc_warehouse` connection logs in as.",
        "-- Generated from plugins/hcc_operators/core/privileges.py by `hcc grants`; do not edit",
        "-- by hand (a test compares this file with the declaration). Run as a DBA in",
        "-- SQL*Plus/SQLcl; `hcc grants --account NAME --scratch TS --repository TS` prints it",
        "-- for your names and adds the quotas for the tablespaces your MOVE policies target.",
        "-- Grants marked OPTIONAL are only needed for the feature named; `hcc preflight`",
        "-- reports which ones a running deployment lacks. Rule ids refer to",
        "-- docs/oracle-rules.md.",
        "",
        f"-- The repository's tables land in the account's default tablespace ({repository}).",
        f"ALTER USER {account} DEFAULT TABLESPACE {repository};",
    ]
    names = {REPOSITORY: repository, SCRATCH: scratch}
    for quota in QUOTAS:
        lines += ["", *_comment(quota.why, None, quota.rule)]
        lines.append(quota.statement(account, names[quota.tablespace]))
    for grant in GRANTS:
        lines += ["", *_comment(grant.why, grant.feature, grant.rule)]
        lines.append(grant.statement(account))
    targets = sorted(set(move_targets))
    if targets:
        lines += [
            "",
            "-- The tablespaces MOVE policies target: the account needs quota where a MOVE",
            "-- acquires space (PRIV-02), and each table owner on them too (PRIV-03).",
        ]
        lines += [f"ALTER USER {account} QUOTA UNLIMITED ON {t};" for t in targets]
    return "\n".join(lines) + "\n"


def _comment(why: str, feature: Feature | None, rule: str | None) -> list[str]:
    text = why
    if feature not in (None, Feature.ALWAYS):
        text = f"OPTIONAL, only for {feature.value}: {why}"
    if rule:
        text += f" ({rule})"
    words, lines, line = text.split(), [], "--"
    for word in words:
        if len(line) + 1 + len(word) > 96:
            lines.append(line)
            line = "--"
        line += " " + word
    lines.append(line)
    return lines

"""`hcc preflight`: before any work, what the connected account can and cannot do.

Reads SESSION_PRIVS, the SYS views and packages the account can reach, its quotas (and the
table owners' quotas on MOVE targets where DBA_TS_QUOTAS is readable), the version, COMPATIBLE,
HEAT_MAP and the tablespaces, then checks them against what grants.sql gives and what the
configured policies and declared licences will ask for. On the embedded warehouse the values
are simulated (and say so). Exit 0 when nothing FAILs (warnings are printed), 1 when something
does, 2 when the warehouse cannot be reached.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict

from hcc_operators.cli.common import (
    add_config_dir,
    add_connection,
    add_json,
    connected,
    warehouse_spec,
)
from hcc_operators.cli.exit_codes import OK, PROBLEM
from hcc_operators.cli.output import Output
from hcc_operators.core.oracle_features import version_text
from hcc_operators.core.preflight import Report
from hcc_operators.services.preflight import run_preflight


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "preflight",
        help="check privileges, quotas, version, COMPATIBLE, HCC storage, Heat Map, licences",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection(parser)
    add_config_dir(parser)
    add_json(parser)
    parser.set_defaults(run=run)


def as_dict(report: Report) -> dict:
    facts = report.facts
    return {
        "status": report.worst.value,
        "simulated": facts.simulated,
        "user": facts.user,
        "version": version_text(facts.version),
        "compatible": facts.compatible,
        "heat_map": facts.heat_map,
        "checks": [asdict(c) | {"status": c.status.value} for c in report.checks],
    }


def show(report: Report, out: Output) -> None:
    facts = report.facts
    where = "embedded warehouse (simulated values)" if facts.simulated else "Oracle"
    out.heading(f"hcc preflight: {facts.user} on {where}")
    out.table(
        ["status", "area", "check", "detail", "remedy"],
        [(c.status.value, c.area, c.name, c.detail, c.remedy or "-") for c in report.checks],
    )
    counts = {s: sum(c.status.value == s for c in report.checks) for s in ("OK", "WARN", "FAIL")}
    out.line(f"{counts['OK']} ok, {counts['WARN']} warning(s), {counts['FAIL']} failure(s)")


def run(args: argparse.Namespace, out: Output) -> int:
    spec = warehouse_spec(args)
    policies, advisor = spec.policies, spec.advisor
    with connected(args, repository=False) as warehouse:
        report = run_preflight(warehouse, policies, advisor)
    if args.json:
        out.json(as_dict(report))
    else:
        show(report, out)
    return PROBLEM if report.failed else OK

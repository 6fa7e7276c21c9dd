"""`hcc grants`: the grants script for the service account, from core/privileges.py.

Without arguments it prints include/sql/oracle/privileges/grants.sql exactly (a test keeps the
file equal to this output). With your account and tablespace names it prints the script to run,
and adds the quotas for the tablespaces the configured MOVE policies target.
"""

from __future__ import annotations

import argparse

from hcc_operators.cli.common import add_config_dir, warehouse_spec
from hcc_operators.cli.exit_codes import OK
from hcc_operators.cli.output import Output
from hcc_operators.core import identifiers
from hcc_operators.core.actions.move import MoveParams
from hcc_operators.core.privileges import ACCOUNT, REPOSITORY, SCRATCH, render_grants


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "grants",
        help="print the grants script for the service account (grants.sql)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--account", help=f"the service account (default {ACCOUNT})")
    parser.add_argument("--scratch", help=f"the advisor's scratch tablespace (default {SCRATCH})")
    parser.add_argument(
        "--repository", help=f"the repository's default tablespace (default {REPOSITORY})"
    )
    add_config_dir(parser)
    parser.set_defaults(run=run)


def _name(value: str | None, default: str, kind: str) -> str:
    if value is None:
        return default
    # Read as Oracle reads a name (unquoted: upper case) and printed quoted, so the script is
    # one statement per line whatever was typed.
    return identifiers.quote(identifiers.normalise(value, kind=kind), kind=kind)


def run(args: argparse.Namespace, out: Output) -> int:
    personalised = any(
        (args.account, args.scratch, args.repository, args.config_dir, args.warehouse)
    )
    targets: list[str] = []
    if personalised:
        policies = warehouse_spec(args).policies
        targets = [
            identifiers.quote(p.action.tablespace, kind="tablespace")
            for p in policies.policies
            if p.enabled and isinstance(p.action, MoveParams)
        ]
    text = render_grants(
        _name(args.account, ACCOUNT, "owner"),
        scratch=_name(args.scratch, SCRATCH, "tablespace"),
        repository=_name(args.repository, REPOSITORY, "tablespace"),
        move_targets=targets,
    )
    out.stream.write(text)
    return OK

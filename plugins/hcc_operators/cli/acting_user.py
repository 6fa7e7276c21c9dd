"""`--by` and `--reason` for commands that change something, recorded in the audit trail."""

from __future__ import annotations

import argparse
import getpass

from hcc_operators.cli.exit_codes import PROBLEM, CliError
from hcc_operators.core.queue_control import Actor, check_reason


def add_actor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by",
        metavar="USER",
        help="who is making the change, for the audit trail (default: your OS user name)",
    )
    parser.add_argument("--reason", help="why, kept with the change")


def actor(args: argparse.Namespace) -> Actor:
    name = args.by
    if name is None:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
            raise CliError("cannot tell who you are: name yourself with --by USER") from None
    try:
        return Actor(name.strip(), "cli")
    except ValueError as err:
        raise CliError(f"--by: {err}", PROBLEM) from None


def reason(args: argparse.Namespace) -> str | None:
    try:
        return check_reason(args.reason)
    except ValueError as err:
        raise CliError(f"--reason: {err}", PROBLEM) from None

"""`hcc`: the command-line entry point (also `python -m hcc_operators`).

Exit codes: 0 ok; 1 invalid configuration, bad argument or an inconsistency found;
2 no warehouse to connect to, or a warehouse / repository error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from hcc_operators.cli import (
    config_reference,
    demo,
    estimate,
    explain,
    plan,
    pools,
    reconcile,
    status,
    validate,
)
from hcc_operators.cli.exit_codes import OK, PROBLEM, WAREHOUSE, CliError
from hcc_operators.cli.output import Output
from hcc_operators.core.errors import ConfigError, HccError, WarehouseError

COMMANDS = (
    validate,
    plan,
    explain,
    status,
    estimate,
    reconcile,
    config_reference,
    pools,
    demo,
)

EPILOG = """exit codes:
  0  ok
  1  invalid configuration, bad argument or identifier, inconsistency found
  2  no warehouse to connect to, or a warehouse / repository error

connection: --dsn, else the Airflow connection hcc_warehouse (when Airflow is set up),
else the environment variable HCC_DSN."""


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error; here 2 means the warehouse, so usage exits 1."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(PROBLEM, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hcc",
        description="HCC compression advice and partition ILM: configuration and operations.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for module in COMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = Output()
    try:
        return args.run(args, out)
    except CliError as err:
        return _fail(str(err), err.code)
    except ConfigError as err:
        return _fail(str(err), PROBLEM)
    except WarehouseError as err:
        return _fail(str(err), WAREHOUSE)
    except HccError as err:
        return _fail(str(err), PROBLEM)
    except SQLAlchemyError as err:
        return _fail(f"repository error: {err}", WAREHOUSE)
    except KeyboardInterrupt:
        return _fail("interrupted", PROBLEM)


def _fail(message: str, code: int) -> int:
    print(f"hcc: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())

__all__ = ["OK", "main", "build_parser"]

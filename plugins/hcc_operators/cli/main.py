"""`hcc`: the command-line entry point (also `python -m hcc_operators`).

Exit codes (cli/exit_codes.py): 0 ok; 1 invalid configuration, bad argument or an
inconsistency found; 2 no warehouse to connect to, or a warehouse / repository error;
3 an unexpected internal error (a bug).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from hcc_operators.cli import (
    config_reference,
    demo,
    estimate,
    explain,
    grants,
    lease,
    plan,
    policies,
    pools,
    preflight,
    queue,
    reconcile,
    status,
    validate,
)
from hcc_operators.cli.exit_codes import DESCRIPTION as EXIT_CODES
from hcc_operators.cli.exit_codes import INTERNAL, OK, PROBLEM, WAREHOUSE, CliError
from hcc_operators.cli.output import Output
from hcc_operators.core.errors import ConfigError, HccError, WarehouseError

DEBUG_ENV = "HCC_DEBUG"
COMMANDS = (
    validate,
    preflight,
    plan,
    explain,
    status,
    queue,
    policies,
    estimate,
    reconcile,
    lease,
    config_reference,
    pools,
    grants,
    demo,
)

EPILOG = f"""{EXIT_CODES}

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
    except Exception as err:
        # Last resort: a person gets one line and a documented code, not a traceback. Bad
        # input never ends here (tests/reliability/test_hostile_cli.py); a bug does.
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        return _fail(
            f"unexpected {type(err).__name__}: {err} (a bug; set {DEBUG_ENV}=1 for the traceback)",
            INTERNAL,
        )


def _fail(message: str, code: int) -> int:
    print(f"hcc: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())

__all__ = ["OK", "main", "build_parser"]

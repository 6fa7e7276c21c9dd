"""Exit codes of `hcc`, and the error that carries one up to main()."""

from __future__ import annotations

OK = 0
#: Invalid configuration, a bad argument or identifier, an inconsistency found.
PROBLEM = 1
#: No warehouse to connect to, or the warehouse / repository reported an error.
WAREHOUSE = 2
#: An error the command did not expect: a bug. The message names the exception; set
#: HCC_DEBUG=1 for the traceback. Never the answer to bad input (tests/reliability holds it).
INTERNAL = 3

#: Shown by `hcc --help`, and kept in step with the constants above by a test.
DESCRIPTION = """exit codes:
  0  ok
  1  invalid configuration, bad argument or identifier, inconsistency found
  2  no warehouse to connect to, or a warehouse / repository error
  3  unexpected internal error (a bug; HCC_DEBUG=1 shows the traceback)"""


class CliError(Exception):
    def __init__(self, message: str, code: int = PROBLEM):
        super().__init__(message)
        self.code = code

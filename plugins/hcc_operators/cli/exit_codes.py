"""Exit codes of `hcc`, and the error that carries one up to main()."""

from __future__ import annotations

OK = 0
#: Invalid configuration, a bad argument or identifier, an inconsistency found.
PROBLEM = 1
#: No warehouse to connect to, or the warehouse / repository reported an error.
WAREHOUSE = 2


class CliError(Exception):
    def __init__(self, message: str, code: int = PROBLEM):
        super().__init__(message)
        self.code = code

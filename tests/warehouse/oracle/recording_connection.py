"""A DB-API connection that records every statement with its binds and answers from a script.

Stands in for python-oracledb in the recording tests: statements are matched by exact text,
so a test fails on any change to the SQL the backend sends. Bind names are checked against
the placeholders in the statement, as Oracle would (DPY-4008 / ORA-01036).
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import oracledb

from hcc_operators.warehouse import sql_files

_BIND = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_STRING_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")


def bind_names(sql: str) -> set[str]:
    return set(_BIND.findall(_STRING_OR_COMMENT.sub("", sql)))


class DriverError(oracledb.DatabaseError):
    """Shaped like python-oracledb's errors: the detail object is args[0]."""

    def __init__(self, full_code: str, message: str = "error", *, session_dead: bool = False):
        code = int(full_code[4:]) if full_code.startswith("ORA-") else 0
        detail = SimpleNamespace(
            full_code=full_code,
            code=code,
            message=f"{full_code}: {message}",
            is_session_dead=session_dead,
            isrecoverable=session_dead,
        )
        super().__init__(detail)


@dataclass
class Call:
    sql: str
    binds: dict[str, Any]


class Var:
    def __init__(self, typ: Any, size: int = 0):
        self.type = typ
        self.size = size
        self.value: Any = None

    def getvalue(self, pos: int = 0) -> Any:
        return self.value

    def setvalue(self, pos: int, value: Any) -> None:
        self.value = value


Outcome = list[dict[str, Any]] | Exception | Callable[[dict[str, Any]], Any] | None


class RecordingConnection:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.closed = False
        self._script: dict[str, deque[Outcome]] = defaultdict(deque)

    def on(self, statement: str, *outcomes: Outcome, **fragments: str) -> RecordingConnection:
        """Answer ``statement`` (a sql_files name or exact SQL) with outcomes, one per call."""
        sql = (
            sql_files.load(statement, **fragments)
            if "/" in statement and " " not in (statement)
            else statement
        )
        self._script[sql].extend(outcomes or (None,))
        return self

    def cursor(self) -> Cursor:
        return Cursor(self)

    def close(self) -> None:
        self.closed = True

    def statements(self) -> list[str]:
        return [call.sql for call in self.calls]

    def answer(self, sql: str, binds: dict[str, Any]) -> Outcome:
        self.calls.append(Call(sql, dict(binds)))
        queue = self._script.get(sql)
        if not queue:
            raise AssertionError(f"unscripted statement:\n{sql}")
        outcome = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(outcome, Exception):
            raise outcome
        if callable(outcome):
            return outcome(binds)
        return outcome


class Cursor:
    def __init__(self, connection: RecordingConnection):
        self._connection = connection
        self.description: list[tuple[str, ...]] | None = None
        self._rows: list[tuple[Any, ...]] = []

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def var(self, typ: Any, size: int = 0) -> Var:
        return Var(typ, size)

    def execute(self, sql: str, parameters: dict[str, Any] | None = None) -> None:
        binds = dict(parameters or {})
        expected = bind_names(sql)
        if set(binds) != expected:
            raise AssertionError(
                f"binds {sorted(binds)} do not match placeholders {sorted(expected)}"
            )
        rows = self._connection.answer(sql, binds)
        if rows is None:
            self.description = None
            self._rows = []
            return
        columns = list(rows[0]) if rows else []
        self.description = [(name.upper(),) for name in columns]
        self._rows = [tuple(row[c] for c in columns) for row in rows]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows

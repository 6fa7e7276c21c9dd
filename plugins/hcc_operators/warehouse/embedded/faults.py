"""Fault injection, stored in the warehouse file so every process sees the same faults.

A test (or a demo operator) inserts a fault; an Airflow worker in another process applying an
action on a matching object then fails the way Oracle would. Each fault has a remaining count
and is deleted when it reaches zero, so "fail once, then succeed" is how a retried task
behaves. Random faults fire with a probability, drawn from a seeded generator whose draw
counter lives in the file too, so a run is repeatable.

Faults are consumed inside the apply() transaction, so two processes never both consume a
fault meant to fire once.
"""

from __future__ import annotations

import enum
import random
import sqlite3
from dataclasses import dataclass
from fnmatch import fnmatchcase

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import ObjectRef


class FaultKind(enum.StrEnum):
    LOCK_HELD = "LOCK_HELD"  # ORA-00054, nothing changed
    TABLESPACE_FULL = "TABLESPACE_FULL"  # ORA-01688, nothing changed
    CONNECTION_LOST_BEFORE = "CONNECTION_LOST_BEFORE"  # DPY-4011, nothing changed
    CONNECTION_LOST_AFTER_COMMIT = "CONNECTION_LOST_AFTER_COMMIT"  # ORA-03113, change applied
    SLOW = "SLOW"  # duration multiplied by the fault's factor

    @classmethod
    def parse(cls, value: FaultKind | str) -> FaultKind:
        try:
            return cls(value.upper() if isinstance(value, str) else value)
        except ValueError:
            raise ConfigError(
                f"unknown fault kind {value!r}; expected one of {', '.join(k.value for k in cls)}",
                field="kind",
            ) from None


#: Faults that stop the statement before it changes anything.
BEFORE_KINDS = (FaultKind.LOCK_HELD, FaultKind.TABLESPACE_FULL, FaultKind.CONNECTION_LOST_BEFORE)
DEFAULT_SLOW_FACTOR = 10.0


@dataclass(frozen=True)
class Fired:
    before: FaultKind | None = None
    after_commit: bool = False
    slow_factor: float = 1.0


def _target_text(target: str | ObjectRef) -> str:
    text = target.label if isinstance(target, ObjectRef) else target
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(
            f"fault target {target!r} must be a label OWNER.TABLE[:PARTITION[:SUB]] or a glob",
            field="target",
        )
    return text.strip()


def add(
    conn: sqlite3.Connection,
    target: str | ObjectRef,
    kind: FaultKind | str,
    *,
    times: int = 1,
    factor: float = DEFAULT_SLOW_FACTOR,
) -> int:
    fault_kind = FaultKind.parse(kind)
    if not isinstance(times, int) or times < 1:
        raise ConfigError(f"times must be a positive integer, got {times!r}", field="times")
    if factor <= 0:
        raise ConfigError(f"factor must be positive, got {factor!r}", field="factor")
    cursor = conn.execute(
        "INSERT INTO sim_faults (target, kind, remaining, factor) VALUES (?, ?, ?, ?)",
        (_target_text(target), fault_kind.value, times, factor),
    )
    return int(cursor.lastrowid or 0)


def add_random(
    conn: sqlite3.Connection,
    kind: FaultKind | str,
    probability: float,
    seed: int,
    *,
    factor: float = DEFAULT_SLOW_FACTOR,
) -> int:
    fault_kind = FaultKind.parse(kind)
    if not 0.0 <= probability <= 1.0:
        raise ConfigError(
            f"probability must be between 0 and 1, got {probability!r}", field="probability"
        )
    cursor = conn.execute(
        "INSERT INTO sim_faults (target, kind, remaining, probability, seed, factor)"
        " VALUES (NULL, ?, NULL, ?, ?, ?)",
        (fault_kind.value, probability, int(seed), factor),
    )
    return int(cursor.lastrowid or 0)


def clear(conn: sqlite3.Connection) -> int:
    """Remove every fault; how many there were."""
    return conn.execute("DELETE FROM sim_faults").rowcount


@dataclass(frozen=True)
class Fault:
    """A fault waiting to fire: on ``target`` (a label or glob), or at random."""

    fault_id: int
    kind: FaultKind
    target: str | None  # None: a random fault
    remaining: int | None  # None: until cleared
    probability: float | None
    seed: int | None
    factor: float

    def to_dict(self) -> dict:
        return {**self.__dict__, "kind": self.kind.value}


def pending(conn: sqlite3.Connection) -> list[Fault]:
    rows = conn.execute(
        "SELECT fault_id, kind, target, remaining, probability, seed, factor FROM sim_faults"
        " ORDER BY fault_id"
    ).fetchall()
    return [Fault(r[0], FaultKind(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in rows]


def _consume(conn: sqlite3.Connection, row: sqlite3.Row) -> None:
    if row["remaining"] is None:
        return
    if row["remaining"] <= 1:
        conn.execute("DELETE FROM sim_faults WHERE fault_id = ?", (row["fault_id"],))
    else:
        conn.execute(
            "UPDATE sim_faults SET remaining = remaining - 1 WHERE fault_id = ?",
            (row["fault_id"],),
        )


def _hits(conn: sqlite3.Connection, row: sqlite3.Row, label: str) -> bool:
    if row["target"] is not None:
        return row["target"] == label or fnmatchcase(label, row["target"])
    draw = random.Random(f"{row['seed']}:{row['draws']}:{label}").random()
    conn.execute("UPDATE sim_faults SET draws = draws + 1 WHERE fault_id = ?", (row["fault_id"],))
    return draw < row["probability"]


def fire(conn: sqlite3.Connection, label: str) -> Fired:
    """Faults that fire for an action on ``label``; must run inside the apply transaction.

    At most one fault that stops the statement fires (the oldest); if one does, the others are
    left for the retry, because the statement never ran.
    """
    rows = conn.execute(
        "SELECT * FROM sim_faults WHERE remaining IS NULL OR remaining > 0 ORDER BY fault_id"
    ).fetchall()
    hits = [row for row in rows if _hits(conn, row, label)]
    for row in hits:
        kind = FaultKind(row["kind"])
        if kind in BEFORE_KINDS:
            _consume(conn, row)
            return Fired(before=kind)
    after_commit, factor = False, 1.0
    for row in hits:
        kind = FaultKind(row["kind"])
        if kind is FaultKind.CONNECTION_LOST_AFTER_COMMIT:
            after_commit = True
        elif kind is FaultKind.SLOW:
            factor *= row["factor"]
        _consume(conn, row)
    return Fired(after_commit=after_commit, slow_factor=factor)

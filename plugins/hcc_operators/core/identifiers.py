"""Validation and quoting of Oracle identifiers: the only way a name gets into SQL text.

Two kinds of input reach this module:

* user text (policies, Params, the CLI): ``normalise`` reads it the way SQL*Plus would, so
  ``sales`` means ``SALES`` and ``"Sales"`` means ``Sales`` exactly;
* names as the data dictionary stores them (ALL_TABLES.TABLE_NAME ...): ``quote`` validates
  them and always returns the double-quoted form, so case, reserved words and special
  characters are preserved and nothing can escape the quotes.

Unquoted user text that is a reserved word is refused, as Oracle refuses it: a user who
really has a table created as ``"DATE"`` writes it in double quotes, which ``normalise``
accepts. Quoted names may be reserved words, as in Oracle.
"""

from __future__ import annotations

import re
from typing import Final

from hcc_operators.core.errors import IdentifierError

#: Identifier length limit in bytes from 12.2 on (and for any database we cannot date).
MAX_BYTES_LONG: Final = 128
#: Identifier length limit in bytes before 12.2.
MAX_BYTES_SHORT: Final = 30
#: Kinds whose names stay limited to 30 bytes on every release (docs/oracle-rules.md IDENT-02:
#: tablespaces, like disk groups, PDBs and rollback segments).
ALWAYS_SHORT: Final = frozenset({"tablespace"})

KINDS: Final = frozenset(
    {
        "owner",
        "table",
        "partition",
        "subpartition",
        "tablespace",
        "index",
        "column",
        "constraint",
        "identifier",
    }
)

# ASCII only: Oracle also accepts database-charset letters unquoted, but their upper-casing
# depends on the character set, so such names must be given quoted (exactly as stored).
_NONQUOTED = re.compile(r"[A-Za-z][A-Za-z0-9_$#]*")  # always fullmatch: "SALES\n" is no name
#: What ``normalise`` trims around a name (str.strip() would also eat newlines).
_BLANKS = " \t"

#: Oracle SQL reserved words (SQL Language Reference, "Oracle SQL Reserved Words").
_RESERVED_TEXT = """
ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN
COLUMN_VALUE COMMENT COMPRESS CONNECT CREATE CURRENT DATE DECIMAL DEFAULT DELETE DESC
DISTINCT DROP ELSE EXCLUSIVE EXISTS FILE FLOAT FOR FROM GRANT GROUP HAVING IDENTIFIED
IMMEDIATE IN INCREMENT INDEX INITIAL INSERT INTEGER INTERSECT INTO IS LEVEL LIKE LOCK
LONG MAXEXTENTS MINUS MLSLABEL MODE MODIFY NESTED_TABLE_ID NOAUDIT NOCOMPRESS NOT NOWAIT
NULL NUMBER OF OFFLINE ON ONLINE OPTION OR ORDER PCTFREE PRIOR PUBLIC RAW RENAME
RESOURCE REVOKE ROW ROWID ROWNUM ROWS SELECT SESSION SET SHARE SIZE SMALLINT START
SUCCESSFUL SYNONYM SYSDATE TABLE THEN TO TRIGGER UID UNION UNIQUE UPDATE USER VALIDATE
VALUES VARCHAR VARCHAR2 VIEW WHENEVER WHERE WITH
"""
RESERVED_WORDS: Final = frozenset(_RESERVED_TEXT.split())


def max_identifier_bytes(version: tuple[int, ...] | None) -> int:
    """The identifier length limit of a database of ``version`` (None: assume current)."""
    if version is not None and tuple(version) < (12, 2):
        return MAX_BYTES_SHORT
    return MAX_BYTES_LONG


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}; expected one of {sorted(KINDS)}")


def _byte_length(value: str, kind: str) -> int:
    try:
        return len(value.encode("utf-8"))
    except UnicodeEncodeError as err:
        # Lone surrogates cannot be sent to the database in any character set.
        raise IdentifierError(f"{kind} name {value!r} is not valid Unicode") from err


def _validate_stored(value: object, kind: str, max_bytes: int) -> str:
    if kind in ALWAYS_SHORT:
        max_bytes = min(max_bytes, MAX_BYTES_SHORT)
    if not isinstance(value, str):
        raise IdentifierError(f"{kind} name must be text, got {type(value).__name__} {value!r}")
    if value == "":
        raise IdentifierError(f"{kind} name is empty")
    if '"' in value:
        raise IdentifierError(f"{kind} name {value!r} contains a double quote")
    if "\x00" in value:
        raise IdentifierError(f"{kind} name {value!r} contains a NUL character")
    size = _byte_length(value, kind)
    if size > max_bytes:
        raise IdentifierError(
            f"{kind} name {value!r} is {size} bytes long; the limit is {max_bytes} bytes"
        )
    return value


def normalise(user_text: str, *, kind: str = "identifier", max_bytes: int = MAX_BYTES_LONG) -> str:
    """The dictionary spelling of a name typed by a user.

    ``sales_2024`` -> ``SALES_2024``; ``"Sales 2024"`` -> ``Sales 2024``. Surrounding spaces
    and tabs are ignored; any other control character (a newline, a carriage return) makes the
    text invalid, because it is never part of a name someone meant. Raises IdentifierError
    naming the kind and the value when the text is not a valid Oracle identifier.
    """
    _check_kind(kind)
    if not isinstance(user_text, str):
        raise IdentifierError(
            f"{kind} name must be text, got {type(user_text).__name__} {user_text!r}"
        )
    text = user_text.strip(_BLANKS)
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return _validate_stored(text[1:-1], kind, max_bytes)
    if not _NONQUOTED.fullmatch(text):
        raise IdentifierError(
            f"{kind} name {user_text!r} is not a valid unquoted Oracle identifier (a letter, "
            'then letters, digits, _, $ or #); write it in double quotes, e.g. "My Name", '
            "if it was created quoted"
        )
    upper = text.upper()
    if upper in RESERVED_WORDS:
        raise IdentifierError(
            f"{kind} name {user_text!r} is an Oracle reserved word; write it in double quotes "
            f'("{upper}") if the object was created that way'
        )
    return _validate_stored(upper, kind, max_bytes)


def quote(name: str, *, kind: str, max_bytes: int = MAX_BYTES_LONG) -> str:
    """The double-quoted SQL form of a name as the dictionary stores it (exact case)."""
    _check_kind(kind)
    return f'"{_validate_stored(name, kind, max_bytes)}"'


def qualified(
    owner: str, name: str, *, kind: str = "table", max_bytes: int = MAX_BYTES_LONG
) -> str:
    """``"OWNER"."NAME"`` from dictionary-stored names."""
    return (
        f"{quote(owner, kind='owner', max_bytes=max_bytes)}."
        f"{quote(name, kind=kind, max_bytes=max_bytes)}"
    )


def is_valid(name: str, *, kind: str = "identifier", max_bytes: int = MAX_BYTES_LONG) -> bool:
    """Whether ``quote`` would accept ``name``; for filters that skip rather than fail."""
    try:
        quote(name, kind=kind, max_bytes=max_bytes)
    except IdentifierError:
        return False
    return True

"""Classification of ORA error codes into retry behaviour.

Kept as data so a DBA can read the whole policy on one screen. Codes not listed are treated as
PERMANENT: retrying an error nobody anticipated only hides it.
"""

from __future__ import annotations

import re

from hcc_operators.core.errors import Transience

TRANSIENT_CODES = frozenset(
    {
        "ORA-00054",  # resource busy and acquire with NOWAIT specified or timeout expired
        "ORA-00060",  # deadlock detected
        "ORA-04021",  # timeout occurred while waiting to lock object
        "ORA-03113",  # end-of-file on communication channel
        "ORA-03114",  # not connected to ORACLE
        "ORA-03135",  # connection lost contact
        "ORA-12170",  # connect timeout
        "ORA-12514",  # listener does not currently know of service
        "ORA-12541",  # no listener
        "ORA-25408",  # cannot safely replay call
        "DPY-4011",  # python-oracledb: the database or network closed the connection
        "DPY-6005",  # python-oracledb: cannot connect to database
    }
)

SKIP_FOR_NOW_CODES = frozenset(
    {
        "ORA-01652",  # unable to extend temp segment
        "ORA-01653",  # unable to extend table
        "ORA-01654",  # unable to extend index
        "ORA-01688",  # unable to extend table partition
        "ORA-03233",  # unable to extend table subpartition (SPACE-02)
        "ORA-01683",  # unable to extend index partition (SPACE-05)
        "ORA-03234",  # unable to extend index subpartition (SPACE-05)
        "ORA-60003",  # table partition reached its MAXSIZE (SPACE-06)
        "ORA-60004",  # table reached its MAXSIZE (SPACE-06)
        "ORA-60006",  # index partition reached its MAXSIZE (SPACE-06)
        "ORA-60007",  # index subpartition reached its MAXSIZE (SPACE-06)
        "ORA-30036",  # unable to extend segment in undo tablespace
        "ORA-01555",  # snapshot too old
    }
)

#: Errors python-oracledb reports as DPY-4011 "connection closed" (DRV-06) that are not a network
#: blip: a killed session or an internal error must reach a person, not be retried.
DEAD_SESSION_PERMANENT = frozenset(
    {
        "ORA-00028",  # your session has been killed (a DBA decided)
        "ORA-00600",  # internal error
        "ORA-07445",  # exception encountered: core dump
        "ORA-01092",  # instance terminated: disconnection forced
    }
)

_CODE = re.compile(r"\b(ORA-\d{5}|DPY-\d{4})\b")


def normalise(code: str | int | None) -> str | None:
    """'ORA-54', 54, 'ora-00054: resource busy' -> 'ORA-00054'."""
    if code is None:
        return None
    if isinstance(code, int):
        return f"ORA-{code:05d}"
    match = _CODE.search(code.upper())
    if match:
        return match.group(1)
    digits = re.fullmatch(r"\s*(?:ORA-?)?(\d{1,5})\s*", code.upper())
    return f"ORA-{int(digits.group(1)):05d}" if digits else None


def classify(code: str | int | None) -> Transience:
    normalised = normalise(code)
    if normalised in TRANSIENT_CODES:
        return Transience.TRANSIENT
    if normalised in SKIP_FOR_NOW_CODES:
        return Transience.SKIP_FOR_NOW
    return Transience.PERMANENT

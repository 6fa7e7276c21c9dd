"""python-oracledb exceptions -> WarehouseError with the ORA/DPY code.

Retry behaviour comes from core.ora_codes, so the Oracle and embedded backends classify the
same code the same way. The driver error object is ``err.args[0]`` (full_code like 'ORA-00054',
code 54, isrecoverable, is_session_dead).
"""

from __future__ import annotations

import re

import oracledb

from hcc_operators.core.errors import ObjectNotFound, Transience, WarehouseError
from hcc_operators.core.ora_codes import (
    DEAD_SESSION_PERMANENT,
    SKIP_FOR_NOW_CODES,
    TRANSIENT_CODES,
    normalise,
)

#: Codes that mean the named object (table, partition, index, tablespace) does not exist.
NOT_FOUND_CODES = frozenset(
    {
        "ORA-00942",  # table or view does not exist
        "ORA-02149",  # specified partition does not exist
        "ORA-14251",  # specified subpartition does not exist
        "ORA-01418",  # specified index does not exist
        "ORA-00959",  # tablespace does not exist
        "ORA-04043",  # object does not exist
    }
)
#: Privilege errors: the ORA-20000 that DBMS_STATS raises for them, and the plain ones.
PRIVILEGE_CODES = frozenset({"ORA-20000", "ORA-01031", "ORA-00942"})


def code_of(err: BaseException) -> str | None:
    detail = err.args[0] if err.args else None
    full_code = getattr(detail, "full_code", None)
    if full_code == "DPY-4011":
        # DRV-06: the driver rewrites ORA-00028, 00600, 03113, ... as DPY-4011 and puts the
        # ORA text on the next line; the ORA code is what decides what happens next.
        underlying = re.search(r"\bORA-\d{5}\b", message_of(err))
        return underlying.group(0) if underlying else full_code
    if full_code:
        return normalise(full_code) or full_code
    numeric = getattr(detail, "code", None)
    if isinstance(numeric, int) and numeric:
        return normalise(numeric)
    return normalise(str(err))


def message_of(err: BaseException) -> str:
    detail = err.args[0] if err.args else None
    text = getattr(detail, "message", None) or str(err)
    return " ".join(str(text).split())


def session_dead(err: BaseException) -> bool:
    detail = err.args[0] if err.args else None
    return bool(getattr(detail, "is_session_dead", False))


def translate(err: oracledb.Error, *, doing: str, ddl: bool = False) -> WarehouseError:
    """A WarehouseError naming what was being done; ``ddl`` marks a possibly-applied change."""
    code = code_of(err)
    message = f"{doing}: {message_of(err)}"
    if code in NOT_FOUND_CODES:
        return ObjectNotFound(message, code=code)
    transience = _transience(code)
    if session_dead(err) and code not in DEAD_SESSION_PERMANENT:
        transience = Transience.TRANSIENT
    # DDL commits on its own: when the session dies mid-statement nobody knows whether it ran,
    # so the caller must re-read the live state before retrying.
    unknown_outcome = ddl and (session_dead(err) or _connection_lost(code))
    return WarehouseError(message, code=code, transience=transience, committed=unknown_outcome)


def _transience(code: str | None) -> Transience | None:
    # core.ora_codes.normalise only recognises five-digit codes, so the four-digit DPY-nnnn
    # codes it lists would classify as PERMANENT: look them up directly.
    if code in TRANSIENT_CODES:
        return Transience.TRANSIENT
    if code in SKIP_FOR_NOW_CODES:
        return Transience.SKIP_FOR_NOW
    return None


def _connection_lost(code: str | None) -> bool:
    return code in {"ORA-03113", "ORA-03114", "ORA-03135", "DPY-4011"}

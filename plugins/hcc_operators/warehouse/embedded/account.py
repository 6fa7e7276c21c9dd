"""The simulated service account: who the session is, what it was granted, its quotas.

A demo file starts as if a DBA had run the whole of grants.sql (core/privileges.py) and given
every account unlimited quota, so the demo works; `revoke` and `set_quota` take that away to
show what Oracle then refuses. The tables are created on first change, so files built before
they existed read as the default account.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from hcc_operators.core.preflight import SessionFacts
from hcc_operators.core.privileges import GRANTS, ON_OTHER_SCHEMAS, Feature, Grant
from hcc_operators.warehouse.embedded import oracle_errors as ora

USER = "HCC_SVC"
COMPATIBLE = "19.0.0"
#: The demo plays a database with Heat Map on (it simulates access times).
HEAT_MAP = "ON"

_TABLES = (
    "CREATE TABLE IF NOT EXISTS sim_account_privs (privilege TEXT PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS sim_account_quotas ("
    " username TEXT NOT NULL, tablespace TEXT NOT NULL, max_bytes INTEGER NOT NULL,"
    " PRIMARY KEY (username, tablespace))",
)


def _exists(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sim_account_privs'"
    ).fetchone()
    return bool(row[0])


def _default_tablespace(conn: sqlite3.Connection) -> str | None:
    row = conn.execute(
        "SELECT name FROM sim_tablespaces WHERE read_only = 0"
        " ORDER BY name <> 'USERS', hcc_supported, name"
    ).fetchone()
    return row[0] if row else None


def _granted_keys(conn: sqlite3.Connection) -> set[str]:
    if not _exists(conn):
        # The DBA ran grants.sql without the AWR views: the demo declares no Diagnostics Pack.
        return {g.key for g in GRANTS if g.feature is not Feature.DIAGNOSTICS_PACK}
    return {r[0] for r in conn.execute("SELECT privilege FROM sim_account_privs")}


def _quotas(conn: sqlite3.Connection) -> dict[tuple[str, str], int | None]:
    """(user, tablespace) -> bytes (None: unlimited)."""
    if not _exists(conn):
        users = [USER, *(r[0] for r in conn.execute("SELECT owner FROM sim_schemas"))]
        spaces = [r[0] for r in conn.execute("SELECT name FROM sim_tablespaces")]
        return {(u, t): None for u in users for t in spaces}
    return {
        (r[0], r[1]): (None if r[2] == -1 else r[2])
        for r in conn.execute("SELECT username, tablespace, max_bytes FROM sim_account_quotas")
    }


def _materialise(conn: sqlite3.Connection) -> None:
    """Write the default account out so a change can be made to it."""
    if _exists(conn):
        return
    keys, quotas = _granted_keys(conn), _quotas(conn)
    for statement in _TABLES:
        conn.execute(statement)
    conn.executemany("INSERT INTO sim_account_privs VALUES (?)", [(k,) for k in sorted(keys)])
    conn.executemany(
        "INSERT INTO sim_account_quotas VALUES (?, ?, ?)",
        [(u, t, -1 if b is None else b) for (u, t), b in quotas.items()],
    )


def _grant_of(privilege: str) -> Grant:
    wanted = privilege.strip().upper()
    for grant in GRANTS:
        if wanted in (grant.key, grant.on or "", f"{grant.privilege} ON {grant.on}"):
            return grant
    known = ", ".join(sorted({g.key for g in GRANTS}))
    raise ValueError(f"{privilege!r} is not a privilege grants.sql gives; one of: {known}")


def revoke(conn: sqlite3.Connection, privilege: str) -> None:
    grant = _grant_of(privilege)
    _materialise(conn)
    conn.execute("DELETE FROM sim_account_privs WHERE privilege = ?", (grant.key,))


def grant(conn: sqlite3.Connection, privilege: str) -> None:
    key = _grant_of(privilege).key
    _materialise(conn)
    conn.execute("INSERT OR IGNORE INTO sim_account_privs VALUES (?)", (key,))


def set_quota(conn: sqlite3.Connection, user: str, tablespace: str, max_bytes: int | None) -> None:
    """``max_bytes`` None is UNLIMITED, 0 removes the quota."""
    _materialise(conn)
    conn.execute(
        "DELETE FROM sim_account_quotas WHERE username = ? AND tablespace = ?", (user, tablespace)
    )
    if max_bytes != 0:
        conn.execute(
            "INSERT INTO sim_account_quotas VALUES (?, ?, ?)",
            (user, tablespace, -1 if max_bytes is None else max_bytes),
        )


def require(conn: sqlite3.Connection, verb: str, owner: str) -> None:
    """ORA-01031 when the account lacks what ``verb`` on ``owner``'s objects needs."""
    if owner == USER:
        return
    held = _granted_keys(conn)
    for privilege in ON_OTHER_SCHEMAS[verb]:
        if privilege not in held:
            raise ora.insufficient_privileges(privilege, owner, verb)


def facts(
    conn: sqlite3.Connection, version: tuple[int, ...], owners: Sequence[str] = ()
) -> SessionFacts:
    keys = _granted_keys(conn)
    quotas = _quotas(conn)
    by_name = {g.key: g for g in GRANTS}
    reachable = frozenset(by_name[k].on for k in keys if by_name[k].on)
    # V$PARAMETER and DBA_TS_QUOTAS answer only when granted, as on Oracle (ORA-00942).
    parameters = "V_$PARAMETER" in reachable
    return SessionFacts(
        user=USER,
        default_tablespace=_default_tablespace(conn),
        version=version,
        system_privileges=frozenset(k for k in keys if by_name[k].on is None),
        sys_objects=reachable,
        quotas={t: b for (u, t), b in quotas.items() if u == USER},
        compatible=COMPATIBLE if parameters else None,
        heat_map=HEAT_MAP if parameters else None,
        owner_quotas={(u, t): b for (u, t), b in quotas.items() if u in set(owners)}
        if "DBA_TS_QUOTAS" in reachable
        else None,
        simulated=True,
    )

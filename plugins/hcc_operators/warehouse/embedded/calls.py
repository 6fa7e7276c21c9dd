"""The PL/SQL calls the package sends (core.ddl.SqlCall), as the simulation applies them.

Each handler gets the call's bind values; the named SQL text has already been loaded (so the
file exists) and must bind exactly the names the call gives, as Oracle would require.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hcc_operators.core.ddl import SqlCall
from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import ObjectRef
from hcc_operators.warehouse.embedded import account, lookup
from hcc_operators.warehouse.embedded.actions import Context

_BIND = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)", re.IGNORECASE)
#: Bytes per second statistics gathering reads (simulated, like every embedded duration).
STATS_BYTES_PER_S = 200 * 1024 * 1024


def gather_partition_stats(ctx: Context, binds: dict) -> float:
    """DBMS_STATS on one partition: LAST_ANALYZED now, DML monitoring counters reset."""
    ref = ObjectRef(binds["ownname"], binds["tabname"], binds["partname"])
    account.require(ctx.conn, "GATHER STATS", ref.owner)  # ANALYZE ANY (PRIV-08)
    seg = lookup.segment_row(ctx.conn, ref)  # ORA-02149 / ORA-00942 as Oracle
    now = ctx.now.isoformat(sep=" ", timespec="seconds")
    ctx.conn.execute(
        "UPDATE sim_segments SET last_analyzed = ?, inserts = 0, updates = 0, deletes = 0,"
        " truncated = 0, dml_timestamp = NULL WHERE owner = ? AND table_name = ?"
        " AND partition_name = ?",
        (now, ref.owner, ref.table, ref.partition),
    )
    return 0.5 + seg["bytes"] / STATS_BYTES_PER_S


HANDLERS: dict[str, Callable[[Context, dict], float]] = {
    "stats/gather_partition_stats": gather_partition_stats,
}


def run(ctx: Context, call: SqlCall, text: str) -> float:
    binds = dict(call.binds)
    wanted = {b.lower() for b in _BIND.findall(text)}
    if wanted != set(binds):
        # ORA-01008 "not all variables bound" / ORA-01036 "illegal variable name/number".
        raise WarehouseError(
            f"{call.name} binds {sorted(wanted)}, the call gave {sorted(binds)}",
            code="ORA-01008" if wanted - set(binds) else "ORA-01036",
        )
    handler = HANDLERS.get(call.name)
    if handler is None:
        raise WarehouseError(f"the embedded warehouse does not simulate {call.name}")
    return handler(ctx, binds)

"""A larger SQLite page cache for one bulk transaction (no-op on Oracle).

Stage 2 writes millions of index entries in one transaction: with SQLite's default 2 MiB
cache (64 MiB on embedded connections) most of those writes re-read index pages from the file.
The cache is raised on the one connection that does the bulk work and put back afterwards,
so other connections of the pool keep the small default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

BULK_CACHE_MIB = 768


@contextmanager
def bulk_cache(conn: Connection, mib: int = BULK_CACHE_MIB) -> Iterator[None]:
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{int(mib) * 1024}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")

"""Opening the SQLite file the way several Airflow task processes can share it.

WAL lets readers proceed while one writer commits; the busy timeout makes a second writer wait
for the first instead of failing at once, which is how concurrent partition DDL from parallel
mapped tasks behaves here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DEFAULT_BUSY_TIMEOUT_S = 30.0


def connect(
    path: str | Path, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S
) -> sqlite3.Connection:
    # isolation_level=None: transactions are opened explicitly (BEGIN IMMEDIATE) so a write
    # takes the file's write lock up front instead of upgrading halfway through.
    conn = sqlite3.connect(
        str(path), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    apply_pragmas(conn, busy_timeout_s=busy_timeout_s)
    return conn


def apply_pragmas(conn, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> None:
    """Pragmas every connection needs; also used by the SQLAlchemy connect event."""
    cursor = conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    # 64 MiB of page cache instead of 2: stage 2 writes millions of index entries per run, and
    # a cache that holds an index's working set turns those writes from disk reads into memory.
    cursor.execute("PRAGMA cache_size = -65536")
    cursor.close()

"""The simulated Oracle dictionary: every table the embedded warehouse keeps, prefixed ``sim_``.

Repository tables of the product (prefixed ``hcc_``) live in the same file, so nothing here
touches other prefixes. Names are stored as the Oracle dictionary holds them (upper case); a
missing partition or subpartition name is stored as '' rather than NULL so the unique index
really is unique.

One row of ``sim_segments`` is a storage object as the dictionary sees it: a non-partitioned
table, a partition or a subpartition. It also carries what Oracle keeps elsewhere for the same
object (ALL_TAB_MODIFICATIONS, segment statistics, the decayed HCC row fraction), because every
action changes them together.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = "3"

TABLES = {
    "sim_meta": """
        CREATE TABLE sim_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    "sim_schemas": """
        CREATE TABLE sim_schemas (
            owner TEXT PRIMARY KEY,
            oracle_maintained INTEGER NOT NULL DEFAULT 0)""",
    "sim_tablespaces": """
        CREATE TABLE sim_tablespaces (
            name TEXT PRIMARY KEY,
            total_bytes INTEGER NOT NULL,
            used_bytes INTEGER NOT NULL,
            hcc_supported INTEGER NOT NULL,
            read_only INTEGER NOT NULL DEFAULT 0)""",
    "sim_tables": """
        CREATE TABLE sim_tables (
            owner TEXT NOT NULL,
            table_name TEXT NOT NULL,
            partitioned INTEGER NOT NULL,
            partitioning_type TEXT,
            subpartitioning_type TEXT,
            interval_expr TEXT,
            temporary INTEGER NOT NULL DEFAULT 0,
            nested INTEGER NOT NULL DEFAULT 0,
            iot INTEGER NOT NULL DEFAULT 0,
            tablespace TEXT,
            compression TEXT NOT NULL DEFAULT 'NONE',
            read_only INTEGER NOT NULL DEFAULT 0,
            last_analyzed TEXT,
            profile TEXT NOT NULL,
            key_type TEXT NOT NULL DEFAULT 'DATE',
            PRIMARY KEY (owner, table_name))""",
    "sim_segments": """
        CREATE TABLE sim_segments (
            seg_id INTEGER PRIMARY KEY,
            owner TEXT NOT NULL,
            table_name TEXT NOT NULL,
            partition_name TEXT NOT NULL DEFAULT '',
            subpartition_name TEXT NOT NULL DEFAULT '',
            position INTEGER,
            high_value TEXT,
            bound_key TEXT,
            is_interval INTEGER NOT NULL DEFAULT 0,
            has_subpartitions INTEGER NOT NULL DEFAULT 0,
            tablespace TEXT,
            compression TEXT NOT NULL DEFAULT 'NONE',
            bytes INTEGER NOT NULL DEFAULT 0,
            uncompressed_bytes INTEGER NOT NULL DEFAULT 0,
            num_rows INTEGER NOT NULL DEFAULT 0,
            read_only INTEGER NOT NULL DEFAULT 0,
            last_analyzed TEXT,
            data_seed INTEGER NOT NULL DEFAULT 0,
            data_from TEXT,
            data_to TEXT,
            decayed_fraction REAL NOT NULL DEFAULT 0,
            inserts INTEGER NOT NULL DEFAULT 0,
            updates INTEGER NOT NULL DEFAULT 0,
            deletes INTEGER NOT NULL DEFAULT 0,
            truncated INTEGER NOT NULL DEFAULT 0,
            dml_timestamp TEXT,
            logical_reads INTEGER NOT NULL DEFAULT 0,
            physical_reads INTEGER NOT NULL DEFAULT 0,
            last_access TEXT,
            last_modification TEXT)""",
    "sim_indexes": """
        CREATE TABLE sim_indexes (
            owner TEXT NOT NULL,
            index_name TEXT NOT NULL,
            table_owner TEXT NOT NULL,
            table_name TEXT NOT NULL,
            locality TEXT NOT NULL,
            status TEXT NOT NULL,
            columns TEXT NOT NULL DEFAULT '',
            uniqueness TEXT NOT NULL DEFAULT 'NONUNIQUE',
            PRIMARY KEY (owner, index_name))""",
    # ALL_CONSTRAINTS (P and U only) with their ALL_CONS_COLUMNS, comma-separated in order.
    "sim_constraints": """
        CREATE TABLE sim_constraints (
            owner TEXT NOT NULL,
            constraint_name TEXT NOT NULL,
            table_name TEXT NOT NULL,
            constraint_type TEXT NOT NULL,
            columns TEXT NOT NULL,
            index_name TEXT,
            status TEXT NOT NULL DEFAULT 'ENABLED',
            PRIMARY KEY (owner, constraint_name))""",
    # One row per index segment: an index partition, or for a local index of a composite-
    # partitioned table an index subpartition (its partition has no segment and no status of
    # its own: ALL_IND_SUBPARTITIONS, rule book IDX-10).
    "sim_index_partitions": """
        CREATE TABLE sim_index_partitions (
            owner TEXT NOT NULL,
            index_name TEXT NOT NULL,
            partition_name TEXT NOT NULL,
            subpartition_name TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            PRIMARY KEY (owner, index_name, partition_name, subpartition_name))""",
    "sim_profile_ratios": """
        CREATE TABLE sim_profile_ratios (
            profile TEXT NOT NULL,
            compression TEXT NOT NULL,
            ratio REAL NOT NULL,
            bytes_per_row REAL NOT NULL,
            PRIMARY KEY (profile, compression))""",
    "sim_faults": """
        CREATE TABLE sim_faults (
            fault_id INTEGER PRIMARY KEY,
            target TEXT,
            kind TEXT NOT NULL,
            remaining INTEGER,
            probability REAL,
            seed INTEGER,
            draws INTEGER NOT NULL DEFAULT 0,
            factor REAL NOT NULL DEFAULT 1)""",
    "sim_sessions": """
        CREATE TABLE sim_sessions (
            pid INTEGER PRIMARY KEY,
            module TEXT,
            action TEXT,
            updated_at TEXT NOT NULL)""",
    "sim_ddl_log": """
        CREATE TABLE sim_ddl_log (
            log_id INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL,
            object_label TEXT NOT NULL,
            action_kind TEXT NOT NULL,
            statements TEXT NOT NULL,
            duration_s REAL NOT NULL)""",
}

# Built after bulk loading: creating an index once is much faster than maintaining it per row.
INDEXES = (
    "CREATE UNIQUE INDEX sim_segments_name ON sim_segments"
    " (owner, table_name, partition_name, subpartition_name)",
    "CREATE INDEX sim_segments_tablespace ON sim_segments (tablespace)",
    "CREATE INDEX sim_indexes_table ON sim_indexes (table_owner, table_name)",
)


def create_tables(conn: sqlite3.Connection) -> None:
    for ddl in TABLES.values():
        conn.execute(ddl)


def create_indexes(conn: sqlite3.Connection) -> None:
    for ddl in INDEXES:
        conn.execute(ddl)


def _has_index_subpartitions(conn: sqlite3.Connection) -> bool:
    columns = {r[1] for r in conn.execute("PRAGMA table_info(sim_index_partitions)")}
    return "subpartition_name" in columns


def upgrade(conn: sqlite3.Connection) -> None:
    """Bring a file built by an older version to this schema: index subpartitions (schema
    3) replace the status a composite partition's local index partition used to carry.
    ``conn`` is in autocommit mode (connection.connect); the change is one transaction."""
    if _has_index_subpartitions(conn):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not _has_index_subpartitions(conn):  # another process may have just done it
            conn.execute("ALTER TABLE sim_index_partitions RENAME TO sim_index_partitions_v2")
            conn.execute(TABLES["sim_index_partitions"])
            # A composite partition's status goes to each of its subpartitions.
            conn.execute(
                "INSERT INTO sim_index_partitions (owner, index_name, partition_name,"
                " subpartition_name, status)"
                " SELECT ip.owner, ip.index_name, ip.partition_name,"
                " coalesce(s.subpartition_name, ''), ip.status"
                " FROM sim_index_partitions_v2 ip"
                " JOIN sim_indexes i ON i.owner = ip.owner AND i.index_name = ip.index_name"
                " LEFT JOIN sim_segments s ON s.owner = i.table_owner"
                " AND s.table_name = i.table_name AND s.partition_name = ip.partition_name"
                " AND s.subpartition_name <> ''"
            )
            conn.execute("DROP TABLE sim_index_partitions_v2")
            conn.execute(
                "INSERT OR REPLACE INTO sim_meta (key, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def is_built(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sim_meta'"
    ).fetchone()
    return bool(row[0])

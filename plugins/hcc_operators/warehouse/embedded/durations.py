"""Simulated durations of actions on the embedded warehouse.

These are NOT measurements: no data is moved. A rewrite takes (bytes read / throughput of
the target format), so ARCHIVE HIGH is slower than QUERY LOW as on Exadata; metadata-only
actions (read-only, drop, truncate, exchange) take a small fixed time. The numbers are in the
range seen on a mid-size Exadata for one serial session, good enough for the planner to pack a
maintenance window with plausible predictions; they are not a performance model of any system.
"""

from __future__ import annotations

from hcc_operators.core.models import ActionKind, CompressionType

MB = 1024 * 1024

# MB/s of uncompressed input one session rewrites into the target format.
REWRITE_MB_PER_S: dict[CompressionType, float] = {
    CompressionType.NONE: 220.0,
    CompressionType.BASIC: 160.0,
    CompressionType.ADVANCED: 130.0,
    CompressionType.QUERY_LOW: 180.0,
    CompressionType.QUERY_HIGH: 95.0,
    CompressionType.ARCHIVE_LOW: 45.0,
    CompressionType.ARCHIVE_HIGH: 14.0,
}
INDEX_REBUILD_MB_PER_S = 150.0
# Index entries are a fraction of the table's bytes; rebuild time scales with that.
INDEX_BYTES_PER_TABLE_BYTE = 0.25
STATEMENT_OVERHEAD_S = 0.4
METADATA_ONLY_S = {
    ActionKind.READ_ONLY: 0.2,
    ActionKind.DROP: 0.6,
    ActionKind.TRUNCATE: 0.8,
    ActionKind.EXCHANGE: 0.5,
}
ONLINE_FACTOR = 1.15  # online moves journal concurrent DML
UPDATE_INDEXES_FACTOR = 1.3  # maintaining global indexes while rewriting


def _parallel_speedup(parallel: int | None) -> float:
    degree = max(parallel or 1, 1)
    return degree**0.8


def rewrite_s(
    input_bytes: int,
    target: CompressionType,
    *,
    online: bool,
    update_indexes: bool,
    global_indexes: int,
    parallel: int | None,
) -> float:
    seconds = input_bytes / MB / REWRITE_MB_PER_S[target] / _parallel_speedup(parallel)
    if online:
        seconds *= ONLINE_FACTOR
    if update_indexes and global_indexes:
        seconds *= UPDATE_INDEXES_FACTOR
    return STATEMENT_OVERHEAD_S + seconds


def rebuild_indexes_s(table_bytes: int, index_count: int, parallel: int | None) -> float:
    index_bytes = table_bytes * INDEX_BYTES_PER_TABLE_BYTE * max(index_count, 0)
    return STATEMENT_OVERHEAD_S + index_bytes / MB / INDEX_REBUILD_MB_PER_S / _parallel_speedup(
        parallel
    )


def metadata_only_s(kind: ActionKind, *, global_indexes_updated: int = 0) -> float:
    # Dropping or truncating with UPDATE INDEXES removes the entries from global indexes.
    return METADATA_ONLY_S.get(kind, STATEMENT_OVERHEAD_S) + 0.5 * global_indexes_updated

"""Benchmark 4b: the advisor's orchestration cost against its database time, at 1,000 objects.

Objects: the first 1,000 partitions of at least the advisor's min_size_mb (the defaults
of include/config/advisor.yaml, read through core.advisor_config) of a metadata-only embedded warehouse
(scale 3,000, fixed seed): real generated sizes and row counts. Chunks: core.chunking at the
default chunk_size. Orchestration = chunks x the per-mapped-task overhead measured in 4a
(the no-op mapped DAG's wall time / its mapped tasks, which also carries the run's two
unmapped tasks, so it overstates the per-task cost a little).

Estimated database time (no Oracle here, so a stated model of DBMS_COMPRESSION): the advisor
measures LEVELS levels per object; each GET_COMPRESSION_RATIO call copies a sample of
min(num_rows, sample_rows) rows into an uncompressed and a compressed scratch table:

    per call = CALL_FIXED_S + sample_bytes / SCAN_MIBPS + sample_bytes / rate(level)

sample_bytes = size x min(1, sample_rows / num_rows); rate(level) is core.throughput's default
rewrite rate for that level (the package's own, deliberately slow, assumption); CALL_FIXED_S
covers creating, analysing and dropping two scratch tables. The floor (fixed part only) is
reported too, and the per-task overhead at which orchestration would reach 5%.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import peak_rss_mb, write_result
from hcc_operators.core.models import CompressionType

OBJECTS = 1000
SCALE = 3000
LEVELS = (
    CompressionType.ADVANCED,
    CompressionType.QUERY_LOW,
    CompressionType.QUERY_HIGH,
    CompressionType.ARCHIVE_LOW,
    CompressionType.ARCHIVE_HIGH,
)
CALL_FIXED_S = 1.0
SCAN_MIBPS = 200.0
MIB = 1024 * 1024
TARGET_SHARE = 0.05


def _objects(min_bytes: int) -> list:
    from hcc_operators.warehouse.embedded import build_warehouse

    with tempfile.TemporaryDirectory(prefix="hcc_bench_chunks_") as tmp:
        wh = build_warehouse(Path(tmp) / "w.db", scale=SCALE, metadata_only=True, seed=7)
        try:
            segments = wh.list_segments(wh.list_schemas())
        finally:
            wh.close()
    chosen = [s for s in segments if s.ref.partition and s.bytes >= min_bytes][:OBJECTS]
    if len(chosen) < OBJECTS:
        raise RuntimeError(f"only {len(chosen)} objects of at least {min_bytes} bytes")
    return chosen


def estimate_seconds(size_bytes: int, num_rows: int, sample_rows: int) -> float:
    from hcc_operators.core.throughput import DEFAULT_REWRITE_MIBPS

    share = 1.0 if num_rows <= 0 else min(1.0, sample_rows / num_rows)
    sample_mib = size_bytes * share / MIB
    return sum(
        CALL_FIXED_S + sample_mib / SCAN_MIBPS + sample_mib / DEFAULT_REWRITE_MIBPS[level]
        for level in LEVELS
    )


def run(per_task_s: float) -> dict:
    from hcc_operators.core.advisor_config import load_advisor_config
    from hcc_operators.core.chunking import chunk_by_size

    defaults = load_advisor_config().defaults
    objects = _objects(int(defaults.min_size_mb * MIB))
    chunks = chunk_by_size(objects, size_of=lambda s: s.bytes, chunk_size=defaults.chunk_size)
    db_s = sum(estimate_seconds(s.bytes, s.num_rows, defaults.sample_rows) for s in objects)
    floor_s = len(objects) * len(LEVELS) * CALL_FIXED_S
    orchestration_s = len(chunks) * per_task_s
    return {
        "objects": len(objects),
        "chunk_size": defaults.chunk_size,
        "chunks": len(chunks),
        "largest_chunk_objects": max(len(c) for c in chunks),
        "per_task_overhead_s": per_task_s,
        "orchestration_s": orchestration_s,
        "estimated_db_s": db_s,
        "floor_db_s": floor_s,
        "share": orchestration_s / db_s,
        "share_of_floor": orchestration_s / floor_s,
        "break_even_per_task_s": TARGET_SHARE * db_s / len(chunks),
        "sample_rows": defaults.sample_rows,
        "min_size_mb": defaults.min_size_mb,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-task-s", type=float, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    write_result(args.out, run(args.per_task_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())

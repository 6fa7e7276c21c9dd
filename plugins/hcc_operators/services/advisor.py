"""The compression advisor: discover objects, measure them, score, recommend, record.

Planning splits the objects into byte-balanced chunks for dynamic task mapping; each chunk
records progress after every object, so the API shows percent and time remaining live. An
object that fails is recorded with its error and never stops the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from hcc_operators.core.advisor_config import AdvisorConfig, load_advisor_config
from hcc_operators.core.chunking import chunk_by_size
from hcc_operators.core.errors import ConfigError, WarehouseError
from hcc_operators.core.instants import as_utc
from hcc_operators.core.models import (
    ESTIMATED_TYPES,
    AccessStats,
    DmlStats,
    ObjectRef,
    SegmentInfo,
)
from hcc_operators.core.names import Dag, session_module
from hcc_operators.core.recommendation import ObjectMeasurement, recommend
from hcc_operators.core.scoring import hotness
from hcc_operators.repository import advice
from hcc_operators.repository.tables import advisor_results, advisor_runs
from hcc_operators.warehouse.base import Warehouse

RATIO_COLUMNS = {
    "ADVANCED": "ratio_advanced",
    "QUERY LOW": "ratio_query_low",
    "QUERY HIGH": "ratio_query_high",
    "ARCHIVE LOW": "ratio_archive_low",
    "ARCHIVE HIGH": "ratio_archive_high",
}


@dataclass(frozen=True)
class AdvisorParams:
    schemas: tuple[str, ...] = ()
    strategy: str | None = None
    sample_rows: int | None = None
    min_size_mb: float | None = None
    incremental: bool = False
    chunk_size: int | None = None
    parallel_degree: int | None = None


def plan_analysis(
    warehouse: Warehouse,
    engine: Engine,
    params: AdvisorParams,
    *,
    dag_run_id: str,
    now: datetime,
    config: AdvisorConfig | None = None,
) -> tuple[int, list[dict]]:
    """``config``: the warehouse's advisor settings (default: the shared advisor.yaml)."""
    config = config or load_advisor_config()
    strategy = config.strategy(params.strategy)
    known = warehouse.list_schemas()
    owners = [s.upper() for s in params.schemas] or known
    unknown = sorted(set(owners) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown or Oracle-maintained schema(s) {', '.join(unknown)}; "
            f"analysable schemas are {', '.join(known)}",
            field="schemas",
        )
    min_mb = (
        params.min_size_mb if params.min_size_mb is not None else strategy_min_mb(config, strategy)
    )
    tables = {(t.owner, t.table) for t in warehouse.list_tables(owners)}
    listed = [s for s in warehouse.list_segments(owners) if (s.ref.owner, s.ref.table) in tables]
    with engine.begin() as conn:
        # Advice about objects the dictionary no longer lists (merged, dropped) is not advice.
        advice.forget_missing(conn, owners, {advice.object_key(s.ref) for s in listed})
        measured = advice.analysed_at(conn, owners)
    objects = [
        s
        for s in listed
        if not s.has_subpartitions
        # An object with advice stays in scope when it shrinks below the size limit (it was
        # compressed): otherwise its advice would go stale for good, its decay unseen.
        and (s.bytes >= min_mb * 1024 * 1024 or advice.object_key(s.ref) in measured)
    ]
    skipped = {ref: why for ref, why in warehouse.unreadable().items() if ref.owner in owners}
    if params.incremental:
        objects = _changed_since_analysis(warehouse, owners, objects, measured)
    objects.sort(key=lambda s: (-s.bytes, s.ref))
    chunk_size = params.chunk_size or config.defaults.chunk_size
    if params.parallel_degree:
        # A degree asks for that many parallel analysis tasks: size the chunks to match.
        chunk_size = max(1, -(-len(objects) // params.parallel_degree))
    chunks = chunk_by_size(objects, size_of=lambda s: s.bytes, chunk_size=chunk_size)
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(advisor_runs).values(
                dag_run_id=dag_run_id,
                status="RUNNING",
                strategy=strategy.name,
                schemas=json.dumps(owners),
                params=json.dumps(params.__dict__, default=list),
                objects_total=len(objects),
                bytes_total=sum(s.bytes for s in objects),
                objects_analysed=0,
                objects_succeeded=0,
                objects_failed=0,
                objects_skipped=len(skipped),
                bytes_analysed=0,
                started_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        # An object the dictionary describes in terms the package does not know is recorded
        # with the reason and left alone; the run goes on with the others.
        for ref, why in sorted(skipped.items()):
            conn.execute(
                insert(advisor_results).values(
                    run_id=run_id,
                    owner=ref.owner,
                    table_name=ref.table,
                    partition_name=ref.partition,
                    subpartition_name=ref.subpartition,
                    object_kind=ref.kind.value,
                    status="SKIPPED",
                    error_message=why,
                    recompression=False,
                    analysed_at=now,
                )
            )
    return run_id, [
        {
            "run_id": run_id,
            "chunk": i,
            "objects": [s.ref.label for s in chunk],
            "bytes": sum(s.bytes for s in chunk),
        }
        for i, chunk in enumerate(chunks)
    ]


def strategy_min_mb(config, strategy) -> float:
    return max(config.defaults.min_size_mb, strategy.min_size_bytes / 1024 / 1024)


def analyse_chunk(
    warehouse: Warehouse,
    engine: Engine,
    *,
    run_id: int,
    objects: Sequence[str],
    now_fn: Callable[[], datetime],
    config: AdvisorConfig | None = None,
) -> dict:
    config = config or load_advisor_config()
    with engine.connect() as conn:
        run = conn.execute(select(advisor_runs).where(advisor_runs.c.run_id == run_id)).one()
    params = json.loads(run.params or "{}")
    strategy = config.strategy(run.strategy)
    sample_rows = params.get("sample_rows") or config.defaults.sample_rows
    refs = [ObjectRef.parse(label) for label in objects]
    owners = sorted({r.owner for r in refs})
    dml = warehouse.dml_stats(owners)
    access = warehouse.access_stats(owners)
    counts = {"SUCCESS": 0, "FAILED": 0}
    hcc_spaces = {name for name, ts in warehouse.tablespaces().items() if ts.hcc_supported}
    warehouse.set_session_info(session_module(Dag.ADVISOR), f"run {run_id}")
    for ref in refs:
        row = _analyse_one(
            warehouse,
            ref,
            dml,
            access,
            strategy,
            sample_rows,
            config.defaults.scratch_tablespace,
            config.defaults.observation_days,
            now_fn(),
            hcc_spaces,
        )
        row["run_id"] = run_id
        counts[row["status"]] += 1
        with engine.begin() as conn:
            result_id = conn.execute(insert(advisor_results).values(**row)).inserted_primary_key[0]
            if row["status"] == "SUCCESS":
                # A failed analysis keeps the object's previous advice; a success replaces it.
                advice.record(conn, ref, result_id=result_id, run_id=run_id, now=row["analysed_at"])
            conn.execute(
                update(advisor_runs)
                .where(advisor_runs.c.run_id == run_id)
                .values(
                    objects_analysed=advisor_runs.c.objects_analysed + 1,
                    objects_succeeded=advisor_runs.c.objects_succeeded
                    + (row["status"] == "SUCCESS"),
                    objects_failed=advisor_runs.c.objects_failed + (row["status"] == "FAILED"),
                    bytes_analysed=advisor_runs.c.bytes_analysed + (row["size_bytes"] or 0),
                    updated_at=now_fn(),
                )
            )
    return {
        "run_id": run_id,
        "analysed": len(refs),
        "succeeded": counts["SUCCESS"],
        "failed": counts["FAILED"],
    }


def _analyse_one(
    warehouse, ref, dml, access, strategy, sample_rows, scratch, days, now, hcc_spaces
) -> dict:
    base = {
        "owner": ref.owner,
        "table_name": ref.table,
        "partition_name": ref.partition,
        "subpartition_name": ref.subpartition,
        "object_kind": ref.kind.value,
        "analysed_at": now,
        "recompression": False,
        "size_bytes": None,
    }
    try:
        seg: SegmentInfo | None = warehouse.segment(ref)
        if seg is None:
            raise WarehouseError(
                f"{ref.label} no longer exists", code="ORA-02149" if ref.partition else "ORA-00942"
            )
        ratios = {
            ct: warehouse.estimate_ratio(
                ref, ct, sample_rows=sample_rows, scratch_tablespace=scratch
            )
            for ct in ESTIMATED_TYPES
        }
        decayed = None
        if seg.compression.is_hcc:
            sample = warehouse.compression_sample(ref, sample_rows=min(sample_rows, 10_000))
            decayed = (
                round(1.0 - sum(sample.fraction(ct) for ct in sample.rows_by_type if ct.is_hcc), 4)
                if sample.total
                else None
            )
        obj_dml = dml.get(ref) or DmlStats()
        obj_access = access.get(ref) or AccessStats()
        heat = hotness(seg, obj_dml, obj_access, observation_days=days, now=now)
        rec = recommend(
            ObjectMeasurement(
                ref,
                seg.bytes,
                seg.num_rows,
                seg.compression,
                ratios,
                heat,
                decayed,
                hcc_capable=(seg.tablespace or "") in hcc_spaces,
            ),
            strategy,
        )
    except WarehouseError as err:
        return {**base, "status": "FAILED", "error_code": err.code, "error_message": str(err)}
    return {
        **base,
        "status": "SUCCESS",
        "size_bytes": seg.bytes,
        "num_rows": seg.num_rows,
        "current_compression": seg.compression.value,
        "tablespace_name": seg.tablespace,
        **{RATIO_COLUMNS[ct.value]: round(r, 3) for ct, r in ratios.items()},
        "dml_total": obj_dml.total,
        "logical_reads": obj_access.logical_reads,
        "physical_reads": obj_access.physical_reads,
        "last_access": as_utc(obj_access.last_access),
        "hotness": round(heat, 2),
        "decayed_fraction": decayed,
        "recommended": rec.recommended.value if rec.recommended else None,
        "expected_ratio": rec.expected_ratio,
        "estimated_savings": rec.estimated_savings_bytes,
        "recompression": rec.is_recompression,
        "reason": rec.reason,
    }


def finish_analysis(engine: Engine, run_id: int, *, now: datetime) -> dict:
    with engine.begin() as conn:
        run = conn.execute(select(advisor_runs).where(advisor_runs.c.run_id == run_id)).one()
        if run.objects_failed and not run.objects_succeeded:
            status = "FAILED"
        elif run.objects_failed or run.objects_analysed < run.objects_total:
            status = "PARTIAL"
        else:
            status = "SUCCESS"
        conn.execute(
            update(advisor_runs)
            .where(advisor_runs.c.run_id == run_id)
            .values(status=status, finished_at=now, updated_at=now)
        )
        by_type = dict(
            conn.execute(
                select(advisor_results.c.recommended, func.count())
                .where(
                    advisor_results.c.run_id == run_id, advisor_results.c.recommended.is_not(None)
                )
                .group_by(advisor_results.c.recommended)
            ).all()
        )
        savings = conn.execute(
            select(func.coalesce(func.sum(advisor_results.c.estimated_savings), 0)).where(
                advisor_results.c.run_id == run_id, advisor_results.c.recommended.is_not(None)
            )
        ).scalar()
    return {
        "run_id": run_id,
        "status": status,
        "objects_total": run.objects_total,
        "analysed": run.objects_analysed,
        "failed": run.objects_failed,
        "skipped": run.objects_skipped or 0,
        "recommendations_by_type": by_type,
        "estimated_savings_bytes": int(savings),
    }


def _recompressed(seg: SegmentInfo, measured: dict[str, tuple[datetime, str | None]]) -> bool:
    """The object has advice, measured when it had another compression than now."""
    known = measured.get(advice.object_key(seg.ref))
    return known is not None and known[1] != seg.compression.value


def _changed_since_analysis(warehouse, owners, objects, measured):
    """Objects without advice, with DML after their advice was measured, or whose compression
    is no longer what was measured (compressed, moved or merged since): the rest keep their
    advice untouched."""
    dml = warehouse.dml_stats(owners)
    changed = []
    for seg in objects:
        known = measured.get(advice.object_key(seg.ref))
        stats = dml.get(seg.ref)
        if (
            known is None
            or _recompressed(seg, measured)
            or (stats and stats.timestamp and as_utc(stats.timestamp) > known[0])
        ):
            changed.append(seg)
    return changed

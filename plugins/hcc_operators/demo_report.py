"""The short report `make demo` prints, read from the repository after the runs."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import ObjectRef
from hcc_operators.repository.evaluation_reads import reason_counts
from hcc_operators.repository.tables import (
    advisor_results,
    advisor_runs,
    compression_executions,
    execution_log,
    ilm_batches,
    ilm_queue,
    partition_access,
)
from hcc_operators.warehouse.base import Warehouse

MB = 1024 * 1024


def _mb(value) -> str:
    return f"{(value or 0) / MB:,.1f} MB"


def render_report(warehouse: Warehouse, states: dict[str, str]) -> str:
    engine = warehouse.repository_engine()
    out: list[str] = [
        "",
        "=" * 72,
        "HCC compression & ILM demo report (embedded warehouse)",
        "=" * 72,
        "DAG runs: " + ", ".join(f"{k}={v}" for k, v in states.items()),
    ]
    with engine.connect() as conn:
        run = conn.execute(select(advisor_runs).order_by(advisor_runs.c.run_id.desc())).first()
        if run is not None:
            out += [
                "",
                f"Advisor run {run.run_id} ({run.strategy}): {run.status}, "
                f"{run.objects_analysed}/{run.objects_total} objects analysed, "
                f"{run.objects_failed} failed",
            ]
            rows = conn.execute(
                select(
                    advisor_results.c.recommended,
                    func.count(),
                    func.avg(advisor_results.c.expected_ratio),
                    func.sum(advisor_results.c.estimated_savings),
                    func.sum(advisor_results.c.size_bytes),
                )
                .where(
                    advisor_results.c.run_id == run.run_id,
                    advisor_results.c.recommended.is_not(None),
                )
                .group_by(advisor_results.c.recommended)
                .order_by(advisor_results.c.recommended)
            ).all()
            out.append("  Recommendations by compression type (measured ratios):")
            for level, n, ratio, saved, size in rows:
                out.append(
                    f"    {level:<13} {n:>5} objects  avg ratio {ratio or 0:5.2f}x  "
                    f"{_mb(size)} -> saves {_mb(saved)}"
                )
            avg = conn.execute(
                select(
                    *(
                        func.avg(getattr(advisor_results.c, c))
                        for c in (
                            "ratio_advanced",
                            "ratio_query_low",
                            "ratio_query_high",
                            "ratio_archive_low",
                            "ratio_archive_high",
                        )
                    )
                ).where(
                    advisor_results.c.run_id == run.run_id, advisor_results.c.status == "SUCCESS"
                )
            ).one()
            out.append(
                "  Average measured ratio: "
                + ", ".join(
                    f"{name} {value or 0:.2f}x"
                    for name, value in zip(
                        ("ADVANCED", "QUERY LOW", "QUERY HIGH", "ARCHIVE LOW", "ARCHIVE HIGH"),
                        avg,
                        strict=True,
                    )
                )
            )

        execs = conn.execute(
            select(compression_executions)
            .where(compression_executions.c.operation == "COMPRESS")
            .order_by(compression_executions.c.execution_id)
        ).all()
        if execs:
            out += ["", "Compression executed (before -> after, simulated durations):"]
            for e in execs:
                label = ":".join(
                    p
                    for p in (f"{e.owner}.{e.table_name}", e.partition_name, e.subpartition_name)
                    if p
                )
                detail = (
                    f"{_mb(e.bytes_before)} -> {_mb(e.bytes_after)}  "
                    f"ratio {e.achieved_ratio or 0:.2f}x  {e.duration_s or 0:.0f}s"
                    if e.status == "SUCCESS"
                    else (e.error_message or "")
                )
                out.append(f"    {e.status:<8} {label:<40} {e.compression_to:<12} {detail}")

        temps = conn.execute(
            select(partition_access.c.temperature, func.count()).group_by(
                partition_access.c.temperature
            )
        ).all()
        if temps:
            out += [
                "",
                "ILM partitions by temperature: " + ", ".join(f"{t} {n}" for t, n in sorted(temps)),
            ]
        reasons = sorted(reason_counts(conn).items(), key=lambda item: -item[1])
        if reasons:
            out.append("Evaluation decisions: " + ", ".join(f"{r.value} {n}" for r, n in reasons))
        queue = conn.execute(
            select(ilm_queue.c.status, func.count()).group_by(ilm_queue.c.status)
        ).all()
        if queue:
            out.append("Queue by status: " + ", ".join(f"{s} {n}" for s, n in sorted(queue)))
        batch = conn.execute(select(ilm_batches).order_by(ilm_batches.c.batch_id.desc())).first()
        if batch is not None:
            out.append(
                f"Last ILM batch {batch.batch_id}: {batch.status}"
                f"{' (forced)' if batch.forced else ''}; {batch.reason or ''}"
            )
        log = conn.execute(
            select(
                execution_log.c.action,
                execution_log.c.status,
                func.count(),
                func.sum(execution_log.c.bytes_before - execution_log.c.bytes_after),
            ).group_by(execution_log.c.action, execution_log.c.status)
        ).all()
        if log:
            out.append("ILM actions (executed / skipped / failed):")
            for action, status, n, saved in sorted(log):
                out.append(f"    {action:<10} {status:<8} {n:>4}   space saved {_mb(saved)}")
        out += _merges(conn, warehouse)
        saved_c = conn.execute(
            select(func.coalesce(func.sum(compression_executions.c.space_saved), 0)).where(
                compression_executions.c.status == "SUCCESS"
            )
        ).scalar()
        saved_i = conn.execute(
            select(
                func.coalesce(
                    func.sum(execution_log.c.bytes_before - execution_log.c.bytes_after), 0
                )
            ).where(
                execution_log.c.status == "SUCCESS",
                execution_log.c.action.in_(("COMPRESS", "MOVE")),
            )
        ).scalar()
    out += [
        "",
        f"Space saved: compression {_mb(saved_c)}, ILM rewrites {_mb(saved_i)}",
        "Durations are simulated by the embedded warehouse from segment size and "
        "per-action throughput.",
        "=" * 72,
    ]
    return "\n".join(out)


_MERGE = re.compile(r'MERGE PARTITIONS (.+?) INTO PARTITION "([^"]+)"')
_RENAME = re.compile(r'RENAME PARTITION "[^"]+" TO "([^"]+)"')


def _merges(conn, warehouse) -> list[str]:
    """Each period consolidated: the statements that were sent (from the execution log) and
    the resulting partition as the live dictionary shows it now."""
    rows = conn.execute(
        select(execution_log.c.owner, execution_log.c.table_name, execution_log.c.ddl)
        .where(execution_log.c.action == "MERGE", execution_log.c.status == "SUCCESS")
        .order_by(execution_log.c.log_id)
    ).all()
    if not rows:
        return []
    out = ["Periods consolidated (MERGE PARTITIONS, result as the dictionary shows it now):"]
    for owner, table, text in rows:
        merged = _MERGE.search(text or "")
        if merged is None:
            continue
        sources = merged.group(1).count('"') // 2
        renamed = _RENAME.search(text or "")
        name = renamed.group(1) if renamed else merged.group(2)
        live = warehouse.segment(ObjectRef(owner, table, name))
        bound = upper_bound_date(live.high_value) if live and live.high_value else None
        state = (
            f"bound < {bound:%Y-%m-%d}, {live.num_rows:,} rows"
            if live is not None and bound is not None
            else "no longer in the dictionary"
        )
        how = f" (merged into {merged.group(2)}, then renamed)" if renamed else ""
        out.append(f"    {owner}.{table}: {sources} partitions -> {name}{how}; {state}")
    return out

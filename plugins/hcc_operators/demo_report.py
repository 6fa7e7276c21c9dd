"""The short report `make demo` prints, read from the repository after the runs.

Every number comes with what it counts: two averages of the same level measure different
things (the recommended objects at their recommended level, and every analysed object), and
the queue's PENDING count is split into the reasons the batch left each item waiting, so the
figures add up on the page. Sizes use the package's one convention (core/units.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.units import format_bytes
from hcc_operators.core.windows import Window
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

LEVELS = (
    ("ADVANCED", "ratio_advanced"),
    ("QUERY LOW", "ratio_query_low"),
    ("QUERY HIGH", "ratio_query_high"),
    ("ARCHIVE LOW", "ratio_archive_low"),
    ("ARCHIVE HIGH", "ratio_archive_high"),
)


def render_report(
    warehouse: Warehouse, states: dict[str, str], *, title: str = "embedded warehouse"
) -> str:
    engine = warehouse.repository_engine()
    out: list[str] = [
        "",
        "=" * 72,
        f"HCC compression & ILM demo report ({title})",
        "=" * 72,
        "DAG runs: " + ", ".join(f"{k}={v}" for k, v in states.items()),
    ]
    with engine.connect() as conn:
        out += _advisor(conn)
        out += _compressions(conn)
        out += _ilm(conn)
        out += _merges(conn, warehouse)
        out += _savings(conn)
    out += [
        "Sizes are binary (1 GiB = 1024^3 bytes). Durations are simulated by the embedded "
        "warehouse from segment size and per-action throughput.",
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


def _advisor(conn: Connection) -> list[str]:
    run = conn.execute(select(advisor_runs).order_by(advisor_runs.c.run_id.desc())).first()
    if run is None:
        return []
    r = advisor_results.c
    out = [
        "",
        f"Advisor run {run.run_id} ({run.strategy}): {run.status}, "
        f"{run.objects_analysed}/{run.objects_total} objects analysed, "
        f"{run.objects_failed} failed",
    ]
    rows = conn.execute(
        select(
            r.recommended,
            func.count(),
            func.avg(r.expected_ratio),
            func.sum(r.size_bytes),
            func.sum(r.estimated_savings),
        )
        .where(r.run_id == run.run_id, r.recommended.is_not(None))
        .group_by(r.recommended)
        .order_by(r.recommended)
    ).all()
    recommended = sum(n for _, n, _, _, _ in rows)
    out.append(
        f"  Recommendations ({recommended} objects; each row: the objects recommended that "
        "level, their average measured ratio AT that level, their total size and the space "
        "compressing them would save):"
    )
    for level, n, ratio, size, saved in rows:
        out.append(
            f"    {level:<13} {n:>5} objects  avg ratio {ratio or 0:5.2f}x  "
            f"{format_bytes(size or 0)} -> saves {format_bytes(saved or 0)}"
        )
    measured = conn.execute(
        select(func.count(), *(func.avg(getattr(r, column)) for _, column in LEVELS)).where(
            r.run_id == run.run_id, r.status == "SUCCESS"
        )
    ).one()
    out.append(
        f"  Measured ratio per level, averaged over all {measured[0]} analysed objects "
        "(recommended or not; differs from the rows above, which average only the objects "
        "recommended that level): "
        + ", ".join(
            f"{name} {value or 0:.2f}x"
            for (name, _), value in zip(LEVELS, measured[1:], strict=True)
        )
    )
    return out


def _compressions(conn: Connection) -> list[str]:
    c = compression_executions.c
    execs = conn.execute(
        select(compression_executions).where(c.operation == "COMPRESS").order_by(c.execution_id)
    ).all()
    if not execs:
        return []
    out = ["", "Compression executed by hcc_compress (size before -> after, simulated duration):"]
    for e in execs:
        label = ":".join(
            p for p in (f"{e.owner}.{e.table_name}", e.partition_name, e.subpartition_name) if p
        )
        detail = (
            f"{format_bytes(e.bytes_before)} -> {format_bytes(e.bytes_after)}  "
            f"ratio {e.achieved_ratio or 0:.2f}x  {e.duration_s or 0:.0f}s"
            if e.status == "SUCCESS"
            else (e.error_message or "")
        )
        out.append(f"    {e.status:<8} {label:<40} {e.compression_to:<12} {detail}")
    return out


def _ilm(conn: Connection) -> list[str]:
    out: list[str] = []
    temps = conn.execute(
        select(partition_access.c.temperature, func.count()).group_by(
            partition_access.c.temperature
        )
    ).all()
    if temps:
        out += [
            "",
            f"ILM refresh: {sum(n for _, n in temps)} partitions of the tables the policies "
            "target, by temperature: " + ", ".join(f"{t} {n}" for t, n in sorted(temps)),
        ]
    reasons = sorted(reason_counts(conn).items(), key=lambda item: -item[1])
    if reasons:
        out.append(
            f"ILM evaluation: {sum(n for _, n in reasons)} decisions, one per (policy, "
            "partition of a table the policy names): "
            + ", ".join(f"{r.value} {n}" for r, n in reasons)
        )
    queue = dict(
        conn.execute(select(ilm_queue.c.status, func.count()).group_by(ilm_queue.c.status)).all()
    )
    if queue:
        out.append(
            f"Queue: {sum(queue.values())} items queued by the evaluation; now "
            + ", ".join(f"{s} {n}" for s, n in sorted(queue.items()))
        )
    batch = conn.execute(select(ilm_batches).order_by(ilm_batches.c.batch_id.desc())).first()
    if batch is not None:
        out.append(
            f"Last ILM batch {batch.batch_id}: {batch.status}"
            f"{' (forced)' if batch.forced else ''}; {batch.reason or ''}"
        )
        out += _pending_explained(conn, batch, queue.get("PENDING", 0))
    out += _actions(conn)
    return out


def _pending_explained(conn: Connection, batch, pending: int) -> list[str]:
    """Why each PENDING item is still pending after the last batch, so 'n wait' in the batch's
    reason and 'PENDING m' in the queue line read together."""
    q = ilm_queue.c
    queued_since = conn.scalar(
        select(func.count()).where(q.status == "PENDING", q.enqueued_at > batch.started_at)
    )
    deferred = conn.scalar(
        select(func.count()).where(q.status == "PENDING", q.batch_id == batch.batch_id)
    )
    did_not_fit = batch.left_pending or 0
    # What is left: the batch's other counts, items behind another action on their partition
    # and beyond max_operations (its reason gives both numbers).
    behind_or_capped = pending - queued_since - deferred - did_not_fit
    return [
        f"  Why {pending} items are PENDING: {did_not_fit} did not fit this batch's window "
        f"budget and wait for a later window; {behind_or_capped} wait behind another action on "
        "their partition (one action per partition per batch) or were beyond max_operations; "
        f"{deferred} were planned but deferred when they started (not enough window left); "
        f"{queued_since} were queued after the batch started (follow-ups)."
    ]


def _actions(conn: Connection) -> list[str]:
    x = execution_log.c
    log = conn.execute(
        select(x.action, x.status, func.count(), func.sum(x.bytes_before - x.bytes_after)).group_by(
            x.action, x.status
        )
    ).all()
    if not log:
        return []
    out = ["ILM actions by outcome (space saved = size before - after of those actions):"]
    for action, status, n, saved in sorted(log):
        out.append(f"    {action:<10} {status:<8} {n:>4}   space saved {format_bytes(saved or 0)}")
    return out


@dataclass(frozen=True)
class FleetRow:
    warehouse: str
    timezone: str
    saved_bytes: int
    pending: int
    failed: int
    next_window: Window


def fleet_row(name: str, timezone: str, warehouse: Warehouse, next_window: Window) -> FleetRow:
    """One warehouse's line of the fleet overview, read from its own repository."""
    with warehouse.repository_engine().connect() as conn:
        by_compress, by_ilm = _saved(conn)
        q = ilm_queue.c
        pending = conn.scalar(select(func.count()).where(q.status == "PENDING"))
        failed = conn.scalar(select(func.count()).where(q.status == "FAILED"))
    return FleetRow(name, timezone, by_compress + by_ilm, pending, failed, next_window)


def render_fleet(rows: list[FleetRow]) -> str:
    """The fleet overview: each warehouse's totals and next window in its own zone."""
    out = ["", "=" * 72, f"Fleet: {len(rows)} warehouse(s)", "=" * 72]
    out.append(
        f"{'warehouse':<14}{'space saved':>12}{'pending':>9}{'failed':>8}   next window (local)"
    )
    for row in rows:
        opens = row.next_window.wall_open.strftime("%a %Y-%m-%d %H:%M")
        closes = row.next_window.wall_close.strftime("%H:%M")
        out.append(
            f"{row.warehouse:<14}{format_bytes(row.saved_bytes):>12}{row.pending:>9}"
            f"{row.failed:>8}   {opens}-{closes} {row.timezone}"
        )
    out += [
        "Each warehouse has its own DAGs (hcc_*__NAME), pools, connection and repository; the "
        "dashboard's warehouse selector and GET /hcc/fleet show the same per warehouse.",
        "=" * 72,
    ]
    return "\n".join(out)


def _saved(conn: Connection) -> tuple[int, int]:
    c, x = compression_executions.c, execution_log.c
    by_compress = conn.scalar(
        select(func.coalesce(func.sum(c.space_saved), 0)).where(
            c.status == "SUCCESS", c.operation == "COMPRESS"
        )
    )
    by_ilm = conn.scalar(
        select(func.coalesce(func.sum(x.bytes_before - x.bytes_after), 0)).where(
            x.status == "SUCCESS", x.action.in_(("COMPRESS", "MOVE"))
        )
    )
    return int(by_compress), int(by_ilm)


def _savings(conn: Connection) -> list[str]:
    c, x = compression_executions.c, execution_log.c
    by_compress = conn.scalar(
        select(func.coalesce(func.sum(c.space_saved), 0)).where(
            c.status == "SUCCESS", c.operation == "COMPRESS"
        )
    )
    by_ilm = conn.scalar(
        select(func.coalesce(func.sum(x.bytes_before - x.bytes_after), 0)).where(
            x.status == "SUCCESS", x.action.in_(("COMPRESS", "MOVE"))
        )
    )
    return [
        "",
        f"Space saved: {format_bytes(by_compress)} by hcc_compress (the executions listed "
        f"above), {format_bytes(by_ilm)} by ILM rewrites (the successful COMPRESS and MOVE "
        f"actions above), {format_bytes(by_compress + by_ilm)} in all.",
    ]

"""`hcc status`: last advisor run and its progress, last ILM batches, backlog, recent failures."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from hcc_operators.cli.common import add_at, add_connection, add_json, connected, now
from hcc_operators.cli.connection import airflow_ui_root
from hcc_operators.cli.exit_codes import OK
from hcc_operators.cli.output import Output, seconds
from hcc_operators.core.progress import progress
from hcc_operators.core.ui_links import work_path
from hcc_operators.core.units import format_bytes
from hcc_operators.repository.failures import recent_failures
from hcc_operators.repository.tables import advisor_runs, ilm_batches, ilm_queue
from hcc_operators.services.run_control import recent_runs

BATCHES = 5
FAILURES = 10


def add_parser(commands) -> None:
    parser = commands.add_parser("status", help="advisor progress, batches, backlog, failures")
    add_connection(parser)
    add_at(parser)
    add_json(parser)
    parser.set_defaults(run=run)


def collect(
    engine: Engine, at: datetime, ui_root: str = "", warehouse: str | None = None
) -> dict[str, Any]:
    """``warehouse``: whose DAGs the links name (the repository is that warehouse's)."""
    """Everything `hcc status` shows; task links are ``ui_root`` + the UI path."""
    with engine.connect() as conn:
        advisor = conn.execute(
            select(advisor_runs).order_by(advisor_runs.c.run_id.desc()).limit(1)
        ).first()
        batches = list(
            conn.execute(select(ilm_batches).order_by(ilm_batches.c.batch_id.desc()).limit(BATCHES))
        )
        backlog = list(
            conn.execute(
                select(
                    ilm_queue.c.policy_name,
                    ilm_queue.c.action,
                    func.count().label("items"),
                    func.coalesce(func.sum(ilm_queue.c.size_bytes), 0).label("bytes"),
                    func.min(ilm_queue.c.enqueued_at).label("oldest"),
                )
                .where(ilm_queue.c.status == "PENDING")
                .group_by(ilm_queue.c.policy_name, ilm_queue.c.action)
                .order_by(ilm_queue.c.policy_name)
            )
        )
        failures = recent_failures(conn, FAILURES)
    return {
        "advisor": _advisor(advisor, at),
        "batches": [
            {
                "batch_id": b.batch_id,
                "status": b.status,
                "run_type": b.run_type,
                "started_at": b.started_at,
                "finished_at": b.finished_at,
                "planned": b.planned,
                "succeeded": b.succeeded,
                "skipped": b.skipped,
                "failed": b.failed,
                "left_pending": b.left_pending,
                "reason": b.reason,
            }
            for b in batches
        ],
        "backlog": [
            {
                "policy": r.policy_name,
                "action": r.action,
                "items": r.items,
                "bytes": int(r.bytes),
                "oldest": r.oldest,
            }
            for r in backlog
        ],
        "failures": [
            {
                "at": f.at,
                "source": f.source,
                "object": f.object,
                "action": f.action,
                "error_code": f.error_code,
                "message": f.error_message,
                "resolved": f.resolved,
                "resolved_by": f.resolved_by,
                "task_url": (
                    ui_root + work_path(f.source, f.operation, f.dag_run_id, f.map_index, warehouse)
                    if f.dag_run_id
                    else None
                ),
            }
            for f in failures
        ],
        "dag_runs": [r.to_dict() for r in recent_runs(engine, limit=BATCHES)],
    }


def run(args: argparse.Namespace, out: Output) -> int:
    with connected(args) as wh:
        data = collect(
            wh.repository_engine(), now(args), airflow_ui_root(), getattr(args, "warehouse", None)
        )
    if args.json:
        out.json(data)
        return OK
    advisor = data["advisor"]
    out.heading("advisor")
    if advisor is None:
        out.line("no advisor run yet")
    else:
        p = advisor["progress"]
        out.line(
            f"run {advisor['run_id']} {advisor['status']} (strategy {advisor['strategy']}), "
            f"started {advisor['started_at']}: {p['objects_done']}/{p['objects_total']} objects, "
            f"{p['percent']}% done, {advisor['objects_failed']} failed"
            + (
                f", about {seconds(p['estimated_remaining_s'])} left"
                if advisor["status"] == "RUNNING" and p["estimated_remaining_s"]
                else ""
            )
        )
    out.heading("ILM batches")
    if data["batches"]:
        out.table(
            (
                "batch",
                "status",
                "type",
                "started",
                "planned",
                "ok",
                "skipped",
                "failed",
                "pending",
                "reason",
            ),
            [
                (
                    b["batch_id"],
                    b["status"],
                    b["run_type"],
                    b["started_at"],
                    b["planned"],
                    b["succeeded"],
                    b["skipped"],
                    b["failed"],
                    b["left_pending"],
                    b["reason"],
                )
                for b in data["batches"]
            ],
        )
    else:
        out.line("no batch yet")
    out.heading("backlog")
    if data["backlog"]:
        out.table(
            ("policy", "action", "items", "size", "oldest"),
            [
                (r["policy"], r["action"], r["items"], format_bytes(r["bytes"]), r["oldest"])
                for r in data["backlog"]
            ],
        )
    else:
        out.line("queue is empty")
    out.heading("recent failures")
    if data["failures"]:
        out.table(
            ("at", "object", "action", "code", "message", "now", "task"),
            [
                (
                    f["at"],
                    f["object"],
                    f["action"],
                    f["error_code"],
                    f["message"],
                    f"resolved: {f['resolved_by']}" if f["resolved"] else "open",
                    f["task_url"],
                )
                for f in data["failures"]
            ],
        )
    else:
        out.line("none")
    if data["dag_runs"]:
        out.heading("DAG runs")
        out.table(
            ("dag", "run", "type", "status", "objects", "actions", "errors", "started"),
            [
                (
                    r["dag_id"],
                    r["dag_run_id"],
                    r["run_type"],
                    r["status"],
                    r["objects_extracted"],
                    r["actions_done"],
                    r["errors"],
                    r["started_at"],
                )
                for r in data["dag_runs"]
            ],
        )
    return OK


def _advisor(row, at: datetime) -> dict[str, Any] | None:
    if row is None:
        return None
    until = row.finished_at or (at if row.status == "RUNNING" else row.updated_at) or at
    done = min(row.objects_analysed, row.objects_total)
    p = progress(
        done=done,
        total=row.objects_total,
        bytes_done=row.bytes_analysed,
        bytes_total=row.bytes_total,
        elapsed_s=max((until - row.started_at).total_seconds(), 0.0),
    )
    return {
        "run_id": row.run_id,
        "status": row.status,
        "strategy": row.strategy,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "objects_failed": row.objects_failed,
        "progress": p.to_dict(),
    }

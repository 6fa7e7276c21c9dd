"""`hcc plan`: what the next ILM batch would do, in what order, why, and with which DDL."""

from __future__ import annotations

import argparse

from hcc_operators.cli.batch_preview import preview_batch
from hcc_operators.cli.common import (
    add_at,
    add_config_dir,
    add_connection,
    add_json,
    bounded_int,
    connected,
    ilm_settings,
    now,
)
from hcc_operators.cli.exit_codes import OK
from hcc_operators.cli.output import Output, seconds
from hcc_operators.core.units import format_bytes
from hcc_operators.services.ilm_plan import MAX_MAP_LENGTH


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "plan", help="preview the next ILM batch (read-only)", description=__doc__
    )
    add_connection(parser)
    add_config_dir(parser)
    add_at(parser)
    add_json(parser)
    parser.add_argument("--force", action="store_true", help="plan as a forced run would")
    parser.add_argument(
        "--max-operations",
        type=bounded_int(1, MAX_MAP_LENGTH),
        help=f"cap on actions in one batch (default and maximum {MAX_MAP_LENGTH})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: Output) -> int:
    settings = ilm_settings(args)
    with connected(args) as wh:
        preview = preview_batch(
            wh,
            wh.repository_engine(),
            settings,
            now=now(args),
            force=args.force,
            max_operations=args.max_operations,
        )
    if args.json:
        out.json(preview.to_dict())
        return OK
    out.line(f"{preview.note}")
    rule = (
        ""
        if preview.forced
        else f" (an action starts only if predicted x {preview.margin:g} ends before the close)"
    )
    out.line(
        f"budget {seconds(preview.budget_s)}{rule}; {preview.pending} queue item(s) waiting; "
        f"{len(preview.items)} would run, {len(preview.waiting)} would wait"
    )
    if preview.items:
        out.table(
            (
                "#",
                "queue",
                "slot",
                "start",
                "predicted",
                "policy",
                "object",
                "action",
                "size",
                "why",
            ),
            [
                (
                    n,
                    i.queue_id,
                    i.slot,
                    f"+{seconds(i.start_s)}",
                    f"{seconds(i.predicted_s)} ({i.rate})",
                    i.policy,
                    i.label,
                    i.action,
                    format_bytes(i.size_bytes),
                    i.why,
                )
                for n, i in enumerate(preview.items, start=1)
            ],
            title="would run",
        )
        out.heading("DDL")
        for n, item in enumerate(preview.items, start=1):
            out.line(f"-- {n}. {item.label} ({item.action}, queue item {item.queue_id})")
            for statement in item.ddl:
                out.line(statement if statement.startswith("--") else statement + ";")
    if preview.waiting:
        out.table(
            ("queue", "object", "action", "predicted", "waits because"),
            [
                (w.queue_id, w.label, w.action, seconds(w.predicted_s), w.reason)
                for w in preview.waiting
            ],
            title="would wait",
        )
    return OK

"""`hcc reconcile BATCH_ID`: does the repository's account of a batch match the dictionary?

Exit 1 when an inconsistency is found (see services/reconciliation.py for the checks).
"""

from __future__ import annotations

import argparse

from hcc_operators.cli.common import (
    add_at,
    add_connection,
    add_json,
    connected,
    now,
    repository_id,
)
from hcc_operators.cli.exit_codes import OK, PROBLEM
from hcc_operators.cli.output import Output
from hcc_operators.services.reconciliation import reconcile_batch


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "reconcile",
        help="check a batch against the live dictionary",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("batch_id", type=repository_id, help="hcc_ilm_batches.batch_id")
    add_connection(parser)
    add_at(parser)
    add_json(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: Output) -> int:
    with connected(args) as wh:
        report = reconcile_batch(wh, wh.repository_engine(), args.batch_id, now=now(args))
    if args.json:
        out.json(report.to_dict())
    else:
        out.line(
            f"batch {report.batch_id}: {report.items} item(s), {report.verified} verified live, "
            f"{report.superseded} superseded by later actions, "
            f"{len(report.unverifiable)} not verifiable from storage state"
        )
        if report.findings:
            out.table(
                ("severity", "check", "queue", "object", "problem"),
                [(f.severity, f.check, f.queue_id, f.label, f.message) for f in report.findings],
            )
        else:
            out.line("consistent")
    return OK if report.ok else PROBLEM

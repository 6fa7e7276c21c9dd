"""`hcc queue`: list queue items, act on one (hold, release, cancel, requeue, priority), and
show its history.

The commands are core.queue_control.TRANSITIONS, the table the REST API and the dashboard use
too. A command that does not apply to the item's status exits 1 with the reason; every change
is recorded with --by (default: your OS user) and --reason.
"""

from __future__ import annotations

import argparse

from sqlalchemy import func, inspect, select

from hcc_operators import clock
from hcc_operators.cli.acting_user import actor, add_actor, reason
from hcc_operators.cli.common import add_connection, add_json, connected
from hcc_operators.cli.exit_codes import OK, PROBLEM, CliError
from hcc_operators.cli.output import Output
from hcc_operators.core.queue_control import (
    PRIORITY_MAX,
    PRIORITY_MIN,
    TRANSITIONS,
    QueueCommand,
    QueueStatus,
)
from hcc_operators.core.units import format_bytes
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import ilm_queue, queue_changes
from hcc_operators.services import queue_control

LIST_LIMIT = 50


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "queue",
        help="list, hold, release, cancel, requeue or re-prioritise ILM queue items",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="queue_command", metavar="ACTION")
    actions.required = True

    listing = actions.add_parser("list", help="queue items by priority, then age")
    listing.add_argument("--status", type=str.upper, choices=[s.value for s in QueueStatus])
    listing.add_argument("--policy")
    listing.add_argument("--limit", type=_count, default=LIST_LIMIT)
    add_connection(listing)
    add_json(listing)
    listing.set_defaults(run=run_list)

    for command, transition in TRANSITIONS.items():
        allowed = ", ".join(transition.allowed)
        sub = actions.add_parser(
            command.value,
            help=f"{transition.summary} (applies to {allowed})",
            description=f"{transition.summary}. Applies to {allowed} items.",
        )
        sub.add_argument("queue_id", type=_queue_id, metavar="ID")
        if command is QueueCommand.PRIORITY:
            sub.add_argument(
                "priority",
                type=_priority,
                metavar="PRIORITY",
                help=f"{PRIORITY_MIN}-{PRIORITY_MAX}, lower runs first",
            )
        add_actor(sub)
        add_connection(sub)
        add_json(sub)
        sub.set_defaults(run=run_command, queue_action=command)

    history = actions.add_parser("history", help="every change made to one queue item")
    history.add_argument("queue_id", type=_queue_id, metavar="ID")
    add_connection(history)
    add_json(history)
    history.set_defaults(run=run_history)


def _queue_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a queue item id") from None
    if not 1 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text!r} is not a queue item id") from None
    return value


def _priority(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"priority must be a whole number, got {text!r}") from None
    if not PRIORITY_MIN <= value <= PRIORITY_MAX:
        raise argparse.ArgumentTypeError(
            f"priority must be between {PRIORITY_MIN} and {PRIORITY_MAX} (lower runs first), "
            f"got {value}"
        )
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"--limit must be between 1 and 10000, got {text!r}")
    return value


def run_command(args: argparse.Namespace, out: Output) -> int:
    who = actor(args)
    why = reason(args)
    with connected(args) as wh:
        engine = wh.repository_engine()
        # Writing needs the audit table, which a repository from an older version lacks.
        create_all(engine)
        try:
            change = queue_control.apply_command(
                engine,
                args.queue_id,
                args.queue_action,
                actor=who,
                now=clock.now(),
                reason=why,
                priority=getattr(args, "priority", None),
            )
        except ValueError as err:
            raise CliError(str(err), PROBLEM) from None
    if args.json:
        out.json(change.to_dict())
        return OK
    because = f": {change.reason}" if change.reason else ""
    out.line(
        f"queue item {change.queue_id}: {change.field} {change.old_value} -> "
        f"{change.new_value} ({change.command} by {change.changed_by}{because})"
    )
    return OK


def run_history(args: argparse.Namespace, out: Output) -> int:
    with connected(args) as wh:
        engine = wh.repository_engine()
        if inspect(engine).has_table(queue_changes.name):
            changes = queue_control.history(engine, args.queue_id)
        else:  # a repository from before queue control: nobody has changed anything yet
            with engine.connect() as conn:
                known = conn.scalar(
                    select(ilm_queue.c.queue_id).where(ilm_queue.c.queue_id == args.queue_id)
                )
            if known is None:
                raise queue_control.QueueItemNotFound(f"queue item {args.queue_id} not found")
            changes = []
    if args.json:
        out.json([c.to_dict() for c in changes])
        return OK
    if not changes:
        out.line(f"queue item {args.queue_id}: no changes by operators recorded")
        return OK
    out.table(
        ("when", "command", "field", "from", "to", "by", "via", "reason"),
        [
            (
                c.changed_at.isoformat(timespec="seconds"),
                c.command,
                c.field,
                c.old_value,
                c.new_value,
                c.changed_by,
                c.changed_via,
                c.reason,
            )
            for c in changes
        ],
        title=f"queue item {args.queue_id}",
    )
    return OK


def run_list(args: argparse.Namespace, out: Output) -> int:
    q = ilm_queue.c
    stmt = select(ilm_queue).order_by(q.priority, q.enqueued_at, q.queue_id)
    count = select(func.count()).select_from(ilm_queue)
    if args.status:
        stmt, count = stmt.where(q.status == args.status), count.where(q.status == args.status)
    if args.policy:
        stmt, count = (
            stmt.where(q.policy_name == args.policy),
            count.where(q.policy_name == args.policy),
        )
    with connected(args) as wh, wh.repository_engine().connect() as conn:
        rows = conn.execute(stmt.limit(args.limit)).all()
        total = conn.scalar(count)
    items = [
        {
            "queue_id": r.queue_id,
            "status": r.status,
            "priority": r.priority,
            "policy": r.policy_name,
            "object": f"{r.owner}.{r.table_name}:{r.partition_name}",
            "action": r.action,
            "size_bytes": r.size_bytes,
            "attempts": r.attempts,
            "enqueued_at": r.enqueued_at,
            "last_error": r.last_error,
        }
        for r in rows
    ]
    if args.json:
        out.json({"items": items, "total": total})
        return OK
    out.table(
        ("id", "status", "prio", "policy", "object", "action", "size", "enqueued"),
        [
            (
                i["queue_id"],
                i["status"],
                i["priority"],
                i["policy"],
                i["object"],
                i["action"],
                format_bytes(i["size_bytes"]),
                i["enqueued_at"].isoformat(timespec="minutes"),
            )
            for i in items
        ],
        title=f"{len(items)} of {total} queue item(s)",
    )
    return OK

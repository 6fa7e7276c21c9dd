"""`hcc demo fault ...`: make the embedded demo warehouse fail the way Oracle would, to try
the retry and clear paths (docs/operations.md, "Trying the retry path on the demo").

Faults are stored in the warehouse file, so the Airflow workers that run the next actions see
them: `add` fails the next N actions on an object (a label or a glob), `random` fails any
action with a probability (repeatable for a seed) until cleared, `list` shows what is waiting
to fire, `clear` removes everything. Only the embedded warehouse has faults; a real Oracle
connection is refused.
"""

from __future__ import annotations

import argparse

from hcc_operators.cli.common import (
    add_connection,
    add_json,
    bounded_float,
    bounded_int,
    conn_id_of,
)
from hcc_operators.cli.connection import open_warehouse
from hcc_operators.cli.exit_codes import OK, PROBLEM, CliError
from hcc_operators.cli.output import Output
from hcc_operators.warehouse.embedded import EmbeddedWarehouse, FaultKind
from hcc_operators.warehouse.embedded.faults import DEFAULT_SLOW_FACTOR

#: Most actions one fault may fail; a slow action at most this many times slower.
MAX_TIMES = 1_000_000
FACTOR = bounded_float(0, 1000, above_minimum=True)

KINDS = ", ".join(
    f"{k.value} ({what})"
    for k, what in (
        (FaultKind.LOCK_HELD, "ORA-00054, nothing changes; transient, Airflow retries"),
        (FaultKind.TABLESPACE_FULL, "ORA-01688, nothing changes; the item waits"),
        (FaultKind.CONNECTION_LOST_BEFORE, "DPY-4011 before the statement"),
        (FaultKind.CONNECTION_LOST_AFTER_COMMIT, "ORA-03113 after the change committed"),
        (FaultKind.SLOW, "the action takes --factor times longer"),
    )
)


def add_parser(commands) -> None:
    demo = commands.add_parser(
        "demo",
        help="the embedded demo warehouse: fault injection",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    groups = demo.add_subparsers(dest="demo_command", metavar="COMMAND")
    groups.required = True
    fault = groups.add_parser(
        "fault", help="inject, list or clear faults", description=__doc__, epilog=f"kinds: {KINDS}"
    )
    actions = fault.add_subparsers(dest="fault_command", metavar="ACTION")
    actions.required = True

    add = actions.add_parser("add", help="fail the next N actions on an object")
    add.add_argument("target", help="OWNER.TABLE[:PARTITION[:SUB]], or a glob such as 'SALES.*'")
    add.add_argument("kind", type=str.upper, choices=[k.value for k in FaultKind])
    add.add_argument(
        "--times",
        type=bounded_int(1, MAX_TIMES),
        default=1,
        help=f"how many actions fail (default 1, at most {MAX_TIMES:,})",
    )
    add.add_argument("--factor", type=FACTOR, default=DEFAULT_SLOW_FACTOR, help="for SLOW")
    add.set_defaults(run=_add)

    rnd = actions.add_parser("random", help="fail any action with a probability, until cleared")
    rnd.add_argument("kind", type=str.upper, choices=[k.value for k in FaultKind])
    rnd.add_argument("--probability", type=bounded_float(0, 1), required=True, help="0 to 1")
    rnd.add_argument(
        "--seed",
        type=bounded_int(1, 2**31 - 1),
        default=1,
        help="the same seed fails the same actions",
    )
    rnd.add_argument("--factor", type=FACTOR, default=DEFAULT_SLOW_FACTOR, help="for SLOW")
    rnd.set_defaults(run=_random)

    listing = actions.add_parser("list", help="faults waiting to fire")
    listing.set_defaults(run=_list)
    clear = actions.add_parser("clear", help="remove every fault")
    clear.set_defaults(run=_clear)
    for parser in (add, rnd, listing, clear):
        add_connection(parser)
        add_json(parser)


def _embedded(args: argparse.Namespace) -> EmbeddedWarehouse:
    warehouse = open_warehouse(args.dsn, conn_id_of(args))
    if not isinstance(warehouse, EmbeddedWarehouse):
        warehouse.close()
        raise CliError(
            "fault injection exists only in the embedded demo warehouse (a sqlite:/// "
            "connection); this connection is a real database",
            PROBLEM,
        )
    return warehouse


def _add(args: argparse.Namespace, out: Output) -> int:
    with _embedded(args) as wh:
        fault_id = wh.inject_fault(args.target, args.kind, times=args.times, factor=args.factor)
    return _done(
        out,
        args,
        {"fault_id": fault_id},
        f"fault {fault_id}: the next {args.times} action(s) on {args.target} fail with {args.kind}",
    )


def _random(args: argparse.Namespace, out: Output) -> int:
    with _embedded(args) as wh:
        fault_id = wh.inject_random_faults(
            args.kind, args.probability, args.seed, factor=args.factor
        )
    return _done(
        out,
        args,
        {"fault_id": fault_id},
        f"fault {fault_id}: any action fails with "
        f"{args.kind} with probability {args.probability:g} until `hcc demo fault clear`",
    )


def _list(args: argparse.Namespace, out: Output) -> int:
    with _embedded(args) as wh:
        found = wh.pending_faults()
    if args.json:
        out.json([f.to_dict() for f in found])
    elif not found:
        out.line("no faults")
    else:
        out.table(
            ("id", "kind", "target", "remaining"),
            [
                (
                    f.fault_id,
                    f.kind.value,
                    f.target or f"random, p={f.probability:g}, seed {f.seed}",
                    "until cleared" if f.remaining is None else f.remaining,
                )
                for f in found
            ],
        )
    return OK


def _clear(args: argparse.Namespace, out: Output) -> int:
    with _embedded(args) as wh:
        removed = wh.clear_faults()
    return _done(out, args, {"removed": removed}, f"{removed} fault(s) removed")


def _done(out: Output, args: argparse.Namespace, data: dict, text: str) -> int:
    if args.json:
        out.json(data)
    else:
        out.line(text)
    return OK

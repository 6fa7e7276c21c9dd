"""`hcc lease status` and `hcc lease release`: the ILM execution lease, for operators.

`status` shows who holds the lease (a DAG run of hcc_ilm_execute) and until when, the tables
held by running actions, and the recent takeovers and releases.

`release` frees the lease of a run you know is dead (its Airflow run ended, or its worker
was killed), so the next batch need not wait for it to expire. It is audited: who (--by,
default your login name) and why (--reason, required) go to hcc_lease_events. The released
run counts as dead from then on: the next plan_batch re-verifies its RUNNING items from the
live dictionary at once. Never release the lease of a run that is still working: its actions
would then run beside the next batch's. Exit 1 when --holder does not hold the lease.
"""

from __future__ import annotations

import argparse
import getpass

from hcc_operators.cli.common import add_at, add_connection, add_json, connected, now
from hcc_operators.cli.exit_codes import OK, PROBLEM, CliError
from hcc_operators.cli.output import Output
from hcc_operators.core.names import Lease, lease
from hcc_operators.repository import lease_events, leases, table_locks

LEASE = lease(Lease.ILM_EXECUTE)


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "lease",
        help="show or release the ILM execution lease",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="lease_command", metavar="ACTION")
    actions.required = True
    status = actions.add_parser("status", help="who holds the lease, and which tables")
    add_connection(status)
    add_at(status)
    add_json(status)
    status.set_defaults(run=run_status)
    release = actions.add_parser(
        "release", help="free the lease of a dead run (audited)", description=__doc__
    )
    release.add_argument(
        "--holder",
        required=True,
        help="the DAG run id that holds it, as `hcc lease status` shows (guards against "
        "releasing a lease that changed hands meanwhile)",
    )
    release.add_argument("--reason", required=True, help="why: recorded with the release")
    release.add_argument("--by", help="who releases it; default your login name")
    add_connection(release)
    add_at(release)
    add_json(release)
    release.set_defaults(run=run_release)


def run_status(args: argparse.Namespace, out: Output) -> int:
    at = now(args)
    with connected(args) as wh:
        engine = wh.repository_engine()
        state = leases.current(engine, LEASE)
        locks = table_locks.held(engine)
        events = lease_events.recent(engine, LEASE, limit=10)
    if args.json:
        out.json(
            {
                "lease": LEASE,
                "holder": state.holder if state else None,
                "acquired_at": state.acquired_at.isoformat() if state else None,
                "expires_at": state.expires_at.isoformat() if state else None,
                "expired": state.expired(at) if state else None,
                "tables": [
                    {
                        "table": lock.label,
                        "holder": lock.holder,
                        "queue_id": lock.queue_id,
                        "expires_at": lock.expires_at.isoformat(),
                        "expired": lock.expires_at <= at,
                    }
                    for lock in locks
                ],
                "events": [
                    {
                        "event": e.event,
                        "holder": e.holder,
                        "new_holder": e.new_holder,
                        "actor": e.actor,
                        "reason": e.reason,
                        "at": e.happened_at.isoformat(),
                    }
                    for e in events
                ],
            }
        )
        return OK
    if state is None:
        out.line(f"lease {LEASE}: free")
    else:
        expiry = "EXPIRED at" if state.expired(at) else "until"
        out.line(
            f"lease {LEASE}: held by {state.holder} since {state.acquired_at.isoformat()}, "
            f"{expiry} {state.expires_at.isoformat()}"
        )
    if locks:
        out.table(
            ("table", "held by", "queue item", "until"),
            [(k.label, k.holder, k.queue_id, k.expires_at.isoformat()) for k in locks],
            title="tables held by running actions",
        )
    if events:
        out.table(
            ("at", "event", "from", "to", "by", "reason"),
            [
                (e.happened_at.isoformat(), e.event, e.holder, e.new_holder, e.actor, e.reason)
                for e in events
            ],
            title="recent takeovers and releases",
        )
    return OK


def run_release(args: argparse.Namespace, out: Output) -> int:
    reason = args.reason.strip()
    if not reason:
        raise CliError("--reason must say why the lease is released", PROBLEM)
    actor = (args.by or "").strip() or _login()
    at = now(args)
    with connected(args) as wh:
        engine = wh.repository_engine()
        released = leases.release_by_operator(
            engine, LEASE, holder=args.holder, actor=actor, reason=reason, now=at
        )
        state = leases.current(engine, LEASE)
    if not released:
        held = f"held by {state.holder}" if state else "free"
        raise CliError(f"{args.holder} does not hold {LEASE} (it is {held}); nothing released")
    if args.json:
        out.json({"lease": LEASE, "released": args.holder, "by": actor, "reason": reason})
    else:
        out.line(
            f"released {LEASE} held by {args.holder} (by {actor}: {reason}); the next batch "
            "re-verifies that run's RUNNING items from the live dictionary"
        )
    return OK


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in a container: the record still needs an actor
        return "unknown"

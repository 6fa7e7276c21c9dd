"""`hcc explain OWNER.TABLE:PARTITION`: per policy, eligible or the first reason why not.

The partition's state is read live from the dictionary (see live_state.py), and every policy
naming its table is decided by core.eligibility.explain, the same checks, in the same order,
as the nightly evaluation.
"""

from __future__ import annotations

import argparse

from hcc_operators.cli.common import (
    add_at,
    add_config_dir,
    add_connection,
    add_json,
    connected,
    ilm_settings,
    now,
    parse_object,
)
from hcc_operators.cli.exit_codes import OK
from hcc_operators.cli.live_state import live_partition_state
from hcc_operators.cli.output import Output
from hcc_operators.core.eligibility import explain
from hcc_operators.core.eligibility.facts import STORED_FACTS
from hcc_operators.core.units import format_bytes


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "explain",
        help="why each policy does or does not apply to a partition",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("object", metavar="OWNER.TABLE:PARTITION")
    add_connection(parser)
    add_config_dir(parser)
    add_at(parser)
    add_json(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: Output) -> int:
    ref = parse_object(args.object, partition="required")
    settings = ilm_settings(args)
    at = now(args)
    with connected(args, repository=False) as wh:
        state = live_partition_state(wh, ref, settings, now=at, engine=_engine_if_ready(wh))
        free = {name: ts.free_bytes for name, ts in wh.tablespaces().items()}
    details = explain(settings.policies, state, free)
    facts = {
        "object": state.ref.label,
        **{name: _plain(getattr(state, name)) for name in STORED_FACTS},
    }
    if args.json:
        out.json({"partition": facts, "decisions": [d.to_dict() for d in details]})
        return OK
    out.line(
        f"{state.ref.label}: age {state.age_days} days ({state.age_months} months), "
        f"{format_bytes(state.size_bytes)}, {state.compression.value} in {state.tablespace}"
        + (", read-only" if state.read_only else "")
        + (", newest partition" if state.is_newest else "")
    )
    if not details:
        out.line(f"no policy names {ref.owner}.{ref.table}")
        return OK
    out.table(
        ("policy", "action", "eligible", "reason", "why"),
        [(d.policy_name, d.plan.kind.value, d.eligible, d.reason.value, d.text) for d in details],
    )
    return OK


def _engine_if_ready(warehouse):
    from sqlalchemy import inspect

    engine = warehouse.repository_engine()
    return engine if inspect(engine).has_table("hcc_partition_access") else None


def _plain(value):
    # Enums (compression) as their dictionary spelling in JSON.
    return getattr(value, "value", value)

"""`hcc pools`: the Airflow pools the DAGs use, as `airflow pools import` reads them.

The slot counts come from core.names, the same numbers the batch planner packs into, so the
pool Airflow enforces and the lanes the planner assumes cannot drift. `make airflow-home`
imports this file; airflow_settings.yaml is checked against it by a test.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hcc_operators.cli.common import add_config_dir
from hcc_operators.cli.exit_codes import OK
from hcc_operators.cli.output import Output
from hcc_operators.core.fleet import load_fleet
from hcc_operators.core.names import POOL_DESCRIPTIONS, POOL_SLOTS, pool


def pool_definitions(config_dir: Path | None = None) -> dict[str, dict]:
    """{pool name: {"slots": n, "description": text, "include_deferred": false}} for every
    warehouse of the fleet: each has its own pools, so one warehouse's long night never
    holds another's slots."""
    return {
        pool(kind, spec.name): {
            "slots": POOL_SLOTS[kind],
            "description": POOL_DESCRIPTIONS[kind] + ("" if spec.is_default else f" ({spec.name})"),
            "include_deferred": False,
        }
        for spec in load_fleet(config_dir)
        for kind in POOL_SLOTS
    }


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "pools",
        help="print the Airflow pools (JSON for `airflow pools import`)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_dir(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: Output) -> int:
    out.json(pool_definitions(args.config_dir))
    return OK

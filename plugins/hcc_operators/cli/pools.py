"""`hcc pools`: the Airflow pools the DAGs use, as `airflow pools import` reads them.

The slot counts come from core.names, the same numbers the batch planner packs into, so the
pool Airflow enforces and the lanes the planner assumes cannot drift. `make airflow-home`
imports this file; airflow_settings.yaml is checked against it by a test.
"""

from __future__ import annotations

import argparse

from hcc_operators.cli.exit_codes import OK
from hcc_operators.cli.output import Output
from hcc_operators.core.names import POOL_DESCRIPTIONS, POOL_SLOTS, pool


def pool_definitions() -> dict[str, dict]:
    """{pool name: {"slots": n, "description": text, "include_deferred": false}}."""
    return {
        pool(kind): {
            "slots": POOL_SLOTS[kind],
            "description": POOL_DESCRIPTIONS[kind],
            "include_deferred": False,
        }
        for kind in POOL_SLOTS
    }


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "pools",
        help="print the Airflow pools (JSON for `airflow pools import`)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: Output) -> int:
    out.json(pool_definitions())
    return OK

"""`hcc policies`: record a change of policies.yaml under your name, and show who made each
version of a policy.

The evaluation DAG stores a changed policy as a new version when it next runs, recorded as made
by the user who triggered that run (or the scheduler). Run `hcc policies sync --by you --reason
...` after editing the file to record the change as yours, with its reason; the evaluation then
finds the version already stored.
"""

from __future__ import annotations

import argparse

from sqlalchemy import select

from hcc_operators import clock
from hcc_operators.cli.acting_user import actor, add_actor, reason
from hcc_operators.cli.common import add_config_dir, add_connection, add_json, connected
from hcc_operators.cli.common import ilm_settings as load_settings
from hcc_operators.cli.exit_codes import OK, PROBLEM, CliError
from hcc_operators.cli.output import Output
from hcc_operators.repository.policy_versions import policy_history
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import ilm_policies
from hcc_operators.services.ilm_evaluate import sync_policy_set


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "policies",
        help="record policies.yaml changes under your name; who made each policy version",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="policies_command", metavar="ACTION")
    actions.required = True

    sync = actions.add_parser("sync", help="store changed policies as new versions, as you")
    add_actor(sync)
    add_config_dir(sync)
    add_connection(sync)
    add_json(sync)
    sync.set_defaults(run=run_sync)

    history = actions.add_parser("history", help="every version of one policy, newest first")
    history.add_argument("name", metavar="POLICY")
    add_connection(history)
    add_json(history)
    history.set_defaults(run=run_history)


def _current(engine) -> dict[str, int]:
    p = ilm_policies.c
    with engine.connect() as conn:
        return dict(conn.execute(select(p.policy_name, p.version).where(p.is_current)).all())


def run_sync(args: argparse.Namespace, out: Output) -> int:
    who, why = actor(args), reason(args)
    policies = load_settings(args).policies  # a bad file stops here, naming file and field
    with connected(args) as wh:
        engine = wh.repository_engine()
        create_all(engine)  # the authorship columns, on a repository from an older version
        before = _current(engine)
        versions = sync_policy_set(engine, policies, now=clock.now(), actor=who, reason=why)
    changed = {n: v for n, v in versions.items() if before.get(n) != v}
    retired = sorted(set(before) - set(versions))
    if args.json:
        out.json({"versions": versions, "new_versions": changed, "retired": retired})
        return OK
    if not changed and not retired:
        out.line("policies.yaml matches the stored versions: nothing recorded")
        return OK
    for name, version in sorted(changed.items()):
        out.line(f"{name}: version {version} recorded, made by {who.name}")
    for name in retired:
        out.line(f"{name}: no longer in policies.yaml, retired by {who.name}")
    return OK


def run_history(args: argparse.Namespace, out: Output) -> int:
    with connected(args) as wh:
        versions = policy_history(wh.repository_engine(), args.name)
    if not versions:
        raise CliError(f"policy {args.name!r} has no stored version", PROBLEM)
    versions.reverse()  # newest first, as the API lists them
    if args.json:
        out.json(versions)
        return OK
    out.table(
        ("version", "current", "created", "by", "via", "reason", "retired by"),
        [
            (
                v["version"],
                bool(v["is_current"]),
                v["created_at"].isoformat(timespec="minutes"),
                v.get("created_by"),
                v.get("created_via"),
                v.get("change_reason"),
                v.get("superseded_by"),
            )
            for v in versions
        ],
        title=f"policy {args.name}",
    )
    return OK

"""Hostile command lines, generated from the `hcc` parser itself.

Every subcommand's arguments are read from ``build_parser()``; each argument that takes a
value is fed the hostile values of its kind (integers, instants, DSNs, object names, config
folders, any other text) while the others keep valid values, and every command that reads
the clock also runs under hostile ``HCC_NOW`` values. Each run goes through ``main()`` as the
installed command does, on an embedded demo warehouse with its repository.

A run ends in a documented exit code (cli/exit_codes.py) with one "hcc: error" line on stderr,
or it is a failure of this test: an exception escaping main() or exit code 3 (INTERNAL) counts
as a traceback, exit 0 for a value that is invalid as a silent acceptance. The values in the
tables are all invalid for the arguments they are given to, so every one is a due refusal
(except for the "any other text" table, used for arguments the corpus has no rule for).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert

from hcc_operators.cli import exit_codes
from hcc_operators.cli.main import build_parser, main

from .figures import record

INT_TEXTS = [
    str(2**63),
    "99999999999999999999",
    str(-(2**63) - 1),
    "-5",
    "0",
    "1e3",
    "NaN",
    "",
    "0x10",
    "١٢",
    "1.5",
    "abc",
]
INSTANT_TEXTS = [
    "9999-12-31T00:00",
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00+00:00",
    "1969-12-31T23:59+00:00",
    "2026-13-01T00:00+00:00",
    "2026-03-06T25:00+00:00",
    "2026-03-06",
    "garbage",
    "",
]
NAME_TEXTS = [
    "SALES\n.ORDERS_FACT",
    "SALES.ORDERS_FACT\n",
    "SELECT.X",
    '"',
    'SALES."a"b"',
    "A.B:C:D:E",
    "NODOT",
    "",
    "x" * 5000,
    "SALES.ORDERS_FACT:P_9999_99",
    "NOSUCH.TABLE",
]
OTHER_TEXTS = ["SALES\n", "\x00", "x" * 5000, ""]
#: Environment values of HCC_NOW for commands that read the clock.
NOW_TEXTS = ["garbage", "9999-12-31T23:59+00:00", "2026-03-06", "0001-01-01T00:00-12:00"]
#: Never a finite number inside any of the CLI's float bounds (all start at 0 or above).
FLOAT_TEXTS = ["nan", "inf", "-inf", "-1", "1e400", "abc", "", "0x1p3"]
INT_TYPES = {"int", "repository_id", "<lambda>", "_sample_rows"}


@dataclass
class Run:
    command: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    refusal_due: bool = True
    label: str = ""


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A demo warehouse with its repository (one finished batch), a config copy, bad files."""
    import shutil

    from hcc_operators.core.paths import project_root
    from hcc_operators.repository.schema import create_all
    from hcc_operators.repository.tables import ilm_batches
    from hcc_operators.warehouse.embedded import build_warehouse

    for name in ("HCC_DSN", "AIRFLOW_HOME", "AIRFLOW_CONN_HCC_WAREHOUSE", "HCC_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("HCC_NOW", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/airflow: no Airflow lookup
    path = tmp_path / "demo.db"
    wh = build_warehouse(path, seed=7, today=date(2026, 3, 6))
    create_all(wh.repository_engine())
    at = datetime(2026, 3, 5, 22, tzinfo=UTC)
    with wh.repository_engine().begin() as conn:
        conn.execute(
            insert(ilm_batches).values(
                batch_id=1, status="COMPLETED", planned=0, started_at=at, finished_at=at
            )
        )
    wh.close()
    config = tmp_path / "config"
    shutil.copytree(project_root() / "include" / "config", config)
    broken = tmp_path / "broken"
    shutil.copytree(config, broken)
    for damaged in broken.glob("*.yaml"):  # every file a command may read is damaged
        damaged.write_bytes(b"key: [\xff\n" + b"[" * 20_000)
    (tmp_path / "not_a_db").write_text("hello")
    (tmp_path / "plain_file").write_text("x")
    return {
        "dsn": f"sqlite:///{path}",
        "config": str(config),
        "hostile_dsns": [
            "sqlite:////etc/passwd",
            "sqlite:////etc",
            f"sqlite:///{tmp_path / 'not_a_db'}",
            f"sqlite:///{tmp_path / 'missing.db'}",
            "sqlite:///",
            "sqlite:///" + "x" * 5000,
            "",
            "postgresql://u:p@127.0.0.1:1/x",
            "oracle+oracledb://u:p@127.0.0.1:1/?service_name=nothing",
        ],
        "hostile_config_dirs": [
            str(tmp_path / "no_such_folder"),
            str(tmp_path / "plain_file"),
            str(broken),
        ],
    }


#: Valid values of arguments with no general rule, by command and dest.
VALID_VALUES = {
    ("explain", "object"): "SALES.ORDERS_FACT:P_2020_01",
    ("estimate", "object"): "SALES.CUSTOMERS",
    ("estimate", "sample_rows"): "2000",
    ("reconcile", "batch_id"): "1",
    **{(f"queue {c}", "queue_id"): "1" for c in ("hold", "release", "cancel", "requeue")},
    ("queue priority", "queue_id"): "1",
    ("queue priority", "priority"): "5",
    ("queue history", "queue_id"): "1",
    ("policies history", "name"): "compress_warm_query_high",
    ("lease release", "holder"): "manual__nobody",
    ("demo fault add", "target"): "SALES.ORDERS_FACT",
    ("demo fault random", "probability"): "0.5",
    ("demo fault random", "seed"): "7",
}
#: Commands that act on repository state the corpus world does not hold (queue item 1, a
#: lease): their baseline may be refused, but only clearly (exit 1 or 2 with an error line).
BASELINE_MAY_REFUSE = {
    "queue hold",
    "queue release",
    "queue cancel",
    "queue requeue",
    "queue priority",
    "queue history",
    "lease release",
}
#: Commands that write files (config-reference --write) or print only (pools): no values.
SKIPPED = {"config-reference"}


def _subcommands(
    parser: argparse.ArgumentParser | None = None,
) -> dict[str, argparse.ArgumentParser]:
    """Every command line shape, nested groups flattened: "queue hold", "lease status", ..."""
    parser = parser or build_parser()
    found: dict[str, argparse.ArgumentParser] = {}
    for group in [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]:
        for name, sub in group.choices.items():
            nested = _subcommands(sub)
            if nested:
                found.update({f"{name} {inner}": p for inner, p in nested.items()})
            else:
                found[name] = sub
    return found


def _valued(sub: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a
        for a in sub._actions
        if a.dest != "help" and not isinstance(a, argparse._StoreConstAction) and a.nargs != 0
    ]


def _table(action: argparse.Action, world: dict) -> tuple[list[str], bool]:
    kind = getattr(action.type, "__name__", None) if action.type else None
    if kind in INT_TYPES:
        return INT_TEXTS, True
    if kind == "bounded_float":
        return FLOAT_TEXTS, True
    if action.dest == "at":
        return INSTANT_TEXTS, True
    if action.dest == "dsn":
        return world["hostile_dsns"], True
    if action.dest == "config_dir":
        return world["hostile_config_dirs"], True
    if action.dest == "object":
        return NAME_TEXTS, True
    return OTHER_TEXTS, False


def runs_for(command: str, sub: argparse.ArgumentParser, world: dict) -> list[Run]:
    actions = _valued(sub)
    valid: dict[str, str] = {}
    for action in actions:
        if (command, action.dest) in VALID_VALUES:
            valid[action.dest] = VALID_VALUES[command, action.dest]
        elif action.choices:
            valid[action.dest] = str(next(iter(action.choices)))
        elif not action.option_strings:
            valid[action.dest] = "X"
        elif action.dest == "dsn":
            valid[action.dest] = world["dsn"]
        elif action.dest == "config_dir":
            valid[action.dest] = world["config"]
        elif action.dest == "at":
            valid[action.dest] = "2026-03-05T23:00:00+00:00"

    def argv(values: dict[str, str]) -> list[str]:
        # Options as --name=value (a value may start with "-"), positionals after "--".
        options = [
            f"{a.option_strings[0]}={values[a.dest]}"
            for a in actions
            if a.option_strings and a.dest in values
        ]
        positionals = [values[a.dest] for a in actions if not a.option_strings]
        return [*command.split(), *options, *(["--", *positionals] if positionals else [])]

    runs = [Run(command, argv(valid), refusal_due=False, label="baseline")]
    for action in actions:
        texts, due = _table(action, world)
        for text in texts:
            runs.append(Run(command, argv({**valid, action.dest: text}), {}, due, f"{action.dest}"))
    if "at" in valid:  # reads the clock: HCC_NOW matters when --at is not given
        without_at = {k: v for k, v in valid.items() if k != "at"}
        for text in NOW_TEXTS:
            runs.append(Run(command, argv(without_at), {"HCC_NOW": text}, True, "HCC_NOW"))
    return runs


def _documented_codes() -> dict[int, str]:
    return {
        int(code): text
        for code, text in re.findall(r"^\s+(\d)\s+(.+)$", exit_codes.DESCRIPTION, re.M)
    }


def test_exit_codes_described_are_the_constants():
    constants = {exit_codes.OK, exit_codes.PROBLEM, exit_codes.WAREHOUSE, exit_codes.INTERNAL}
    assert set(_documented_codes()) == constants
    assert exit_codes.DESCRIPTION in build_parser().epilog


def test_generated_cli_corpus(world, capsys, monkeypatch):
    subcommands = _subcommands()
    runs = [
        run
        for command, sub in subcommands.items()
        if command not in SKIPPED
        for run in runs_for(command, sub, world)
    ]
    counts: Counter[str] = Counter()
    tracebacks, silent, unclear, baselines = [], [], [], []
    refusal_codes = {exit_codes.PROBLEM, exit_codes.WAREHOUSE}
    for run in runs:
        with monkeypatch.context() as env:
            for name, value in run.env.items():
                env.setenv(name, value)
            try:
                code = main(run.argv)
            except SystemExit as exc:  # argparse usage errors exit through SystemExit
                code = exc.code
            except Exception as exc:  # what the corpus exists to find
                code = None
                tracebacks.append(f"{run.argv[:3]} {run.env}: {type(exc).__name__}: {exc}")
        out, err = capsys.readouterr()
        where = f"{' '.join(run.argv)[:160]!r} {run.env}"
        counts[f"exit {code}"] += 1
        if code == exit_codes.INTERNAL or "Traceback" in err:
            tracebacks.append(f"{where}: exit {code}: {err[-300:]}")
        elif run.label == "baseline":
            refused_clearly = code in refusal_codes and "error" in out + err
            if code != exit_codes.OK and not (
                run.command in BASELINE_MAY_REFUSE and refused_clearly
            ):
                baselines.append(f"{where}: exit {code}: {err[-300:]}")
        elif run.refusal_due:
            counts["refusals due"] += 1
            if code == exit_codes.OK:
                silent.append(where)
            # `hcc validate` reports in its table (stdout); the others one line on stderr.
            elif code not in refusal_codes or "error" not in out + err:
                unclear.append(f"{where}: exit {code}: {err[-200:]!r}")
    figures = {
        "commands": len([c for c in subcommands if c not in SKIPPED]),
        "command lines tried": len(runs),
        "refusals due": counts["refusals due"],
        "exit 1": counts["exit 1"],
        "exit 2": counts["exit 2"],
        "tracebacks": len(tracebacks),
        "silent acceptances": len(silent),
        "unclear refusals": len(unclear),
    }
    record(
        "cli",
        figures,
        {"tracebacks": tracebacks[:20], "silent": silent[:20], "unclear": unclear[:20]},
    )
    assert baselines == [], "a baseline failed: the corpus would prove nothing"
    assert len(runs) > 150, "the generated corpus shrank"
    assert tracebacks == []
    assert silent == []
    assert unclear == []

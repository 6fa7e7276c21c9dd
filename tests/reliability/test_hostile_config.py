"""Hostile configuration: a corpus generated from mutation tables over the real config files.

Every file of include/config (plus a CUSTOM policy, so strategy params are covered too) is
mutated three ways, and each mutant is checked exactly as `hcc validate` checks it
(``validate_files``):

* whole-file mutations (FILE_MUTATIONS): bytes that are not UTF-8, a directory, 20,000-deep
  nesting, an alias bomb, a duplicate key, ... applied to every file;
* value mutations generated from the parsed file: every scalar (list items included) is
  replaced by every value of the table for its kind, every mapping gets an unknown key and a
  duplicated key;
* the cases issue 16 names (SEMANTIC), as edits of the real files.

A mutant ends in exactly one of: a clear error (a ConfigError whose text names the file and,
for a value mutation, the field), an unclear error (names neither), acceptance, or a
traceback (any other exception). Where the table says a refusal is due, acceptance is a
"silent acceptance". The test asserts tracebacks, unclear errors and silent acceptances are 0,
and records the figures (figures.py).
"""

from __future__ import annotations

import copy
import math
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hcc_operators.cli.main import main
from hcc_operators.cli.validate import FILES, validate_files
from hcc_operators.core.config_yaml import MAX_FILE_BYTES, load_config_file
from hcc_operators.core.paths import project_root
from hcc_operators.core.policy_config import POLICIES_FILE
from hcc_operators.strategies.config import STRATEGIES_FILE

from .figures import record
from .yaml_text import Duplicate, dump

#: Added to the shipped policies so CUSTOM params are part of the corpus.
CUSTOM_POLICY = {
    "name": "recompress_decayed_sales",
    "priority": 70,
    "tables": ["SALES.ORDERS_FACT"],
    "action": {
        "type": "CUSTOM",
        "strategy": "recompress_if_decayed",
        "params": {"max_decayed_fraction": 0.3, "sample_rows": 50000},
    },
    "conditions": {"min_age_months": 6},
}

UNKNOWN_KEY = "hcc_unknown_key"

#: Replacement values by the kind of the scalar they replace, and whether every field of that
#: kind must refuse them. Numbers: every numeric field is finite and bounded (core models).
#: Structures: no scalar field takes a list or a mapping. Text and null: legal in some fields
#: (a description may be empty, an optional field null), so only "no traceback" is asked.
NUMERIC_VALUES = {
    "int_1e20": 10**20,
    "int_2p63": 2**63,
    "int_minus_1e20": -(10**20),
    "inf": math.inf,
    "nan": math.nan,
}
STRUCTURE_VALUES = {"list": [1, 2], "mapping": {UNKNOWN_KEY: 1}}
TEXT_VALUES = {"empty_text": "", "newline_text": "SALES\n", "long_text": "x" * 10_000}
NULL_VALUES = {"null": None}

BOMB = "\n".join(
    [
        "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        *(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)),
    ]
)


@dataclass(frozen=True)
class Mutant:
    file: str
    name: str
    write: Callable[[Path], None]  # makes the mutated file at this path
    refusal_due: bool
    expect: str | None = None  # a fragment the error must contain
    field: str | None = None  # the field (key) the error must name


@dataclass
class Outcome:
    kind: str  # clear_error, unclear_error, accepted, traceback
    detail: str


def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _directory(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.mkdir()


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _first_key(text: str) -> str:
    for line in text.splitlines():
        if line and not line.startswith((" ", "#", "-")) and ":" in line:
            return line.split(":", 1)[0]
    raise AssertionError("no top-level key")


def file_mutations(name: str, original: str) -> list[Mutant]:
    """FILE_MUTATIONS: the same damage done to every file."""
    mutants = [
        Mutant(
            name,
            "invalid_utf8",
            _bytes(original.encode() + b"\n# caf\xe9 \xff\n"),
            True,
            "not valid UTF-8",
        ),
        Mutant(name, "directory", _directory, True, "is a directory"),
        Mutant(
            name,
            "deep_nesting_20000",
            _text(original + "\nhcc_deep: " + "[" * 20_000 + "]" * 20_000 + "\n"),
            True,
            "nested deeper",
        ),
        Mutant(
            name,
            "alias_bomb",
            _text(original + "\nhcc_bomb:\n" + "\n".join("  " + x for x in BOMB.splitlines())),
            True,
            "expands to more than",
        ),
        Mutant(
            name,
            "duplicate_top_level_key",
            _text(original + f"\n{_first_key(original)}: null\n"),
            True,
            "duplicate key",
        ),
        Mutant(name, "list_not_mapping", _text("- just\n- a list\n"), True, None),
        Mutant(
            name,
            "oversized",
            _text("# " + "x" * MAX_FILE_BYTES + "\n" + original),
            True,
            "larger than",
        ),
        Mutant(name, "nul_byte", _text(original + "\nhcc_x: \x00\n"), True, "not valid YAML"),
        Mutant(name, "tab_indent", _text("a:\n\tb: 1\n"), True, "not valid YAML"),
        Mutant(name, "unclosed_flow", _text(original + "\nhcc_x: [1, 2\n"), True, None),
        Mutant(name, "python_tag", _text("a: !!python/object/apply:os.system [id]\n"), True),
        Mutant(name, "empty", _text(""), False),
    ]
    if hasattr(os, "mkfifo"):
        mutants.append(Mutant(name, "fifo", _fifo, True, "not a regular file"))
    if name == POLICIES_FILE:
        # The case: the bomb inside CUSTOM params, where nothing else would catch it.
        params = "\n".join("          " + x for x in BOMB.splitlines())
        bomb_policy = (
            "\n  - name: bomb\n    tables: [SALES.ORDERS_FACT]\n    action:\n"
            "      type: CUSTOM\n      strategy: recompress_if_decayed\n      params:\n"
            "        hcc:\n" + params + "\n"
        )
        mutants.append(
            Mutant(
                name,
                "alias_bomb_in_custom_params",
                _text(original + bomb_policy),
                True,
                "expands to more than",
            )
        )
    return mutants


def _walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*path, index))


def _replace(data: Any, path: tuple, value: Any) -> Any:
    mutated = copy.deepcopy(data)
    if not path:
        return value
    holder = mutated
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return mutated


def _field(path: tuple) -> str | None:
    """The key an error about ``path`` must name: the last mapping key on it."""
    keys = [step for step in path if isinstance(step, str)]
    return keys[-1] if keys else None


def value_mutations(name: str, data: Any) -> list[Mutant]:
    mutants = []
    for path, value in _walk(data):
        where = "/".join(map(str, path)) or "(top)"
        if isinstance(value, dict):
            mutants.append(
                Mutant(
                    name,
                    f"{where}: unknown key",
                    _text(dump(_replace(data, path, {**value, UNKNOWN_KEY: 1}))),
                    True,
                    field=UNKNOWN_KEY,
                )
            )
            if value:
                key = next(iter(value))
                mutants.append(
                    Mutant(
                        name,
                        f"{where}: duplicate key",
                        _text(dump(_replace(data, path, Duplicate(value, key)))),
                        True,
                        "duplicate key",
                        field=str(key),
                    )
                )
            continue
        if isinstance(value, list) or not path:
            continue
        table: dict[str, tuple[Any, bool]] = {}
        if isinstance(value, int | float) and not isinstance(value, bool):
            table |= {k: (v, True) for k, v in NUMERIC_VALUES.items()}
        if isinstance(value, str):
            table |= {k: (v, False) for k, v in TEXT_VALUES.items()}
        table |= {k: (v, True) for k, v in STRUCTURE_VALUES.items()}
        table |= {k: (v, False) for k, v in NULL_VALUES.items()}
        for label, (replacement, due) in table.items():
            mutants.append(
                Mutant(
                    name,
                    f"{where} = {label}",
                    _text(dump(_replace(data, path, replacement))),
                    due,
                    field=_field(path) if due else None,
                )
            )
    return mutants


def _edit(data: dict, edit: Callable[[dict], None]) -> Callable[[Path], None]:
    mutated = copy.deepcopy(data)
    edit(mutated)
    return _text(dump(mutated))


def _set(*assignments: tuple[tuple, Any]) -> Callable[[dict], None]:
    def apply(data: dict) -> None:
        for path, value in assignments:
            holder = data
            for step in path[:-1]:
                holder = holder.setdefault(step, {})
            holder[path[-1]] = value

    return apply


def _add_policy(policy: dict) -> Callable[[dict], None]:
    return lambda data: data["policies"].append(policy)


DROP_YOUNG = {
    "name": "purge_staging",
    "tables": ["SALES.ORDERS_FACT"],
    "action": {"type": "DROP"},
    "allow_destructive": True,
    "conditions": {"min_age_days": 0},
}


def semantic_mutations(base: dict[str, Any]) -> list[Mutant]:
    """The cases issue 16 names, as edits of the real files: (file, name, edit, due, expect)."""
    schedule, policies = base["schedule.yaml"], base[POLICIES_FILE]
    housekeeping, advisor = base["housekeeping.yaml"], base["advisor.yaml"]
    table = [
        (
            "schedule.yaml",
            "no window at all",
            _set((("weekday", "enabled"), False), (("weekend", "enabled"), False)),
            True,
            "no maintenance window on any day",
        ),
        (
            "schedule.yaml",
            "every longer than the window",
            _set((("weekday", "every"), "9h")),
            True,
            "longer than the window",
        ),
        (
            "schedule.yaml",
            "every 99999999999999999999h",
            _set((("weekday", "every"), "99999999999999999999h")),
            True,
            "longer than 24h",
        ),
        (
            "schedule.yaml",
            "invalid date key in extra_dates",
            _set((("holidays", "extra_dates", "2026-02-30"), "Leap")),
            True,
            "2026-02-30",
        ),
        (
            "schedule.yaml",
            "invalid date key in by_date",
            _set((("holidays", "by_date", "2026-13-01"), "weekend")),
            True,
            "2026-13-01",
        ),
        (
            "housekeeping.yaml",
            "retention of 10^11 days",
            _set((("retention", "execution_log_days"), 10**11)),
            True,
            "execution_log_days",
        ),
        (
            "housekeeping.yaml",
            "retention .inf",
            _set((("retention", "alerts_days"), math.inf)),
            True,
            "alerts_days",
        ),
        (
            POLICIES_FILE,
            "DROP with min_age_days 0, not acknowledged",
            _add_policy(DROP_YOUNG),
            True,
            "acknowledge_young_data",
        ),
        (
            POLICIES_FILE,
            "priority 10^20",
            _set((("policies",), [{**policies["policies"][0], "priority": 10**20}])),
            True,
            "priority",
        ),
        ("advisor.yaml", "sample_rows -5", _set((("defaults", "sample_rows"), -5)), True, None),
        (
            POLICIES_FILE,
            "DROP with min_age_days 0, acknowledged (legal)",
            _add_policy({**DROP_YOUNG, "acknowledge_young_data": True}),
            False,
            None,
        ),
    ]
    sources = {
        "schedule.yaml": schedule,
        POLICIES_FILE: policies,
        "housekeeping.yaml": housekeeping,
        "advisor.yaml": advisor,
    }
    return [
        Mutant(file, name, _edit(sources[file], edit), due, expect)
        for file, name, edit, due, expect in table
    ]


#: Strategy modules that misbehave at import, registered in strategies.yaml.
HOSTILE_MODULES = {
    "calls_sys_exit": "import sys\nsys.exit(3)\n",
    "raises_system_exit": "raise SystemExit('bye')\n",
    "raises_runtime_error": "raise RuntimeError('boom')\n",
    "syntax_error": "def broken(:\n",
    "exits_in_constructor": "import sys\nclass Mine:\n    def __init__(self):\n        sys.exit(1)\n",
}


def strategy_module_mutations(modules: Path) -> list[Mutant]:
    mutants = []
    for label, body in HOSTILE_MODULES.items():
        module = f"hcc_hostile_{label}"
        (modules / f"{module}.py").write_text(body)
        mutants.append(
            Mutant(
                STRATEGIES_FILE,
                f"strategy module that {label.replace('_', ' ')}",
                _text(f"strategies:\n  mine: {module}:Mine\n"),
                True,
                "strategy 'mine'",
                field="strategies.mine",
            )
        )
    return mutants


def judge(folder: Path, mutant: Mutant) -> Outcome:
    names = (mutant.file,) if mutant.file != POLICIES_FILE else (POLICIES_FILE, STRATEGIES_FILE)
    try:
        reports = validate_files(folder, names)
    except Exception as err:  # what the corpus exists to find
        return Outcome("traceback", f"{type(err).__name__}: {err}"[:300])
    errors = [e for r in reports for e in r.errors]
    if not errors:
        return Outcome("accepted", "")
    text = " | ".join(errors)
    path = str(folder / mutant.file)
    clear = path in text
    if mutant.field is not None and mutant.field not in text:
        clear = False
    if mutant.expect is not None and mutant.expect not in text:
        clear = False
    return Outcome("clear_error" if clear else "unclear_error", text[:300])


@pytest.fixture
def base_folder(tmp_path, monkeypatch) -> tuple[Path, dict[str, str], dict[str, Any], Path]:
    folder = tmp_path / "config"
    shutil.copytree(project_root() / "include" / "config", folder)
    # Appended as a block-style list item, so the file keeps its own layout and comments and
    # the whole-file mutations below append to YAML that is still block style.
    with (folder / POLICIES_FILE).open("a") as policies:
        policies.write(f"\n  - {dump(CUSTOM_POLICY)}\n")
    texts = {name: (folder / name).read_text() for name in FILES}
    data = {name: load_config_file(folder / name) for name in FILES}
    modules = tmp_path / "modules"
    modules.mkdir()
    monkeypatch.syspath_prepend(str(modules))
    return folder, texts, data, modules


def _restore(folder: Path, name: str, text: str) -> None:
    path = folder / name
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists() or path.is_fifo():
        path.unlink()
    path.write_text(text)


def test_generated_configuration_corpus(base_folder):
    folder, texts, data, modules = base_folder
    # The unmutated files pass, also when written the way the mutants are (flow style): the
    # corpus starts from files that are valid, so every refusal is the mutation's doing.
    for name in FILES:
        assert [e for r in validate_files(folder, (name,)) for e in r.errors] == [], name
        _text(dump(data[name]))(folder / name)
        assert [e for r in validate_files(folder, (name,)) for e in r.errors] == [], name
        _restore(folder, name, texts[name])

    mutants: list[Mutant] = []
    for name in FILES:
        mutants += file_mutations(name, texts[name])
        mutants += value_mutations(name, data[name])
    mutants += semantic_mutations(data)
    mutants += strategy_module_mutations(modules)

    counts: Counter[str] = Counter()
    silent: list[str] = []
    bad: list[str] = []
    for mutant in mutants:
        mutant.write(folder / mutant.file)
        try:
            outcome = judge(folder, mutant)
        finally:
            _restore(folder, mutant.file, texts[mutant.file])
        counts[outcome.kind] += 1
        if mutant.refusal_due:
            counts["refusal_due"] += 1
            if outcome.kind == "accepted":
                silent.append(f"{mutant.file}: {mutant.name}")
        if outcome.kind in ("traceback", "unclear_error"):
            bad.append(f"{mutant.file}: {mutant.name}: {outcome.kind}: {outcome.detail}")

    figures = {
        "configurations tried": len(mutants),
        "clear errors": counts["clear_error"],
        "accepted": counts["accepted"],
        "refusals due": counts["refusal_due"],
        "unclear errors": counts["unclear_error"],
        "tracebacks": counts["traceback"],
        "silent acceptances": len(silent),
    }
    record("config", figures, {"silent": silent[:20], "bad": bad[:20]})
    assert len(mutants) > 500, "the generated corpus shrank"
    assert bad == []
    assert silent == []
    assert counts["clear_error"] >= counts["refusal_due"]


FILE_LEVEL_VIA_CLI = ("invalid_utf8", "directory", "deep_nesting_20000", "alias_bomb")


@pytest.mark.parametrize("mutation", FILE_LEVEL_VIA_CLI)
def test_hcc_validate_reports_file_damage_without_a_traceback(base_folder, capsys, mutation):
    # The same mutants through the command itself: exit 1, one line per problem, no traceback.
    folder, texts, _, _ = base_folder
    for name in FILES:
        (mutant,) = [m for m in file_mutations(name, texts[name]) if m.name == mutation]
        mutant.write(folder / name)
        code = main(["validate", "--config-dir", str(folder)])
        out, err = capsys.readouterr()
        _restore(folder, name, texts[name])
        assert code == 1, (name, out, err)
        assert "Traceback" not in out + err
        assert str(folder / name) in out and mutant.expect in out

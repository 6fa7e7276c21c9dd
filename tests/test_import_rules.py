"""The layers import downwards only (ARCHITECTURE.md): every module of every layer is read,
imports inside functions included, and each import of the package must be one its layer may
make. core/ is pure: it imports without Airflow, SQLAlchemy or oracledb in a fresh process."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "plugins" / "hcc_operators"
CORE = PACKAGE / "core"

#: What each layer (a sub-package, or a top-level module) may import from the package.
#: Arrows point down: core <- warehouse, repository <- strategies <- services <-
#: operators, api, cli. ``clock`` is the one shared clock.
ALLOWED = {
    "core": {"core"},
    # The embedded warehouse's SYSDATE is the package clock, so a frozen clock freezes it too.
    "warehouse": {"core", "warehouse", "clock"},
    "repository": {"core", "repository"},
    "strategies": {"core", "warehouse", "repository", "strategies"},
    "services": {"core", "warehouse", "repository", "strategies", "services", "clock"},
    "operators": {"core", "warehouse", "repository", "services", "operators", "clock"},
    "api": {"core", "warehouse", "repository", "services", "api", "clock", "airflow_urls"},
    "cli": {
        "core",
        "warehouse",
        "repository",
        "strategies",
        "services",
        "cli",
        "clock",
        "airflow_urls",
    },
    # HCC_NOW is parsed by core.instants, the one rule for instants people type.
    "clock": {"core"},
    "airflow_urls": set(),
    "dag_defaults": {"core", "operators"},
    "timetables": {"core"},
    "plugin": {"api", "timetables", "run_notes"},
    "run_notes": {"core"},
    "demo": {"core", "warehouse", "demo_report", "clock"},
    "demo_report": {"core", "warehouse", "repository"},
    "__main__": {"cli"},
    "__init__": set(),
}
#: Third-party packages a layer must not import at all. (The warehouse layer reaches Oracle
#: through Airflow's OracleHook and connections, so it may import Airflow.)
FORBIDDEN_THIRD_PARTY = {
    "core": {"airflow", "sqlalchemy", "oracledb"},
    "repository": {"airflow", "oracledb"},
    "strategies": {"airflow"},
    "services": {"airflow"},
}


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "hcc_operators":  # from hcc_operators import clock
                yield from (f"hcc_operators.{alias.name}" for alias in node.names)
            else:
                yield node.module


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_every_layer_imports_only_what_it_may():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = _layer(path)
        assert layer in ALLOWED, f"{path}: a new layer? add it to ALLOWED with its rule"
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "hcc_operators":
                target = name.split(".")[1] if "." in name else "__init__"
                if target not in ALLOWED[layer]:
                    offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
            elif top in FORBIDDEN_THIRD_PARTY.get(layer, set()):
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []


def test_the_allowed_imports_have_no_cycle():
    # A cycle between two layers would make "downwards" meaningless.
    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in ALLOWED[start] - {start}:
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert [layer for layer in ALLOWED if reaches(layer, layer, {layer})] == []


def test_core_imports_in_a_process_without_airflow_on_the_path():
    modules = sorted(
        ".".join(p.relative_to(CORE).with_suffix("").parts)
        for p in CORE.rglob("*.py")
        if p.stem != "__init__"
    )
    code = (
        "import sys, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {['airflow', 'sqlalchemy', 'oracledb']!r}:\n"
        "            raise ImportError('blocked for the purity test: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module('hcc_operators.core.' + m)\n"
    )
    plugins = str(CORE.parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": plugins},
        check=False,
    )
    assert result.returncode == 0, result.stderr

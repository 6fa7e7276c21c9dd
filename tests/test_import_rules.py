"""core/ is pure: it must import without Airflow, the warehouse or the repository."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "plugins" / "hcc_operators" / "core"
FORBIDDEN = (
    "airflow",
    "hcc_operators.warehouse",
    "hcc_operators.repository",
    "hcc_operators.services",
    "hcc_operators.operators",
    "hcc_operators.api",
    "sqlalchemy",
    "oracledb",
)


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_modules_import_nothing_forbidden():
    offenders = [
        f"{path.name}: {name}"
        for path in sorted(CORE.glob("*.py"))
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert offenders == []


def test_core_imports_in_a_process_without_airflow_on_the_path():
    modules = sorted(p.stem for p in CORE.glob("*.py") if p.stem != "__init__")
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

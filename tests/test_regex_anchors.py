"""Names are checked with fullmatch: Python's ``$`` also matches before a trailing newline, so
``re.match(r"^[A-Z]+$", "SALES\\n")`` accepts a name with a newline in it.

Every module of the package is read: ``re.match(...)`` is not used at all, and no compiled
pattern ends in a bare ``$`` (write it without anchors and call ``fullmatch``, or end it with
``\\Z``). pydantic's ``Field(pattern=...)`` strings are exempt: pydantic matches them with
Rust's regex, where ``$`` is the end of the text (the hostile API and config corpora in
tests/reliability feed them ``"SALES\\n"``).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "plugins" / "hcc_operators"


def _ends_with_bare_dollar(pattern: str) -> bool:
    if not pattern.endswith("$"):
        return False
    backslashes = len(pattern[:-1]) - len(pattern[:-1].rstrip("\\"))
    return backslashes % 2 == 0


def _offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if not (isinstance(owner, ast.Name) and owner.id == "re"):
            continue
        where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
        if node.func.attr == "match":
            found.append(f"{where}: re.match (use fullmatch)")
        first = node.args[0] if node.args else None
        if (
            node.func.attr == "compile"
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and _ends_with_bare_dollar(first.value)
        ):
            found.append(f"{where}: pattern ends in $ (use fullmatch or \\Z)")
    return found


def test_no_pattern_lets_a_trailing_newline_through():
    offences = [o for path in sorted(PACKAGE.rglob("*.py")) for o in _offences(path)]
    assert offences == []


def test_the_check_sees_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('import re\nA = re.compile(r"^[A-Z]+$")\nre.match(r"x", "y")\n')
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path
    try:
        assert len(_offences(sample)) == 2
    finally:
        PACKAGE = saved

"""The embedded warehouse enforces the rule book: every ORA code it can raise has a row in
docs/oracle-rules.md (with its source, or marked unverified) and a test named for it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EMBEDDED = ROOT / "plugins" / "hcc_operators" / "warehouse" / "embedded"
RULE_BOOK = ROOT / "docs" / "oracle-rules.md"
CODE = re.compile(r"ORA-(\d{5})")


def raised_codes() -> set[str]:
    found: set[str] = set()
    for path in EMBEDDED.glob("*.py"):
        for line in path.read_text().splitlines():
            if "code=" in line or 'code="' in line:
                found.update(CODE.findall(line))
    return found


def test_the_simulation_raises_codes():
    assert {"14275", "14098", "14257", "02149"} <= raised_codes()


def test_every_raised_code_is_in_the_rule_book_code_table():
    table = RULE_BOOK.read_text().split("### Codes raised by the embedded warehouse")[1]
    listed = set(CODE.findall(table))
    assert raised_codes() - listed == set()


def test_every_raised_code_has_a_test_named_for_it():
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        names.update(re.findall(r"def (test_\w+)", path.read_text()))
    joined = " ".join(names)
    missing = sorted(c for c in raised_codes() if f"ora_{c}" not in joined)
    assert missing == []

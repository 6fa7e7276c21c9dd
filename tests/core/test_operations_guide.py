"""docs/operations.md lists exactly the declared alerts and queue commands, as declared."""

from __future__ import annotations

import re

from hcc_operators.core.health import ALERTS
from hcc_operators.core.paths import project_root
from hcc_operators.core.queue_control import TRANSITIONS

GUIDE = project_root() / "docs" / "operations.md"


def _section(title: str) -> str:
    text = GUIDE.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _rows(section: str) -> dict[str, list[str]]:
    """First cell (a `name`) -> the row's cells, for every table row of the section."""
    rows = {}
    for line in section.splitlines():
        found = re.match(r"^\| `([a-z_]+)` \|(.*)\|$", line)
        if found:
            rows[found.group(1)] = [c.strip() for c in found.group(2).split("|")]
    return rows


def test_every_alert_is_documented_with_its_severity_and_thresholds():
    rows = _rows(_section("Alerts"))
    assert set(rows) == {spec.name for spec in ALERTS}
    for spec in ALERTS:
        severity, _, thresholds = rows[spec.name]
        assert severity == spec.severity.value
        assert sorted(re.findall(r"`([a-z_]+)`", thresholds)) == sorted(spec.thresholds)


def test_every_queue_command_is_documented_with_the_statuses_it_accepts():
    rows = _rows(_section("Queue control"))
    assert set(rows) == {c.value for c in TRANSITIONS}
    for command, transition in TRANSITIONS.items():
        applies_to = rows[command.value][0]
        assert re.findall(r"`([A-Z]+)`", applies_to) == [s.value for s in transition.allowed]

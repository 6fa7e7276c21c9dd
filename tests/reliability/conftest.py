"""The reliability suite: generated cases of concurrency, crashes and hostile input, and the
figures they add up to, printed at the end of the run and written under tests/output so they
can be quoted.

Concurrency and crash tests add to named counters through the ``figures`` fixture; a figure
that must stay zero (false failures, rows lost, rows left RUNNING) is also asserted by the
test itself. The hostile-input corpora keep their own figures (figures.py).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from .figures import OUTPUT as CORPUS_OUTPUT
from .figures import summary_lines

FIGURES: Counter[str] = Counter()
OUTPUT = Path(__file__).resolve().parents[1] / "output" / "reliability.json"

#: The order and wording of the summary; figures not listed are printed after these.
LABELS = {
    "parallel_runs": "parallel runs (batches of 4 workers on one table)",
    "parallel_actions": "actions executed by those runs",
    "false_failures": "false failures (FAILED or ROW_COUNT_MISMATCH with no fault injected)",
    "rows_lost": "rows lost or duplicated",
    "kills": "kills (SIGKILL of a task or a whole run)",
    "rows_left_running": "rows left RUNNING after recovery",
}

# Runs when pytest collects this folder, before any corpus writes: figures of an earlier run
# must not be quoted as this run's.
for _old in CORPUS_OUTPUT.glob("*.json") if CORPUS_OUTPUT.is_dir() else []:
    _old.unlink()


@pytest.fixture
def figures() -> Counter[str]:
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("reliability figures")
        for key in [*LABELS, *sorted(set(FIGURES) - set(LABELS))]:
            if key in FIGURES:
                terminalreporter.write_line(f"{LABELS.get(key, key)}: {FIGURES[key]}")
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(json.dumps(dict(FIGURES), indent=2, sort_keys=True) + "\n")
        terminalreporter.write_line(f"(written to {OUTPUT})")
    lines = summary_lines()
    if lines:
        terminalreporter.section("hostile-input corpora (tests/output/reliability)")
        for line in lines:
            terminalreporter.write_line(line)

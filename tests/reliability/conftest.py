"""The hostile-input corpora print their figures at the end of the run (figures.py)."""

from __future__ import annotations

from .figures import OUTPUT, summary_lines

# Runs when pytest collects this folder, before any corpus writes: figures of an earlier run
# must not be quoted as this run's.
for _old in OUTPUT.glob("*.json") if OUTPUT.is_dir() else []:
    _old.unlink()


def pytest_terminal_summary(terminalreporter):
    lines = summary_lines()
    if lines:
        terminalreporter.section("hostile-input corpora (tests/output/reliability)")
        for line in lines:
            terminalreporter.write_line(line)

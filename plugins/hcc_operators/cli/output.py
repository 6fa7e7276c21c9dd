"""Tables for people on a terminal, plain aligned text when piped, JSON on request.

Piped output is written without rich, so nothing is wrapped at a guessed width or decorated
with box characters that a grep or a test would have to know about.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table


class Output:
    def __init__(self, stream: TextIO | None = None, *, force_terminal: bool | None = None):
        self.stream = stream or sys.stdout
        self.console = Console(file=self.stream, force_terminal=force_terminal, highlight=False)

    @property
    def rich(self) -> bool:
        return self.console.is_terminal

    def line(self, text: str = "") -> None:
        if self.rich:
            self.console.print(text, markup=False)
        else:
            print(text, file=self.stream)

    def heading(self, text: str) -> None:
        if self.rich:
            self.console.rule(text)
        else:
            print(f"== {text} ==", file=self.stream)

    def table(
        self, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = ""
    ) -> None:
        cells = [[_cell(v) for v in row] for row in rows]
        if self.rich:
            table = Table(title=title or None, show_lines=False)
            for column in columns:
                table.add_column(column, overflow="fold")
            for row in cells:
                table.add_row(*row)
            self.console.print(table)
            return
        if title:
            print(title, file=self.stream)
        widths = [len(c) for c in columns]
        for row in cells:
            widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
        for row in [list(columns), *cells]:
            print(
                "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip(),
                file=self.stream,
            )

    def json(self, data: Any) -> None:
        print(json.dumps(data, indent=2, default=str, sort_keys=False), file=self.stream)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    minutes, secs = divmod(int(round(value)), 60)
    hours, minutes = divmod(minutes, 60)
    return (
        f"{hours}h{minutes:02d}m"
        if hours
        else (f"{minutes}m{secs:02d}s" if minutes else f"{secs}s")
    )

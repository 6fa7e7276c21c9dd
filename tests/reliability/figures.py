"""Where the hostile-input corpora leave their figures: tests/output/reliability/<corpus>.json
(gitignored), and a summary at the end of the pytest run (conftest.py), so they can be quoted."""

from __future__ import annotations

import json
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "output" / "reliability"


def record(corpus: str, figures: dict, examples: dict | None = None) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    body = {"corpus": corpus, "figures": figures, "examples": examples or {}}
    (OUTPUT / f"{corpus}.json").write_text(json.dumps(body, indent=2, default=str) + "\n")


def summary_lines() -> list[str]:
    lines = []
    for path in sorted(OUTPUT.glob("*.json")) if OUTPUT.is_dir() else []:
        body = json.loads(path.read_text())
        figures = ", ".join(f"{k} {v}" for k, v in body["figures"].items())
        lines.append(f"{body['corpus']}: {figures}")
    return lines

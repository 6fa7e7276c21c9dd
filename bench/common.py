"""Helpers shared by the benchmarks: timing, peak memory, results as JSON, machine facts."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"


def peak_rss_mb(include_children: bool = False) -> float:
    """Peak resident set size of this process (Linux reports ru_maxrss in KiB).

    With ``include_children`` the larger of this process and its largest waited-for child:
    ru_maxrss of RUSAGE_CHILDREN is the maximum of the children, not a sum.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if include_children:
        own = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return own / 1024


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.started


def write_result(path: str | os.PathLike, result: dict) -> None:
    Path(path).write_text(json.dumps(result, indent=2, sort_keys=True, default=str))


def python() -> str:
    return sys.executable


def bench_env(**extra: str) -> dict[str, str]:
    """The environment `make bench` exported, with plugins/ and the repo root importable."""
    env = dict(os.environ)
    paths = [str(ROOT / "plugins"), str(ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra)
    return env


def run_json(args: Sequence[str], *, timeout: float, env: dict[str, str] | None = None) -> dict:
    """Run ``python -m <args>`` that writes its JSON result to the path given by --out."""
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"hcc_bench_{os.getpid()}_{time.time_ns()}.json"
    cmd = [python(), "-m", *args, "--out", str(out)]
    done = subprocess.run(
        cmd, env=env or bench_env(), cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-4000:]}")
    try:
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def machine() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }

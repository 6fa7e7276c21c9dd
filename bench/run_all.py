"""`make bench`: run every benchmark, one process each, and rewrite BENCHMARKS.md.

Benchmarks run one after another (never two at once: they would share the two cores and
distort each other). Each runs in its own process so its peak memory is its own. A benchmark
that fails is reported as failed in BENCHMARKS.md and the command exits non-zero after the rest
have run. The default caps keep the whole run under 15 minutes on a 2-core machine; capped
figures are projected from the measured rate and labelled so. ``--full`` lifts every cap
(expect well over half an hour).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.common import ROOT, bench_env, machine, run_json
from bench.report import render

SCALES = (10_000, 100_000, 1_000_000)
# Seconds after which a phase stops and projects (None: runs to the end; for ours, a safety
# stop per evaluation, reported as such, never projected). The seed is never run
# at 1M: at its measured per-pair rate that would take hours, so it is extrapolated.
CAPS = {
    10_000: {"ours": None, "core": None, "seed": None},
    100_000: {"ours": None, "core": None, "seed": 30.0},
    1_000_000: {"ours": 300.0, "core": 40.0, "seed": "extrapolate"},
}
TIMEOUT_S = 3600


class Runner:
    def __init__(self) -> None:
        self.results: dict = {}
        self.errors: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        self.load: dict[str, tuple[float, float, float]] = {}

    def step(self, name: str, args: list[str], env: dict[str, str] | None = None) -> dict | None:
        print(f"[bench] {name} ...", flush=True)
        self.load[name] = os.getloadavg()
        started = time.perf_counter()
        try:
            result = run_json(args, timeout=TIMEOUT_S, env=env)
        except Exception as err:  # one failing benchmark must not hide the others' figures
            self.errors[name] = f"{type(err).__name__}: {err}"[-2000:]
            traceback.print_exc()
            result = None
        self.timings[name] = time.perf_counter() - started
        print(f"[bench] {name}: {self.timings[name]:.1f} s", flush=True)
        if result is not None:
            self.results[name] = result
        return result


def policy_evaluation(runner: Runner, full: bool, scales: tuple[int, ...]) -> None:
    for scale in scales:
        caps = {phase: None for phase in ("ours", "core", "seed")} if full else CAPS[scale]
        workdir = Path(tempfile.mkdtemp(prefix=f"hcc_bench_eval_{scale}_"))
        db = workdir / "warehouse.db"
        try:
            if (
                runner.step(
                    f"eval_setup_{scale}",
                    [
                        "bench.policy_eval",
                        "--phase",
                        "setup",
                        "--scale",
                        str(scale),
                        "--db",
                        str(db),
                    ],
                )
                is None
            ):
                continue
            for phase in ("ours", "core", "seed"):
                cap = caps[phase]
                if phase == "seed" and (cap == "extrapolate" or (full and scale > 100_000)):
                    continue
                args = ["bench.policy_eval", "--phase", phase, "--db", str(db)]
                if cap is not None:
                    args += ["--cap", str(cap)]
                runner.step(f"eval_{phase}_{scale}", args)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="no caps, no projections")
    parser.add_argument(
        "--scales",
        type=int,
        nargs="+",
        default=list(SCALES),
        choices=SCALES,
        help="policy-evaluation scales to run (default: all)",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    when = datetime.now(UTC)
    runner = Runner()
    runner.step("dag_parse", ["bench.dag_parse"])
    policy_evaluation(runner, args.full, tuple(args.scales))
    runner.step("window_packing", ["bench.window_packing"])
    # The Airflow runs get their own connection and DAG bundle inside the benchmark process.
    env = bench_env()
    ours = runner.step("orchestration_ours", ["bench.orchestration", "--side", "ours"], env)
    # The baseline maps as many no-op tasks as our run really mapped: the planner may keep a
    # few of the 100 for a later window when they do not fit its forced-run budget.
    mapped = str(ours["mapped_tasks"]) if ours else "100"
    runner.step(
        "orchestration_noop", ["bench.orchestration", "--side", "noop", "--mapped", mapped], env
    )
    noop = runner.results.get("orchestration_noop")
    if noop:
        per_task = noop["seconds"] / noop["mapped_tasks"]
        runner.step("advisor_chunking", ["bench.advisor_chunking", "--per-task-s", str(per_task)])
    else:
        runner.errors["advisor_chunking"] = "needs the no-op orchestration figure, which failed"

    total = time.perf_counter() - started
    text = render(
        results=runner.results,
        errors=runner.errors,
        timings=runner.timings,
        load=runner.load,
        machine=machine(),
        when=when,
        total_s=total,
        full=args.full,
        caps=CAPS,
        scales=tuple(args.scales),
    )
    args.output.write_text(text)
    print(f"[bench] wrote {args.output} in {total:.0f} s total", flush=True)
    if runner.errors:
        print(f"[bench] failed: {', '.join(sorted(runner.errors))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark 2: ILM stage 2 (policies x partitions -> details + queue) at scale.

Phases, each in its own process (run_all starts them) so their peaks do not mix:

- ``setup``: build_warehouse(scale=N, metadata_only=True), create the repository tables, fill
  hcc_partition_access with services/ilm_refresh for the 20 policies of bench/workload.py,
  then checkpoint the WAL so the file can be copied. Reported, not judged.
- ``ours``: services/ilm_evaluate.evaluate_policies end to end on a copy of that file:
  policy sync, the per-evaluation snapshot of the partitions, one INSERT ... SELECT of reason
  codes per policy, the queue, cancelling stale items, commit. Cursor events sum the database
  time per statement kind without touching the service.
- ``core``: the pure evaluator, ``core.eligibility.iter_details`` over the loaded states (the
  load is timed separately), counting reasons: no database at all.
- ``seed``: bench/seed_evaluator.py, the seed's pair-at-a-time algorithm, on its own copy.

A phase given ``--cap`` stops when it has run that long and reports how far it got; its full
time is then *projected* from the measured rate (and labelled so). The projection is a lower
bound for the writers, since SQLite's indexes grow as rows are added.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from bench import workload
from bench.common import peak_rss_mb, write_result


class CapReached(Exception):
    pass


def _expected_pairs(engine, policies) -> int:
    """Pairs the evaluation decides: per policy, the dated partitions of the tables it targets."""
    from sqlalchemy import func, select

    from hcc_operators.repository.tables import partition_access as pa

    with engine.connect() as conn:
        per_table = conn.execute(
            select(pa.c.owner, pa.c.table_name, func.count())
            .where(pa.c.age_days.is_not(None))
            .group_by(pa.c.owner, pa.c.table_name)
        ).all()
    total = 0
    for policy in policies.policies:
        patterns = [t.compiled() for t in policy.tables]
        total += sum(
            n for owner, table, n in per_table if any(p.matches(owner, table) for p in patterns)
        )
    return total


def setup(scale: int, db: Path) -> dict:
    from hcc_operators.repository.schema import create_all
    from hcc_operators.warehouse.embedded.generator import build_warehouse

    policies = workload.policies()
    started = time.perf_counter()
    wh = build_warehouse(
        db, scale=scale, metadata_only=True, seed=workload.SEED, today=workload.TODAY
    )
    build_s = time.perf_counter() - started
    engine = wh.repository_engine()
    create_all(engine)
    started = time.perf_counter()
    refreshed = workload.refresh(wh, engine, policies)
    refresh_s = time.perf_counter() - started
    pairs = _expected_pairs(engine, policies)
    wh.close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "scale": scale,
        "partitions": refreshed.partitions,
        "tables": refreshed.tables,
        "by_temperature": refreshed.by_temperature,
        "policies": len(policies.policies),
        "expected_pairs": pairs,
        "build_s": build_s,
        "refresh_s": refresh_s,
        "peak_rss_mb": peak_rss_mb(),
    }


def _copy(db: Path, suffix: str) -> Path:
    target = db.with_name(f"{db.stem}_{suffix}{db.suffix}")
    shutil.copyfile(db, target)
    return target


def _drop_copy(path: Path) -> None:
    for extra in ("", "-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)


_PHASES = (
    ("INSERT INTO hcc_ilm_eval_objects", "snapshot_s"),
    ("INSERT INTO hcc_ilm_eval_details", "details_s"),
    ("INSERT INTO hcc_ilm_queue", "queue_s"),
    ("UPDATE hcc_ilm_queue", "cancel_s"),
    ("SELECT", "reads_s"),
)


def ours(db: Path, cap: float | None) -> dict:
    """The set-based service end to end; the database time of each statement kind is summed
    from cursor events (the service is not touched). ``cap`` is checked between statements."""
    from sqlalchemy import event

    from hcc_operators.services import ilm_evaluate
    from hcc_operators.warehouse.embedded import EmbeddedWarehouse

    copy = _copy(db, "ours")
    policies = workload.policies()
    wh = EmbeddedWarehouse(copy)
    engine = wh.repository_engine()
    expected = _expected_pairs(engine, policies)
    t = {key: 0.0 for _, key in _PHASES}
    clock = {"start": 0.0}
    driver_started: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        if cap is not None and time.perf_counter() - clock["start"] > cap:
            raise CapReached  # the service's transaction rolls back
        driver_started.append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        took = time.perf_counter() - driver_started.pop()
        text = " ".join(statement.split()).upper()
        for prefix, key in _PHASES:
            if text.startswith(prefix.upper()):
                t[key] += took
                break

    @event.listens_for(engine, "commit")
    def _commit(conn):
        clock["commit"] = time.perf_counter()  # the last commit is the evaluation's

    def evaluate(evaluation_id: str) -> tuple[dict, dict, float]:
        for key in t:
            t[key] = 0.0
        clock["start"] = time.perf_counter()
        result = ilm_evaluate.evaluate_policies(
            wh, engine, policies, now=workload.NOW, evaluation_id=evaluation_id
        )
        ended = time.perf_counter()
        phases = dict(t, commit_s=ended - clock["commit"])
        total = ended - clock["start"]
        phases["other_s"] = total - sum(phases.values())
        return result, phases, total

    capped = False
    result: dict = {}
    phases: dict = {}
    total = 0.0
    again: dict = {}
    try:
        result, phases, total = evaluate("bench_ours")
        # The next night: same partitions, every eligible pair already PENDING, so each new
        # pair is checked against the queue and stale items are looked for.
        second, second_phases, second_total = evaluate("bench_ours_again")
        again = {
            "seconds": second_total,
            "enqueued": second["enqueued"],
            "cancelled_stale": second["cancelled_stale"],
            **second_phases,
        }
    except CapReached:
        capped = True
        total = time.perf_counter() - clock["start"]
    wh.close()
    size_mb = sum(
        Path(f"{copy}{x}").stat().st_size for x in ("", "-wal") if Path(f"{copy}{x}").exists()
    )
    _drop_copy(copy)
    out = {
        "expected_pairs": expected,
        "capped": capped,
        "cap_s": cap,
        "seconds": total,
        **phases,
        "again": again,
        "db_file_mb": size_mb / 2**20,
        "peak_rss_mb": peak_rss_mb(),
    }
    if result:
        out.update(
            pairs=result["pairs"],
            eligible=result["eligible"],
            enqueued=result["enqueued"],
            reasons=result["reasons"],
            warnings=result["warnings"],
        )
    return out


def core(db: Path, cap: float | None) -> dict:
    from hcc_operators.core.eligibility import iter_details
    from hcc_operators.core.reasons import Reason
    from hcc_operators.warehouse.embedded import EmbeddedWarehouse

    policies = workload.policies()
    wh = EmbeddedWarehouse(db)
    engine = wh.repository_engine()
    expected = _expected_pairs(engine, policies)
    free = {name: ts.free_bytes for name, ts in wh.tablespaces().items()}
    started = time.perf_counter()
    with engine.connect() as conn:
        states = workload.load_states(conn)
    load_s = time.perf_counter() - started

    counts: dict[Reason, int] = {}
    pairs = 0
    capped = False
    started = time.perf_counter()
    for detail in iter_details(policies, states, free):
        counts[detail.reason] = counts.get(detail.reason, 0) + 1
        pairs += 1
        if cap is not None and pairs % 100_000 == 0 and time.perf_counter() - started > cap:
            capped = True
            break
    seconds = time.perf_counter() - started
    wh.close()
    out = {
        "expected_pairs": expected,
        "partitions_loaded": len(states),
        "load_s": load_s,
        "seconds": seconds,
        "pairs": pairs,
        "capped": capped,
        "cap_s": cap,
        "peak_rss_mb": peak_rss_mb(),
    }
    if capped:
        out["projected_s"] = seconds * expected / pairs
    else:
        out["eligible"] = counts.get(Reason.ELIGIBLE, 0)
        out["reasons"] = {r.value: n for r, n in sorted(counts.items(), key=lambda kv: kv[0].value)}
    return out


def seed(db: Path, cap: float | None) -> dict:
    from bench.seed_evaluator import DeadlineReached, evaluate_seed
    from hcc_operators.repository.policy_versions import sync_policies
    from hcc_operators.services.ilm_evaluate import _record
    from hcc_operators.warehouse.embedded import EmbeddedWarehouse

    copy = _copy(db, "seed")
    policies = workload.policies()
    wh = EmbeddedWarehouse(copy)
    engine = wh.repository_engine()
    expected = _expected_pairs(engine, policies)
    started = time.perf_counter()
    versions = sync_policies(engine, [_record(p) for p in policies.policies], workload.NOW)
    free = {name: ts.free_bytes for name, ts in wh.tablespaces().items()}
    out: dict = {"expected_pairs": expected, "cap_s": cap}
    try:
        result = evaluate_seed(
            engine,
            policies,
            versions,
            free,
            now=workload.NOW,
            evaluation_id="bench_seed",
            deadline_s=cap,
        )
        out.update(capped=False, seconds=time.perf_counter() - started, **result)
    except DeadlineReached as stop:
        seconds = time.perf_counter() - started
        out.update(
            capped=True,
            seconds=seconds,
            pairs=stop.pairs,
            projected_s=seconds * expected / stop.pairs,
        )
    wh.close()
    _drop_copy(copy)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phase", choices=("setup", "ours", "core", "seed"), required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--scale", type=int)
    parser.add_argument("--cap", type=float, help="stop after this many seconds and project")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.phase == "setup":
        result = setup(args.scale, args.db)
    else:
        result = {"ours": ours, "core": core, "seed": seed}[args.phase](args.db, args.cap)
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

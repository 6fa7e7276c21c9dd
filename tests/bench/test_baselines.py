"""The benchmarks' baselines and simulations are only worth their ratios if they are right."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import and_, select

from bench import seed_evaluator, window_packing, workload
from hcc_operators.core.eligibility import iter_details
from hcc_operators.core.reasons import Reason
from hcc_operators.core.schedule_config import load_schedule
from hcc_operators.repository.policy_versions import sync_policies
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import (
    evaluation_details,
    evaluation_objects,
    evaluations,
    ilm_policies,
    ilm_queue,
)
from hcc_operators.services import ilm_plan
from hcc_operators.services.ilm_evaluate import _record, evaluate_policies
from hcc_operators.warehouse.embedded import build_warehouse


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """A small scaled warehouse with hcc_partition_access filled for the bench's policies."""
    path = tmp_path_factory.mktemp("bench") / "w.db"
    wh = build_warehouse(path, scale=600, seed=workload.SEED, today=workload.TODAY)
    engine = wh.repository_engine()
    create_all(engine)
    workload.refresh(wh, engine, workload.policies())
    yield wh, engine
    wh.close()


def test_workload_targets_every_table_with_twenty_policies():
    policies = workload.policies()
    assert len(policies.policies) == 20
    for policy in policies.policies:
        patterns = [t.compiled() for t in policy.tables]
        assert any(p.matches("DW_01", "FACT_00001") for p in patterns), policy.name
        assert any(p.matches("DW_19", "FACT_09710") for p in patterns), policy.name


def _seed_details(engine, evaluation_id: str) -> dict[tuple, tuple[str, bool]]:
    d = seed_evaluator.seed_details
    with engine.connect() as conn:
        return {
            (r.policy_name, r.owner, r.table_name, r.partition_name): (r.reason, bool(r.eligible))
            for r in conn.execute(d.select().where(d.c.evaluation_id == evaluation_id))
        }


def _our_details(engine, evaluation_id: str) -> dict[tuple, tuple[str, bool]]:
    d, o, p, e = evaluation_details.c, evaluation_objects.c, ilm_policies.c, evaluations.c
    query = (
        select(p.policy_name, o.owner, o.table_name, o.partition_name, d.reason)
        .select_from(evaluation_details)
        .join(evaluations, e.evaluation_no == d.evaluation_no)
        .join(
            evaluation_objects, and_(o.evaluation_no == d.evaluation_no, o.object_no == d.object_no)
        )
        .join(ilm_policies, p.policy_id == d.policy_id)
        .where(e.evaluation_id == evaluation_id)
    )
    with engine.connect() as conn:
        out = {}
        for name, owner, table, partition, code in conn.execute(query):
            reason = Reason.from_code(code)
            out[(name, owner, table, partition)] = (reason.value, reason is Reason.ELIGIBLE)
        return out


@pytest.fixture(scope="module")
def decisions(refreshed):
    """The pure core's decisions, then the seed's and ours as written to the repository."""
    wh, engine = refreshed
    policies = workload.policies()
    free = {name: ts.free_bytes for name, ts in wh.tablespaces().items()}
    with engine.connect() as conn:
        states = workload.load_states(conn)
    core = {
        (d.policy_name, d.ref.owner, d.ref.table, d.ref.partition): d.reason.value
        for d in iter_details(policies, states, free)
    }
    versions = sync_policies(engine, [_record(p) for p in policies.policies], workload.NOW)
    seed = seed_evaluator.evaluate_seed(
        engine, policies, versions, free, now=workload.NOW, evaluation_id="seed_test"
    )
    with engine.connect() as conn:
        seed_queue = len(conn.execute(ilm_queue.select()).all())
    with engine.begin() as conn:
        conn.execute(ilm_queue.delete())  # ours enqueues only pairs not already queued
    ours = evaluate_policies(wh, engine, policies, now=workload.NOW, evaluation_id="ours_test")
    return {
        "partitions": len(states),
        "core": core,
        "seed": seed,
        "seed_queue": seed_queue,
        "seed_details": _seed_details(engine, "seed_test"),
        "ours": ours,
        "ours_details": _our_details(engine, "ours_test"),
    }


def test_seed_baseline_decides_every_pair_like_the_core_evaluator(decisions):
    core = decisions["core"]
    seed = {key: reason for key, (reason, _) in decisions["seed_details"].items()}
    assert seed == core
    assert decisions["seed"]["pairs"] == len(core) == 20 * decisions["partitions"]
    eligible = sum(r == "ELIGIBLE" for r in core.values())
    assert decisions["seed"]["eligible"] == eligible >= decisions["seed_queue"] > 0
    # The workload exercises most reasons, so agreement means something.
    assert len(Counter(core.values())) >= 8


def test_ours_and_seed_write_the_same_details(decisions):
    assert decisions["ours_details"] == decisions["seed_details"]
    assert decisions["ours"]["enqueued"] == decisions["seed_queue"] > 0


@pytest.mark.parametrize("hours", window_packing.WINDOW_HOURS)
def test_packing_simulation_keeps_its_rules(hours):
    items = window_packing.backlog(n=800, seed=3)
    window = hours * 3600.0
    run, rest = window_packing.ours(items, window)
    # the executor's re-check rules out overrun for any noise up to NOISE_MAX
    assert all(finish <= window for _, _, finish in run.ran)
    assert len(run.ran) + len(rest) == len(items)
    seed, _ = window_packing.seed_fifo(items, window)
    runs = len(range(0, int(window), window_packing.SEED_EVERY_S))
    assert len(seed.ran) == runs * window_packing.SEED_PER_RUN
    assert [it.index for it, _, _ in seed.ran] == list(range(len(seed.ran)))  # FIFO
    for strategy in (run, seed):
        figures = strategy.figures()
        assert 0.0 <= figures["fill"] <= 1.0
    # durations really are noisy, in both directions, within the documented bounds
    ratios = [it.actual_s / it.predicted_s for it in items]
    assert min(ratios) >= window_packing.NOISE_MIN - 1e-9
    assert max(ratios) <= window_packing.NOISE_MAX + 1e-9
    assert min(ratios) < 1.0 < max(ratios)


@pytest.mark.parametrize(("hours", "every_h"), [(8, 2), (12, 4), (10, 2)])
def test_as_configured_uses_a_real_window_of_the_shipped_schedule(hours, every_h):
    calendar, window = window_packing.configured_window(hours * 3600.0)
    assert window.duration.total_seconds() == hours * 3600
    slots = calendar.slots(window)
    assert [s.start - window.start for s in slots][:2] == [
        timedelta(0),
        timedelta(hours=every_h),
    ]


@pytest.mark.parametrize("hours", window_packing.WINDOW_HOURS)
def test_as_configured_runs_the_package_and_never_overruns(hours):
    assert window_packing.SLOTS == ilm_plan.DDL_SLOTS
    schedule = load_schedule()
    assert schedule.duration_margin >= window_packing.NOISE_MAX  # why overrun is ruled out
    items = window_packing.backlog(n=800, seed=3)
    window = hours * 3600.0
    run, rest = window_packing.ours_as_configured(items, window)
    assert run.ran and all(finish <= window for _, _, finish in run.ran)
    for item, start, _ in run.ran:
        assert start + item.predicted_s * schedule.duration_margin <= window + 1e-6
    assert len(run.ran) + len(rest) == len(items)
    assert len({it.index for it, _, _ in run.ran}) == len(run.ran)  # nothing ran twice
    # no more than the pool's slots at once
    events = sorted([(s, 1) for _, s, _ in run.ran] + [(f, -1) for _, _, f in run.ran])
    running = 0
    for _, step in events:
        running += step
        assert running <= ilm_plan.DDL_SLOTS
    # without a margin noisy actions run past the close: the margin is what prevents it
    tight = schedule.model_copy(update={"duration_margin": 1.0})
    strategy = functools.partial(window_packing.ours_as_configured, schedule=tight)
    assert window_packing.simulate(strategy, hours, items)["overrun_max_min"] > 0

"""`hcc explain` and the nightly stage 2 decide every partition of the demo alike: explain
computes the facts live with the refresh's function and runs the pure checks, stage 2 runs
the same checks as SQL over the refreshed facts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from hcc_operators.cli.live_state import live_partition_state
from hcc_operators.core.eligibility import explain
from hcc_operators.repository.evaluation_reads import partition_decisions
from hcc_operators.repository.schema import create_all
from hcc_operators.services.ilm_evaluate import evaluate_policies
from hcc_operators.services.ilm_refresh import refresh_partition_access
from hcc_operators.services.ilm_settings import load_ilm_settings
from hcc_operators.warehouse.embedded import build_warehouse

NOW = datetime(2026, 3, 6, 1, 0, tzinfo=UTC)


def test_explain_and_stage_2_agree_on_every_partition_of_the_demo(tmp_path):
    wh = build_warehouse(tmp_path / "demo.db", seed=7, today=date(2026, 3, 6))
    engine = wh.repository_engine()
    create_all(engine)
    settings = load_ilm_settings()
    refreshed = refresh_partition_access(
        wh,
        engine,
        is_target=settings.is_target,
        thresholds_for=settings.thresholds_for,
        now=NOW,
    )
    evaluate_policies(wh, engine, settings.policies, now=NOW, evaluation_id="night")
    free = {name: ts.free_bytes for name, ts in wh.tablespaces().items()}
    compared, reasons = 0, Counter()
    with engine.connect() as conn:
        for table in {(s.ref.owner, s.ref.table) for s in _targeted(wh, settings)}:
            for seg in _partitions(wh, *table):
                state = live_partition_state(wh, seg.ref, settings, now=NOW, engine=engine)
                live = [
                    (d.policy_name, d.reason, d.text)
                    for d in explain(settings.policies, state, free)
                ]
                stored = [
                    (d.policy_name, d.reason, d.text) for d in partition_decisions(conn, seg.ref)
                ]
                assert sorted(live) == stored, seg.ref.label
                compared += 1
                reasons.update(r for _, r, _ in live)
    wh.close()
    assert compared == refreshed.partitions > 1000
    assert len(reasons) >= 6  # the demo reaches many reasons, so agreement means something


def _targeted(wh, settings):
    return [
        s
        for s in wh.list_segments(wh.list_schemas())
        if s.ref.partition and settings.is_target(s.ref.owner, s.ref.table)
    ]


def _partitions(wh, owner, table):
    from hcc_operators.core.models import ObjectRef

    return [
        s
        for s in wh.list_segments([owner], [ObjectRef(owner, table)])
        if s.ref.partition and not s.ref.subpartition
    ]

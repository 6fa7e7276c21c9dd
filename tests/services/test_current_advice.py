"""The current advice (issue 17, items 1 and 4): kept per object across advisor runs, read by the
recommendations API, the dashboard and hcc_compress, and never re-offering an object that is
already where its advice would take it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hcc_operators.api.queries import advisor as advisor_queries
from hcc_operators.api.queries.dashboard import recommendations_by_type
from hcc_operators.core.errors import ConfigError, WarehouseError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef
from hcc_operators.repository.schema import create_all
from hcc_operators.repository.tables import advisor_advice, advisor_results, compression_executions
from hcc_operators.services import advisor, compress
from hcc_operators.warehouse.embedded import build_warehouse

T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
# FINANCE's largest objects: enough for several recommendations, quick to measure.
FULL = advisor.AdvisorParams(schemas=("FINANCE",), min_size_mb=1024)
INCREMENTAL = advisor.AdvisorParams(schemas=("FINANCE",), min_size_mb=1024, incremental=True)


@pytest.fixture
def wh(tmp_path):
    warehouse = build_warehouse(tmp_path / "wh.db", seed=5, today=T0.date())
    create_all(warehouse.repository_engine())
    yield warehouse
    warehouse.close()


def analyse(wh, params, when):
    engine = wh.repository_engine()
    run_id, chunks = advisor.plan_analysis(wh, engine, params, dag_run_id=f"r{when}", now=when)
    for chunk in chunks:
        advisor.analyse_chunk(
            wh, engine, run_id=run_id, objects=chunk["objects"], now_fn=lambda: when
        )
    summary = advisor.finish_analysis(engine, run_id, now=when)
    return run_id, [label for c in chunks for label in c["objects"]], summary


def shown(wh):
    """What the recommendations API lists by default, by object."""
    page = advisor_queries.recommendations(
        wh.repository_engine(),
        run_id=None,
        schema=None,
        compression_type=None,
        min_savings=None,
        limit=500,
        offset=0,
    )
    return {r.object: r for r in page.items}


def candidates(wh, **kw):
    return compress.select_candidates(
        wh.repository_engine(), wh, min_ratio=1.0, max_objects=100, **kw
    )


def test_an_incremental_run_that_analyses_nothing_keeps_every_reader_s_advice(wh):
    _, analysed, first = analyse(wh, FULL, T0)
    assert first["recommendations_by_type"], "the demo's FINANCE objects get advice"
    before = shown(wh)
    before_candidates = candidates(wh)
    before_types = recommendations_by_type(wh.repository_engine())
    assert before and before_candidates and before_types

    _, again, second = analyse(wh, INCREMENTAL, T0 + timedelta(days=1))
    assert again == [] and second["status"] == "SUCCESS"
    # The run that analysed nothing is the latest finished one; the advice is still there.
    assert shown(wh).keys() == before.keys()
    assert candidates(wh) == before_candidates
    assert recommendations_by_type(wh.repository_engine()) == before_types


def test_an_incremental_run_updates_what_changed_and_keeps_the_rest(wh):
    first_run, analysed, _ = analyse(wh, FULL, T0)
    changed = ObjectRef.parse(analysed[0])
    wh.simulate_dml(changed, updates=5000)
    second_run, again, _ = analyse(wh, INCREMENTAL, T0 + timedelta(days=1))
    assert again == [changed.label]
    with wh.repository_engine().connect() as conn:
        runs = dict(
            conn.execute(select(advisor_advice.c.object_key, advisor_advice.c.run_id)).all()
        )
    assert runs[changed.label] == second_run
    assert {k for k, run in runs.items() if run == first_run} == set(analysed) - {changed.label}


def test_a_failed_analysis_keeps_the_previous_advice(wh, monkeypatch):
    _, analysed, _ = analyse(wh, FULL, T0)
    failing = ObjectRef.parse(analysed[0])
    before = shown(wh)
    assert failing.label in before
    measure = wh.estimate_ratio

    def estimate_ratio(ref, ctype, **kw):
        if ref == failing:
            raise WarehouseError("unable to extend temp segment", code="ORA-01652")
        return measure(ref, ctype, **kw)

    monkeypatch.setattr(wh, "estimate_ratio", estimate_ratio)
    wh.simulate_dml(failing, updates=5000)  # so the incremental run measures it again
    run_id, again, summary = analyse(wh, INCREMENTAL, T0 + timedelta(days=1))
    assert again == [failing.label] and summary["failed"] == 1
    after = shown(wh)
    assert after.keys() == before.keys()
    assert after[failing.label].result_id == before[failing.label].result_id


def test_advice_about_an_object_the_dictionary_no_longer_lists_is_forgotten(wh):
    _, analysed, _ = analyse(wh, FULL, T0)
    parts = [ObjectRef.parse(x) for x in analysed if ":" in x]
    victim = parts[0]
    table = [
        s
        for s in wh.list_segments([victim.owner], [ObjectRef(victim.owner, victim.table)])
        if s.ref.partition and not s.ref.subpartition
    ]
    table.sort(key=lambda s: s.position)
    names = [s.ref.partition for s in table]
    i = names.index(victim.partition)
    # A DBA merges the partition into its upper neighbour (the lower name may not survive).
    upper = names[i + 1]
    wh.apply(
        Action(
            ActionKind.MERGE,
            ObjectRef(victim.owner, victim.table, upper),
            merge_sources=(victim.partition, upper),
            online=False,
        )
    )
    analyse(wh, INCREMENTAL, T0 + timedelta(days=1))
    with wh.repository_engine().connect() as conn:
        keys = set(conn.execute(select(advisor_advice.c.object_key)).scalars())
    assert victim.label not in keys
    assert victim.label not in shown(wh)


def test_hcc_compress_never_re_picks_an_object_it_compressed(wh):
    analyse(wh, FULL, T0)
    engine = wh.repository_engine()
    first = candidates(wh)
    assert first
    picked = first[0]
    done = compress.compress_object(wh, engine, picked, dry_run=False, dag_run_id="c1", now=T0)
    assert done["status"] == "SUCCESS", done["message"]
    # The advisor has not run again: the advice still says "compress it", the object is there.
    second = candidates(wh)
    assert picked["label"] not in [c["label"] for c in second]
    assert len(second) == len(first) - 1
    # Named explicitly, it is refused with the reason rather than run to SKIPPED.
    with pytest.raises(ConfigError, match="not .*NONE as the advisor measured|at or above"):
        candidates(wh, objects=[picked["label"]])
    with engine.connect() as conn:
        skipped = conn.scalar(
            select(func.count())
            .select_from(compression_executions)
            .where(compression_executions.c.status == "SKIPPED")
        )
    assert skipped == 0


def test_an_object_brought_to_its_advised_level_outside_hcc_compress_is_no_candidate(wh):
    analyse(wh, FULL, T0)
    first = candidates(wh)
    target = next(c for c in first if c["compression"] == "ADVANCED")
    ref = ObjectRef.parse(target["label"])
    # ILM (or a DBA) compressed it to the advised level (ADVANCED: FINANCE's storage has no
    # HCC) without hcc_compress: the live dictionary, not the compression history, says so.
    wh.apply(Action(ActionKind.COMPRESS, ref, compression=CompressionType.ADVANCED, online=False))
    assert target["label"] not in [c["label"] for c in candidates(wh)]


def test_the_incremental_run_re_measures_an_object_compressed_since(wh):
    _, analysed, _ = analyse(wh, FULL, T0)
    first = candidates(wh)[0]
    engine = wh.repository_engine()
    compress.compress_object(wh, engine, first, dry_run=False, dag_run_id="c1", now=T0)
    _, again, _ = analyse(wh, INCREMENTAL, T0 + timedelta(days=1))
    assert again == [first["label"]]
    now = shown(wh).get(first["label"])
    # Measured at its new level: no longer recommended up to the level it already has.
    assert (
        now is None
        or CompressionType.parse(now.recommended).rank
        > CompressionType.parse(first["compression"]).rank
    )
    with engine.connect() as conn:
        current = conn.execute(
            select(advisor_results.c.current_compression)
            .join(advisor_advice, advisor_advice.c.result_id == advisor_results.c.result_id)
            .where(advisor_advice.c.object_key == first["label"])
        ).scalar_one()
    assert current == first["compression"]


def test_an_object_compressed_below_the_size_limit_stays_watched(wh):
    analyse(wh, FULL, T0)
    engine = wh.repository_engine()
    first = candidates(wh)[0]
    done = compress.compress_object(wh, engine, first, dry_run=False, dag_run_id="c", now=T0)
    assert done["status"] == "SUCCESS"
    ref = ObjectRef.parse(first["label"])
    assert wh.segment(ref).bytes < FULL.min_size_mb * 2**20  # smaller than the advisor's limit
    _, again, _ = analyse(wh, INCREMENTAL, T0 + timedelta(days=1))
    assert again == [first["label"]]
    # Updated later: its advice is measured again, though the object is below the limit now.
    wh.simulate_dml(ref, updates=10_000)
    _, later, _ = analyse(wh, INCREMENTAL, T0 + timedelta(days=2))
    assert later == [first["label"]]

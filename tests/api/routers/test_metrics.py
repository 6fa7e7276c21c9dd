from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from ..conftest import at


def _samples(authed, warehouse: str = "default") -> dict[tuple, float]:
    """The samples of one warehouse, keyed without their `warehouse` label."""
    response = authed.get("/hcc/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            labels = dict(s.labels)
            assert labels.pop("warehouse") in ("default", "dw_amer"), s
            if s.labels["warehouse"] == warehouse:
                samples[(s.name, tuple(sorted(labels.items())))] = s.value
    return samples


def test_metrics_reflect_the_repository(authed):
    m = _samples(authed)
    saved = {k[1]: v for k, v in m.items() if k[0] == "hcc_space_saved_bytes"}
    assert saved == {
        (("schema", "HR"), ("source", "compression")): 200,
        (("schema", "SALES"), ("source", "compression")): 800,
        (("schema", "SALES"), ("source", "ilm")): 3000,
    }
    assert m[("hcc_advisor_objects_analysed", (("status", "SUCCESS"),))] == 4
    assert m[("hcc_advisor_objects_analysed", (("status", "FAILED"),))] == 1
    assert m[("hcc_recommendations", (("compression_type", "QUERY HIGH"),))] == 2
    assert m[("hcc_recommendations", (("compression_type", "ARCHIVE HIGH"),))] == 1
    # The current advice includes SALES.NEW, analysed by run 2 while it still runs.
    assert m[("hcc_recommendations", (("compression_type", "ARCHIVE LOW"),))] == 1
    assert m[("hcc_executions", (("kind", "compression"), ("status", "SUCCESS")))] == 3
    assert m[("hcc_executions", (("kind", "compression"), ("status", "ROLLED_BACK")))] == 1
    assert m[("hcc_executions", (("kind", "ilm"), ("status", "FAILED")))] == 1
    assert m[("hcc_execution_duration_seconds_avg", (("kind", "compression"),))] == 16.25
    assert m[("hcc_execution_duration_seconds_avg", (("kind", "ilm"),))] == 21.0
    assert m[("hcc_execution_failure_ratio", (("kind", "compression"),))] == 0.25
    assert m[("hcc_execution_failure_ratio", (("kind", "ilm"),))] == 0.5
    assert m[("hcc_ilm_queue_items", (("status", "PENDING"),))] == 2
    assert m[("hcc_ilm_queue_oldest_pending_age_seconds", ())] == 172800.0
    assert m[("hcc_ilm_last_successful_batch_timestamp_seconds", ())] == (
        at("2026-03-09T23:30").timestamp()
    )


def test_each_scrape_reads_the_repository_afresh(authed, repository):
    from sqlalchemy import update

    from hcc_operators.repository.tables import ilm_queue

    before = _samples(authed)[("hcc_ilm_queue_items", (("status", "PENDING"),))]
    with repository.begin() as conn:
        conn.execute(update(ilm_queue).values(status="PENDING"))
    after = _samples(authed)
    assert (before, after[("hcc_ilm_queue_items", (("status", "PENDING"),))]) == (2, 4)
    assert ("hcc_ilm_queue_items", (("status", "SUCCESS"),)) not in after

"""/metrics over the fleet: every series labelled with its warehouse, hcc_warehouse_up for each,
an unreachable warehouse's series left out while the others are served, ?warehouse= to scrape
one."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from hcc_operators.api.metrics_registry import REPOSITORY_METRICS

from .conftest import WarehouseDown


def scrape(client, **params) -> tuple[dict[tuple, float], set[str]]:
    """{(name, sorted labels): value} and the metric families named in the text."""
    answer = client.get("/hcc/metrics", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(answer.text))
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples
    }
    return samples, {f.name for f in families}


def of(samples: dict, warehouse: str) -> dict[tuple, float]:
    """The samples of one warehouse, without the warehouse label."""
    found = {}
    for (name, labels), value in samples.items():
        labels = dict(labels)
        if labels.pop("warehouse") == warehouse:
            found[(name, tuple(sorted(labels.items())))] = value
    return found


def test_every_series_carries_its_warehouse(fleet_client):
    samples, families = scrape(fleet_client)
    assert all("warehouse" in dict(labels) for _, labels in samples)
    # Names stay as they were, plus hcc_warehouse_up.
    assert families == {m.name for m in REPOSITORY_METRICS} | {"hcc_warehouse_up"}
    assert samples[("hcc_warehouse_up", (("warehouse", "default"),))] == 1
    assert samples[("hcc_warehouse_up", (("warehouse", "dw_amer"),))] == 1
    default, amer = of(samples, "default"), of(samples, "dw_amer")
    assert default[("hcc_ilm_queue_items", (("status", "PENDING"),))] == 2
    assert amer[("hcc_ilm_queue_items", (("status", "PENDING"),))] == 3
    assert amer[("hcc_space_saved_bytes", (("schema", "AMER"), ("source", "compression")))] == 7000
    assert ("hcc_space_saved_bytes", (("schema", "AMER"), ("source", "compression"))) not in (
        default
    )
    assert amer[("hcc_recommendations", (("compression_type", "ARCHIVE HIGH"),))] == 1
    assert amer[("hcc_execution_failure_ratio", (("kind", "compression"),))] == 0.5
    # dw_amer's only batch finished 2026-03-10 02:05 UTC.
    assert amer[("hcc_ilm_last_successful_batch_timestamp_seconds", ())] == 1773108300.0


def test_an_unreachable_warehouse_is_down_and_the_others_are_served(fleet_client, fleet_engines):
    fleet_engines["dw_amer"] = WarehouseDown("connection refused")
    samples, _ = scrape(fleet_client)
    assert samples[("hcc_warehouse_up", (("warehouse", "dw_amer"),))] == 0
    assert samples[("hcc_warehouse_up", (("warehouse", "default"),))] == 1
    # None of its series, not even a partial reading; all of the other's.
    assert of(samples, "dw_amer") == {("hcc_warehouse_up", ()): 0}
    assert of(samples, "default")[("hcc_ilm_queue_items", (("status", "PENDING"),))] == 2


def test_a_repository_failing_midway_leaves_out_all_its_series(
    fleet_client, fleet_engines, tmp_path
):
    from sqlalchemy import create_engine

    from hcc_operators.repository.schema import create_all
    from hcc_operators.repository.tables import ilm_batches

    # Every table but one: the reading fails after several series were already read.
    engine = create_engine(f"sqlite:///{tmp_path / 'partial.db'}")
    create_all(engine)
    ilm_batches.drop(engine)
    fleet_engines["dw_amer"] = engine
    samples, _ = scrape(fleet_client)
    assert of(samples, "dw_amer") == {("hcc_warehouse_up", ()): 0}
    engine.dispose()


def test_one_warehouse_can_be_scraped_alone(fleet_client):
    samples, _ = scrape(fleet_client, warehouse="dw_amer")
    assert {dict(labels)["warehouse"] for _, labels in samples} == {"dw_amer"}
    assert samples[("hcc_warehouse_up", (("warehouse", "dw_amer"),))] == 1


def test_scraping_a_warehouse_the_fleet_does_not_have_is_a_404(fleet_client):
    answer = fleet_client.get("/hcc/metrics", params={"warehouse": "dw_apac"})
    assert answer.status_code == 404
    assert answer.json()["detail"] == (
        "no warehouse named 'dw_apac'; the fleet has: default, dw_amer"
    )
    assert fleet_client.get("/hcc/metrics", params={"warehouse": "x\n"}).status_code == 422

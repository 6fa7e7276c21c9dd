from __future__ import annotations

import json

from hcc_operators.core.models import ESTIMATED_TYPES, ObjectRef
from hcc_operators.warehouse.factory import warehouse_from_dsn

AT = "2026-03-06T12:00:00+00:00"


def test_explain_gives_every_policy_naming_the_table(hcc, demo_dsn, config_copy):
    code, out, err = hcc(
        "explain",
        "sales.orders_fact:p_2020_01",
        "--dsn",
        demo_dsn,
        "--config-dir",
        str(config_copy),
        "--at",
        AT,
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["partition"]["object"] == "SALES.ORDERS_FACT:P_2020_01"
    decisions = {d["policy"]: d for d in data["decisions"]}
    assert set(decisions) == {
        "compress_warm_query_high",
        "archive_cold_to_hcc_tier",
        "read_only_after_3_years",
    }
    assert decisions["compress_warm_query_high"]["reason"] == "TEMPERATURE_MISMATCH"
    assert all(d["text"] for d in data["decisions"])


def test_explain_as_text(hcc, demo_dsn, config_copy):
    code, out, _ = hcc(
        "explain",
        "SALES.ORDERS_FACT:P_2020_01",
        "--dsn",
        demo_dsn,
        "--config-dir",
        str(config_copy),
        "--at",
        AT,
    )
    assert code == 0
    assert "compress_warm_query_high" in out and "TEMPERATURE_MISMATCH" in out


def test_explain_unknown_partition(hcc, demo_dsn, config_copy):
    code, _, err = hcc(
        "explain",
        "SALES.ORDERS_FACT:P_1999_01",
        "--dsn",
        demo_dsn,
        "--config-dir",
        str(config_copy),
    )
    assert code == 1
    assert "is not a partition" in err


def test_estimate_reports_the_warehouse_ratios(hcc, demo_dsn, config_copy):
    code, out, err = hcc(
        "estimate",
        "SALES.CUSTOMERS",
        "--dsn",
        demo_dsn,
        "--config-dir",
        str(config_copy),
        "--sample-rows",
        "2000",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    wh = warehouse_from_dsn(demo_dsn)
    try:
        expected = [
            round(wh.estimate_ratio(ObjectRef("SALES", "CUSTOMERS"), c, sample_rows=2000), 2)
            for c in ESTIMATED_TYPES
        ]
    finally:
        wh.close()
    assert [e["ratio"] for e in data["estimates"]] == expected
    assert all(e["estimated_bytes"] < data["bytes"] for e in data["estimates"])


def test_estimate_unknown_object(hcc, demo_dsn, config_copy):
    code, _, err = hcc(
        "estimate", "SALES.NOPE", "--dsn", demo_dsn, "--config-dir", str(config_copy)
    )
    assert code == 1 and "NOPE" in err


def test_estimate_reports_the_rows_it_really_sampled(hcc, demo_dsn, config_copy):
    # advisor.yaml asks DBMS_COMPRESSION for 1,000,000 rows; the simulation samples 2,500 of
    # a segment, and says so instead of echoing what was asked.
    code, out, err = hcc(
        "estimate", "SALES.CUSTOMERS", "--dsn", demo_dsn, "--config-dir", str(config_copy)
    )
    assert code == 0, err
    assert "sample of 2,500 rows (1,000,000 rows asked)" in out
    code, out, err = hcc(
        "estimate",
        "SALES.ORDERS_FACT",
        "--dsn",
        demo_dsn,
        "--config-dir",
        str(config_copy),
        "--sample-rows",
        "-1",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    # A partitioned table: 2,500 rows from each of the four segments the estimate spreads over.
    assert (data["sample_rows_requested"], data["sample_rows"]) == (-1, 4 * 2500)

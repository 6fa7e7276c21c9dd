from __future__ import annotations


def test_page_and_assets_are_served_without_network_references(authed):
    page = authed.get("/hcc/dashboard")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    texts = [page.text]
    for asset in ("static/charts.js", "static/dashboard.js", "static/dashboard.css"):
        assert asset in page.text
        served = authed.get("/hcc/" + asset)
        assert served.status_code == 200
        texts.append(served.text)
    for text in texts:
        # The SVG namespace is an identifier, not a fetch; anything else would need a network.
        text = text.replace("http://www.w3.org/2000/svg", "")
        assert "http://" not in text and "https://" not in text
    assert authed.get("/hcc/static/../app.py").status_code == 404
    assert authed.get("/hcc/static/app.py").status_code == 404


def test_dashboard_data_series(authed):
    d = authed.get("/hcc/dashboard/data").json()
    assert d["generated_at"] == "2026-03-10T12:00:00Z"
    assert d["latest_run"]["run_id"] == 2
    assert d["savings_by_schema"] == [
        {"label": "SALES", "value": 3800},
        {"label": "HR", "value": 200},
    ]
    # The current advice: run 2 is still going, but SALES.NEW's analysis is done.
    assert d["recommendations_by_type"] == [
        {"label": "ARCHIVE HIGH", "value": 1},
        {"label": "ARCHIVE LOW", "value": 1},
        {"label": "QUERY HIGH", "value": 2},
    ]
    assert [(p["object"], p["estimated"], p["achieved"]) for p in d["estimated_vs_achieved"]] == [
        ("SALES.ORDERS:P1", 10.0, 8.0),
        ("HR.EMP", 3.0, 3.5),
        ("SALES.X", 2.0, 2.1),
    ]
    assert [
        (t["temperature"], t["tablespace"], t["partitions"], t["size_bytes"])
        for t in d["partitions_by_temperature"]
    ] == [
        ("HOT", "USERS", 1, 500),
        ("COLD", "TS_ARCHIVE", 2, 4000),
    ]
    assert d["space_saved_over_time"] == [
        {"day": "2026-03-08", "value": 800},
        {"day": "2026-03-09", "value": 4000},
    ]
    assert d["backlog_over_time"] == [
        {"day": "2026-03-08", "value": 3},
        {"day": "2026-03-09", "value": 2},
        {"day": "2026-03-10", "value": 2},
    ]
    assert [c["object"] for c in d["top_candidates"]] == [
        "SALES.NEW",
        "SALES.ORDERS:P2",
        "SALES.ORDERS:P1",
        "HR.EMP",
    ]


def test_recent_failures_link_to_the_task_instance(authed):
    failures = authed.get("/hcc/dashboard/data").json()["recent_failures"]
    assert [(f["source"], f["object"], f["error_code"]) for f in failures] == [
        ("ilm", "SALES.SALES_HIST:P2021", "ORA-00054"),
        ("compression", "SALES.ORDERS:P2", "ORA-01652"),
    ]
    # Airflow 3.3's route for one instance of a mapped task (core/ui_links.py).
    assert failures[0]["ui_url"] == (
        "/dags/hcc_ilm_execute/runs/scheduled__b1/tasks/execute_action/mapped/1"
    )
    assert failures[1]["ui_url"] == (
        "/dags/hcc_compress/runs/manual__c2/tasks/compress_object/mapped/2"
    )
    assert [f["resolved"] for f in failures] == [False, False]

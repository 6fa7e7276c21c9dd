from __future__ import annotations


def test_batches_with_status_and_run_link(authed):
    page = authed.get("/hcc/ilm/batches").json()
    assert [(b["batch_id"], b["status"]) for b in page["items"]] == [
        (3, "RUNNING"),
        (2, "INTERRUPTED"),
        (1, "COMPLETED"),
    ]
    assert page["items"][0]["forced"] is True
    # The outcome reads as the DAG run's note does (core/batch_outcome.py).
    assert page["items"][2]["outcome"] == (
        "HCC batch 1 COMPLETED: 2 planned; 1 succeeded, 0 skipped (already done), 1 failed."
    )
    assert page["items"][0]["outcome"] == "HCC batch 3 RUNNING: 0 planned"
    assert page["items"][2]["ui_url"] == "/dags/hcc_ilm_execute/runs/scheduled__b1"
    only = authed.get("/hcc/ilm/batches", params={"status": "COMPLETED"}).json()
    assert [b["batch_id"] for b in only["items"]] == [1]


def test_one_batch_lists_its_actions_with_task_instance_links(authed):
    batch = authed.get("/hcc/ilm/batches/1").json()
    assert (batch["planned"], batch["succeeded"], batch["failed"]) == (2, 1, 1)
    first, second = batch["actions"]
    assert first["object"] == "SALES.SALES_HIST:P2020"
    assert first["ui_url"] == (
        "/dags/hcc_ilm_execute/runs/scheduled__b1/tasks/execute_action/mapped/0"
    )
    assert (second["status"], second["error_code"], second["map_index"]) == (
        "FAILED",
        "ORA-00054",
        1,
    )
    assert authed.get("/hcc/ilm/batches/9").status_code == 404


def test_queue_by_priority_with_filters(authed):
    page = authed.get("/hcc/ilm/queue").json()
    assert page["total"] == 4
    assert page["items"][0]["policy_name"] == "purge_ancient"  # priority 5 before 10
    pending = authed.get(
        "/hcc/ilm/queue", params={"status": "PENDING", "policy": "compress_old"}
    ).json()
    assert [q["queue_id"] for q in pending["items"]] == [1]
    assert pending["items"][0]["action_params"] == {"level": "QUERY HIGH"}
    assert authed.get("/hcc/ilm/queue", params={"status": "pending;"}).status_code == 422


def test_backlog_counts_and_oldest_pending_age(authed):
    assert authed.get("/hcc/ilm/backlog").json() == {
        "warehouse": "default",
        "by_status": {"FAILED": 1, "PENDING": 2, "SUCCESS": 1},
        "pending_by_policy": {"compress_old": 1, "purge_ancient": 1},
        "pending_bytes": 150,
        "oldest_pending_enqueued_at": "2026-03-08T12:00:00Z",
        "oldest_pending_age_s": 172800.0,
    }


def test_partition_evaluations_latest_per_policy(authed):
    found = authed.get("/hcc/ilm/partitions/SALES.SALES_HIST:P2022/evaluations").json()
    assert found["object"] == "SALES.SALES_HIST:P2022"
    assert [
        (e["policy_name"], e["eligible"], e["reason"], e["policy_version"])
        for e in found["evaluations"]
    ] == [
        ("compress_old", True, "ELIGIBLE", 2),
        ("purge_ancient", False, "TOO_YOUNG", 1),
    ]
    assert [e["evaluation_id"] for e in found["evaluations"]] == ["ev2", "ev2"]
    assert found["evaluations"][1]["reason_text"] == "age 120 days < minimum 3650 days"
    assert found["evaluations"][0]["reason_text"] == (
        "eligible: age 120 days, 500 B, WARM, NONE in USERS"
    )


def test_partition_evaluations_bad_or_unknown_partition(authed):
    for bad in ("SALES.SALES_HIST", "NODOT:P1", "A.B:C:D"):
        response = authed.get(f"/hcc/ilm/partitions/{bad}/evaluations")
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["path", "partition"]
    assert authed.get("/hcc/ilm/partitions/SALES.SALES_HIST:P1999/evaluations").status_code == 404

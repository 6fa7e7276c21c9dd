from __future__ import annotations


def test_operation_log_newest_first_and_filtered(authed):
    page = authed.get("/hcc/operations").json()
    assert [o["operation_id"] for o in page["items"]] == [2, 1]
    moved = authed.get("/hcc/operations", params={"strategy": "online_move"}).json()
    assert moved["total"] == 1
    assert moved["items"][0]["context"] == {"degree": 4}
    failed = authed.get("/hcc/operations", params={"status": "FAILED"}).json()
    assert [o["error"] for o in failed["items"]] == ["ORA-01555"]

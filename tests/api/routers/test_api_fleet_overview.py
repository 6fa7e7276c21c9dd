"""GET /hcc/fleet: one row per warehouse with the dashboard's figures and the next window in
the warehouse's own zone and in UTC; a warehouse that cannot be read is its own row's problem.

The fleet (conftest.FLEET_YAML): `default` in Berlin, `dw_amer` in New York with a closing day
(blackout) on NOW's date, 2026-03-10 (a Tuesday; New York is already on daylight time, Berlin
not yet).
"""

from __future__ import annotations

from datetime import UTC, datetime

from hcc_operators.api.dependencies import get_now

from ..conftest import WarehouseDown


def _rows(fleet_client) -> dict[str, dict]:
    answer = fleet_client.get("/hcc/fleet")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["generated_at"] == "2026-03-10T12:00:00Z"
    assert body["default"] == "default"
    return {row["name"]: row for row in body["warehouses"]}


def test_one_row_per_warehouse_with_its_own_figures(fleet_client):
    rows = _rows(fleet_client)
    assert list(rows) == ["default", "dw_amer"]
    default, amer = rows["default"], rows["dw_amer"]
    assert (default["description"], default["conn_id"], default["is_default"]) == (
        "EMEA (Berlin)",
        "hcc_warehouse",
        True,
    )
    assert (amer["conn_id"], amer["is_default"], amer["timezone"]) == (
        "hcc_dw_amer",
        False,
        "America/New_York",
    )
    assert default["timezone"] == "Europe/Berlin"
    for row in rows.values():
        assert (row["status"], row["error"]) == ("ok", None)
    # Backlog: PENDING queue items (seed: 2; seed_amer: 3) and their bytes.
    assert (default["backlog"], default["backlog_bytes"]) == (2, 150)
    assert (amer["backlog"], amer["backlog_bytes"]) == (3, 3000)
    # Failures: the dashboard's Recent failures list, and how many no later attempt fixed.
    assert (default["recent_failures"], default["open_failures"]) == (2, 2)
    assert (amer["recent_failures"], amer["open_failures"]) == (1, 1)
    assert amer["dag_ids"]["hcc_ilm_execute"] == "hcc_ilm_execute__dw_amer"
    assert default["dag_ids"]["hcc_ilm_execute"] == "hcc_ilm_execute"


def test_space_saved_is_the_dashboards_total(fleet_client):
    rows = _rows(fleet_client)
    for name, expected in (("default", 4000), ("dw_amer", 7000)):
        data = fleet_client.get("/hcc/dashboard/data", params={"warehouse": name}).json()
        charted = sum(s["value"] for s in data["savings_by_schema"])
        assert rows[name]["space_saved_bytes"] == charted == expected


def test_the_next_window_is_each_warehouses_in_its_zone_and_in_utc(fleet_client):
    rows = _rows(fleet_client)
    # Berlin (UTC+1): Tuesday's weekday window, 22:00 to 06:00 local.
    assert rows["default"]["current_window"] is None
    assert rows["default"]["next_window"] == {
        "day": "2026-03-10",
        "kind": "weekday",
        "opens_at": "2026-03-10T21:00:00Z",
        "closes_at": "2026-03-11T05:00:00Z",
        "opens_local": "2026-03-10T22:00:00+01:00",
        "closes_local": "2026-03-11T06:00:00+01:00",
    }
    # New York (UTC-4 since 8 March): Tuesday is its closing day, a blackout, so the next
    # window is Wednesday's, at the same local times: another instant altogether.
    assert rows["dw_amer"]["next_window"] == {
        "day": "2026-03-11",
        "kind": "weekday",
        "opens_at": "2026-03-12T02:00:00Z",
        "closes_at": "2026-03-12T10:00:00Z",
        "opens_local": "2026-03-11T22:00:00-04:00",
        "closes_local": "2026-03-12T06:00:00-04:00",
    }
    assert rows["default"]["window_error"] is rows["dw_amer"]["window_error"] is None


def test_a_window_open_now_is_shown_with_the_next_one(fleet_app, fleet_client):
    # 23:30 in Berlin: its Tuesday window is open; New York's Tuesday is a blackout.
    fleet_app.dependency_overrides[get_now] = lambda: datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
    rows = {r["name"]: r for r in fleet_client.get("/hcc/fleet").json()["warehouses"]}
    current = rows["default"]["current_window"]
    assert (current["opens_at"], current["closes_at"]) == (
        "2026-03-10T21:00:00Z",
        "2026-03-11T05:00:00Z",
    )
    assert rows["default"]["next_window"]["opens_local"] == "2026-03-11T22:00:00+01:00"
    assert rows["dw_amer"]["current_window"] is None


def test_one_warehouse_unreachable_leaves_the_others_figures(fleet_client, fleet_engines):
    fleet_engines["dw_amer"] = WarehouseDown("ORA-12541: TNS:no listener")
    rows = _rows(fleet_client)
    amer = rows["dw_amer"]
    assert amer["status"] == "unreachable"
    assert amer["error"] == "WarehouseDown: ORA-12541: TNS:no listener"
    assert [amer[k] for k in ("space_saved_bytes", "backlog", "open_failures")] == [None] * 3
    # Its schedule needs no database: the next window is still known.
    assert amer["next_window"]["opens_at"] == "2026-03-12T02:00:00Z"
    default = rows["default"]
    assert (default["status"], default["space_saved_bytes"], default["backlog"]) == ("ok", 4000, 2)


def test_a_repository_failing_while_read_is_unreachable_too(fleet_client, fleet_engines, tmp_path):
    from sqlalchemy import create_engine

    empty = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no hcc_* tables
    fleet_engines["default"] = empty
    rows = _rows(fleet_client)
    assert rows["default"]["status"] == "unreachable"
    assert "no such table" in rows["default"]["error"]
    assert rows["dw_amer"]["status"] == "ok"
    empty.dispose()


def test_every_warehouse_down_is_still_an_answer(fleet_client, fleet_engines):
    for name in list(fleet_engines):
        fleet_engines[name] = WarehouseDown(f"{name} is down")
    rows = _rows(fleet_client)
    assert {r["status"] for r in rows.values()} == {"unreachable"}


def test_a_bad_schedule_is_that_warehouses_window_error(fleet_client, fleet_config):
    text = (fleet_config / "warehouses.yaml").read_text()
    (fleet_config / "warehouses.yaml").write_text(
        text.replace("timezone: America/New_York", "timezone: America/Nowhere")
    )
    rows = _rows(fleet_client)
    assert rows["dw_amer"]["next_window"] is None
    assert "America/Nowhere" in rows["dw_amer"]["window_error"]
    assert rows["dw_amer"]["status"] == "ok"  # its repository is fine
    assert rows["default"]["next_window"] is not None


def test_the_fleet_needs_a_token(fleet_client):
    fleet_client.headers.pop("Authorization")
    assert fleet_client.get("/hcc/fleet").status_code == 401

"""`hcc --warehouse NAME`: the warehouse's connection and its own configuration files."""

from __future__ import annotations

import json

import pytest

FLEET = """
warehouses:
  - {name: default, conn_id: hcc_warehouse}
  - name: dw_amer
    conn_id: hcc_test_amer
    overrides:
      schedule:
        timezone: America/New_York
        holidays: {country: US, by_name: {}, by_date: {}, extra_dates: {}}
"""
# Tuesday 2026-03-10 21:30 UTC is 22:30 in Berlin (the 22:00-06:00 window is open) and 17:30
# in New York (closed): each warehouse's plan follows its own windows.
EVENING = "2026-03-10T21:30:00+00:00"


@pytest.fixture
def fleet_config(config_copy):
    (config_copy / "warehouses.yaml").write_text(FLEET)
    return config_copy


def _plan(hcc, config, *extra):
    return hcc("plan", "--config-dir", str(config), "--at", EVENING, "--json", *extra)


def test_the_warehouses_connection_is_used(hcc, fleet_config, demo_dsn, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_HCC_TEST_AMER", demo_dsn)
    code, out, err = _plan(hcc, fleet_config, "--warehouse", "dw_amer")
    assert code == 0, err
    # Without the connection: the error names the warehouse's connection, not hcc_warehouse.
    monkeypatch.delenv("AIRFLOW_CONN_HCC_TEST_AMER")
    code, _, err = _plan(hcc, fleet_config, "--warehouse", "dw_amer")
    assert code == 2 and "hcc_test_amer" in err


def test_each_warehouse_plans_in_its_own_windows(hcc, fleet_config, demo_dsn):
    code, out, err = _plan(hcc, fleet_config, "--dsn", demo_dsn)
    assert code == 0, err
    berlin = json.loads(out)
    code, out, err = _plan(hcc, fleet_config, "--dsn", demo_dsn, "--warehouse", "dw_amer")
    assert code == 0, err
    new_york = json.loads(out)
    # Berlin's window is open now: the batch would start at once, until 06:00 Berlin (CET).
    assert (berlin["at"], berlin["window_end"]) == (EVENING, "2026-03-11T05:00:00+00:00")
    # New York's is closed: the preview is of its next window, 22:00 EDT (UTC-4 since 8 March).
    assert (new_york["window_start"], new_york["window_end"]) == (
        "2026-03-11T02:00:00+00:00",
        "2026-03-11T10:00:00+00:00",
    )


def test_an_unknown_warehouse_is_refused_with_the_known_names(hcc, fleet_config, demo_dsn):
    code, _, err = _plan(hcc, fleet_config, "--warehouse", "dw_mars")
    assert code == 1
    assert "no warehouse named 'dw_mars'" in err and "default, dw_amer" in err
    assert "Traceback" not in err


def test_validate_checks_each_warehouse_as_its_dags_read_it(hcc, fleet_config):
    (fleet_config / "warehouses.yaml").write_text(
        FLEET.replace("timezone: America/New_York", "timezone: America/Gotham")
    )
    code, out, _ = hcc("validate", "--config-dir", str(fleet_config))
    assert code == 1
    assert "warehouse dw_amer" in out and "America/Gotham" in out and "overrides.schedule" in out


def test_airflow_settings_declare_the_connection_of_every_shipped_warehouse():
    import yaml

    from hcc_operators.core.fleet import load_fleet
    from hcc_operators.core.paths import project_root

    settings = yaml.safe_load((project_root() / "airflow_settings.yaml").read_text())
    declared = {c["conn_id"] for c in settings["airflow"]["connections"]}
    assert {spec.conn_id for spec in load_fleet()} <= declared

"""warehouses.yaml: the fleet, each warehouse's files and overrides, and clear errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.fleet import ConfigKind, load_fleet, load_warehouse, merge_settings
from hcc_operators.core.names import DEFAULT_WAREHOUSE
from hcc_operators.core.paths import config_dir

SHIPPED = config_dir()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped configuration without warehouses.yaml."""
    for name in ("schedule.yaml", "policies.yaml", "advisor.yaml", "housekeeping.yaml"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    return tmp_path


def write(folder: Path, text: str) -> None:
    (folder / "warehouses.yaml").write_text(text)


def test_without_a_fleet_file_there_is_one_default_warehouse_on_hcc_warehouse(folder):
    fleet = load_fleet(folder)
    assert fleet.source is None and fleet.names == [DEFAULT_WAREHOUSE]
    spec = fleet.get(None)
    assert (spec.conn_id, spec.is_default) == ("hcc_warehouse", True)
    assert spec.path(ConfigKind.SCHEDULE) == folder / "schedule.yaml"
    assert spec.schedule.timezone == "Europe/Berlin"


def test_the_shipped_fleet_has_two_warehouses_in_different_zones_and_calendars():
    fleet = load_fleet(SHIPPED)
    assert fleet.names == ["default", "dw_amer"]
    berlin, new_york = fleet.get("default"), fleet.get("dw_amer")
    assert (berlin.schedule.timezone, berlin.schedule.holidays.country) == ("Europe/Berlin", "DE")
    assert (new_york.schedule.timezone, new_york.schedule.holidays.country) == (
        "America/New_York",
        "US",
    )
    # Everything not overridden is the shared schedule's.
    assert new_york.schedule.weekday == berlin.schedule.weekday
    assert new_york.conn_id == "hcc_dw_amer"


def test_overrides_merge_mappings_key_by_key_and_replace_everything_else(folder):
    write(
        folder,
        """
warehouses:
  - name: dw_apac
    conn_id: hcc_dw_apac
    overrides:
      schedule:
        timezone: Asia/Tokyo
        holidays: {country: JP, by_name: {}}
        weekend: {days: [sun]}
      housekeeping:
        retention: {alerts_days: 30}
""",
    )
    spec = load_warehouse("dw_apac", folder)
    shared = load_warehouse(None, SHIPPED).schedule
    assert spec.schedule.timezone == "Asia/Tokyo"
    assert spec.schedule.holidays.country == "JP"
    assert spec.schedule.holidays.extra_dates == shared.holidays.extra_dates  # merged
    assert [d.value for d in spec.schedule.weekend.days] == ["sun"]  # a list replaces
    assert spec.schedule.weekend.open == shared.weekend.open
    assert spec.housekeeping.retention.alerts_days == 30
    assert spec.housekeeping.retention.execution_log_days == 180  # the default stays


def test_a_file_in_the_warehouses_own_folder_replaces_the_shared_one(folder):
    own = folder / "apac"
    own.mkdir()
    (own / "policies.yaml").write_text("policies: []\n")
    write(folder, "warehouses:\n  - {name: dw_apac, conn_id: hcc_dw_apac, config_dir: apac}\n")
    spec = load_warehouse("dw_apac", folder)
    assert spec.path(ConfigKind.POLICIES) == own / "policies.yaml"
    assert spec.policies.policies == ()
    assert spec.path(ConfigKind.SCHEDULE) == folder / "schedule.yaml"  # not in apac/: shared


def test_a_bad_override_is_named_with_the_file_it_overrides_and_the_warehouse(folder):
    write(
        folder,
        """
warehouses:
  - name: dw_bad
    conn_id: hcc_dw_bad
    overrides:
      schedule: {timezone: Mars/Olympus_Mons}
""",
    )
    with pytest.raises(ConfigError) as err:
        load_warehouse("dw_bad", folder).schedule  # noqa: B018
    text = str(err.value)
    assert "schedule.yaml with" in text and "dw_bad.overrides.schedule" in text
    assert "timezone" in text and "Mars/Olympus_Mons" in text


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("warehouses: []", "warehouses"),
        ("warehouses: [{name: DW, conn_id: c}]", "warehouses.0.name"),
        ("warehouses: [{name: dw-emea, conn_id: c}]", "warehouses.0.name"),
        ("warehouses: [{name: dw, conn_id: 'has space'}]", "warehouses.0.conn_id"),
        ("warehouses: [{name: dw, conn_id: c, config_dir: ../etc}]", "warehouses.0.config_dir"),
        ("warehouses: [{name: dw, conn_id: c, config_dir: /etc}]", "warehouses.0.config_dir"),
        ("warehouses: [{name: dw, conn_id: c, config_dir: missing}]", "warehouses.0.config_dir"),
        ("warehouses: [{name: dw, conn_id: c, colour: red}]", "warehouses.0.colour"),
        ("warehouses: [{name: dw, conn_id: c, overrides: {cron: {}}}]", "overrides"),
        ("warehouses: [{name: a, conn_id: c}, {name: a, conn_id: d}]", "name 'a'"),
        ("warehouses: [{name: a, conn_id: c}, {name: b, conn_id: c}]", "conn_id 'c'"),
        ("- just a list", "expected a mapping"),
    ],
)
def test_an_invalid_fleet_file_is_a_config_error_naming_file_and_field(folder, text, names):
    write(folder, text)
    with pytest.raises(ConfigError) as err:
        load_fleet(folder)
    assert "warehouses.yaml" in str(err.value) and names in str(err.value)


def test_an_unknown_warehouse_is_refused_naming_the_known_ones():
    with pytest.raises(ConfigError, match="no warehouse named 'dw_mars'.*default, dw_amer"):
        load_fleet(SHIPPED).get("dw_mars")


def test_a_changed_file_is_read_again(folder):
    write(folder, "warehouses: [{name: dw_one, conn_id: c1}]\n")
    assert load_fleet(folder).names == ["dw_one"]
    write(folder, "warehouses: [{name: dw_one, conn_id: c1}, {name: dw_two, conn_id: c2}]\n")
    assert load_fleet(folder).names == ["dw_one", "dw_two"]


def test_merge_settings_leaves_its_inputs_alone():
    base = {"a": {"b": 1, "c": [1]}, "d": 2}
    override = {"a": {"c": [2]}, "e": {"f": 3}}
    assert merge_settings(base, override) == {"a": {"b": 1, "c": [2]}, "d": 2, "e": {"f": 3}}
    assert base == {"a": {"b": 1, "c": [1]}, "d": 2} and override == {
        "a": {"c": [2]},
        "e": {"f": 3},
    }


def test_an_empty_mapping_in_an_override_clears_the_shared_one():
    assert merge_settings({"by_name": {"Labor Day": "weekend"}}, {"by_name": {}}) == {"by_name": {}}


def test_the_file_names_are_the_loaders_own():
    from hcc_operators.core.advisor_config import FILE_NAME
    from hcc_operators.core.fleet import _FILES
    from hcc_operators.core.housekeeping_config import HOUSEKEEPING_FILE
    from hcc_operators.core.policy_config import POLICIES_FILE
    from hcc_operators.core.schedule_config import SCHEDULE_FILE

    assert _FILES == {
        ConfigKind.SCHEDULE: SCHEDULE_FILE,
        ConfigKind.POLICIES: POLICIES_FILE,
        ConfigKind.ADVISOR: FILE_NAME,
        ConfigKind.HOUSEKEEPING: HOUSEKEEPING_FILE,
    }


def test_warehouses_sharing_a_file_share_one_validated_model(folder):
    write(folder, "warehouses: [{name: dw_a, conn_id: a}, {name: dw_b, conn_id: b}]\n")
    fleet = load_fleet(folder)
    assert fleet.get("dw_a").policies is fleet.get("dw_b").policies

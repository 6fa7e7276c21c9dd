from __future__ import annotations

import json


def test_shipped_configuration_is_valid(hcc, config_copy):
    code, out, err = hcc("validate", "--config-dir", str(config_copy))
    assert code == 0, out + err
    # Five shared files and warehouses.yaml (with dw_amer's overrides applied).
    assert out.count("OK ") == 6
    assert "policies.yaml" in out and "strategies.yaml" in out


def test_invalid_field_names_file_and_field(hcc, config_copy):
    (config_copy / "schedule.yaml").write_text("timezone: Europe/Berlinn\n")
    code, out, _ = hcc("validate", "--config-dir", str(config_copy), "--json")
    assert code == 1
    report = {r["file"].rsplit("/", 1)[-1]: r for r in json.loads(out)}
    assert report["schedule.yaml"]["status"] == "ERROR"
    (message,) = report["schedule.yaml"]["errors"]
    assert "schedule.yaml: timezone:" in message and "Europe/Berlin" in message
    assert report["policies.yaml"]["status"] == "OK"


def test_profile_fallback_is_a_warning_not_a_failure(hcc, config_copy):
    (config_copy / "policies.yaml").write_text(
        "policies:\n  - name: p\n    profile: NOPE\n    tables: [S.T]\n"
        "    action: {type: READ_ONLY}\n"
    )
    code, out, _ = hcc("validate", "--config-dir", str(config_copy))
    assert code == 0
    assert "WARNING" in out and "profile 'NOPE' is not defined" in out


def test_bad_strategy_path_fails(hcc, config_copy):
    (config_copy / "strategies.yaml").write_text("strategies:\n  mine: nowhere_xyz.mod:Cls\n")
    code, out, _ = hcc("validate", "--config-dir", str(config_copy))
    assert code == 1
    assert "strategies.mine" in out and "cannot import module 'nowhere_xyz.mod'" in out


def test_custom_policies_are_checked_against_the_registry(hcc, config_copy):
    (config_copy / "policies.yaml").write_text(
        "policies:\n"
        "  - name: unknown\n    tables: [S.T]\n    action: {type: CUSTOM, strategy: nope}\n"
        "  - name: bad_params\n    tables: [S.T]\n"
        "    action: {type: CUSTOM, strategy: recompress_if_decayed,"
        " params: {max_decayed_fraction: 5}}\n"
    )
    code, out, _ = hcc("validate", "--config-dir", str(config_copy), "--json")
    assert code == 1
    errors = next(r for r in json.loads(out) if r["file"].endswith("strategies.yaml"))["errors"]
    assert any(
        "policies[unknown].action.strategy" in e and "unknown strategy 'nope'" in e for e in errors
    )
    assert any(
        "policies[bad_params].action" in e and "params.max_decayed_fraction" in e for e in errors
    )


def test_missing_file_is_an_error(hcc, config_copy):
    (config_copy / "advisor.yaml").unlink()
    code, out, _ = hcc("validate", "--config-dir", str(config_copy))
    assert code == 1
    assert "advisor.yaml: file not found" in out

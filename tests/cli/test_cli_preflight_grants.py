"""`hcc preflight` on the demo (simulated values) and `hcc grants`, as a user runs them."""

from __future__ import annotations

import json

from hcc_operators.core.paths import sql_dir
from hcc_operators.warehouse.embedded import EmbeddedWarehouse


def test_preflight_on_the_demo_passes_and_says_the_values_are_simulated(hcc, demo_dsn):
    code, out, _ = hcc("preflight", "--dsn", demo_dsn)
    assert code == 0, out
    assert "HCC_SVC on embedded warehouse (simulated values)" in out
    assert "CREATE SEQUENCE" in out and "0 failure(s)" in out
    assert "COMPATIBLE" in out and "HEAT_MAP=ON" in out


def test_preflight_names_a_revoked_privilege_and_exits_1(hcc, demo_dsn):
    wh = EmbeddedWarehouse(demo_dsn.removeprefix("sqlite:///"))
    wh.revoke_privilege("ALTER ANY TABLE")
    wh.set_quota("HCC_SVC", "SALES_ARCH", 0)
    wh.close()
    code, out, _ = hcc("preflight", "--dsn", demo_dsn, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["status"] == "FAIL" and report["simulated"] is True
    failed = {c["name"]: c for c in report["checks"] if c["status"] == "FAIL"}
    assert set(failed) == {"ALTER ANY TABLE", "SALES_ARCH"}
    assert failed["ALTER ANY TABLE"]["remedy"] == "grants.sql: GRANT ALTER ANY TABLE TO HCC_SVC;"
    assert "MOVE policy" in failed["SALES_ARCH"]["detail"]


def test_preflight_without_a_warehouse_exits_2(hcc):
    code, _, err = hcc("preflight")
    assert code == 2 and "no warehouse" in err.lower()


def test_grants_prints_the_shipped_script(hcc):
    code, out, _ = hcc("grants")
    assert code == 0
    assert out == (sql_dir() / "privileges" / "grants.sql").read_text()


def test_grants_for_your_names_quotes_them_and_adds_the_move_targets(hcc, config_copy):
    code, out, _ = hcc(
        "grants", "--account", "ops_hcc", "--scratch", "scratch", "--config-dir", str(config_copy)
    )
    assert code == 0
    assert 'GRANT CREATE SEQUENCE TO "OPS_HCC";' in out
    assert 'ALTER USER "OPS_HCC" QUOTA UNLIMITED ON "SCRATCH";' in out
    assert out.rstrip().endswith('ALTER USER "OPS_HCC" QUOTA UNLIMITED ON "SALES_ARCH";')


def test_grants_refuses_a_name_that_is_not_an_identifier(hcc):
    code, _, err = hcc("grants", "--account", "x; DROP USER sys")
    assert code == 1 and "not a valid unquoted Oracle identifier" in err

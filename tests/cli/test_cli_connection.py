from __future__ import annotations


def test_no_connection_anywhere_exits_2(hcc):
    code, _, err = hcc("status")
    assert code == 2
    assert "no warehouse to connect to" in err and "HCC_DSN" in err


def test_hcc_dsn_is_used(hcc, demo_dsn, monkeypatch):
    monkeypatch.setenv("HCC_DSN", demo_dsn)
    code, out, _ = hcc("status")
    assert code == 0
    assert "queue is empty" in out


def test_bad_dsn_scheme_is_a_usage_error(hcc):
    code, _, err = hcc("status", "--dsn", "postgres://x")
    assert code == 1
    assert "--dsn" in err and "unsupported DSN scheme" in err


def test_missing_warehouse_file_is_a_warehouse_error(hcc, tmp_path):
    code, _, err = hcc("status", "--dsn", f"sqlite:///{tmp_path / 'nope.db'}")
    assert code == 2
    assert "no embedded warehouse" in err


def test_usage_errors_exit_1(hcc):
    assert hcc("frobnicate")[0] == 1
    assert hcc("plan", "--max-operations", "many")[0] == 1
    code, _, err = hcc("explain", "SALES.ORDERS_FACT", "--dsn", "sqlite:///x")
    assert code == 1 and "OWNER.TABLE:PARTITION" in err
    code, _, err = hcc("explain", "SALES.SELECT:P1", "--dsn", "sqlite:///x")
    assert code == 1 and "reserved word" in err

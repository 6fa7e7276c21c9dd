from __future__ import annotations

import pytest

from hcc_operators.core.errors import Transience, WarehouseError
from hcc_operators.core.ora_codes import classify, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ORA-00054: resource busy", "ORA-00054"),
        ("ora-1688", "ORA-01688"),
        (54, "ORA-00054"),
        ("DPY-4011: the database or network closed the connection", "DPY-4011"),
        ("nonsense", None),
        (None, None),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ORA-00054", Transience.TRANSIENT),
        ("DPY-4011", Transience.TRANSIENT),
        ("ORA-03113", Transience.TRANSIENT),
        ("ORA-01688", Transience.SKIP_FOR_NOW),
        ("ORA-03233", Transience.SKIP_FOR_NOW),  # a subpartition cannot extend (SPACE-02)
        ("ORA-01683", Transience.SKIP_FOR_NOW),  # an index partition (SPACE-05)
        ("ORA-03234", Transience.SKIP_FOR_NOW),  # an index subpartition (SPACE-05)
        ("ORA-60003", Transience.SKIP_FOR_NOW),  # MAXSIZE reached (SPACE-06)
        ("ORA-60007", Transience.SKIP_FOR_NOW),
        ("ORA-00028", Transience.PERMANENT),
        ("ORA-00600", Transience.PERMANENT),
        ("ORA-64307", Transience.PERMANENT),
        ("ORA-00942", Transience.PERMANENT),
        (None, Transience.PERMANENT),
    ],
)
def test_classify(code, expected):
    assert classify(code) is expected


def test_warehouse_error_carries_code_and_transience():
    err = WarehouseError("lock held", code="ORA-00054")
    assert err.transient and str(err) == "ORA-00054: lock held"
    assert not WarehouseError("no storage", code="ORA-64307").transient

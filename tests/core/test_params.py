"""One strict parser for every Param: exact spellings only, the Param named in the error."""

from __future__ import annotations

import pytest

from hcc_operators.core import params
from hcc_operators.core.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), ("true", True), (" FALSE ", False)]
)
def test_booleans(value, expected):
    assert params.as_bool(value, "force") is expected


@pytest.mark.parametrize("value", ["yes", "1", 1, 0, None, "None", "", "on"])
def test_booleans_refuse_anything_else(value):
    with pytest.raises(ConfigError, match="Param: force: .* is not true or false"):
        params.as_bool(value, "force")


def test_integers():
    assert params.as_int(5, "n") == 5
    assert params.as_int("12", "n") == 12
    assert params.as_int(3.0, "n") == 3
    assert params.as_int(None, "n", optional=True) is None
    assert params.as_int("null", "n", optional=True) is None
    for bad in ("1.5", 1.5, True, "x", [1], "None"):
        with pytest.raises(ConfigError, match="is not a whole number"):
            params.as_int(bad, "n", optional=True)
    with pytest.raises(ConfigError, match="required"):
        params.as_int(None, "n")
    with pytest.raises(ConfigError, match="above the maximum 1024"):
        params.as_int(2**63, "max_operations", maximum=1024)
    with pytest.raises(ConfigError, match="below the minimum 1"):
        params.as_int(0, "n", minimum=1)


def test_floats_and_lists():
    assert params.as_float("2.5", "r") == 2.5
    for bad in ("nan", "inf", float("nan"), "x", True):
        with pytest.raises(ConfigError, match="Param: r"):
            params.as_float(bad, "r")
    assert params.as_str_list(["A ", " ", "b"], "s") == ["A", "b"]
    assert params.as_str_list("SALES", "s") == ["SALES"]
    assert params.as_str_list(None, "s") == []
    with pytest.raises(ConfigError, match="a list of strings"):
        params.as_str_list([1, 2], "s")

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from hcc_operators.core.policy_errors import field_path, translate

DATA = {"policies": [{"name": "first"}, {"nameless": True}]}


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("policies", 0, "action", "COMPRESS", "level"), "policies[first].action.level"),
        (("policies", 1, "tables", 2, "pattern"), "policies[#2].tables[2].pattern"),
        (("policies", 0), "policies[first]"),
        (("profiles", "FAST", "hot_days"), "profiles.FAST.hot_days"),
        (("policies", 9, "name"), "policies[#10].name"),
    ],
)
def test_field_path_names_the_policy_and_drops_the_union_tag(loc, expected):
    assert field_path(loc, DATA) == expected


class _Two(BaseModel):
    a: int
    b: int


def test_translate_reports_the_first_problem_and_lists_the_rest():
    with pytest.raises(ValidationError) as info:
        _Two.model_validate({"a": "x"})
    err = translate(info.value, {}, "f.yaml")
    assert err.source == "f.yaml" and err.field == "a"
    assert str(err).startswith("f.yaml: a: ")
    assert "(got 'x')" in str(err)
    assert "also b: missing required field" in str(err)

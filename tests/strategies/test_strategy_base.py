from __future__ import annotations

import pytest

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import ActionStatus, ObjectRef
from hcc_operators.strategies.base import StrategyResult
from hcc_operators.strategies.recompress_if_decayed import RecompressIfDecayed

REF = ObjectRef("SALES", "ORDERS_FACT", "P_2020_01")


def test_validate_returns_the_params_model_with_defaults():
    params = RecompressIfDecayed().validate(REF, {"max_decayed_fraction": 0.3})
    assert params.max_decayed_fraction == 0.3
    assert params.sample_rows == 100_000


def test_validate_names_strategy_and_field():
    with pytest.raises(ConfigError) as err:
        RecompressIfDecayed().validate(REF, {"max_decayed_fraction": 2})
    assert err.value.source == "strategy recompress_if_decayed"
    assert err.value.field == "params.max_decayed_fraction"
    assert "less than 1" in str(err.value)


def test_validate_rejects_unknown_params_by_name():
    with pytest.raises(ConfigError) as err:
        RecompressIfDecayed().validate(REF, {"max_decayd_fraction": 0.3})
    assert err.value.field == "params.max_decayd_fraction"
    assert "unknown parameter" in str(err.value)


def test_validate_rejects_params_that_are_not_a_mapping():
    with pytest.raises(ConfigError, match="params must be a mapping"):
        RecompressIfDecayed().validate(REF, ["max_decayed_fraction"])


def test_result_accepts_only_final_statuses():
    assert StrategyResult("SKIPPED", "nothing").status is ActionStatus.SKIPPED
    with pytest.raises(ValueError, match="not RUNNING"):
        StrategyResult(ActionStatus.RUNNING, "busy")

from __future__ import annotations

import copy

import pytest
import yaml

from hcc_operators.core.advisor_config import (
    load_advisor_config,
    parse_advisor_config,
)
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import CompressionType
from hcc_operators.core.paths import config_dir
from hcc_operators.core.sample_rows import ALL_ROWS

BALANCED = {
    "max_hotness_hcc": 25,
    "max_hotness_advanced": 60,
    "min_ratio_gain": 0.25,
    "min_size_mb": 256,
    "max_level": "ARCHIVE LOW",
    "recompress_decay_threshold": 0.2,
}


def _data(**defaults):
    return {"defaults": {"strategy": "balanced", **defaults}, "strategies": {"balanced": BALANCED}}


def _write(tmp_path, data) -> str:
    path = tmp_path / "advisor.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return str(path)


def test_shipped_file_loads_with_the_three_strategies():
    config = load_advisor_config()
    assert config.source == str(config_dir() / "advisor.yaml")
    assert set(config.strategies) == {"conservative", "balanced", "aggressive"}
    assert config.strategy().name == config.defaults.strategy == "balanced"
    conservative = config.strategy("conservative")
    assert conservative.max_level is CompressionType.QUERY_HIGH
    assert config.strategy("aggressive").max_level is CompressionType.ARCHIVE_HIGH


def test_shipped_strategies_grow_more_permissive():
    config = load_advisor_config()
    c, b, a = (config.strategy(n) for n in ("conservative", "balanced", "aggressive"))
    assert c.max_hotness_hcc < b.max_hotness_hcc < a.max_hotness_hcc
    assert c.min_ratio_gain > b.min_ratio_gain > a.min_ratio_gain
    assert c.min_size_mb > b.min_size_mb > a.min_size_mb
    assert c.max_level.rank < b.max_level.rank < a.max_level.rank


def test_default_path_follows_hcc_config_dir(tmp_path, monkeypatch):
    _write(tmp_path, _data(chunk_size=7))
    monkeypatch.setenv("HCC_CONFIG_DIR", str(tmp_path))
    assert load_advisor_config().defaults.chunk_size == 7


def test_unknown_strategy_lists_the_known_ones():
    config = load_advisor_config()
    with pytest.raises(ConfigError) as info:
        config.strategy("reckless")
    message = str(info.value)
    assert "reckless" in message
    assert "aggressive, balanced, conservative" in message
    assert info.value.field == "strategy"
    assert info.value.source == config.source


def test_default_strategy_must_be_defined(tmp_path):
    with pytest.raises(ConfigError, match="'nope' is not defined; known strategies: balanced"):
        load_advisor_config(_write(tmp_path, _data(strategy="nope")))


def test_level_names_are_parsed_leniently():
    data = copy.deepcopy(_data())
    data["strategies"]["balanced"]["max_level"] = "query_high"
    assert parse_advisor_config(data).strategy().max_level is CompressionType.QUERY_HIGH


@pytest.mark.parametrize("level", ["BASIC", "NONE", "SUPER HIGH"])
def test_max_level_must_be_an_estimated_level(level):
    data = copy.deepcopy(_data())
    data["strategies"]["balanced"]["max_level"] = level
    with pytest.raises(ConfigError) as info:
        parse_advisor_config(data, source="advisor.yaml")
    assert info.value.field == "strategies.balanced.max_level"
    assert info.value.source == "advisor.yaml"


def test_hotness_limits_must_be_ordered():
    data = copy.deepcopy(_data())
    data["strategies"]["balanced"]["max_hotness_advanced"] = 10
    with pytest.raises(ConfigError, match="max_hotness_advanced .* must be at least"):
        parse_advisor_config(data)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("max_hotness_hcc", 101),
        ("min_ratio_gain", -0.1),
        ("recompress_decay_threshold", 0),
        ("recompress_decay_threshold", 1.5),
        ("min_size_mb", "big"),
    ],
)
def test_strategy_values_are_range_checked(key, value):
    data = copy.deepcopy(_data())
    data["strategies"]["balanced"][key] = value
    with pytest.raises(ConfigError) as info:
        parse_advisor_config(data)
    assert key in str(info.value)


def test_unknown_keys_are_rejected_with_their_path():
    data = copy.deepcopy(_data())
    data["strategies"]["balanced"]["max_hotnes_hcc"] = 3
    with pytest.raises(ConfigError, match="max_hotnes_hcc"):
        parse_advisor_config(data)


def test_strategy_name_comes_from_the_key():
    data = copy.deepcopy(_data())
    data["strategies"]["balanced"]["name"] = "other"
    with pytest.raises(ConfigError, match="the key is the name"):
        parse_advisor_config(data)


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("sample_rows", ALL_ROWS, True),
        ("sample_rows", 0, False),
        ("sample_rows", -5, False),
        ("chunk_size", 0, False),
        ("parallel_degree", 0, False),
        ("observation_days", 0, False),
        ("scratch_tablespace", "  ", False),
        ("scratch_tablespace", " SCRATCH ", True),
    ],
)
def test_defaults_are_checked(key, value, ok):
    data = _data(**{key: value})
    if ok:
        parse_advisor_config(data)
    else:
        with pytest.raises(ConfigError, match=key):
            parse_advisor_config(data)


def test_several_problems_are_reported_together():
    data = copy.deepcopy(_data(chunk_size=0))
    data["strategies"]["balanced"]["min_ratio_gain"] = -1
    with pytest.raises(ConfigError) as info:
        parse_advisor_config(data)
    assert "2 problems" in str(info.value)
    assert "defaults.chunk_size" in str(info.value)
    assert "strategies.balanced.min_ratio_gain" in str(info.value)


def test_missing_file(tmp_path):
    missing = tmp_path / "absent.yaml"
    with pytest.raises(ConfigError, match="file not found") as info:
        load_advisor_config(missing)
    assert info.value.source == str(missing)


def test_invalid_yaml_names_the_line(tmp_path):
    path = _write(tmp_path, "defaults:\n  strategy: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_advisor_config(path)


@pytest.mark.parametrize("text", ["", "- a list\n", "just text\n"])
def test_top_level_must_be_a_mapping(tmp_path, text):
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_advisor_config(_write(tmp_path, text))


def test_strategies_are_required(tmp_path):
    with pytest.raises(ConfigError, match="strategies"):
        load_advisor_config(_write(tmp_path, {"defaults": {}}))


def test_config_is_immutable():
    strategy = load_advisor_config().strategy()
    with pytest.raises(ValueError):
        strategy.min_ratio_gain = 0  # type: ignore[misc]

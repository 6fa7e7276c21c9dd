from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from hcc_operators.core.errors import ConfigError
from hcc_operators.strategies import registry as registry_module
from hcc_operators.strategies.registry import BUILTINS, load_registry


def _write(tmp_path, body: str):
    (tmp_path / "strategies.yaml").write_text(body)
    return tmp_path


def _registry(tmp_path, body: str, **kwargs):
    return load_registry(_write(tmp_path, body), include_entry_points=False, **kwargs)


def test_builtins_without_a_file(tmp_path):
    registry = load_registry(tmp_path, include_entry_points=False)
    assert registry.names() == sorted(BUILTINS)
    for name in BUILTINS:
        assert registry.get(name).name == name


def test_dotted_path_from_strategies_yaml(tmp_path, example_on_path):
    registry = _registry(
        tmp_path, "strategies:\n  record_row_count: custom_strategy_example:RecordRowCount\n"
    )
    strategy = registry.get("record_row_count")
    assert type(strategy).__name__ == "RecordRowCount"
    assert registry.source("record_row_count").origin == str(tmp_path / "strategies.yaml")


def test_unknown_name_lists_the_known_ones(tmp_path):
    registry = load_registry(tmp_path, include_entry_points=False)
    with pytest.raises(ConfigError) as err:
        registry.get("rebuild_indexes")
    assert "unknown strategy 'rebuild_indexes'" in str(err.value)
    assert "rebuild_unusable_indexes" in str(err.value)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("no_such_module_xyz:Thing", "cannot import module 'no_such_module_xyz'"),
        ("custom_strategy_example:Missing", "has no attribute 'Missing'"),
        ("custom_strategy_example:NotAStrategy", "it lacks Params, validate, execute"),
        ("custom_strategy_example:WrongName", "declares name 'something_else'"),
    ],
)
def test_bad_dotted_paths_name_the_problem(tmp_path, example_on_path, path, expected):
    registry = _registry(tmp_path, f"strategies:\n  mine: {path}\n")
    with pytest.raises(ConfigError) as err:
        registry.get("mine")
    assert expected in str(err.value)
    assert err.value.field == "strategies.mine"
    assert err.value.source.endswith("strategies.yaml")
    assert [e.field for e in registry.check_all()] == ["strategies.mine"]


def test_malformed_dotted_path_is_refused_at_load(tmp_path):
    with pytest.raises(ConfigError) as err:
        _registry(tmp_path, "strategies:\n  mine: just_a_module\n")
    assert err.value.field == "strategies.mine"
    assert "package.module:Class" in str(err.value)


def test_unknown_top_level_key(tmp_path):
    with pytest.raises(ConfigError, match="unknown field"):
        _registry(tmp_path, "strategy:\n  mine: a.b:C\n")


def test_a_custom_strategy_cannot_shadow_a_builtin(tmp_path, example_on_path):
    with pytest.raises(ConfigError) as err:
        _registry(tmp_path, "strategies:\n  recompress_if_decayed: custom_strategy_example:X\n")
    assert "already taken" in str(err.value)
    assert err.value.field == "strategies.recompress_if_decayed"


def test_entry_points_are_registered(tmp_path, example_on_path, monkeypatch):
    point = EntryPoint(
        "record_row_count",
        "custom_strategy_example:RecordRowCount",
        registry_module.ENTRY_POINT_GROUP,
    )
    monkeypatch.setattr(registry_module, "entry_points", lambda group: [point])
    registry = load_registry(tmp_path)
    assert "record_row_count" in registry.names()
    assert registry.get("record_row_count").name == "record_row_count"
    assert registry.source("record_row_count").origin.startswith("entry point of")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("import sys\nsys.exit(3)\n", "raised SystemExit (it called sys.exit(3)) on import"),
        ("raise SystemExit\n", "raised SystemExit (it called sys.exit(None)) on import"),
        ("raise RuntimeError('boom')\n", "raised RuntimeError: boom on import"),
        ("def broken(:\n", "raised SyntaxError"),
        (
            "import sys\nclass Mine:\n    def __init__(self):\n        sys.exit('no')\n",
            "cannot be instantiated: SystemExit (it called sys.exit('no'))",
        ),
    ],
    ids=["exit_3", "bare_exit", "runtime_error", "syntax_error", "exit_in_init"],
)
def test_a_module_that_exits_or_raises_is_a_config_error(
    tmp_path, monkeypatch, request, body, expected
):
    module = f"hostile_strategy_{request.node.callspec.id}"
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / f"{module}.py").write_text(body)
    monkeypatch.syspath_prepend(str(modules))
    registry = _registry(tmp_path, f"strategies:\n  mine: {module}:Mine\n")
    with pytest.raises(ConfigError) as err:
        registry.get("mine")
    assert expected in str(err.value)
    assert err.value.field == "strategies.mine"

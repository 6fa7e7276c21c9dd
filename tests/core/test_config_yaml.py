"""The one YAML reader of include/config: every failure is a ConfigError naming the file."""

from __future__ import annotations

import os

import pytest

from hcc_operators.core.config_yaml import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_VALUES,
    load_config_file,
    parse_config_text,
)
from hcc_operators.core.errors import ConfigError


def refused(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, source="conf.yaml")
    assert caught.value.source == "conf.yaml"
    return str(caught.value)


def test_duplicate_keys_are_refused_with_both_lines():
    message = refused("a: 1\nb: 2\na: 3\n")
    assert "duplicate key 'a' (first written at line 1)" in message
    assert "at line 3" in message


def test_merge_keys_may_be_overridden():
    data = parse_config_text("base: &b {x: 1, y: 2}\nother: {<<: *b, x: 3}\n", source="c")
    assert data["other"] == {"x": 3, "y": 2}


def test_deep_nesting_stops_at_the_limit_not_at_the_recursion_limit():
    assert f"nested deeper than {MAX_DEPTH} levels" in refused("[" * 20_000 + "]" * 20_000)
    # At the limit it loads.
    assert parse_config_text("[" * MAX_DEPTH + "]" * MAX_DEPTH, source="c") is not None


def test_alias_bombs_are_refused_before_anything_expands_them():
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
    message = refused("\n".join(lines))
    assert f"expands to more than {MAX_VALUES:,} values" in message


def test_aliases_reused_a_few_times_are_fine():
    text = "common: &c {min_age_days: 30}\na: *c\nb: *c\n"
    assert parse_config_text(text, source="c")["b"] == {"min_age_days": 30}


def test_an_alias_cycle_is_refused():
    assert "refers to a list or mapping that contains it" in refused("a: &x [1, *x]\n")


def test_dates_stay_text_so_the_models_report_bad_ones_with_their_field():
    assert parse_config_text("d: 2026-02-30\n", source="c") == {"d": "2026-02-30"}
    assert "cannot be read" in refused("d: !!timestamp 2026-02-30\n")


@pytest.mark.parametrize(
    "text", ["a: \x00\n", "a:\n\tb: 1\n", "a: !!python/object:os.system x\n", "? [a]\n: 1\n"]
)
def test_other_malformed_documents_name_the_file(text):
    assert refused(text).startswith("conf.yaml: not valid YAML")


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "policies.yaml"
    path.write_bytes(b"a: 1\nb: \xff\xfe\n")
    with pytest.raises(ConfigError, match="not valid UTF-8: byte 0xff at line 2") as caught:
        load_config_file(path)
    assert caught.value.source == str(path)


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load_config_file(path) == {"a": 1}


def test_a_directory_in_place_of_the_file(tmp_path):
    with pytest.raises(ConfigError, match="is a directory, not a YAML file"):
        load_config_file(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "c.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config_file(fifo)


def test_oversized_files_are_refused(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(ConfigError, match="larger than 1024 KiB"):
        load_config_file(path)


def test_missing_files(tmp_path):
    assert load_config_file(tmp_path / "none.yaml", optional=True) is None
    with pytest.raises(ConfigError, match="file not found"):
        load_config_file(tmp_path / "none.yaml")

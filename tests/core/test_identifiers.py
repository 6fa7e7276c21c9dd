from __future__ import annotations

import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from hcc_operators.core import identifiers
from hcc_operators.core.errors import ConfigError, IdentifierError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sales", "SALES"),
        ("  Sales_2024$#  ", "SALES_2024$#"),
        ('"Sales 2024"', "Sales 2024"),
        ('"date"', "date"),
        ('"DATE"', "DATE"),
        ("x" * 128, "X" * 128),
        ('"ünïcode"', "ünïcode"),
    ],
)
def test_normalise_reads_user_text_like_sqlplus(text: str, expected: str) -> None:
    assert identifiers.normalise(text, kind="table") == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "not a valid unquoted"),
        ("1abc", "not a valid unquoted"),
        ("_abc", "not a valid unquoted"),
        ("a-b", "not a valid unquoted"),
        ("a b", "not a valid unquoted"),
        ("sales;drop", "not a valid unquoted"),
        ("ünïcode", "not a valid unquoted"),
        ('""', "is empty"),
        ('"a"b"', "contains a double quote"),
        ('"a\x00b"', "NUL"),
        ("date", "reserved word"),
        ("Table", "reserved word"),
        ("x" * 129, "129 bytes"),
        ('"' + "é" * 65 + '"', "130 bytes"),
    ],
)
def test_normalise_refuses_invalid_text_naming_kind_and_value(text: str, fragment: str) -> None:
    with pytest.raises(IdentifierError) as info:
        identifiers.normalise(text, kind="partition")
    assert fragment in str(info.value)
    assert "partition name" in str(info.value)


def test_normalise_applies_the_pre_12_2_limit_when_asked() -> None:
    limit = identifiers.max_identifier_bytes((12, 1, 0, 2))
    assert limit == 30
    assert identifiers.normalise("a" * 30, max_bytes=limit) == "A" * 30
    with pytest.raises(IdentifierError, match="31 bytes long; the limit is 30"):
        identifiers.normalise("a" * 31, max_bytes=limit)


@pytest.mark.parametrize(
    ("version", "limit"), [((11, 2), 30), ((12, 1), 30), ((12, 2), 128), ((19,), 128), (None, 128)]
)
def test_identifier_limit_follows_the_version(version, limit) -> None:
    assert identifiers.max_identifier_bytes(version) == limit


def test_quote_keeps_dictionary_names_exact() -> None:
    assert identifiers.quote("P_2024_01", kind="partition") == '"P_2024_01"'
    assert identifiers.quote("Mixed Case", kind="table") == '"Mixed Case"'
    assert identifiers.quote("SELECT", kind="table") == '"SELECT"'
    assert identifiers.qualified("SALES", "ORDERS") == '"SALES"."ORDERS"'
    assert identifiers.qualified("SALES", "IX", kind="index") == '"SALES"."IX"'


@pytest.mark.parametrize("bad", ["", 'a"b', "a\x00", "\ud800", None, 5])
def test_quote_refuses_names_that_are_not_identifiers(bad) -> None:
    with pytest.raises(IdentifierError, match="tablespace name"):
        identifiers.quote(bad, kind="tablespace")


def test_qualified_names_the_part_that_is_wrong() -> None:
    with pytest.raises(IdentifierError, match="owner name"):
        identifiers.qualified('SA"LES', "ORDERS")
    with pytest.raises(IdentifierError, match="index name"):
        identifiers.qualified("SALES", "", kind="index")


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown identifier kind"):
        identifiers.quote("A", kind="sequence")


def test_is_valid() -> None:
    assert identifiers.is_valid("ANY NAME at all")
    assert not identifiers.is_valid('A"B')


def test_identifier_error_is_a_config_error() -> None:
    assert issubclass(IdentifierError, ConfigError)


def _table_of_single_select(sql: str) -> exp.Table:
    statements = sqlglot.parse(sql, read="oracle")
    assert len(statements) == 1
    (select,) = statements
    assert isinstance(select, exp.Select)
    tables = list(select.find_all(exp.Table))
    assert len(tables) == 1
    return tables[0]


@settings(max_examples=400, deadline=None)
@given(owner=st.text(max_size=40), name=st.text(max_size=40))
def test_quoted_names_cannot_escape_their_quotes(owner: str, name: str) -> None:
    try:
        target = identifiers.qualified(owner, name)
    except IdentifierError:
        return
    sql = f"SELECT 1 FROM {target} WHERE 1 = 1"
    table = _table_of_single_select(sql)
    assert table.name == name
    assert table.db == owner
    # Outside the two quoted names nothing but the fixed text remains.
    remainder = sql.replace(f'"{owner}"', "", 1).replace(f'"{name}"', "", 1)
    assert remainder == "SELECT 1 FROM . WHERE 1 = 1"


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=60))
def test_normalise_either_refuses_or_returns_a_quotable_name(text: str) -> None:
    try:
        name = identifiers.normalise(text, kind="table")
    except IdentifierError:
        return
    assert identifiers.quote(name, kind="table") == f'"{name}"'
    assert ";" not in text or text.strip().startswith('"')


@settings(max_examples=200, deadline=None)
@given(text=st.from_regex(r"[A-Za-z][A-Za-z0-9_$#]{0,29}", fullmatch=True))
def test_valid_unquoted_names_round_trip_in_upper_case(text: str) -> None:
    if text.upper() in identifiers.RESERVED_WORDS:
        with pytest.raises(IdentifierError, match="reserved word"):
            identifiers.normalise(text)
        return
    assert identifiers.normalise(text) == text.upper()
    assert identifiers.normalise(f'"{text.upper()}"') == text.upper()


def test_tablespace_names_stay_30_bytes_on_every_release():
    # IDENT-02: 128-byte names from 12.2 do not extend to tablespaces.
    from hcc_operators.core.errors import IdentifierError

    assert identifiers.quote("T" * 30, kind="tablespace") == '"' + "T" * 30 + '"'
    with pytest.raises(IdentifierError, match="limit is 30 bytes"):
        identifiers.quote("T" * 31, kind="tablespace", max_bytes=128)
    with pytest.raises(IdentifierError, match="limit is 30 bytes"):
        identifiers.normalise("t" * 31, kind="tablespace")
    assert identifiers.quote("P" * 31, kind="partition") == '"' + "P" * 31 + '"'


@pytest.mark.parametrize("text", ["SALES\n", "\nSALES", "SALES\r", "SA\nLES", "SALES\x0b"])
def test_control_characters_around_a_name_are_refused_not_trimmed(text: str) -> None:
    with pytest.raises(IdentifierError, match="not a valid unquoted Oracle identifier"):
        identifiers.normalise(text)


def test_spaces_and_tabs_around_a_name_are_trimmed() -> None:
    assert identifiers.normalise(" \tsales ") == "SALES"

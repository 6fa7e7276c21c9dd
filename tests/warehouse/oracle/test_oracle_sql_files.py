"""Every statement under include/sql/oracle (schema/ is tested by its owner) either parses with
sqlglot's Oracle dialect into a real expression, or is allowlisted with the reason it cannot.
Generated partition DDL is not here: sqlglot reads it as an opaque Command, so
tests/core/test_ddl.py asserts those statements string for string instead.
"""

from __future__ import annotations

import re

import pytest
import sqlglot
from recording_connection import bind_names
from sqlglot import exp

from hcc_operators.core import ddl
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.paths import sql_dir
from hcc_operators.core.privileges import system_privileges
from hcc_operators.warehouse import sql_files

#: Statements sqlglot cannot parse, each with the reason.
NOT_PARSEABLE = {
    "compression/ratio": "PL/SQL block: OUT binds from DBMS_COMPRESSION.GET_COMPRESSION_RATIO",
    "session/set_module": "PL/SQL block: DBMS_APPLICATION_INFO.SET_MODULE is a procedure",
    "stats/flush_monitoring": "PL/SQL block: DBMS_STATS.FLUSH_DATABASE_MONITORING_INFO",
    "stats/gather_partition_stats": "PL/SQL block: DBMS_STATS.GET_PREFS and GATHER_TABLE_STATS",
}
#: What each statement binds, so a renamed placeholder cannot slip past the recording tests.
BINDS = {
    "compression/ratio": {
        "scratch_tablespace",
        "owner",
        "table_name",
        "subobject_name",
        "comptype",
        "sample_rows",
        "ratio",
        "comptype_str",
    },
    "compression/row_types": {"owner", "table_name", "subobject_name", "sample_rows"},
    "dictionary/index_columns": {"owner", "table_name"},
    "dictionary/index_subpartitions": {"owner", "table_name"},
    "dictionary/indexes": {"owner", "table_name"},
    "dictionary/key_constraints": {"owner", "table_name"},
    "dictionary/partitions": {"owner", "table_name", "partition_name"},
    "dictionary/schemas": {"include_maintained"},
    "dictionary/subpartitions": {"owner", "table_name", "partition_name", "subpartition_name"},
    "dictionary/table_segments": {"owner", "table_name"},
    "dictionary/tables": {"owner"},
    "dictionary/tablespaces": set(),
    "dictionary/version": set(),
    "preflight/owner_quotas": {"owner"},
    "preflight/parameters": set(),
    "preflight/session_privs": set(),
    "preflight/session_user": set(),
    "preflight/sys_object": {"object_name"},
    "preflight/user_quotas": set(),
    "session/set_module": {"module_name", "action_name"},
    "stats/awr_segment_reads": {"owner", "days"},
    "stats/flush_monitoring": set(),
    "stats/gather_partition_stats": {"ownname", "tabname", "partname", "granularity", "degree"},
    "stats/heat_map": {"owner"},
    "stats/modifications": {"owner"},
    "stats/row_count": set(),
}
SAMPLE_TARGET = ddl.segment_target(ObjectRef("SALES", "ORDERS", "P_2024_01"))


def _text(name: str) -> str:
    fragments = {key: SAMPLE_TARGET for key in sql_files.placeholders(name)}
    return sql_files.load(name, **fragments)


def test_the_statement_list_is_complete() -> None:
    assert sql_files.all_names() == sorted(BINDS)


@pytest.mark.parametrize("name", sorted(set(BINDS) - set(NOT_PARSEABLE)))
def test_statement_parses_as_one_real_expression(name: str) -> None:
    statements = sqlglot.parse(_text(name), read="oracle")
    assert len(statements) == 1
    (statement,) = statements
    assert not isinstance(statement, exp.Command)
    assert isinstance(statement, exp.Query)


@pytest.mark.parametrize("name", sorted(NOT_PARSEABLE))
def test_allowlisted_statements_are_plsql_blocks(name: str) -> None:
    text = _text(name)
    assert sql_files.is_plsql(text)
    assert text.rstrip().endswith("END;")


@pytest.mark.parametrize("name", sorted(BINDS))
def test_binds_are_the_documented_ones(name: str) -> None:
    assert bind_names(_text(name)) == BINDS[name]


def test_only_core_built_fragments_are_substituted() -> None:
    assert sql_files.placeholders("stats/row_count") == {"target"}
    assert sql_files.placeholders("compression/row_types") == {"target"}
    with pytest.raises(ConfigError, match="takes fragments"):
        sql_files.load("stats/row_count")
    with pytest.raises(ConfigError, match="takes fragments"):
        sql_files.load("dictionary/tables", target="x")


@pytest.mark.parametrize("name", ["../etc/passwd", "tables", "Dictionary/Tables", "a/b/c"])
def test_statement_names_are_checked(name: str) -> None:
    with pytest.raises(ConfigError, match="not of the form"):
        sql_files.load(name)


def test_missing_statement_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        sql_files.load("dictionary/no_such_statement")


def test_header_comments_are_stripped_and_sql_terminators_refused(tmp_path) -> None:
    assert sql_files.strip_header("-- why\n\n-- more\nSELECT 1 FROM dual\n") == "SELECT 1 FROM dual"
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "bad.sql").write_text("-- c\nSELECT 1 FROM dual;\n")
    with pytest.raises(ConfigError, match="ends with ';'"):
        sql_files._read(sql_files.path_of("x/bad", tmp_path))


_SYSTEM_GRANT = re.compile(r"GRANT ([A-Z ]+) TO hcc_svc")
_USER = re.compile(
    r"ALTER USER hcc_svc (?:QUOTA UNLIMITED ON (?:hcc_scratch|hcc_repo)|DEFAULT TABLESPACE hcc_repo)"
)


def _grant_statements() -> list[tuple[str, str]]:
    """(statement, the comment block above it) for every statement of the grants script."""
    text = (sql_dir() / "privileges" / "grants.sql").read_text()
    found, comment = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            comment.append(stripped)
        elif stripped:
            found.append((stripped.rstrip(";"), " ".join(comment)))
            if not line.rstrip().endswith(";"):
                raise AssertionError(f"grant statement spans lines: {line}")
        else:
            comment = []
    return found


def test_every_grant_says_why_and_is_well_formed() -> None:
    statements = _grant_statements()
    system = set()
    for statement, why in statements:
        assert why, f"no comment explains {statement}"
        parsed = sqlglot.parse(statement, read="oracle")
        assert len(parsed) == 1
        if isinstance(parsed[0], exp.Grant):
            continue
        # sqlglot models object grants only; system privileges and quotas parse as Command.
        system_grant = _SYSTEM_GRANT.fullmatch(statement)
        if system_grant:
            system.add(system_grant.group(1))
        else:
            assert _USER.fullmatch(statement), statement
    assert system == system_privileges()


def test_object_grants_cover_every_dba_view_and_package_the_statements_use() -> None:
    granted = set()
    for statement, _ in _grant_statements():
        match = re.fullmatch(r"GRANT (?:SELECT|EXECUTE) ON sys\.(\w+) TO hcc_svc", statement)
        if match:
            granted.add(match.group(1).upper())
    used = set()
    for name in BINDS:
        used |= {m.upper() for m in re.findall(r"\b(dba_\w+)", _text(name), re.IGNORECASE)}
        used |= {m.upper() for m in re.findall(r"\b(dbms_\w+)\.", _text(name), re.IGNORECASE)}
    assert used <= granted, used - granted

"""The simulation knows every statement the DDL builder can send: each rendered DDL parses in
its documented form and each PL/SQL call has a handler (so a new action kind cannot be added
without its simulator, and the simulator never trusts the Action instead of the text)."""

from __future__ import annotations

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.actions import specs
from hcc_operators.core.models import ActionKind
from hcc_operators.warehouse import sql_files
from hcc_operators.warehouse.embedded import actions, calls, ddl_parser
from tests_support import SAMPLES


@pytest.mark.parametrize(
    "kind", [s.kind for s in specs() if s.kind is not ActionKind.CUSTOM], ids=str
)
def test_every_rendered_statement_has_a_simulator(kind):
    for statement in ddl.render(SAMPLES[kind]):
        if isinstance(statement, ddl.SqlCall):
            assert statement.name in calls.HANDLERS
            sql_files.load(statement.name)
        else:
            assert type(ddl_parser.parse(statement)) in actions.HANDLERS


def test_every_index_rebuild_the_builder_renders_has_a_simulator():
    from hcc_operators.core.models import IndexInfo

    for index in (
        IndexInfo("S", "I", "S", "T", "GLOBAL", "UNUSABLE"),
        IndexInfo("S", "I", "S", "T", "LOCAL", "UNUSABLE", "P"),
        IndexInfo("S", "I", "S", "T", "LOCAL", "UNUSABLE", "P", "P_EU"),
    ):
        for online in (True, False):
            statement = ddl.render_index_rebuild(index, online=online)
            assert type(ddl_parser.parse(statement)) in actions.HANDLERS


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('ALTER TABLE "S"."T" MOVE SUBPARTITION "X" PCTFREE 10', "ORA-14160"),
        ('ALTER TABLE "S"."T" MOVE PARTITION "X" ONLINE TABLESPACE "Y"', "ORA-00922"),
        ('ALTER TABLE "S"."T" TRUNCATE PARTITION "X" CASCADE NOW', "ORA-14054"),
        ('ALTER TABLE "S"."T" MERGE PARTITIONS "A", "B"', "ORA-00922"),
        ("DELETE FROM t", "ORA-00900"),
        ('ALTER TABLE "S"."T" DROP PARTITION "X" @', "ORA-00911"),
    ],
)
def test_statements_oracle_would_refuse_are_refused_by_the_parser(text, code):
    with pytest.raises(ddl_parser.Syntax) as err:
        ddl_parser.parse(text)
    assert err.value.code == code


def test_a_call_must_bind_what_its_text_binds(warehouse):
    from datetime import datetime

    ctx = actions.Context(warehouse._conn, (19,), lambda *a: 1.0, datetime(2026, 1, 1))
    call = ddl.SqlCall("stats/gather_partition_stats", (("ownname", "SALES"),))
    with pytest.raises(Exception) as err:
        calls.run(ctx, call, sql_files.load(call.name))
    assert err.value.code == "ORA-01008"

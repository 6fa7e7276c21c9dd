"""Create the repository tables, and render their Oracle DDL for script installs.

`python -m hcc_operators.repository.schema --write` regenerates
include/sql/oracle/schema/hcc_repository.sql; a test fails when the file and the metadata drift.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sqlalchemy import MetaData, Table, inspect, text
from sqlalchemy.dialects import oracle
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable

from hcc_operators.core.paths import sql_dir
from hcc_operators.repository import advice
from hcc_operators.repository.tables import (
    advisor_advice,
    evaluation_details,
    evaluation_objects,
    evaluation_targets,
    metadata,
    partition_access,
)

log = logging.getLogger(__name__)

ORACLE_DDL_FILE = "schema/hcc_repository.sql"

HEADER = """-- Repository tables of the HCC compression & ILM package.
-- Generated from plugins/hcc_operators/repository/tables.py by
--   python -m hcc_operators.repository.schema --write
-- Do not edit by hand: a test compares this file with the metadata.
-- Targets Oracle 12.2+ (identity columns); booleans are SMALLINT (0/1) for releases before 23ai.
"""


def create_all(engine: Engine) -> None:
    """Create missing repository tables and indexes (idempotent), upgrading earlier shapes."""
    had_advice = advisor_advice.name in inspect(engine).get_table_names()
    _upgrade(engine)
    metadata.create_all(engine, checkfirst=True)
    if not had_advice:
        # A repository from before the current advice was kept: its results are the history
        # the advice starts from, so the API and hcc_compress keep what they showed.
        with engine.begin() as conn:
            advice.fill_from_history(conn)


#: Tables whose rows are derived and rebuilt by the next refresh or evaluation: when their
#: shape changes, the old table is dropped and created anew.
DERIVED = (partition_access, evaluation_objects, evaluation_targets, evaluation_details)


def _upgrade(engine: Engine) -> None:
    """Bring a repository made by an earlier version of this package up to the metadata.

    Derived tables (``DERIVED``) whose columns differ are dropped (the next refresh or
    evaluation refills them, the old details go with them). Every other table keeps its rows
    and gains the columns it lacks; new columns are nullable, so existing rows stay valid.
    """
    found = inspect(engine)
    names = set(found.get_table_names())
    derived = {t.name for t in DERIVED}
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if table.name not in names:
                continue
            have = {c["name"] for c in found.get_columns(table.name)}
            want = {c.name for c in table.columns}
            if have == want:
                continue
            if table.name in derived:
                log.warning(
                    "dropping %s: its columns changed; the next refresh/evaluation refills it",
                    table.name,
                )
                conn.execute(DropTable(Table(table.name, MetaData())))
                continue
            for column in table.columns:
                if column.name in have:
                    continue
                if not column.nullable:
                    raise RuntimeError(
                        f"{table.name}.{column.name} is new and NOT NULL: write a migration"
                    )
                kind = column.type.compile(dialect=engine.dialect)
                added = (
                    f"({column.name} {kind})"
                    if engine.dialect.name == "oracle"
                    else (f"{column.name} {kind}")
                )
                conn.execute(text(f"ALTER TABLE {table.name} ADD {added}"))


def _oracle_dialect() -> oracle.dialect:
    dialect = oracle.dialect()
    # Compile for 19c, the oldest release with a long support window: no native BOOLEAN column.
    dialect.server_version_info = (19, 0)
    dialect.supports_native_boolean = False
    return dialect


def oracle_ddl() -> str:
    dialect = _oracle_dialect()
    parts = [HEADER]
    for table in metadata.sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";\n")
        for index in sorted(table.indexes, key=lambda i: i.name):
            parts.append(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";\n")
    return "\n".join(parts)


def oracle_ddl_path() -> Path:
    return sql_dir() / ORACLE_DDL_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the Oracle DDL file")
    args = parser.parse_args(argv)
    ddl = oracle_ddl()
    if args.write:
        path = oracle_ddl_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ddl)
        print(f"wrote {path}")
    else:
        print(ddl)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

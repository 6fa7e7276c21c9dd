"""One declaration of the account's privileges: grants.sql is its rendering, every entry says why
and points at a rule-book row that exists."""

from __future__ import annotations

import re

from hcc_operators.core.paths import project_root, sql_dir
from hcc_operators.core.privileges import (
    GRANTS,
    ON_OTHER_SCHEMAS,
    QUOTAS,
    Feature,
    render_grants,
    required,
    system_privileges,
)

RULE_BOOK = project_root() / "docs" / "oracle-rules.md"


def test_the_shipped_grants_script_is_the_declaration_rendered():
    shipped = (sql_dir() / "privileges" / "grants.sql").read_text()
    assert shipped == render_grants(), "run `hcc grants > include/sql/oracle/privileges/grants.sql`"


def test_identity_columns_and_archive_twins_are_granted():
    # Defects found by reading: the repository's identity columns need CREATE SEQUENCE, the
    # archive table's index twins CREATE ANY INDEX.
    script = render_grants()
    assert "GRANT CREATE SEQUENCE TO hcc_svc;" in script
    assert "GRANT CREATE ANY INDEX TO hcc_svc;" in script
    assert "ALTER USER hcc_svc QUOTA UNLIMITED ON hcc_repo;" in script
    assert "schema/ (not here)" not in script


def test_every_grant_says_why_and_names_an_existing_rule():
    rows = set(re.findall(r"^\| ([A-Z]+-\d+) \|", RULE_BOOK.read_text(), re.MULTILINE))
    for entry in (*GRANTS, *QUOTAS):
        assert len(entry.why) > 15, entry
        if entry.rule:
            assert entry.rule in rows, f"{entry.rule} is not a row of docs/oracle-rules.md"


def test_grant_keys_are_unique():
    keys = [g.key for g in GRANTS]
    assert len(keys) == len(set(keys))


def test_the_statement_privileges_are_all_granted():
    for needed in ON_OTHER_SCHEMAS.values():
        assert set(needed) <= system_privileges()


def test_required_takes_the_features_in_use():
    always = required(())
    assert all(g.feature is Feature.ALWAYS for g in always)
    destructive = {g.key for g in required([Feature.DESTRUCTIVE])} - {g.key for g in always}
    assert destructive == {"DROP ANY TABLE"}


def test_a_personalised_script_names_the_move_targets():
    script = render_grants('"OPS"', scratch='"SCR"', repository='"REPO"', move_targets=['"ARCH"'])
    assert 'ALTER USER "OPS" DEFAULT TABLESPACE "REPO";' in script
    assert 'ALTER USER "OPS" QUOTA UNLIMITED ON "SCR";' in script
    assert script.rstrip().endswith('ALTER USER "OPS" QUOTA UNLIMITED ON "ARCH";')
    assert "hcc_svc" not in script.split("\n\n", 1)[1]

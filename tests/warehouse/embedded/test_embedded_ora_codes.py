"""One test per ORA code the embedded warehouse raises, named for the code, each making the
simulation refuse exactly as the rule book row says Oracle does (docs/oracle-rules.md).
Codes with tests of their own elsewhere: 14275, 14272, 14273, 14274, 02149, 14012, 14082,
14098, 00955, 14131, 14290, 14129, 14097, 14132, 00942 (test_embedded_merge_exchange.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from hcc_operators.core import ddl
from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef
from hcc_operators.warehouse import sql_files
from hcc_operators.warehouse.embedded import actions, calls, ddl_parser

C = CompressionType
ORDERS = ObjectRef("SALES", "ORDERS_FACT")


def part(name, table="ORDERS_FACT", owner="SALES"):
    return ObjectRef(owner, table, name)


def refused(warehouse, action_or_text) -> str:
    with pytest.raises(WarehouseError) as err:
        if isinstance(action_or_text, str):
            warehouse.run_statements([action_or_text])
        else:
            warehouse.apply(action_or_text)
    return err.value.code


def first_partition(warehouse, table, owner="SALES"):
    segs = warehouse.list_segments([owner], [ObjectRef(owner, table)])
    return next(s for s in segs if s.ref.partition and not s.ref.subpartition)


def test_ora_00054_a_lock_held_by_another_session(warehouse):  # LOCK-02
    warehouse.inject_fault(part("P_2020_01").label, "LOCK_HELD")
    assert refused(warehouse, Action(ActionKind.READ_ONLY, part("P_2020_01"))) == "ORA-00054"


def test_ora_00900_not_a_statement():  # SYNTAX-02
    with pytest.raises(ddl_parser.Syntax) as err:
        ddl_parser.parse("GRANT DBA TO hcc")
    assert err.value.code == "ORA-00900"


def test_ora_00911_an_invalid_character():  # IDENT-04
    with pytest.raises(ddl_parser.Syntax) as err:
        ddl_parser.parse('ALTER TABLE "S"."T" DROP PARTITION P-1')
    assert err.value.code == "ORA-00911"


def test_ora_00959_a_missing_tablespace(warehouse):  # SPACE-09
    action = Action(ActionKind.MOVE, part("P_2020_01"), tablespace="NOWHERE")
    assert refused(warehouse, action) == "ORA-00959"


def test_ora_01647_a_read_only_target_tablespace(warehouse):  # MOVE-13
    action = Action(ActionKind.MOVE, part("P_2020_01"), tablespace="COLD_RO")
    assert refused(warehouse, action) == "ORA-01647"


def _ctx(warehouse):
    return actions.Context(warehouse._conn, (19,), lambda *a: 1.0, datetime(2026, 1, 1))


def test_ora_01008_a_placeholder_without_a_value(warehouse):  # BIND-01
    call = ddl.SqlCall("stats/gather_partition_stats", (("ownname", "SALES"),))
    text = "BEGIN DBMS_STATS.GATHER_TABLE_STATS(ownname => :ownname, tabname => :tabname); END;"
    with pytest.raises(WarehouseError) as err:
        calls.run(_ctx(warehouse), call, text)
    assert err.value.code == "ORA-01008"


def test_ora_01036_a_value_without_a_placeholder(warehouse):  # BIND-02
    call = ddl.SqlCall("stats/gather_partition_stats", (("ownname", "SALES"), ("x", 1)))
    with pytest.raises(WarehouseError) as err:
        calls.run(_ctx(warehouse), call, "BEGIN NULL; :ownname := 1; END;")
    assert err.value.code == "ORA-01036"


def test_ora_01918_creating_in_a_missing_schema(warehouse):  # PRIV-10 (unverified)
    text = ddl.render_create_for_exchange(ObjectRef("NOBODY", "X"), ORDERS)
    assert refused(warehouse, text) == "ORA-01918"


@pytest.mark.parametrize(
    ("privilege", "make"),
    [
        ("ALTER ANY TABLE", lambda: Action(ActionKind.READ_ONLY, part("P_2020_01"))),
        ("DROP ANY TABLE", lambda: Action(ActionKind.TRUNCATE, part("P_2020_01"))),
        ("CREATE ANY TABLE", lambda: ddl.render_create_for_exchange(part(None, "ARCH_X"), ORDERS)),
    ],
)
def test_ora_01031_a_statement_the_account_was_not_granted(warehouse, privilege, make):
    # PRIV-06 (unverified code); PRIV-01, DROP-04, PRIV-04: the simulated account loses one
    # grants.sql privilege and the statement is refused before it changes anything.
    before = warehouse.segment(part("P_2020_01"))
    warehouse.revoke_privilege(privilege)
    assert refused(warehouse, make()) == "ORA-01031"
    assert warehouse.segment(part("P_2020_01")) == before
    warehouse.grant_privilege(privilege)
    statement = make()
    if isinstance(statement, str):
        warehouse.run_statements([statement])
    else:
        warehouse.apply(statement)


def test_ora_01031_statistics_on_another_schema_without_analyze_any(warehouse):  # STATS-06
    call = ddl.SqlCall(
        "stats/gather_partition_stats",
        (
            ("ownname", "SALES"),
            ("tabname", "ORDERS_FACT"),
            ("partname", "P_2020_01"),
            ("granularity", "PARTITION"),
            ("degree", 1),
        ),
    )
    text = sql_files.load(call.name)
    warehouse.revoke_privilege("ANALYZE ANY")
    with pytest.raises(WarehouseError) as err:
        calls.run(_ctx(warehouse), call, text)
    assert err.value.code == "ORA-01031"
    warehouse.grant_privilege("analyze any")
    assert calls.run(_ctx(warehouse), call, text) > 0


def test_an_unknown_privilege_is_refused_by_name(warehouse):
    with pytest.raises(ValueError, match="not a privilege grants.sql gives"):
        warehouse.revoke_privilege("BECOME USER")


def test_the_simulated_session_reports_what_was_revoked(warehouse):
    facts = warehouse.session_facts(["SALES"])
    assert facts.simulated and facts.user == "HCC_SVC" and facts.compatible == "19.0.0"
    assert "CREATE SEQUENCE" in facts.system_privileges
    assert "DBA_HIST_SEG_STAT" not in facts.sys_objects  # no Diagnostics Pack in the demo
    warehouse.revoke_privilege("CREATE SEQUENCE")
    warehouse.revoke_privilege("SELECT ON SYS.V_$PARAMETER")
    warehouse.revoke_privilege("dba_ts_quotas")
    warehouse.set_quota("HCC_SVC", facts.default_tablespace, 0)
    after = warehouse.session_facts(["SALES"])
    assert "CREATE SEQUENCE" not in after.system_privileges
    assert after.compatible is None and after.heat_map is None and after.owner_quotas is None
    assert facts.default_tablespace not in after.quotas


def test_ora_03113_lost_after_commit_leaves_the_change(warehouse):  # DRV-06/07
    ref = part("P_2020_01")
    warehouse.inject_fault(ref.label, "CONNECTION_LOST_AFTER_COMMIT")
    assert refused(warehouse, Action(ActionKind.READ_ONLY, ref)) == "ORA-03113"
    assert warehouse.segment(ref).read_only


def test_ora_12081_writing_to_a_read_only_table(warehouse):  # RO-06 (unverified code)
    archive = ObjectRef("SALES", "RETURNS_X")
    warehouse.execute_ddl([ddl.render_create_for_exchange(archive, ObjectRef("SALES", "RETURNS"))])
    warehouse.apply(Action(ActionKind.READ_ONLY, archive))
    with pytest.raises(WarehouseError) as err:
        warehouse.simulate_dml(archive, inserts=10)
    assert err.value.code == "ORA-12081"


def test_ora_14054_an_invalid_truncate_option():  # TRUNC-02
    with pytest.raises(ddl_parser.Syntax) as err:
        ddl_parser.parse('ALTER TABLE "S"."T" TRUNCATE PARTITION "P" KEEP ROWS')
    assert err.value.code == "ORA-14054"


def test_ora_14081_renaming_to_the_same_name(warehouse):  # MERGE-18
    text = 'ALTER TABLE "SALES"."RETURNS" RENAME PARTITION "P_2019" TO "P_2019"'
    assert refused(warehouse, text) == "ORA-14081"


def test_ora_14083_dropping_the_only_partition(warehouse):  # DROP-01
    table = ObjectRef("SALES", "PROMOTIONS")
    parts = [s.ref for s in warehouse.list_segments(["SALES"], [table])]
    for ref in parts[:-1]:
        warehouse.apply(Action(ActionKind.DROP, ref))
    assert refused(warehouse, Action(ActionKind.DROP, parts[-1])) == "ORA-14083"


def test_ora_14095_exchanging_with_a_partitioned_table(warehouse):  # EXCHANGE-10
    action = Action(
        ActionKind.EXCHANGE, part("P_2020_01"), exchange_table=ObjectRef("SALES", "RETURNS")
    )
    assert refused(warehouse, action) == "ORA-14095"


def test_ora_14139_a_table_already_read_only(warehouse):  # RO-04
    table = ObjectRef("SALES", "PRODUCTS")
    warehouse.apply(Action(ActionKind.READ_ONLY, table))
    assert refused(warehouse, Action(ActionKind.READ_ONLY, table)) == "ORA-14139"


def test_ora_14160_pctfree_on_a_subpartition():  # SYNTAX-04
    with pytest.raises(ddl_parser.Syntax) as err:
        ddl_parser.parse('ALTER TABLE "S"."T" MOVE SUBPARTITION "X" PCTFREE 0')
    assert err.value.code == "ORA-14160"


def test_ora_14251_a_missing_subpartition(warehouse):  # OBJ-03 (unverified)
    ref = ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03", "NOPE")
    assert refused(warehouse, Action(ActionKind.COMPRESS, ref, C.ADVANCED)) == "ORA-14251"


def test_ora_14257_moving_a_composite_partition_as_a_whole(warehouse):  # COMPOSITE-01
    # The builder never sends this (it moves the subpartitions); the text is checked anyway.
    text = 'ALTER TABLE "SALES"."SALES_BY_REGION" MOVE PARTITION "P_2024_03" TABLESPACE "USERS"'
    assert refused(warehouse, text) == "ORA-14257"


def test_ora_14270_rebuilding_local_indexes_of_a_composite_partition(warehouse):  # IDX-04
    text = (
        'ALTER TABLE "SALES"."SALES_BY_REGION" MODIFY PARTITION "P_2024_03" '
        "REBUILD UNUSABLE LOCAL INDEXES"
    )
    assert refused(warehouse, text) == "ORA-14270"


def test_ora_14291_exchanging_a_composite_partition(warehouse):  # EXCHANGE-12
    action = Action(
        ActionKind.EXCHANGE,
        part("P_2024_03", "SALES_BY_REGION"),
        exchange_table=ObjectRef("SALES", "CUSTOMERS"),
    )
    assert refused(warehouse, action) == "ORA-14291"


def test_ora_14451_a_temporary_table(warehouse):  # OBJ-06 (unverified)
    action = Action(ActionKind.MOVE, ObjectRef("SALES", "TMP_ORDER_STAGE"), tablespace="USERS")
    assert refused(warehouse, action) == "ORA-14451"


def test_ora_14466_truncating_a_read_only_partition(warehouse):  # RO-01, RO-05
    ref = part("P_2020_01")
    warehouse.apply(Action(ActionKind.READ_ONLY, ref))
    assert refused(warehouse, Action(ActionKind.TRUNCATE, ref)) == "ORA-14466"


def test_ora_14501_a_partition_operation_on_a_plain_table(warehouse):  # OBJ-04
    action = Action(
        ActionKind.MERGE, ObjectRef("SALES", "CUSTOMERS", "Y"), merge_sources=("X", "Y")
    )
    assert refused(warehouse, action) == "ORA-14501"


def test_ora_14511_moving_a_partitioned_table_as_a_whole(warehouse):  # OBJ-05
    action = Action(ActionKind.MOVE, ORDERS, C.QUERY_HIGH, tablespace="SALES_DATA")
    assert refused(warehouse, action) == "ORA-14511"


def test_ora_14629_dropping_the_only_subpartition(warehouse):  # DROP-03 (unverified)
    subs = [
        ObjectRef("SALES", "SALES_BY_REGION", "P_2024_03", f"P_2024_03_{r}")
        for r in ("EAST", "WEST", "NORTH", "SOUTH")
    ]
    for ref in subs[:-1]:
        warehouse.apply(Action(ActionKind.DROP, ref))
    assert refused(warehouse, Action(ActionKind.DROP, subs[-1])) == "ORA-14629"


def test_ora_14758_dropping_the_last_range_partition_of_an_interval_table(warehouse):  # DROP-02
    assert refused(warehouse, Action(ActionKind.DROP, part("P_2021_01", "WEB_CLICKS"))) == (
        "ORA-14758"
    )


def test_ora_22812_a_nested_table(warehouse):  # OBJ-07
    action = Action(ActionKind.MOVE, ObjectRef("SALES", "ORDER_NOTES_NT"), tablespace="USERS")
    assert refused(warehouse, action) == "ORA-22812"

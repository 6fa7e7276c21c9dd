"""Oracle ADO's "no access for N days" and "no modification for N days" as policy conditions
(issue 17, item 8), through refresh and evaluation on the embedded warehouse: Heat Map where
the connection licenses it, DML monitoring otherwise, and the reason names the source."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hcc_operators.core.licences import Licences
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.policy_config import parse_policies
from hcc_operators.core.reasons import Reason
from hcc_operators.repository.evaluation_reads import partition_decisions
from hcc_operators.repository.schema import create_all
from hcc_operators.services import ilm_evaluate, ilm_refresh
from hcc_operators.services.ilm_settings import IlmSettings, load_ilm_settings
from hcc_operators.warehouse.embedded import build_warehouse
from hcc_operators.warehouse.embedded.warehouse import DEMO_LICENCES, EmbeddedWarehouse

NOW = datetime(2026, 11, 10, 23, 0, tzinfo=UTC)
ADO = """
policies:
  - name: ado_no_access
    tables: [SALES.ORDERS_FACT]
    action: {type: COMPRESS, level: ARCHIVE HIGH}
    conditions: {no_access_days: 30}
  - name: ado_no_modification
    tables: [SALES.ORDERS_FACT]
    action: {type: COMPRESS, level: ARCHIVE HIGH}
    conditions: {no_modification_days: 90}
"""


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    built = tmp_path_factory.mktemp("ado") / "wh.db"
    build_warehouse(built, seed=11, today=NOW.date()).close()
    return built


def decisions(path, tmp_path, licences):
    copy = tmp_path / f"{id(licences)}.db"
    copy.write_bytes(path.read_bytes())
    settings = IlmSettings(parse_policies(ADO), load_ilm_settings().schedule)
    with EmbeddedWarehouse(copy, licences=licences) as wh:
        engine = wh.repository_engine()
        create_all(engine)
        ilm_refresh.refresh_partition_access(
            wh,
            engine,
            is_target=settings.is_target,
            thresholds_for=settings.thresholds_for,
            now=NOW,
        )
        ilm_evaluate.evaluate_policies(wh, engine, settings.policies, now=NOW, evaluation_id="e")
        found = {}
        with engine.connect() as conn:
            for name in ("P_2026_10", "P_2019_05"):
                ref = ObjectRef("SALES", "ORDERS_FACT", name)
                for d in partition_decisions(conn, ref):
                    found[(d.policy_name, name)] = d
        return found


def test_with_heat_map_licensed_both_conditions_read_heat_map_and_say_so(path, tmp_path):
    assert DEMO_LICENCES.advanced_compression
    found = decisions(path, tmp_path, DEMO_LICENCES)
    recent = found[("ado_no_access", "P_2026_10")]
    assert recent.reason is Reason.RECENTLY_ACCESSED
    assert recent.text.endswith("(reads tracked by Heat Map)")
    assert found[("ado_no_access", "P_2019_05")].eligible
    written = found[("ado_no_modification", "P_2026_10")]
    assert written.reason is Reason.RECENTLY_MODIFIED
    assert written.text.endswith("(modifications tracked by Heat Map)")
    assert found[("ado_no_modification", "P_2019_05")].eligible


def test_without_the_option_modifications_come_from_dml_monitoring_and_reads_from_nothing(
    path, tmp_path
):
    found = decisions(path, tmp_path, Licences())
    # Nothing tracks reads: "no access" cannot be known, so nothing is eligible for it.
    for name in ("P_2026_10", "P_2019_05"):
        unknown = found[("ado_no_access", name)]
        assert unknown.reason is Reason.RECENTLY_ACCESSED
        assert unknown.text.endswith("(no source tracks reads)")
    written = found[("ado_no_modification", "P_2026_10")]
    assert written.reason is Reason.RECENTLY_MODIFIED
    assert written.text.endswith(
        "(modifications tracked by DML monitoring (ALL_TAB_MODIFICATIONS))"
    )
    assert found[("ado_no_modification", "P_2019_05")].eligible

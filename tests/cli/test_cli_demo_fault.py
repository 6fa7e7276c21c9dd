"""`hcc demo fault`: faults written into the embedded warehouse file fire in the next actions
(as they would in an Airflow worker), are listed, and cleared; a real Oracle is refused."""

from __future__ import annotations

import json

from hcc_operators.core.models import Action, ActionKind
from hcc_operators.services.action_runner import run_action
from hcc_operators.warehouse.embedded import EmbeddedWarehouse


def _a_partition(path):
    with EmbeddedWarehouse(path) as wh:
        return next(
            s
            for s in wh.list_segments(["SALES"])
            if s.ref.partition and not s.ref.subpartition and not s.has_subpartitions
        )


def test_an_added_fault_fails_the_next_action_on_its_object_then_clears(hcc, demo_dsn):
    path = demo_dsn.removeprefix("sqlite:///")
    seg = _a_partition(path)
    code, out, _ = hcc("demo", "fault", "add", seg.ref.label, "lock_held", "--dsn", demo_dsn)
    assert code == 0 and out.strip().endswith(f"action(s) on {seg.ref.label} fail with LOCK_HELD")
    code, out, _ = hcc("demo", "fault", "list", "--dsn", demo_dsn, "--json")
    (fault,) = json.loads(out)
    assert (fault["kind"], fault["target"], fault["remaining"]) == ("LOCK_HELD", seg.ref.label, 1)

    with EmbeddedWarehouse(path) as wh:
        first = run_action(wh, Action(ActionKind.READ_ONLY, seg.ref))
        second = run_action(wh, Action(ActionKind.READ_ONLY, seg.ref))
    assert (first.status.value, first.error_code) == ("FAILED", "ORA-00054")
    assert second.status.value == "SUCCESS"  # fired once, as asked
    code, out, _ = hcc("demo", "fault", "list", "--dsn", demo_dsn)
    assert out.strip() == "no faults"


def test_random_faults_stay_until_cleared(hcc, demo_dsn):
    code, _, _ = hcc(
        "demo", "fault", "random", "SLOW", "--probability", "0.5", "--seed", "3", "--dsn", demo_dsn
    )
    assert code == 0
    code, out, _ = hcc("demo", "fault", "list", "--dsn", demo_dsn)
    assert "random, p=0.5, seed 3" in out and "until cleared" in out
    code, out, _ = hcc("demo", "fault", "clear", "--dsn", demo_dsn, "--json")
    assert json.loads(out) == {"removed": 1}


def test_bad_input_and_a_real_database_are_refused(hcc, demo_dsn):
    code, _, err = hcc("demo", "fault", "add", "SALES.X", "MELTDOWN", "--dsn", demo_dsn)
    assert code == 1 and "invalid choice" in err
    code, _, err = hcc(
        "demo", "fault", "add", "SALES.X", "LOCK_HELD", "--times", "0", "--dsn", demo_dsn
    )
    assert code == 1 and "is not a whole number from 1 to" in err
    code, _, err = hcc(
        "demo", "fault", "list", "--dsn", "oracle+oracledb://u:p@h:1521/?service_name=x"
    )
    # Opening an Oracle warehouse connects lazily: the refusal comes before any network.
    assert code == 1 and "fault injection exists only in the embedded demo warehouse" in err

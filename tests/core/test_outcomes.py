from __future__ import annotations

import pytest

from hcc_operators.core.models import ActionStatus
from hcc_operators.core.outcomes import ActionOutcome, planned_item


def test_outcome_derives_ratio_and_savings():
    outcome = ActionOutcome(
        ActionStatus.SUCCESS, "MOVE", "S.T:P", bytes_before=900, bytes_after=300
    )
    data = outcome.to_dict()
    assert (data["status"], data["ratio"], data["space_saved"]) == ("SUCCESS", 3.0, 600)
    assert ActionOutcome(ActionStatus.SKIPPED, "MOVE", "x").to_dict()["ratio"] is None


def test_a_planned_item_from_xcom_is_checked():
    item = {
        "queue_id": 4,
        "batch_id": 2,
        "policy": "p",
        "label": "S.T:P",
        "action": "MOVE",
        "predicted_s": 1.5,
        "forced": False,
        "extra": "dropped",
    }
    assert "extra" not in planned_item(item)
    with pytest.raises(ValueError, match="lacks batch_id"):
        planned_item({k: v for k, v in item.items() if k != "batch_id"})
    with pytest.raises(ValueError, match="queue_id must be an integer"):
        planned_item(item | {"queue_id": "4"})
    with pytest.raises(ValueError, match="must be a mapping"):
        planned_item("4")

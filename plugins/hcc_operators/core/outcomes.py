"""The typed results that cross layers: what one action did (``ActionOutcome``) and the item
a batch plan hands each mapped task (``PlannedItem``, the XCom payload).

They live in core so that services, strategies, operators and the API share one definition
(a strategy reports the same outcome the built-in actions do, without importing services).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict

from hcc_operators.core.models import ActionStatus


@dataclass
class ActionOutcome:
    """What happened to one object: status, the storage before and after, the statements
    sent, and the error (ORA code and how retries should treat it) when it failed."""

    status: ActionStatus
    action: str
    label: str
    message: str = ""
    compression_before: str | None = None
    compression_after: str | None = None
    tablespace_before: str | None = None
    tablespace_after: str | None = None
    bytes_before: int | None = None
    bytes_after: int | None = None
    rows_before: int | None = None
    rows_after: int | None = None
    duration_s: float = 0.0
    simulated: bool = False
    statements: list[str] = field(default_factory=list)
    error_code: str | None = None
    transience: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.bytes_before and self.bytes_after:
            return round(self.bytes_before / self.bytes_after, 3)
        return None

    @property
    def space_saved(self) -> int | None:
        if self.bytes_before is None or self.bytes_after is None:
            return None
        return self.bytes_before - self.bytes_after

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["ratio"] = self.ratio
        data["space_saved"] = self.space_saved
        return data


class PlannedItem(TypedDict):
    """One queue item of a batch, as plan_batch returns it and each mapped task receives it.

    ``label`` and ``action`` name the task in the Airflow UI (map_index_template)."""

    queue_id: int
    batch_id: int
    policy: str
    label: str
    action: str
    predicted_s: float
    forced: bool


PLANNED_ITEM_KEYS = frozenset(PlannedItem.__annotations__)


def planned_item(value: Any) -> PlannedItem:
    """``value`` checked as a PlannedItem (it arrives through XCom), or ValueError naming
    what is wrong."""
    if not isinstance(value, dict):
        raise ValueError(f"a planned item must be a mapping, got {type(value).__name__}")
    missing = sorted(PLANNED_ITEM_KEYS - set(value))
    if missing:
        raise ValueError(f"planned item lacks {', '.join(missing)}: {value!r}")
    for key in ("queue_id", "batch_id"):
        if isinstance(value[key], bool) or not isinstance(value[key], int):
            raise ValueError(f"planned item {key} must be an integer, got {value[key]!r}")
    return PlannedItem(**{k: value[k] for k in PLANNED_ITEM_KEYS})  # type: ignore[typeddict-item]

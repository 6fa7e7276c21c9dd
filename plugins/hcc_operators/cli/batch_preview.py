"""What the next ILM batch would do, computed the way plan_batch does but without writing.

Same inputs (PENDING queue items, plus RUNNING ones whose lease expired, which plan_batch
recovers first), same selection (core.selection), same throughput model over the same
history, same packing into the same budget and DDL slots. Nothing is locked, no batch row is
written, no queue item is touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Engine

from hcc_operators.core import ddl
from hcc_operators.core.actions import parse_params
from hcc_operators.core.actions.custom import CustomParams
from hcc_operators.core.errors import ConfigError, NothingToDo, PolicyError
from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.core.selection import QueueItem, effective_priority
from hcc_operators.core.throughput import ThroughputModel
from hcc_operators.repository.tables import ilm_queue
from hcc_operators.services.action_runner import licensed, table_segments
from hcc_operators.services.ilm_plan import (
    batch_limits,
    execution_history,
    max_operations_or_default,
    plan_queue,
)
from hcc_operators.services.ilm_settings import IlmSettings
from hcc_operators.services.queue_candidates import as_item
from hcc_operators.warehouse.base import Warehouse


@dataclass(frozen=True)
class PreviewItem:
    queue_id: int
    policy: str
    label: str
    action: str
    params: dict[str, Any]
    size_bytes: int
    slot: int
    start_s: float
    predicted_s: float
    rate: str
    why: str
    ddl: list[str]


@dataclass(frozen=True)
class WaitingItem:
    queue_id: int
    label: str
    action: str
    predicted_s: float
    reason: str


@dataclass
class BatchPreview:
    at: datetime
    forced: bool
    window_start: datetime | None
    window_end: datetime | None
    budget_s: float
    margin: float
    pending: int
    note: str
    items: list[PreviewItem] = field(default_factory=list)
    waiting: list[WaitingItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "forced": self.forced,
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "window_end": self.window_end.isoformat() if self.window_end else None,
            "budget_s": self.budget_s,
            "margin": self.margin,
            "pending": self.pending,
            "note": self.note,
            "items": [vars(i) for i in self.items],
            "waiting": [vars(w) for w in self.waiting],
        }


def preview_batch(
    warehouse: Warehouse,
    engine: Engine,
    settings: IlmSettings,
    *,
    now: datetime,
    force: bool = False,
    max_operations: int | None = None,
) -> BatchPreview:
    max_operations_or_default(max_operations)
    calendar = settings.calendar
    window = calendar.window_at(now)
    at = now
    if force:
        note = "forced run: no window needed, budget as for an emergency batch"
    else:
        if window is None:
            window = calendar.next_window(now)
            at = window.start
            note = f"no window is open now; planned as of the next window at {at.isoformat()}"
        else:
            note = "a window is open now"
    limits = batch_limits(settings.schedule, calendar, at, force=force)
    budget = limits.budget

    with engine.connect() as conn:
        rows = list(
            conn.execute(
                select(ilm_queue).where(
                    or_(
                        ilm_queue.c.status == "PENDING",
                        and_(ilm_queue.c.status == "RUNNING", ilm_queue.c.lease_expires_at < at),
                    )
                )
            )
        )
        model = ThroughputModel(execution_history(conn))
    by_id = {r.queue_id: r for r in rows}
    # A RUNNING item whose lease expired is recovered as carried over when the batch starts.
    candidates = [
        replace(as_item(r), interrupted=True) if r.status == "RUNNING" else as_item(r) for r in rows
    ]

    def level(item: QueueItem) -> CompressionType | None:
        row = by_id[item.queue_id]
        return parse_params(row.action_params, row.action).target_compression()

    def seconds(item: QueueItem) -> float:
        return model.predict_seconds(item.action, level(item), item.size_bytes)

    chosen, packed = plan_queue(
        candidates, now=at, seconds_of=seconds, limits=limits, max_operations=max_operations
    )
    version = warehouse.version()
    preview = BatchPreview(
        at,
        force,
        window.start if window and not force else None,
        window.end if window and not force else None,
        budget.total_seconds(),
        limits.margin,
        len(rows),
        note,
    )
    for placement in packed.chosen:
        item = placement.item
        row = by_id[item.queue_id]
        preview.items.append(
            PreviewItem(
                item.queue_id,
                item.policy,
                item.ref.label,
                item.action.value,
                json.loads(row.action_params or "{}"),
                item.size_bytes,
                placement.slot,
                round(placement.start_s, 1),
                round(placement.seconds, 1),
                model.rate(item.action, level(item)).source,
                _why(item, at),
                statements(warehouse, row, version),
            )
        )
    chosen_ids = {p.item.queue_id for p in packed.chosen}
    for left in packed.left_over:
        preview.waiting.append(
            WaitingItem(
                left.item.queue_id,
                left.item.ref.label,
                left.item.action.value,
                round(left.seconds, 1),
                left.reason,
            )
        )
    selected = {i.ref: i.queue_id for i in chosen}
    for item in candidates:
        if selected.get(item.ref) != item.queue_id and item.queue_id not in chosen_ids:
            preview.waiting.append(
                WaitingItem(
                    item.queue_id,
                    item.ref.label,
                    item.action.value,
                    round(seconds(item), 1),
                    _not_selected(item, selected),
                )
            )
    return preview


def statements(warehouse: Warehouse, row, version: tuple[int, ...]) -> list[str]:
    """The exact DDL the item would send if it ran now (resolved against the live dictionary,
    as execution does), or why there is none to show."""
    params = parse_params(row.action_params, row.action)
    if isinstance(params, CustomParams):
        return [
            f"-- strategy {params.strategy} with params "
            f"{json.dumps(params.params, sort_keys=True)}; its statements are decided by the "
            "strategy from the live state"
        ]
    ref = ObjectRef(row.owner, row.table_name, row.partition_name)
    try:
        action = params.to_action(
            ref, table=table_segments(warehouse, ref), upper_bound=row.upper_bound
        )
        action, note = licensed(warehouse, action, warehouse.segment(ref))
        rendered = ddl.render(action, version=version)
        if note:
            rendered.append(f"-- {note}")
    except NothingToDo as why:
        return [f"-- nothing to do now: {why}"]
    except (PolicyError, ConfigError) as err:
        return [f"-- cannot be rendered: {err}"]
    for follow in params.follow_ups():
        rendered.append(f"-- then queues {follow.kind.value} ({follow.describe() or 'defaults'})")
    return rendered


def _why(item: QueueItem, at: datetime) -> str:
    waited_h = max((at - item.enqueued_at).total_seconds(), 0) / 3600
    text = f"priority {item.priority}"
    boosted = effective_priority(item, at)
    if boosted != item.priority:
        text += f" (effective {boosted} after {waited_h:.0f}h waiting)"
    if item.interrupted:
        text += "; carried over from an interrupted batch"
    return text


def _not_selected(item: QueueItem, selected: dict[ObjectRef | None, int]) -> str:
    other = selected.get(item.ref)
    if other is not None:
        return f"another action on the same partition (queue item {other}) runs first"
    return "not selected for this batch"


__all__ = ["BatchPreview", "PreviewItem", "WaitingItem", "preview_batch"]

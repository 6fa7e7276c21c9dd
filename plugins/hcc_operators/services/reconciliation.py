"""Check a finished ILM batch against the live dictionary and its own logs.

What the repository claims must be true in the database, because the dashboard, the space
savings report and the next evaluation all trust it:

- a queue item marked SUCCESS has an execution logged as SUCCESS, and its partition is in the
  action's target state now (``core.action_state.is_applied``), unless a later successful
  action on the same partition legitimately changed it again;
- no queue item has more than one SUCCESS execution (DDL repeated by a retry);
- no item is RUNNING without a live lease (a worker died and nobody noticed);
- an execution log row is not left RUNNING for an item that is no longer running.

Only reads: the report names each problem; putting it right is a person's decision.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from hcc_operators import clock
from hcc_operators.core.action_state import is_applied
from hcc_operators.core.actions import parse_params, spec
from hcc_operators.core.errors import ConfigError, HccError, NothingToDo
from hcc_operators.core.models import Action, ActionKind, ObjectRef
from hcc_operators.repository.tables import execution_log, ilm_batches, ilm_queue
from hcc_operators.services.action_runner import live_state, table_segments
from hcc_operators.warehouse.base import Warehouse

ERROR = "ERROR"
WARNING = "WARNING"


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    queue_id: int | None
    label: str
    message: str


@dataclass
class ReconciliationReport:
    batch_id: int
    items: int = 0
    verified: int = 0
    superseded: int = 0
    unverifiable: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def reconcile_batch(
    warehouse: Warehouse, engine: Engine, batch_id: int, *, now: datetime | None = None
) -> ReconciliationReport:
    now = now or clock.now()
    with engine.connect() as conn:
        if (
            conn.execute(
                select(ilm_batches.c.batch_id).where(ilm_batches.c.batch_id == batch_id)
            ).first()
            is None
        ):
            raise ConfigError(f"there is no ILM batch {batch_id}", field="batch_id")
        items = list(conn.execute(select(ilm_queue).where(ilm_queue.c.batch_id == batch_id)))
        ids = [r.queue_id for r in items]
        logs = (
            list(
                conn.execute(
                    select(execution_log)
                    .where(execution_log.c.queue_id.in_(ids))
                    .order_by(execution_log.c.log_id)
                )
            )
            if ids
            else []
        )
        later = _later_successes(conn, items)
        merged = _later_merges(conn, items)

    report = ReconciliationReport(batch_id, items=len(items))
    by_item: dict[int, list] = defaultdict(list)
    for log in logs:
        by_item[log.queue_id].append(log)
    for row in items:
        _check_item(warehouse, report, row, by_item[row.queue_id], later, merged, now)
    return report


def _check_item(warehouse, report, row, logs, later, merged, now) -> None:
    ref = ObjectRef(row.owner, row.table_name, row.partition_name)
    successes = [log for log in logs if log.status == "SUCCESS"]

    def find(check: str, message: str, severity: str = ERROR) -> None:
        report.findings.append(Finding(check, severity, row.queue_id, ref.label, message))

    if len(successes) > 1:
        find(
            "DUPLICATE_SUCCESS",
            f"{row.action} logged SUCCESS {len(successes)} times (log ids "
            f"{', '.join(str(s.log_id) for s in successes)}): the DDL ran more than once",
        )
    if row.status == "RUNNING" and (row.lease_expires_at is None or row.lease_expires_at <= now):
        find(
            "RUNNING_WITHOUT_LEASE",
            f"RUNNING but its lease ({row.lease_holder or 'no holder'}) expired at "
            f"{row.lease_expires_at.isoformat() if row.lease_expires_at else 'never set'}; "
            "the worker is gone, the next plan re-verifies it",
        )
    if row.status != "RUNNING":
        for log in logs:
            if log.status == "RUNNING":
                find(
                    "LOG_LEFT_RUNNING",
                    f"execution log {log.log_id} is still RUNNING while the item is {row.status}",
                    WARNING,
                )
    if logs and logs[-1].status == "SUCCESS" and row.status != "SUCCESS":
        find(
            "STATUS_MISMATCH",
            f"the latest execution (log {logs[-1].log_id}) succeeded but the item is {row.status}",
        )
    if row.status != "SUCCESS":
        return
    if not successes:
        find(
            "SUCCESS_WITHOUT_EXECUTION",
            f"marked SUCCESS but no {row.action} execution succeeded for it",
        )
    last_success = successes[-1].log_id if successes else 0
    newest = later.get((row.owner, row.table_name, row.partition_name), 0)
    if last_success and newest > last_success:
        report.superseded += 1
        return
    params = parse_params(row.action_params, row.action)
    if spec(params.kind).applied is None:
        report.unverifiable.append(ref.label)
        return
    table = table_segments(warehouse, ref)
    exists = any(s.ref.partition == ref.partition and not s.ref.subpartition for s in table)
    kept = params.kind not in (ActionKind.DROP, ActionKind.MERGE)
    if kept and not exists and merged.get((row.owner, row.table_name), 0) > last_success:
        # A later MERGE folded the partition into its period's: that one carries it now.
        report.superseded += 1
        return
    try:
        action = params.to_action(ref, table=table, upper_bound=row.upper_bound)
    except (NothingToDo, HccError) as why:
        find("NOT_IN_TARGET_STATE", f"marked SUCCESS but cannot be checked now: {why}")
        return
    live = live_state(warehouse, action)
    if is_applied(action, live):
        report.verified += 1
    else:
        seg = live.target
        state = (
            "does not exist"
            if seg is None
            else f"is {seg.compression.value} in {seg.tablespace}"
            + (", read-only" if seg.read_only else "")
        )
        find(
            "NOT_IN_TARGET_STATE",
            f"marked SUCCESS for {_describe(action, row)} but {action.ref.label} {state}",
        )


def _describe(action: Action, row) -> str:
    shown = parse_params(row.action_params, row.action).describe()
    return f"{action.kind.value}" + (f" ({shown})" if shown else "")


def _later_merges(conn, items) -> dict[tuple[str, str], int]:
    """The newest successful MERGE log id per table of the batch."""
    tables = {(r.owner, r.table_name) for r in items}
    newest: dict[tuple[str, str], int] = {}
    for owner, table in tables:
        found = conn.execute(
            select(func.max(execution_log.c.log_id)).where(
                execution_log.c.owner == owner,
                execution_log.c.table_name == table,
                execution_log.c.action == ActionKind.MERGE.value,
                execution_log.c.status == "SUCCESS",
            )
        ).scalar()
        if found:
            newest[(owner, table)] = found
    return newest


def _later_successes(conn, items) -> dict[tuple[str, str, str], int]:
    """The newest SUCCESS log id per partition of the batch, from any queue item."""
    keys = {(r.owner, r.table_name, r.partition_name) for r in items}
    if not keys:
        return {}
    newest: dict[tuple[str, str, str], int] = {}
    tables = {(o, t) for o, t, _ in keys}
    for owner, table in tables:
        for log in conn.execute(
            select(execution_log.c.partition_name, execution_log.c.log_id).where(
                execution_log.c.owner == owner,
                execution_log.c.table_name == table,
                execution_log.c.status == "SUCCESS",
            )
        ):
            key = (owner, table, log.partition_name)
            if key in keys:
                newest[key] = max(newest.get(key, 0), log.log_id)
    return newest

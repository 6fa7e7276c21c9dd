"""DROP with archive: exchange the partition's rows into an archive table, then drop it.

Each partition gets its own archive table (TABLE + suffix + _ + PARTITION, cut to the
identifier limit), because EXCHANGE swaps segments: exchanging into a table that already holds
another partition's rows would put those rows into the partition we are about to drop.
Every step re-reads live state, so a retry resumes where the last attempt stopped:

  partition gone, archive present  -> SKIPPED (done)
  archive missing                  -> create it, exchange, drop
  archive empty                    -> exchange, drop
  archive full, partition empty    -> the exchange happened: drop
  archive full, partition full     -> refuse: someone else's rows are in the archive table
"""

from __future__ import annotations

from hcc_operators.core import identifiers
from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import Action, ActionKind, ActionStatus, ObjectRef
from hcc_operators.services.action_runner import ActionOutcome, run_action
from hcc_operators.warehouse.base import Warehouse


def archive_table_for(ref: ObjectRef, suffix: str, version: tuple[int, ...]) -> ObjectRef:
    limit = identifiers.max_identifier_bytes(version)
    name = f"{ref.table}{suffix}_{ref.partition}".encode()[:limit].decode(errors="ignore")
    identifiers.quote(name, kind="table", max_bytes=limit)  # validates, raises IdentifierError
    return ObjectRef(ref.owner, name)


def archive_then_drop(warehouse: Warehouse, drop: Action, suffix: str) -> ActionOutcome:
    archive = archive_table_for(drop.ref, suffix, warehouse.version())
    live = warehouse.segment(drop.ref)
    archived = warehouse.segment(archive)
    if live is None:
        return run_action(warehouse, drop)  # reports SKIPPED: already dropped
    statements: list[str] = []
    try:
        if archived is None:
            warehouse.create_table_for_exchange(archive, ObjectRef(drop.ref.owner, drop.ref.table))
            archived_rows = 0
        else:
            archived_rows = warehouse.row_count(archive)
        partition_rows = warehouse.row_count(drop.ref)
        if archived_rows and partition_rows:
            raise WarehouseError(
                f"archive table {archive.label} already holds {archived_rows} rows and "
                f"{drop.ref.label} still holds {partition_rows}; refusing to exchange and drop. "
                "Move the archive table's rows elsewhere, then clear the task",
                code="HCC-ARCHIVE-NOT-EMPTY",
            )
        if partition_rows:
            exchange = Action(ActionKind.EXCHANGE, drop.ref, exchange_table=archive, online=False)
            result = warehouse.apply(exchange)
            statements += result.statements
            moved = warehouse.row_count(archive)
            if moved != partition_rows:
                raise WarehouseError(
                    f"after the exchange {archive.label} holds {moved} rows, expected "
                    f"{partition_rows}; not dropping {drop.ref.label}",
                    code="ROW_COUNT_MISMATCH",
                )
    except WarehouseError as err:
        return ActionOutcome(
            ActionStatus.FAILED,
            drop.kind.value,
            drop.ref.label,
            message=str(err),
            error_code=err.code,
            transience=err.transience.value,
            statements=statements,
            bytes_before=live.bytes,
            rows_before=live.num_rows,
        )
    outcome = run_action(warehouse, drop)
    outcome.statements = statements + outcome.statements
    outcome.bytes_before, outcome.rows_before = live.bytes, live.num_rows
    if outcome.status is ActionStatus.SUCCESS:
        outcome.message = f"rows archived in {archive.label}, partition dropped"
    return outcome

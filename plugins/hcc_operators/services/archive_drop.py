"""DROP with archive: exchange the partition's rows into an archive table, then drop it.

Each partition gets its own archive table (TABLE + suffix + _ + PARTITION, cut to the
identifier limit), because EXCHANGE swaps segments: exchanging into a table that already holds
another partition's rows would put those rows into the partition we are about to drop.

``CREATE TABLE ... FOR EXCHANGE`` creates the columns only (EXCHANGE-15), yet ``INCLUDING
INDEXES`` needs an identical index for every LOCAL index of the partitioned table
(EXCHANGE-02) and the same enabled PRIMARY KEY / UNIQUE constraints (EXCHANGE-05/06). So the
archive table is given a twin of every local index and of every key constraint before the
exchange. A key enforced by a GLOBAL index cannot be mirrored that way: such a table is refused
before anything is created, with the reason.

Every step re-reads live state, so a retry resumes where the last attempt stopped:

  partition gone, archive present  -> SKIPPED (done)
  archive missing                  -> create it with its indexes and keys, exchange, drop
  archive empty                    -> exchange, drop
  archive full, partition empty    -> the exchange happened: drop
  archive full, partition full     -> refuse: someone else's rows are in the archive table
"""

from __future__ import annotations

from hcc_operators.core import ddl, identifiers
from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import (
    Action,
    ActionKind,
    ActionStatus,
    IndexDefinition,
    KeyConstraint,
    ObjectRef,
)
from hcc_operators.core.outcomes import ActionOutcome
from hcc_operators.services.action_runner import BeforeDdl, run_action
from hcc_operators.warehouse.base import Warehouse


def archive_table_for(ref: ObjectRef, suffix: str, version: tuple[int, ...]) -> ObjectRef:
    limit = identifiers.max_identifier_bytes(version)
    name = f"{ref.table}{suffix}_{ref.partition}".encode()[:limit].decode(errors="ignore")
    identifiers.quote(name, kind="table", max_bytes=limit)  # validates, raises IdentifierError
    return ObjectRef(ref.owner, name)


def archive_statements(
    archive: ObjectRef,
    table: ObjectRef,
    index_defs: list[IndexDefinition],
    keys: list[KeyConstraint],
    version: tuple[int, ...],
) -> list[str]:
    """CREATE TABLE ... FOR EXCHANGE, then a twin of each local index and key constraint."""
    by_name = {i.name: i for i in index_defs}
    for key in keys:
        index = by_name.get(key.index_name or "")
        if index is None or index.locality != "LOCAL":
            raise WarehouseError(
                f"{table.label}: constraint {key.name} is enforced by "
                f"{'global index ' + key.index_name if index else 'no local index'}; an archive "
                "table cannot mirror it for EXCHANGE ... INCLUDING INDEXES (docs/oracle-rules.md "
                "EXCHANGE-02, EXCHANGE-05). Enforce the key with a LOCAL index, or drop without "
                "archive: false",
                code="HCC-ARCHIVE-GLOBAL-KEY",
            )
    limit = identifiers.max_identifier_bytes(version)
    statements = [ddl.render_create_for_exchange(archive, table, version=version)]
    twins: dict[str, str] = {}
    for n, index in enumerate(i for i in index_defs if i.locality == "LOCAL"):
        twin = _derived_name(archive.table, f"_I{n + 1}", limit)
        twins[index.name] = twin
        statements.append(
            ddl.render_create_index(
                ObjectRef(archive.owner, twin),
                archive,
                index.columns,
                unique=index.unique,
                bitmap=index.bitmap,
                version=version,
            )
        )
    for n, key in enumerate(keys):
        statements.append(
            ddl.render_add_key(
                archive,
                _derived_name(archive.table, f"_K{n + 1}", limit),
                key.kind,
                key.columns,
                using_index=twins.get(key.index_name or ""),
                version=version,
            )
        )
    return statements


def _derived_name(base: str, suffix: str, limit: int) -> str:
    room = limit - len(suffix.encode())
    return base.encode()[:room].decode(errors="ignore") + suffix


def archive_then_drop(
    warehouse: Warehouse, drop: Action, suffix: str, *, on_before_ddl: BeforeDdl | None = None
) -> ActionOutcome:
    archive = archive_table_for(drop.ref, suffix, warehouse.version())
    live = warehouse.segment(drop.ref)
    archived = warehouse.segment(archive)
    if live is None:
        return run_action(warehouse, drop)  # reports SKIPPED: already dropped
    if on_before_ddl is not None:
        # The partition as it is before the first statement (the archive table's creation).
        on_before_ddl(
            ActionOutcome(
                ActionStatus.RUNNING,
                drop.kind.value,
                drop.ref.label,
                compression_before=live.compression.value,
                tablespace_before=live.tablespace,
                bytes_before=live.bytes,
                rows_before=live.num_rows,
            )
        )
    statements: list[str] = []
    table = ObjectRef(drop.ref.owner, drop.ref.table)
    try:
        if archived is None:
            created = archive_statements(
                archive,
                table,
                warehouse.index_definitions(table.owner, table.table),
                warehouse.key_constraints(table.owner, table.table),
                warehouse.version(),
            )
            warehouse.execute_ddl(created)
            statements += created
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

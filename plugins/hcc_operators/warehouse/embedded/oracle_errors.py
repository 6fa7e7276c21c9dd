"""The Oracle errors the simulation raises, with the codes and wording Oracle uses.

Kept in one place so a message reads the same wherever the situation is detected, and so the
codes can be checked against ``core.ora_codes`` (which decides retries) at a glance.
"""

from __future__ import annotations

from hcc_operators.core.errors import ObjectNotFound, Transience, WarehouseError
from hcc_operators.core.models import ObjectRef


def table_not_found(owner: str, table: str) -> ObjectNotFound:
    return ObjectNotFound(f"table or view {owner}.{table} does not exist", code="ORA-00942")


def partition_not_found(ref: ObjectRef, partition: str | None = None) -> ObjectNotFound:
    name = partition or ref.partition
    return ObjectNotFound(
        f"specified partition does not exist: {ref.owner}.{ref.table} partition {name}",
        code="ORA-02149",
    )


def subpartition_not_found(ref: ObjectRef) -> ObjectNotFound:
    return ObjectNotFound(f"specified subpartition does not exist: {ref.label}", code="ORA-14251")


def tablespace_not_found(name: str) -> ObjectNotFound:
    return ObjectNotFound(f"tablespace '{name}' does not exist", code="ORA-00959")


def user_not_found(owner: str) -> ObjectNotFound:
    return ObjectNotFound(f"user '{owner}' does not exist", code="ORA-01918")


def resource_busy(ref: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"resource busy and acquire with NOWAIT specified or timeout expired ({ref.label})",
        code="ORA-00054",
    )


def unable_to_extend(ref: ObjectRef, needed_bytes: int, tablespace: str) -> WarehouseError:
    blocks = max(needed_bytes // 8192, 1)
    if ref.subpartition:
        # SPACE-02: a table subpartition has its own code.
        code, what = "ORA-03233", f"table {ref.owner}.{ref.table} subpartition {ref.subpartition}"
    elif ref.partition:
        code, what = "ORA-01688", f"table {ref.owner}.{ref.table} partition {ref.partition}"
    else:
        code, what = "ORA-01653", f"table {ref.owner}.{ref.table}"
    return WarehouseError(
        f"unable to extend {what} by {blocks} in tablespace {tablespace}", code=code
    )


def unable_to_extend_temp(needed_bytes: int, tablespace: str) -> WarehouseError:
    return WarehouseError(
        f"unable to extend temp segment by {max(needed_bytes // 8192, 1)} in tablespace "
        f"{tablespace}",
        code="ORA-01652",
    )


def hcc_not_supported(tablespace: str) -> WarehouseError:
    return WarehouseError(
        "Exadata Hybrid Columnar Compression is not supported for tablespaces on this storage "
        "type "
        f"(tablespace {tablespace})",
        code="ORA-64307",
    )


def tablespace_read_only(tablespace: str) -> WarehouseError:
    return WarehouseError(
        f"tablespace '{tablespace}' is read-only, cannot allocate space in it", code="ORA-01647"
    )


def not_adjacent(ref: ObjectRef, other: str) -> WarehouseError:
    return WarehouseError(
        f"partitions being merged are not adjacent: {ref.label} and {other}", code="ORA-14274"
    )


def not_partitioned(owner: str, table: str) -> WarehouseError:
    return WarehouseError(f"object {owner}.{table} is not partitioned", code="ORA-14501")


def partitioned_object(ref: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"cannot perform operation on a partitioned object: {ref.label} (act on its partitions)",
        code="ORA-14511",
    )


def composite_partition_move(ref: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"cannot move a partition which is a composite partition: {ref.label} (move its "
        "subpartitions one by one)",
        code="ORA-14257",
    )


def only_partition(ref: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"cannot drop the only partition of a partitioned table: {ref.label}", code="ORA-14083"
    )


def only_subpartition(ref: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"cannot drop the only subpartition of a partition: {ref.label}", code="ORA-14629"
    )


def last_range_partition(ref: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"last partition in the range section cannot be dropped: {ref.label}", code="ORA-14758"
    )


def read_only_partition(ref: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"data in a read-only partition or subpartition cannot be modified: {ref.label}",
        code="ORA-14466",
    )


def read_only_table(owner: str, table: str) -> WarehouseError:
    return WarehouseError(
        f"update operation not allowed on table {owner}.{table} (table is read-only)",
        code="ORA-12081",
    )


def merge_reuses_lower(table: ObjectRef, name: str) -> WarehouseError:
    """MERGE-01."""
    return WarehouseError(
        f"cannot reuse lower-bound partition as resulting partition: {table.label} {name}",
        code="ORA-14275",
    )


def merge_reuses_non_highest(table: ObjectRef, name: str) -> WarehouseError:
    """MERGE-02."""
    return WarehouseError(
        f"only a partition with higher bound can be reused: {table.label} {name}",
        code="ORA-14272",
    )


def merge_out_of_order(table: ObjectRef) -> WarehouseError:
    """MERGE-03."""
    return WarehouseError(
        f"lower-bound partition must be specified first: {table.label}", code="ORA-14273"
    )


def index_mismatch(ref: ObjectRef, other: ObjectRef, why: str) -> WarehouseError:
    """EXCHANGE-02."""
    return WarehouseError(
        f"index mismatch for tables in ALTER TABLE EXCHANGE PARTITION: {ref.label} and "
        f"{other.label} ({why})",
        code="ORA-14098",
    )


def including_indexes_required(ref: ObjectRef) -> WarehouseError:
    """EXCHANGE-04."""
    return WarehouseError(
        f"INCLUDING INDEXES must be specified as tables have enabled UNIQUE constraints: "
        f"{ref.label}",
        code="ORA-14129",
    )


def unique_on_one_side(ref: ObjectRef, other: ObjectRef) -> WarehouseError:
    """EXCHANGE-05."""
    return WarehouseError(
        f"enabled UNIQUE constraint exists on one of the tables: {ref.label}, {other.label}",
        code="ORA-14131",
    )


def primary_key_mismatch(ref: ObjectRef, other: ObjectRef) -> WarehouseError:
    """EXCHANGE-06."""
    return WarehouseError(
        f"PRIMARY KEY constraint mismatch in ALTER TABLE EXCHANGE PARTITION: {ref.label}, "
        f"{other.label}",
        code="ORA-14290",
    )


def table_cannot_exchange(table: ObjectRef) -> WarehouseError:
    """EXCHANGE-11: temporary, nested or index-organized."""
    return WarehouseError(f"table cannot be used in EXCHANGE: {table.label}", code="ORA-14132")


def already_read_only(owner: str, table: str) -> WarehouseError:
    """RO-04."""
    return WarehouseError(f"table {owner}.{table} is already in read-only mode", code="ORA-14139")


def not_simple_partition(ref: ObjectRef) -> WarehouseError:
    """IDX-04: REBUILD UNUSABLE LOCAL INDEXES names a composite partition."""
    return WarehouseError(
        f"table is not partitioned by Range, System, Hash or List method: {ref.label} is a "
        "composite partition (use MODIFY SUBPARTITION)",
        code="ORA-14270",
    )


def index_not_found(index: ObjectRef) -> ObjectNotFound:
    """OBJ-08: ALTER INDEX names an index that does not exist (``index.table`` is its name)."""
    return ObjectNotFound(
        f"specified index does not exist: {index.owner}.{index.table}", code="ORA-01418"
    )


def partitioned_index_rebuild(index: ObjectRef) -> WarehouseError:
    """IDX-01: ALTER INDEX ... REBUILD of a partitioned index as a whole."""
    return WarehouseError(
        f"a partitioned index may not be rebuilt as a whole: {index.owner}.{index.table} "
        "(rebuild it a partition at a time)",
        code="ORA-14086",
    )


def composite_index_partition_rebuild(named: ObjectRef) -> WarehouseError:
    """IDX-02: ALTER INDEX ... REBUILD PARTITION of a composite-partitioned index."""
    return WarehouseError(
        f"cannot REBUILD a partition of a composite partitioned index: {named.owner}."
        f"{named.table} partition {named.partition} (rebuild it one subpartition at a time)",
        code="ORA-14287",
    )


def not_composite_index(named: ObjectRef) -> WarehouseError:
    """IDX-09: ALTER INDEX ... REBUILD SUBPARTITION of an index that is not composite."""
    return WarehouseError(
        f"index is not partitioned by composite partition method: {named.owner}.{named.table} "
        f"subpartition {named.partition} (rebuild the index partition)",
        code="ORA-14288",
    )


def hash_subpartition_defaults(ref: ObjectRef) -> WarehouseError:
    """COMPOSITE-05: MODIFY DEFAULT ATTRIBUTES FOR PARTITION of a *-hash partition changes
    anything but TABLESPACE. Oracle documents the rule, not its error code, so the simulation
    refuses without one (a refusal nobody can retry away: PERMANENT)."""
    return WarehouseError(
        f"only TABLESPACE can be changed in the default attributes of {ref.label}: all "
        "subpartitions of a *-hash partitioned table share the same attributes except "
        "TABLESPACE (simulation; Oracle's error code for this was not found)",
        transience=Transience.PERMANENT,
    )


def exchange_needs_plain_table(table: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"ALTER TABLE EXCHANGE requires a non-partitioned, non-clustered table: {table.label}",
        code="ORA-14095",
    )


def exchange_composite(ref: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"cannot EXCHANGE a composite partition with a non-partitioned table: {ref.label}",
        code="ORA-14291",
    )


def exchange_mismatch(ref: ObjectRef, table: ObjectRef) -> WarehouseError:
    return WarehouseError(
        f"column type or size mismatch in ALTER TABLE EXCHANGE PARTITION: {ref.label} and "
        f"{table.label} have different columns",
        code="ORA-14097",
    )


def name_in_use(owner: str, table: str) -> WarehouseError:
    return WarehouseError(
        f"name is already used by an existing object: {owner}.{table}", code="ORA-00955"
    )


def connection_lost(ref: ObjectRef, *, committed: bool) -> WarehouseError:
    if committed:
        return WarehouseError(
            f"end-of-file on communication channel after the statement on {ref.label} "
            "committed; re-read the object before retrying",
            code="ORA-03113",
            committed=True,
        )
    return WarehouseError(
        f"the database or network closed the connection before the statement on {ref.label} "
        "ran; nothing was changed",
        code="DPY-4011",
    )


def insufficient_privileges(privilege: str, owner: str, doing: str) -> WarehouseError:
    """PRIV-06 (unverified code): a statement on another schema's object without the
    system privilege Oracle checks for it (PRIV-01, PRIV-04, PRIV-12, DROP-04, PRIV-08)."""
    return WarehouseError(
        f"insufficient privileges: {doing} on {owner}'s objects needs {privilege}",
        code="ORA-01031",
        transience=Transience.PERMANENT,
    )

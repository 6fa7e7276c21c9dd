"""Built-in strategy: make the unusable indexes of a table or partition usable again.

A partition rewrite without UPDATE INDEXES (or an EXCHANGE) leaves the partition's local index
partitions UNUSABLE and every global index of the table UNUSABLE; queries then fail with
ORA-01502 or fall back to full scans. This strategy rebuilds, through the warehouse's
REBUILD_INDEXES action, every partition whose local index partitions are unusable, then reads
the index status again and reports what is still unusable.

The local index of a composite-partitioned table has its status per index subpartition
(dictionary rows with ``IndexInfo.subpartition``): such a partition is rebuilt subpartition by
subpartition (``MODIFY SUBPARTITION ... REBUILD UNUSABLE LOCAL INDEXES``: the partition form is
ORA-14270, IDX-04), and a DBA's statement for it names the index subpartition
(``ALTER INDEX ... REBUILD SUBPARTITION``: REBUILD PARTITION is ORA-14287, IDX-02).

A global index cannot be named by a warehouse action, so one the partition rebuild did not
repair is reported FAILED with the exact ALTER INDEX ... REBUILD statements for a DBA, instead
of being claimed as done.
"""

from __future__ import annotations

from pydantic import Field

from hcc_operators.core import ddl
from hcc_operators.core.actions.rebuild_indexes import RebuildIndexesParams
from hcc_operators.core.errors import PolicyError
from hcc_operators.core.models import ActionStatus, IndexInfo, ObjectRef
from hcc_operators.strategies.base import BaseStrategy, StrategyParams, StrategyResult
from hcc_operators.warehouse.base import Warehouse

UNUSABLE = "UNUSABLE"


class RebuildParams(StrategyParams):
    include_global: bool = Field(
        True,
        description="also require the table's global indexes to be usable (FAILED otherwise)",
    )


class RebuildUnusableIndexes(BaseStrategy):
    name = "rebuild_unusable_indexes"
    description = "Rebuild UNUSABLE local index partitions (and check global indexes)."
    Params = RebuildParams

    def execute(
        self, warehouse: Warehouse, target: ObjectRef, params: RebuildParams
    ) -> StrategyResult:
        before = _unusable(warehouse.indexes(target.owner, target.table), target, params)
        if not before:
            return StrategyResult(
                ActionStatus.SKIPPED,
                f"no unusable index on {target.label}",
                {"unusable_before": []},
            )
        partitions = sorted({i.partition for i in before if i.partition is not None})
        composite = {i.partition for i in before if i.subpartition is not None}
        # A composite partition's table subpartitions, read live: the ones to rebuild.
        table = (
            warehouse.list_segments([target.owner], [ObjectRef(target.owner, target.table)])
            if composite
            else []
        )
        statements: list[str] = []
        simulated_s = 0.0
        for partition in partitions:
            # A subpartition target rebuilds that subpartition alone (MODIFY SUBPARTITION).
            ref = (
                target if target.subpartition else ObjectRef(target.owner, target.table, partition)
            )
            applied = warehouse.apply(RebuildIndexesParams().to_action(ref, table=table))
            statements.extend(applied.statements)
            simulated_s += applied.duration_s if applied.simulated else 0.0

        after = _unusable(warehouse.indexes(target.owner, target.table), target, params)
        details = {
            "unusable_before": [_label(i) for i in before],
            "rebuilt_partitions": partitions,
            "unusable_after": [_label(i) for i in after],
        }
        if simulated_s:
            details["simulated_s"] = round(simulated_s, 3)
        if after:
            fixes = _manual_rebuilds(after, warehouse.version())
            details["manual_statements"] = fixes
            return StrategyResult(
                ActionStatus.FAILED,
                f"{len(after)} index(es) of {target.label} still unusable after the partition "
                f"rebuild ({', '.join(details['unusable_after'])}); a DBA must run: "
                + "; ".join(fixes),
                details,
                tuple(statements),
                error_code="INDEX_STILL_UNUSABLE",
            )
        return StrategyResult(
            ActionStatus.SUCCESS,
            f"rebuilt {len(before)} unusable index(es) of {target.label}",
            details,
            tuple(statements),
        )


def _unusable(
    indexes: list[IndexInfo], target: ObjectRef, params: RebuildParams
) -> list[IndexInfo]:
    found = []
    for index in indexes:
        if index.status.upper() != UNUSABLE:
            continue
        if index.locality.upper() == "GLOBAL":
            if params.include_global:
                found.append(index)
        elif target.partition is None or (
            index.partition == target.partition
            and target.subpartition in (None, index.subpartition)
        ):
            found.append(index)
    return found


def _label(index: IndexInfo) -> str:
    text = f"{index.owner}.{index.index}"
    if index.subpartition:
        return f"{text}:{index.partition}/{index.subpartition}"
    return f"{text}:{index.partition}" if index.partition else text


def _manual_rebuilds(indexes: list[IndexInfo], version: tuple[int, ...]) -> list[str]:
    statements = []
    for index in indexes:
        try:
            statements.append(ddl.render_index_rebuild(index, version=version))
        except PolicyError as err:
            statements.append(f"-- {err}")
    return statements

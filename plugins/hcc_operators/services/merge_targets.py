"""The live merge target of a partition, read from the dictionary at the moment of the merge."""

from __future__ import annotations

from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.partition_layout import PartitionBounds, layout_facts
from hcc_operators.warehouse.base import Warehouse


def merge_target_of(warehouse: Warehouse, ref: ObjectRef) -> str | None:
    table = ObjectRef(ref.owner, ref.table)
    segs = [
        s
        for s in warehouse.list_segments([ref.owner], [table])
        if s.ref.partition and not s.ref.subpartition
    ]
    facts = layout_facts(
        [
            PartitionBounds(
                s.ref.partition, s.position or 0, upper_bound_date(s.high_value), s.tablespace
            )
            for s in segs
        ]
    )
    found = facts.get(ref.partition)
    return found.merge_target if found else None

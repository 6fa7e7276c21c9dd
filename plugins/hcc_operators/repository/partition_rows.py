"""Partition facts to and from repository rows (hcc_partition_access, hcc_ilm_eval_objects).

Both tables hold one column per fact (repository.tables builds them from
core.eligibility.facts), so converting is a loop over the fact names, never a field list
written out again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hcc_operators.core.eligibility.facts import STORED_FACTS, PartitionState, column_of
from hcc_operators.core.models import CompressionType, ObjectRef
from hcc_operators.core.partition_facts import PartitionRecord

_BOOLEAN = {name for name in STORED_FACTS if name.endswith("_last")} | {
    "read_only",
    "is_newest",
    "has_subpartitions",
}


def fact_values(state: PartitionState) -> dict[str, Any]:
    """{column: value} of every stored fact of ``state``."""
    values = {column_of(name): getattr(state, name) for name in STORED_FACTS}
    values["compression"] = state.compression.value
    return values


def access_row(record: PartitionRecord, now: datetime) -> dict[str, Any]:
    """One hcc_partition_access row."""
    state = record.state
    return {
        "owner": state.ref.owner,
        "table_name": state.ref.table,
        "partition_name": state.ref.partition,
        "partition_position": record.position,
        "high_value": record.high_value,
        "upper_bound": record.upper_bound,
        "num_rows": record.num_rows,
        **fact_values(state),
        "temperature": state.temperature.value if state.temperature else "HOT",
        "temperature_source": record.temperature_source,
        "last_access": record.last_access,
        "logical_reads": record.logical_reads,
        "dml_total": record.dml_total,
        "refreshed_at": now,
    }


def state_of(row: Any, **overrides: Any) -> PartitionState:
    """A partition's state from a row with the fact columns (either table)."""
    values: dict[str, Any] = {}
    for name in STORED_FACTS:
        value = getattr(row, column_of(name))
        if name in _BOOLEAN:
            value = bool(value)
        values[name] = value
    values["compression"] = CompressionType.parse(row.compression)
    values.setdefault("size_bytes", 0)
    bound = getattr(row, "upper_bound", None)
    fields = {
        "ref": ObjectRef(row.owner, row.table_name, row.partition_name),
        "upper_bound": bound.date() if isinstance(bound, datetime) else bound,
        "temperature": None,
        **values,
    }
    fields.update(overrides)
    return PartitionState(**fields)

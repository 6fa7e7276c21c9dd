"""Shared test data: one rendered-action sample per action kind."""

from __future__ import annotations

from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef

PART = ObjectRef("SALES", "ORDERS", "P_2024_01")
TABLE = ObjectRef("SALES", "ORDERS_ARCH")

#: One action per kind the DDL builder renders (CUSTOM carries a strategy's own statements).
SAMPLES = {
    ActionKind.COMPRESS: Action(ActionKind.COMPRESS, PART, compression=CompressionType.QUERY_LOW),
    ActionKind.MOVE: Action(ActionKind.MOVE, PART, tablespace="X"),
    ActionKind.READ_ONLY: Action(ActionKind.READ_ONLY, PART),
    ActionKind.MERGE: Action(
        ActionKind.MERGE,
        ObjectRef("SALES", "ORDERS", "P_2024"),
        merge_sources=("P_2024_01", "P_2024_02"),
    ),
    ActionKind.DROP: Action(ActionKind.DROP, PART),
    ActionKind.TRUNCATE: Action(ActionKind.TRUNCATE, PART),
    ActionKind.EXCHANGE: Action(ActionKind.EXCHANGE, PART, exchange_table=TABLE),
    ActionKind.REBUILD_INDEXES: Action(ActionKind.REBUILD_INDEXES, PART),
    ActionKind.GATHER_STATS: Action(ActionKind.GATHER_STATS, PART),
}

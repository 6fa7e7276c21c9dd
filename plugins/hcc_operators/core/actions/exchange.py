"""EXCHANGE: swap a partition's segment with a table's (the archive step before a DROP)."""

from __future__ import annotations

from typing import ClassVar, Literal

from hcc_operators.core import ddl, identifiers
from hcc_operators.core.actions.base import ActionParams, ActionSpec
from hcc_operators.core.errors import PolicyError
from hcc_operators.core.models import Action, ActionKind, ObjectKind


class ExchangeParams(ActionParams):
    kind: ClassVar[ActionKind] = ActionKind.EXCHANGE
    type: Literal["EXCHANGE"] = "EXCHANGE"


def render(action: Action, version: tuple[int, ...]) -> list[str]:
    ddl.require_segment(action, "EXCHANGE")
    ref = action.ref
    other = action.exchange_table
    if other is None:
        raise PolicyError(f"{ref.label}: an EXCHANGE action needs exchange_table")
    ddl.require_kind(other, ObjectKind.TABLE, "the exchange table")
    size = identifiers.max_identifier_bytes(version)
    return [
        ddl.join(
            f"ALTER TABLE {ddl.table_name(ref, size)} EXCHANGE {ddl.segment_clause(ref, size)}",
            f"WITH TABLE {ddl.table_name(other, size)} INCLUDING INDEXES WITHOUT VALIDATION",
            ddl.global_indexes_clause(action),
        )
    ]


SPEC = ActionSpec(
    kind=ActionKind.EXCHANGE,
    description="Swap the partition's segment with a non-partitioned table's "
    "(ALTER TABLE ... EXCHANGE PARTITION ... WITH TABLE ...); the archive step of DROP.",
    params=ExchangeParams,
    render=render,
    # Which rows are where is not a storage fact; the archive step counts rows itself.
    applied=None,
    default_mib_per_s=2000.0,
    policy=False,
    structural=True,
)

"""Typed query and path parameters shared by the routers, so bad input is a 422 naming the field.

Each rule is declared once here and used by every route that takes such a parameter:

* integers the repository stores (ids, offsets, byte counts) are bounded to its signed 64-bit
  columns (core.int_bounds): a larger one used to reach SQLite and come back as a 500;
* names are read by the package's own rules, matched whole: schema names by
  ``core.identifiers.normalise`` (``sales`` is SALES, ``"Sales"`` exactly Sales, ``SALES\\n`` is
  refused), object labels by ``ObjectRef.from_user_text``, policy names by the rule
  policies.yaml uses, strategy names by the one CUSTOM policies use.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator

from hcc_operators.core.actions.custom import STRATEGY_NAME
from hcc_operators.core.errors import IdentifierError
from hcc_operators.core.identifiers import normalise
from hcc_operators.core.int_bounds import MAX_INT64
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.policy_config import check_policy_name

MAX_PAGE = 500
#: Longest text a name parameter may carry: 128 bytes of name, quotes, and a little slack.
#: The exact limits (bytes, characters) are the identifier rule's; this only bounds the work.
_MAX_NAME_TEXT = 400


def schema_name(value: str) -> str:
    """An owner as typed (``sales``, ``"Sales"``) -> its dictionary spelling; ValueError else."""
    try:
        return normalise(value, kind="owner")
    except IdentifierError as err:
        raise ValueError(str(err)) from None


def object_label(value: str) -> str:
    """OWNER.TABLE[:PARTITION[:SUBPARTITION]] with every name validated, as a label."""
    return ObjectRef.from_user_text(value).label


def _partition_label(value: str) -> str:
    ref = ObjectRef.from_user_text(value)  # ValueError -> 422 with the reason
    if ref.partition is None or ref.subpartition is not None:
        raise ValueError(f"{value!r} is not OWNER.TABLE:PARTITION")
    return ref.label


_ID = {"ge": 1, "le": MAX_INT64}

#: An id of a repository row in the path (run, execution, batch).
RepositoryId = Annotated[int, Path(**_ID, description="Id of the row (1 to 2^63-1)")]
#: The same, as an optional filter.
OptionalRepositoryId = Annotated[int | None, Query(**_ID, description="Id (1 to 2^63-1)")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Rows per page")]
Offset = Annotated[int, Query(ge=0, le=MAX_INT64, description="Rows to skip")]
#: A byte count filter (0 to 2^63-1).
OptionalBytes = Annotated[int | None, Query(ge=0, le=MAX_INT64)]
Status = Annotated[str | None, Query(max_length=20, pattern=r"^[A-Z_]+$")]
SchemaName = Annotated[
    str | None,
    Query(max_length=_MAX_NAME_TEXT, description="Owner, as in SQL: sales = SALES"),
    AfterValidator(lambda v: None if v is None else schema_name(v)),
]
PolicyFilter = Annotated[
    str | None,
    Query(max_length=128, description="Policy name"),
    AfterValidator(lambda v: None if v is None else check_policy_name(v)),
]
PolicyName = Annotated[
    str, Path(max_length=128, description="Policy name"), AfterValidator(check_policy_name)
]
# pydantic matches patterns with Rust's regex, where ^...$ spans the whole text.
StrategyFilter = Annotated[str | None, Query(max_length=128, pattern=STRATEGY_NAME)]
PartitionLabel = Annotated[
    str,
    Path(description="OWNER.TABLE:PARTITION", max_length=_MAX_NAME_TEXT),
    AfterValidator(_partition_label),
]

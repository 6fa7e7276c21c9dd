"""Typed query and path parameters shared by the routers, so bad input is a 422 naming the field."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator

from hcc_operators.core.models import ObjectRef

MAX_PAGE = 500


def _partition_label(value: str) -> str:
    ref = ObjectRef.parse(value)  # ValueError -> 422 with the reason
    if ref.partition is None or ref.subpartition is not None:
        raise ValueError(f"{value!r} is not OWNER.TABLE:PARTITION")
    return ref.label


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Rows per page")]
Offset = Annotated[int, Query(ge=0, description="Rows to skip")]
Status = Annotated[str | None, Query(max_length=20, pattern=r"^[A-Z_]+$")]
SchemaName = Annotated[
    str | None, Query(max_length=128, pattern=r"^[A-Za-z][A-Za-z0-9_$#]*$", description="Owner")
]
PartitionLabel = Annotated[
    str,
    Path(description="OWNER.TABLE:PARTITION", max_length=400),
    AfterValidator(_partition_label),
]

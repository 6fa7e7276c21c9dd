"""The database boundary: what every backend (Oracle, embedded simulation) provides.

Everything above this protocol (services, operators, API, CLI) runs the same code whichever
backend is connected. Methods return core models; errors are ``WarehouseError`` with the ORA
code, so retry decisions are made the same way for both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from hcc_operators.core.errors import ObjectNotFound, Transience, WarehouseError
from hcc_operators.core.licences import Licences
from hcc_operators.core.models import (
    AccessStats,
    Action,
    ApplyResult,
    CompressionSample,
    CompressionType,
    DmlStats,
    IndexDefinition,
    IndexInfo,
    KeyConstraint,
    ObjectRef,
    SegmentInfo,
    TableInfo,
    TablespaceInfo,
)
from hcc_operators.core.preflight import SessionFacts

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["Warehouse", "WarehouseError", "ObjectNotFound", "Transience"]


@runtime_checkable
class Warehouse(Protocol):
    #: "oracle" or "embedded"; for logs and reports only, never for branching above this layer.
    backend: str
    #: The licensed options the connection declares (core.licences); nothing else is used.
    licences: Licences

    def version(self) -> tuple[int, ...]:
        """Database version, e.g. (19, 21, 0); decides online-DDL features."""

    def list_schemas(self, *, include_oracle_maintained: bool = False) -> list[str]:
        """Schemas that own at least one table, Oracle-maintained ones excluded by default."""

    def list_tables(self, owners: Sequence[str]) -> list[TableInfo]:
        """Tables of the owners, excluding temporary, nested and Oracle-maintained objects."""

    def list_segments(
        self, owners: Sequence[str], tables: Sequence[ObjectRef] | None = None
    ) -> list[SegmentInfo]:
        """Non-partitioned tables, partitions and subpartitions with size and storage state.

        ``tables`` narrows to those tables (refs with owner and table only).
        """

    def unreadable(self) -> dict[ObjectRef, str]:
        """Objects the reads so far left out, with why (a compression value the package does
        not know): one odd object is skipped, never the whole owner."""

    def segment(self, ref: ObjectRef) -> SegmentInfo | None:
        """Live state of one object, read now (None if it does not exist)."""

    def row_count(self, ref: ObjectRef) -> int:
        """Exact row count of the object, for reconciliation around a rewrite."""

    def dml_stats(self, owners: Sequence[str]) -> dict[ObjectRef, DmlStats]:
        """DML since the last statistics gathering, per table/partition."""

    def access_stats(self, owners: Sequence[str]) -> dict[ObjectRef, AccessStats]:
        """Reads per segment from Heat Map or AWR, whichever the database has."""

    def tablespaces(self) -> dict[str, TablespaceInfo]:
        """Capacity, usage and HCC support of every tablespace."""

    def session_facts(self, owners: Sequence[str] = ()) -> SessionFacts:
        """The account's privileges, reachable SYS objects, quotas (its own, and ``owners'``
        where readable), version, COMPATIBLE and HEAT_MAP, for `hcc preflight`."""

    def indexes(self, owner: str, table: str) -> list[IndexInfo]:
        """Indexes of a table; local indexes one row per index partition."""

    def estimate_ratio(
        self,
        ref: ObjectRef,
        ctype: CompressionType,
        *,
        sample_rows: int,
        scratch_tablespace: str | None = None,
    ) -> float:
        """Estimated compression ratio (uncompressed size / compressed size) of the object.

        Oracle: DBMS_COMPRESSION.GET_COMPRESSION_RATIO. Embedded: really compresses a sample.
        """

    def estimate_sample_rows(self, ref: ObjectRef, *, sample_rows: int) -> int | None:
        """Rows an estimate of ``ref`` with ``sample_rows`` asked really compresses, or None
        when the database does not say (Oracle: GET_COMPRESSION_RATIO returns no count)."""

    def compression_sample(self, ref: ObjectRef, *, sample_rows: int) -> CompressionSample:
        """How the rows of a sample are actually stored (DBMS_COMPRESSION.GET_COMPRESSION_TYPE)."""

    def apply(self, action: Action, *, ddl_lock_timeout_s: int = 30) -> ApplyResult:
        """Perform a physical action. Raises WarehouseError (with code) on failure."""

    def index_definitions(self, owner: str, table: str) -> list[IndexDefinition]:
        """The indexes of a table with their columns, uniqueness and locality."""

    def key_constraints(self, owner: str, table: str) -> list[KeyConstraint]:
        """The enabled PRIMARY KEY and UNIQUE constraints of a table, with their index."""

    def execute_ddl(self, statements: Sequence[str]) -> None:
        """Run DDL that core.ddl rendered outside an Action (an archive table, its indexes and
        keys), one statement at a time; each commits as Oracle commits DDL."""

    def set_session_info(self, module: str, action: str) -> None:
        """Tag the session so a DBA sees the work (DBMS_APPLICATION_INFO on Oracle)."""

    def repository_engine(self) -> Engine:
        """SQLAlchemy engine on which the repository tables live (beside the warehouse)."""

    def close(self) -> None:
        """Release connections."""

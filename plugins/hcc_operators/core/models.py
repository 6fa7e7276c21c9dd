"""Domain records shared by every layer.

Plain frozen dataclasses so they cross the warehouse boundary, XCom (as dicts) and the
repository without any framework attached. Names follow the Oracle dictionary so a DBA
recognises them. Datetimes from a backend may be naive (database time, read as UTC); services
pass them through core.instants.as_utc before comparing or storing them.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime

from hcc_operators.core import identifiers
from hcc_operators.core.errors import IdentifierError


class CompressionType(enum.StrEnum):
    """Table compression, ordered from none to the densest HCC level.

    The value is the spelling Oracle uses in ALL_TAB_PARTITIONS.COMPRESS_FOR, so it round-trips
    through the dictionary unchanged ("OLTP" is the pre-12c name of ADVANCED, see ``parse``).
    """

    NONE = "NONE"
    BASIC = "BASIC"
    ADVANCED = "ADVANCED"
    QUERY_LOW = "QUERY LOW"
    QUERY_HIGH = "QUERY HIGH"
    ARCHIVE_LOW = "ARCHIVE LOW"
    ARCHIVE_HIGH = "ARCHIVE HIGH"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def is_hcc(self) -> bool:
        return self in HCC_TYPES

    @classmethod
    def parse(cls, value: str | None) -> CompressionType:
        """Read a COMPRESS_FOR value as the dictionary reports it (docs/oracle-rules.md CMP-*).

        ``[NO] ROW LEVEL LOCKING`` qualifies an HCC level without changing it (CMP-01); the
        11.1 spellings FOR ALL OPERATIONS and DIRECT LOAD ONLY are ADVANCED (OLTP) and BASIC.
        A value not listed raises UnknownCompression carrying the raw text, so a caller skips
        that one object instead of guessing its level.
        """
        if value is None:
            return cls.NONE
        if isinstance(value, cls):
            return value
        text = " ".join(str(value).upper().replace("_", " ").split())
        for suffix in (" NO ROW LEVEL LOCKING", " ROW LEVEL LOCKING"):
            if text.endswith(suffix):
                text = text[: -len(suffix)]
                break
        if text in ("", "DISABLED", "NONE", "NOCOMPRESS"):
            return cls.NONE
        if text in ("OLTP", "ADVANCED", "ROW STORE COMPRESS ADVANCED", "FOR ALL OPERATIONS"):
            return cls.ADVANCED
        if text in ("BASIC", "DIRECT LOAD ONLY", "FOR DIRECT LOAD OPERATIONS"):
            return cls.BASIC
        for member in cls:
            if member.value == text:
                return member
        raise UnknownCompression(value)


class UnknownCompression(ValueError):
    """A compression value the package does not know; the object it belongs to is skipped."""

    def __init__(self, raw: object):
        self.raw = raw
        super().__init__(
            f"unknown compression type {raw!r}; expected one of "
            + ", ".join(m.value for m in CompressionType)
            + " (optionally with [NO] ROW LEVEL LOCKING)"
        )


_RANK = {ct: i for i, ct in enumerate(CompressionType)}
HCC_TYPES = frozenset(
    {
        CompressionType.QUERY_LOW,
        CompressionType.QUERY_HIGH,
        CompressionType.ARCHIVE_LOW,
        CompressionType.ARCHIVE_HIGH,
    }
)
#: The levels the advisor estimates, in the order it reports them.
ESTIMATED_TYPES = (
    CompressionType.ADVANCED,
    CompressionType.QUERY_LOW,
    CompressionType.QUERY_HIGH,
    CompressionType.ARCHIVE_LOW,
    CompressionType.ARCHIVE_HIGH,
)


class ObjectKind(enum.StrEnum):
    TABLE = "TABLE"
    PARTITION = "TABLE PARTITION"
    SUBPARTITION = "TABLE SUBPARTITION"


@dataclass(frozen=True, order=True)
class ObjectRef:
    """A table, partition or subpartition; names are stored as the dictionary holds them."""

    owner: str
    table: str
    partition: str | None = None
    subpartition: str | None = None

    @property
    def kind(self) -> ObjectKind:
        if self.subpartition:
            return ObjectKind.SUBPARTITION
        if self.partition:
            return ObjectKind.PARTITION
        return ObjectKind.TABLE

    @property
    def label(self) -> str:
        """OWNER.TABLE[:PARTITION[:SUBPARTITION]], the form used in the UI and the CLI."""
        text = f"{self.owner}.{self.table}"
        if self.partition:
            text += f":{self.partition}"
        if self.subpartition:
            text += f":{self.subpartition}"
        return text

    @property
    def user_text(self) -> str:
        """The label as a person would type it, read back by ``from_user_text`` to this same
        reference: a name that SQL*Plus would not read as itself unquoted (a reserved word
        such as AUDIT, lower case, special characters) is written in double quotes. What the
        API and dashboard send back for an object they listed."""

        def typed(name: str, kind: str) -> str:
            try:
                if identifiers.normalise(name, kind=kind) == name:
                    return name
            except IdentifierError:
                pass
            return f'"{name}"'

        parts = [typed(self.owner, "owner"), typed(self.table, "table")]
        text = ".".join(parts)
        if self.partition:
            text += ":" + typed(self.partition, "partition")
        if self.subpartition:
            text += ":" + typed(self.subpartition, "subpartition")
        return text

    @classmethod
    def parse(cls, label: str) -> ObjectRef:
        owner_table, *parts = label.split(":")
        if "." not in owner_table or len(parts) > 2:
            raise ValueError(
                f"object {label!r} is not of the form OWNER.TABLE[:PARTITION[:SUBPARTITION]]"
            )
        owner, table = owner_table.split(".", 1)
        if not owner or not table or any(not p for p in parts):
            raise ValueError(f"object {label!r} has an empty name part")
        return cls(owner, table, *(parts + [None] * (2 - len(parts))))

    @classmethod
    def from_user_text(cls, text: str) -> ObjectRef:
        """OWNER.TABLE[:PARTITION[:SUBPARTITION]] as a person types it (CLI, API, DAG conf).

        Every name is read by ``identifiers.normalise`` as SQL*Plus would (``sales`` is SALES,
        ``"Sales"`` exactly Sales), so the result holds dictionary spellings. ValueError says
        what is wrong (validators of pydantic and argparse turn it into a message).
        """
        if not isinstance(text, str):
            raise ValueError(f"object must be text, got {type(text).__name__}")
        ref = cls.parse(text)
        parts = (
            (ref.owner, "owner"),
            (ref.table, "table"),
            (ref.partition, "partition"),
            (ref.subpartition, "subpartition"),
        )
        try:
            names = [identifiers.normalise(n, kind=k) if n else None for n, k in parts]
        except IdentifierError as err:
            raise ValueError(str(err)) from None
        return cls(*names)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TableInfo:
    owner: str
    table: str
    partitioned: bool
    partitioning_type: str | None = None  # RANGE, LIST, HASH, or None
    subpartitioning_type: str | None = None
    interval: str | None = None  # the INTERVAL expression of an interval-partitioned table
    temporary: bool = False
    nested: bool = False
    iot: bool = False
    tablespace: str | None = None
    compression: CompressionType = CompressionType.NONE
    num_rows: int | None = None
    last_analyzed: datetime | None = None


@dataclass(frozen=True)
class SegmentInfo:
    """One storage object: a non-partitioned table, a partition or a subpartition.

    For a composite-partitioned table the partition row carries the sum of its subpartitions'
    bytes and ``has_subpartitions`` is set; the subpartitions are listed separately. Its
    ``subpartitioning_type`` is the table's (ALL_PART_TABLES.SUBPARTITIONING_TYPE: HASH, LIST,
    RANGE), which decides what its default attributes may change (rule book COMPOSITE-05).
    """

    ref: ObjectRef
    tablespace: str | None
    compression: CompressionType
    bytes: int
    blocks: int
    num_rows: int
    read_only: bool = False
    high_value: str | None = None  # as Oracle keeps it, e.g. TO_DATE(' 2024-02-01 00:00:00', ...)
    position: int | None = None
    interval: bool = False  # the partition was created by interval partitioning
    has_subpartitions: bool = False
    last_analyzed: datetime | None = None
    subpartitioning_type: str | None = None  # of a composite partition (None otherwise)


@dataclass(frozen=True)
class DmlStats:
    """As ALL_TAB_MODIFICATIONS reports them since the last statistics gathering."""

    inserts: int = 0
    updates: int = 0
    deletes: int = 0
    truncated: bool = False
    timestamp: datetime | None = None

    @property
    def total(self) -> int:
        return self.inserts + self.updates + self.deletes


@dataclass(frozen=True)
class AccessStats:
    """Reads over the observation window, from AWR segment statistics or Heat Map."""

    logical_reads: int = 0
    physical_reads: int = 0
    last_access: datetime | None = None
    last_modification: datetime | None = None
    source: str = "NONE"  # AWR, HEATMAP, NONE


@dataclass(frozen=True)
class TablespaceInfo:
    name: str
    total_bytes: int
    used_bytes: int
    hcc_supported: bool
    read_only: bool = False

    @property
    def free_bytes(self) -> int:
        return max(self.total_bytes - self.used_bytes, 0)

    @property
    def used_percent(self) -> float:
        return 100.0 * self.used_bytes / self.total_bytes if self.total_bytes else 100.0


@dataclass(frozen=True)
class IndexInfo:
    owner: str
    index: str
    table_owner: str
    table: str
    locality: str  # LOCAL or GLOBAL
    status: str  # VALID / USABLE / UNUSABLE / N/A (partitioned index header)
    partition: str | None = None  # the index partition, for a local index
    #: The index subpartition, for a local index of a composite-partitioned table: such an
    #: index partition has no segment and is rebuilt one subpartition at a time (IDX-02), so
    #: the dictionary lists its subpartitions, each with its own status (IDX-10).
    subpartition: str | None = None


@dataclass(frozen=True)
class IndexDefinition:
    """An index's shape (ALL_INDEXES, ALL_PART_INDEXES.LOCALITY, ALL_IND_COLUMNS): what an
    exchange table must mirror for EXCHANGE ... INCLUDING INDEXES (EXCHANGE-02)."""

    owner: str
    name: str
    locality: str  # LOCAL or GLOBAL (a non-partitioned index of a partitioned table: GLOBAL)
    unique: bool
    columns: tuple[str, ...]
    bitmap: bool = False


@dataclass(frozen=True)
class KeyConstraint:
    """An enabled PRIMARY KEY (``P``) or UNIQUE (``U``) constraint and its index."""

    owner: str
    name: str
    kind: str
    columns: tuple[str, ...]
    index_name: str | None = None


class ActionKind(enum.StrEnum):
    """The name of each action kind. Everything else about a kind (its parameters, DDL,
    applied-state check, throughput, description) is declared once in its core.actions module.
    """

    COMPRESS = "COMPRESS"
    MOVE = "MOVE"
    READ_ONLY = "READ_ONLY"
    MERGE = "MERGE"
    DROP = "DROP"
    TRUNCATE = "TRUNCATE"
    EXCHANGE = "EXCHANGE"
    REBUILD_INDEXES = "REBUILD_INDEXES"
    CUSTOM = "CUSTOM"
    GATHER_STATS = "GATHER_STATS"

    @property
    def spec(self):  # -> core.actions.base.ActionSpec (imported late: it imports this module)
        from hcc_operators.core.actions import spec

        return spec(self)

    @property
    def rewrites_segment(self) -> bool:
        return self.spec.rewrites_segment

    @property
    def destructive(self) -> bool:
        return self.spec.destructive


@dataclass(frozen=True)
class Action:
    """A physical change to one object, independent of the backend that applies it.

    MERGE: ``ref.partition`` names the resulting partition and ``merge_sources`` the
    partitions merged into it, in ascending bound order (the order Oracle requires).
    ``subpartitions`` lists the subpartitions of a composite partition that a MOVE or
    COMPRESS rewrites one by one (a composite partition has no segment of its own), and
    ``subpartitioning_type`` how they are partitioned: on a *-HASH table only the TABLESPACE
    of the partition's defaults can be changed (COMPOSITE-05).
    ``exchange_table`` names the table an EXCHANGE swaps with.
    """

    kind: ActionKind
    ref: ObjectRef
    compression: CompressionType | None = None
    tablespace: str | None = None
    pctfree: int | None = None
    #: None: not decided yet (a policy's ``online: auto``), resolved from the licences.
    online: bool | None = True
    update_indexes: bool = True
    exchange_table: ObjectRef | None = None
    parallel: int | None = None
    merge_sources: tuple[str, ...] = ()
    subpartitions: tuple[str, ...] = ()
    subpartitioning_type: str | None = None
    #: GATHER_STATS: its parameters (granularity, degree, the instant stats must postdate).
    stats: object | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ApplyResult:
    """What the warehouse reports after applying an Action.

    ``duration_s`` is wall-clock time on Oracle; on the embedded warehouse it is simulated from
    segment size and a per-action throughput and ``simulated`` is True.
    """

    statements: tuple[str, ...]
    duration_s: float
    simulated: bool = False


class ActionStatus(enum.StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class CompressionSample:
    """Rows of a sample by the compression type each row is actually stored with.

    Oracle's DBMS_COMPRESSION.GET_COMPRESSION_TYPE per rowid; rows updated after an HCC load
    migrate out of the compression unit and report a lower type.
    """

    rows_by_type: dict[CompressionType, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows_by_type.values())

    def fraction(self, ctype: CompressionType) -> float:
        return self.rows_by_type.get(ctype, 0) / self.total if self.total else 0.0

"""Read the DDL statements the package sends, as Oracle's syntax diagrams define them.

The embedded warehouse applies the *text* core.ddl rendered, not the Action it came from:
if the builder writes a statement Oracle would refuse (a merge into the lower partition's name,
PCTFREE on a subpartition move, clauses in the wrong order), the simulation refuses it too,
with Oracle's error. The grammar below follows the diagrams cited in docs/oracle-rules.md
(move_table_partition MOVE-01, move_table_subpartition COMPOSITE-02, merge_table_partitions
MERGE-06, exchange_partition_subpart EXCHANGE-01, truncate_partition_subpart TRUNC-01,
modify_table_default_attrs COMPOSITE-04, table_compression CMP-01, rebuild_clause IDX-09, as
far as the package uses it); each clause is accepted
only in its documented place. Anything else is ORA-00922 "missing or invalid option"
(SYNTAX-01), an unknown statement ORA-00900 (SYNTAX-02).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hcc_operators.core.errors import WarehouseError
from hcc_operators.core.models import CompressionType, ObjectRef

_TOKEN = re.compile(r'\s*(?:("(?:[^"]|"")*")|([A-Za-z_][A-Za-z0-9_$#]*)|(\d+)|([,().;=]))')


class Syntax(WarehouseError):
    def __init__(self, message: str, code: str = "ORA-00922") -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class Tok:
    kind: str  # NAME (quoted identifier), WORD (keyword/unquoted), NUM, PUNCT
    text: str


def tokenize(text: str) -> list[Tok]:
    tokens: list[Tok] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise Syntax(f"invalid character at {text[pos : pos + 20]!r}", code="ORA-00911")
        quoted, word, number, punct = match.groups()
        if quoted is not None:
            tokens.append(Tok("NAME", quoted[1:-1].replace('""', '"')))
        elif word is not None:
            tokens.append(Tok("WORD", word.upper()))
        elif number is not None:
            tokens.append(Tok("NUM", number))
        else:
            tokens.append(Tok("PUNCT", punct))
        pos = match.end()
    return tokens


# --- parsed statements ------------------------------------------------------------------


@dataclass(frozen=True)
class Storage:
    """The physical and compression clauses a statement gave (None: not given)."""

    tablespace: str | None = None
    pctfree: int | None = None
    compression: CompressionType | None = None


@dataclass(frozen=True)
class Maintenance:
    """update_index_clauses, parallel_clause and ONLINE, where a statement allows them."""

    update_indexes: bool = False  # UPDATE INDEXES or UPDATE GLOBAL INDEXES
    update_global_only: bool = False  # UPDATE GLOBAL INDEXES
    parallel: int | None = None
    online: bool = False


@dataclass(frozen=True)
class Segment:
    """PARTITION p / SUBPARTITION s of a statement (None kind: the table itself)."""

    kind: str | None  # "PARTITION", "SUBPARTITION" or None
    name: str | None = None


@dataclass(frozen=True)
class MoveStmt:
    table: ObjectRef
    target: Segment
    storage: Storage
    maintenance: Maintenance


@dataclass(frozen=True)
class ModifyDefaultsStmt:
    table: ObjectRef
    partition: str | None
    storage: Storage


@dataclass(frozen=True)
class ReadOnlyStmt:
    table: ObjectRef
    target: Segment


@dataclass(frozen=True)
class MergeStmt:
    table: ObjectRef
    sources: tuple[str, ...]
    into: str
    storage: Storage
    maintenance: Maintenance


@dataclass(frozen=True)
class RenameStmt:
    table: ObjectRef
    old: str
    new: str


@dataclass(frozen=True)
class DropStmt:
    table: ObjectRef
    target: Segment
    maintenance: Maintenance


@dataclass(frozen=True)
class TruncateStmt:
    table: ObjectRef
    target: Segment
    maintenance: Maintenance


@dataclass(frozen=True)
class ExchangeStmt:
    table: ObjectRef
    target: Segment
    other: ObjectRef
    including_indexes: bool
    with_validation: bool
    maintenance: Maintenance


@dataclass(frozen=True)
class RebuildLocalStmt:
    table: ObjectRef
    target: Segment


@dataclass(frozen=True)
class RebuildIndexStmt:
    """ALTER INDEX i REBUILD [PARTITION p | SUBPARTITION s] [ONLINE] (rebuild_clause, IDX-09).
    ``index`` names the index as OWNER.NAME in its ``table`` field."""

    index: ObjectRef
    target: Segment
    online: bool = False

    @property
    def table(self) -> ObjectRef:
        """The owner Oracle checks the privilege against (PRIV-13) is the index's."""
        return self.index


@dataclass(frozen=True)
class CreateForExchangeStmt:
    table: ObjectRef
    like: ObjectRef


@dataclass(frozen=True)
class CreateIndexStmt:
    index: ObjectRef  # owner, index name (in ``table``)
    table: ObjectRef
    columns: tuple[str, ...]
    unique: bool = False
    bitmap: bool = False


@dataclass(frozen=True)
class AddKeyStmt:
    table: ObjectRef
    constraint: str
    kind: str  # PRIMARY KEY or UNIQUE
    columns: tuple[str, ...]
    using_index: str | None = None


@dataclass(frozen=True)
class SessionStmt:
    setting: str
    value: int


Statement = (
    MoveStmt
    | ModifyDefaultsStmt
    | ReadOnlyStmt
    | MergeStmt
    | RenameStmt
    | DropStmt
    | TruncateStmt
    | ExchangeStmt
    | RebuildLocalStmt
    | RebuildIndexStmt
    | CreateForExchangeStmt
    | CreateIndexStmt
    | AddKeyStmt
    | SessionStmt
)


# --- the parser ------------------------------------------------------------------------


@dataclass
class _Cursor:
    tokens: list[Tok]
    text: str
    pos: int = 0
    seen: list[str] = field(default_factory=list)

    def peek(self, offset: int = 0) -> Tok | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def at(self, *words: str) -> bool:
        for i, word in enumerate(words):
            tok = self.peek(i)
            if tok is None or tok.kind != "WORD" or tok.text != word:
                return False
        return True

    def take(self, *words: str) -> bool:
        if self.at(*words):
            self.pos += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.take(*words):
            got = self.peek()
            raise Syntax(
                f"expected {' '.join(words)} at {got.text if got else 'end of statement'!r} "
                f"in: {self.text}"
            )

    def punct(self, char: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "PUNCT" and tok.text == char:
            self.pos += 1
            return True
        return False

    def name(self, what: str) -> str:
        tok = self.peek()
        if tok is None or tok.kind not in ("NAME", "WORD"):
            raise Syntax(f"expected a {what} name in: {self.text}")
        self.pos += 1
        # Unquoted names are upper-cased by Oracle; quoted ones are taken as written.
        return tok.text

    def number(self, what: str) -> int:
        tok = self.peek()
        if tok is None or tok.kind != "NUM":
            raise Syntax(f"expected a number for {what} in: {self.text}")
        self.pos += 1
        return int(tok.text)

    def qualified(self, what: str) -> ObjectRef:
        first = self.name(what)
        if self.punct("."):
            return ObjectRef(first, self.name(what))
        raise Syntax(f"{what} {first} is not qualified with its owner in: {self.text}")

    def done(self) -> None:
        self.punct(";")
        if self.pos != len(self.tokens):
            raise Syntax(
                f"unexpected {self.tokens[self.pos].text!r} (missing or invalid option) in: "
                f"{self.text}"
            )


_COMPRESSIONS = {
    ("NOCOMPRESS",): CompressionType.NONE,
    ("COMPRESS",): CompressionType.BASIC,
    ("COMPRESS", "BASIC"): CompressionType.BASIC,
    ("ROW", "STORE", "COMPRESS"): CompressionType.BASIC,
    ("ROW", "STORE", "COMPRESS", "BASIC"): CompressionType.BASIC,
    ("ROW", "STORE", "COMPRESS", "ADVANCED"): CompressionType.ADVANCED,
    ("COMPRESS", "FOR", "OLTP"): CompressionType.ADVANCED,
}
for _family in ("QUERY", "ARCHIVE"):
    for _level in ("LOW", "HIGH"):
        _ct = CompressionType(f"{_family} {_level}")
        _COMPRESSIONS[("COLUMN", "STORE", "COMPRESS", "FOR", _family, _level)] = _ct
        _COMPRESSIONS[("COMPRESS", "FOR", _family, _level)] = _ct
_LONGEST_FIRST = sorted(_COMPRESSIONS, key=len, reverse=True)


def _compression(cur: _Cursor) -> CompressionType | None:
    for words in _LONGEST_FIRST:
        if cur.take(*words):
            # [NO] ROW LEVEL LOCKING is part of table_compression for HCC (CMP-01).
            if _COMPRESSIONS[words].is_hcc and not cur.take("ROW", "LEVEL", "LOCKING"):
                cur.take("NO", "ROW", "LEVEL", "LOCKING")
            return _COMPRESSIONS[words]
    return None


def _storage(cur: _Cursor, *, physical: bool) -> Storage:
    """[TABLESPACE t] [PCTFREE n] [table_compression] in that order (segment_attributes_clause
    then table_compression); PCTFREE only where physical attributes are allowed."""
    tablespace = pctfree = None
    if cur.take("TABLESPACE"):
        tablespace = cur.name("tablespace")
    if cur.at("PCTFREE"):
        if not physical:
            # COMPOSITE-02 / SYNTAX-04: TABLESPACE is a subpartition's only physical attribute.
            raise Syntax(
                f"this physical attribute may not be specified for a table subpartition "
                f"(PCTFREE) in: {cur.text}",
                code="ORA-14160",
            )
        cur.take("PCTFREE")
        pctfree = cur.number("PCTFREE")
    return Storage(tablespace, pctfree, _compression(cur))


def _maintenance(cur: _Cursor, *, online: bool, indexes: bool = True) -> Maintenance:
    """[update_index_clauses] [parallel_clause] [ONLINE], in that order."""
    update = global_only = False
    if indexes and cur.take("UPDATE", "GLOBAL", "INDEXES"):
        update = global_only = True
    elif indexes and cur.take("UPDATE", "INDEXES"):
        update = True
    parallel = None
    if cur.take("PARALLEL"):
        parallel = cur.number("PARALLEL")
    elif cur.take("NOPARALLEL"):
        parallel = 1
    is_online = bool(online and cur.take("ONLINE"))
    return Maintenance(update, global_only, parallel, is_online)


def _segment(cur: _Cursor) -> Segment:
    if cur.take("PARTITION"):
        return Segment("PARTITION", cur.name("partition"))
    if cur.take("SUBPARTITION"):
        return Segment("SUBPARTITION", cur.name("subpartition"))
    raise Syntax(f"expected PARTITION or SUBPARTITION in: {cur.text}")


def _alter_table(cur: _Cursor) -> Statement:
    table = cur.qualified("table")
    if cur.take("MOVE"):
        if cur.at("PARTITION") or cur.at("SUBPARTITION"):
            target = _segment(cur)
            storage = _storage(cur, physical=target.kind == "PARTITION")
            return MoveStmt(table, target, storage, _maintenance(cur, online=True))
        # move_table_clause: MOVE [ONLINE] segment_attributes table_compression ... (MOVE-03/04)
        online = cur.take("ONLINE")
        storage = _storage(cur, physical=True)
        parallel = cur.number("PARALLEL") if cur.take("PARALLEL") else None
        update = cur.take("UPDATE", "INDEXES")
        return MoveStmt(table, Segment(None), storage, Maintenance(update, False, parallel, online))
    if cur.take("MODIFY", "DEFAULT", "ATTRIBUTES"):
        partition = None
        if cur.take("FOR"):
            cur.expect("PARTITION")
            partition = cur.name("partition")
        storage = _storage(cur, physical=True)
        return ModifyDefaultsStmt(table, partition, storage)
    if cur.at("MODIFY"):
        cur.take("MODIFY")
        target = _segment(cur)
        if cur.take("READ", "ONLY"):
            return ReadOnlyStmt(table, target)
        if cur.take("REBUILD", "UNUSABLE", "LOCAL", "INDEXES"):
            return RebuildLocalStmt(table, target)
        raise Syntax(f"unsupported MODIFY {target.kind} option in: {cur.text}")
    if cur.take("READ", "ONLY"):
        return ReadOnlyStmt(table, Segment(None))
    if cur.take("MERGE", "PARTITIONS"):
        sources = [cur.name("partition")]
        while cur.punct(","):
            sources.append(cur.name("partition"))
        cur.expect("INTO", "PARTITION")
        into = cur.name("partition")
        storage = _storage(cur, physical=True)
        return MergeStmt(table, tuple(sources), into, storage, _maintenance(cur, online=True))
    if cur.take("RENAME"):
        target = _segment(cur)
        cur.expect("TO")
        return RenameStmt(table, target.name or "", cur.name("partition"))
    if cur.take("DROP"):
        target = _segment(cur)
        return DropStmt(table, target, _maintenance(cur, online=False))
    if cur.take("TRUNCATE"):
        target = _segment(cur)
        if not (cur.take("DROP", "STORAGE") or cur.take("DROP", "ALL", "STORAGE")):
            cur.take("REUSE", "STORAGE")
        if cur.peek() is not None and not cur.at("UPDATE"):
            raise Syntax(
                f"invalid ALTER TABLE TRUNCATE PARTITION option in: {cur.text}", code="ORA-14054"
            )
        return TruncateStmt(table, target, _maintenance(cur, online=False))
    if cur.take("EXCHANGE"):
        target = _segment(cur)
        cur.expect("WITH", "TABLE")
        other = cur.qualified("table")
        including = True
        if cur.take("INCLUDING", "INDEXES"):
            including = True
        elif cur.take("EXCLUDING", "INDEXES"):
            including = False
        else:
            including = False  # the default is EXCLUDING INDEXES
        validation = True
        if cur.take("WITHOUT", "VALIDATION"):
            validation = False
        else:
            cur.take("WITH", "VALIDATION")
        return ExchangeStmt(
            table, target, other, including, validation, _maintenance(cur, online=False)
        )
    if cur.take("ADD", "CONSTRAINT"):
        name = cur.name("constraint")
        if cur.take("PRIMARY", "KEY"):
            kind = "PRIMARY KEY"
        else:
            cur.expect("UNIQUE")
            kind = "UNIQUE"
        columns = _columns(cur)
        using = None
        if cur.take("USING", "INDEX"):
            using = cur.qualified("index").table
        return AddKeyStmt(table, name, kind, columns, using)
    raise Syntax(f"unsupported ALTER TABLE statement: {cur.text}")


def _columns(cur: _Cursor) -> tuple[str, ...]:
    if not cur.punct("("):
        raise Syntax(f"expected ( in: {cur.text}")
    columns = [cur.name("column")]
    while cur.punct(","):
        columns.append(cur.name("column"))
    if not cur.punct(")"):
        raise Syntax(f"expected ) in: {cur.text}")
    return tuple(columns)


def parse(text: str) -> Statement:
    """The statement ``text`` as its parsed form, or the ORA error Oracle would raise."""
    cur = _Cursor(tokenize(text), text)
    if cur.take("ALTER", "TABLE"):
        statement = _alter_table(cur)
    elif cur.take("ALTER", "INDEX"):
        index = cur.qualified("index")
        cur.expect("REBUILD")
        target = _segment(cur) if cur.at("PARTITION") or cur.at("SUBPARTITION") else Segment(None)
        statement = RebuildIndexStmt(index, target, cur.take("ONLINE"))
    elif cur.take("ALTER", "SESSION", "SET"):
        setting = cur.name("parameter")
        if not cur.punct("="):
            raise Syntax(f"expected = in: {text}")
        statement = SessionStmt(setting, cur.number(setting))
    elif cur.take("CREATE", "TABLE"):
        table = cur.qualified("table")
        cur.expect("FOR", "EXCHANGE", "WITH", "TABLE")
        statement = CreateForExchangeStmt(table, cur.qualified("table"))
    elif cur.at("CREATE"):
        cur.take("CREATE")
        unique = cur.take("UNIQUE")
        bitmap = not unique and cur.take("BITMAP")
        cur.expect("INDEX")
        index = cur.qualified("index")
        cur.expect("ON")
        table = cur.qualified("table")
        statement = CreateIndexStmt(index, table, _columns(cur), unique, bitmap)
    else:
        raise Syntax(f"unsupported statement: {text}", code="ORA-00900")
    cur.done()
    return statement

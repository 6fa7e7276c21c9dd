"""How Oracle lays rows out on disk, close enough that measured sizes mean something.

Values are encoded the way Oracle stores them (DATE in 7 bytes, NUMBER as base-100 digits with an
exponent byte, VARCHAR2 as its bytes), rows as row pieces with a header and one length byte per
column, and rows fill 8 KB blocks up to PCTFREE. The estimator compresses these real bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from hcc_operators.warehouse.embedded.datagen import Column, Row, Value

BLOCK_SIZE = 8192
# Cache and transaction header with two ITL slots, table directory, tail: what a block loses
# before any row is stored.
BLOCK_OVERHEAD = 100
ROW_HEADER = 3  # flag, lock byte, column count
ROW_DIRECTORY_ENTRY = 2


def usable_block_bytes(pctfree: int) -> int:
    return BLOCK_SIZE - BLOCK_OVERHEAD - BLOCK_SIZE * pctfree // 100


def _date(value: datetime) -> bytes:
    return bytes(
        (
            value.year // 100 + 100,
            value.year % 100 + 100,
            value.month,
            value.day,
            value.hour + 1,
            value.minute + 1,
            value.second + 1,
        )
    )


def _timestamp(value: datetime) -> bytes:
    # Oracle drops the fractional-seconds bytes when they are zero.
    if not value.microsecond:
        return _date(value)
    return _date(value) + (value.microsecond * 1000).to_bytes(4, "big")


def _pairs_number(negative: bool, mantissa: int, exponent: int) -> bytes:
    """Oracle NUMBER bytes of +/- mantissa * 10**exponent (mantissa > 0)."""
    if exponent % 2:
        # Base-100 digits need an even decimal exponent; the shift adds no significant digit.
        mantissa, exponent = mantissa * 10, exponent - 1
    pairs: list[int] = []
    while mantissa:
        mantissa, pair = divmod(mantissa, 100)
        pairs.append(pair)
    pairs.reverse()
    exp100 = len(pairs) + exponent // 2
    while pairs[-1] == 0:
        pairs.pop()
    pairs = pairs[:20]
    if not negative:
        return bytes([(192 + exp100) & 0xFF] + [p + 1 for p in pairs])
    # Negative numbers store the complement of the positive exponent byte (DUMP(-1) is
    # 62,100,102) and a 102 terminator unless the mantissa is full.
    tail = [102] if len(pairs) < 20 else []
    return bytes([(63 - exp100) & 0xFF] + [101 - p for p in pairs] + tail)


def _decimal_number(value: int | float | Decimal) -> bytes:
    """The general path: any value Decimal can read, normalised to its significant digits."""
    number = Decimal(str(value))
    if number == 0:
        return b"\x80"
    _, digits, exponent = abs(number).normalize().as_tuple()
    return _pairs_number(number < 0, int("".join(map(str, digits))), int(exponent))


#: Decimal.normalize() rounds to the context's 28 digits; below that an int is exact either way.
_EXACT_INT = 10**28


def _number(value: int | float | Decimal) -> bytes:
    # Encoding dominated the cost of a sample, mostly in Decimal: ints and plain-notation
    # floats (what the generator produces) are converted from their digits directly; the
    # result is byte-identical to the Decimal path (a test compares both).
    if type(value) is int and -_EXACT_INT < value < _EXACT_INT:
        if value == 0:
            return b"\x80"
        return _pairs_number(value < 0, abs(value), 0)
    if type(value) is float:
        text = repr(value)
        if "e" not in text and "n" not in text:  # not 1e-05, inf or nan
            negative = text.startswith("-")
            whole, _, frac = text.lstrip("-").partition(".")
            frac = frac.rstrip("0")
            mantissa = int(whole + frac)
            if mantissa == 0:
                return b"\x80"
            return _pairs_number(negative, mantissa, -len(frac))
    return _decimal_number(value)


def encode_value(value: Value, column_type: str) -> bytes | None:
    """The bytes Oracle stores for one column value; None for NULL."""
    if value is None:
        return None
    if column_type == "DATE":
        return _date(value)  # type: ignore[arg-type]
    if column_type == "TIMESTAMP":
        return _timestamp(value)  # type: ignore[arg-type]
    if column_type == "NUMBER":
        return _number(value)  # type: ignore[arg-type]
    return str(value).encode("utf-8")


EncodedRow = tuple[bytes | None, ...]


_ENCODERS = {"DATE": _date, "TIMESTAMP": _timestamp, "NUMBER": _number}


def _encode_column(values: Sequence[Value], column_type: str) -> list[bytes | None]:
    encoder = _ENCODERS.get(column_type)
    if encoder is None:
        return [None if v is None else str(v).encode("utf-8") for v in values]
    # Warehouse columns repeat values (days, codes, prices), so each distinct value is encoded
    # once. Safe for these types: values that compare equal (1, 1.0) have equal encodings.
    seen: dict[Value, bytes] = {}
    out: list[bytes | None] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        encoded = seen.get(v)
        if encoded is None:
            encoded = seen[v] = encoder(v)  # type: ignore[arg-type]
        out.append(encoded)
    return out


def encode_rows(rows: Sequence[Row], columns: Sequence[Column]) -> list[EncodedRow]:
    if any(len(row) != len(columns) for row in rows):
        raise ValueError(f"every row needs {len(columns)} values")
    encoded = [_encode_column([row[i] for row in rows], c.type) for i, c in enumerate(columns)]
    return list(zip(*encoded, strict=True)) if columns else [() for _ in rows]


def row_piece_bytes(row: EncodedRow) -> int:
    """Bytes of one uncompressed row piece plus its row directory entry.

    Trailing NULLs are not stored; a NULL before a value costs its length byte.
    """
    stored = len(row)
    while stored and row[stored - 1] is None:
        stored -= 1
    body = 0
    for v in row[:stored]:
        body += 1 if v is None else (1 if len(v) < 250 else 3) + len(v)
    return ROW_HEADER + ROW_DIRECTORY_ENTRY + body


def _value_bytes(value: bytes | None) -> int:
    return 1 if value is None else (1 if len(value) < 250 else 3) + len(value)


def row_piece_costs(rows: Sequence[EncodedRow]) -> list[int]:
    """``row_piece_bytes`` of every row, computed column by column (same result, faster)."""
    header = ROW_HEADER + ROW_DIRECTORY_ENTRY
    if not rows or not rows[0]:
        return [header for _ in rows]
    by_column = []
    for c in range(len(rows[0])):
        sizes: dict[bytes | None, int] = {}
        by_column.append(
            [sizes.get(v) or sizes.setdefault(v, _value_bytes(v)) for v in (row[c] for row in rows)]
        )
    costs = [header + sum(sizes) for sizes in zip(*by_column, strict=True)]
    for r, row in enumerate(rows):
        if row[-1] is None:  # trailing NULLs are not stored
            costs[r] = row_piece_bytes(row)
    return costs

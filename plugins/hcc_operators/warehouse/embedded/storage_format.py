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
    return bytes((value.year // 100 + 100, value.year % 100 + 100, value.month, value.day,
                  value.hour + 1, value.minute + 1, value.second + 1))


def _timestamp(value: datetime) -> bytes:
    # Oracle drops the fractional-seconds bytes when they are zero.
    if not value.microsecond:
        return _date(value)
    return _date(value) + (value.microsecond * 1000).to_bytes(4, "big")


def _number(value: int | float | Decimal) -> bytes:
    number = Decimal(str(value))
    if number == 0:
        return b"\x80"
    negative = number < 0
    sign, digits_tuple, exponent = abs(number).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple))
    integer_digits = len(digits) + int(exponent)
    if integer_digits % 2:
        digits, integer_digits = "0" + digits, integer_digits + 1
    if len(digits) % 2:
        digits += "0"
    pairs = [int(digits[i : i + 2]) for i in range(0, len(digits), 2)]
    exp100 = integer_digits // 2
    while pairs and pairs[0] == 0:
        pairs.pop(0)
        exp100 -= 1
    while pairs and pairs[-1] == 0:
        pairs.pop()
    pairs = pairs[:20]
    if not negative:
        return bytes([(192 + exp100) & 0xFF] + [p + 1 for p in pairs])
    tail = [102] if len(pairs) < 20 else []
    return bytes([(62 - exp100) & 0xFF] + [101 - p for p in pairs] + tail)


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


def encode_rows(rows: Sequence[Row], columns: Sequence[Column]) -> list[EncodedRow]:
    types = [c.type for c in columns]
    return [tuple(encode_value(v, t) for v, t in zip(row, types, strict=True)) for row in rows]


def row_piece_bytes(row: EncodedRow) -> int:
    """Bytes of one uncompressed row piece plus its row directory entry.

    Trailing NULLs are not stored; a NULL before a value costs its length byte.
    """
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    body = sum(1 if v is None else (1 if len(v) < 250 else 3) + len(v) for v in values)
    return ROW_HEADER + ROW_DIRECTORY_ENTRY + body

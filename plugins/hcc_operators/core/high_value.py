"""Reading partition bounds (HIGH_VALUE) without evaluating them.

Oracle keeps HIGH_VALUE as a LONG holding SQL text, e.g.
``TO_DATE(' 2024-02-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', 'NLS_CALENDAR=GREGORIAN')``.
Evaluating it (in Python or by sending it back to the database) would execute text taken from
the dictionary, so it is only ever pattern-matched here. Text that matches no known form is
reported as UNKNOWN; no input makes ``parse`` raise.

A bound may hold several items: the values of a list partition (``'EU', 'US'``) or one bound per
column of a multi-column range key. ``kind`` and ``value`` describe the first item, the leading
key column that orders range partitions; ``values`` holds every item.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

Scalar = datetime | Decimal | str | None


class HighValueKind(enum.StrEnum):
    DATE = "DATE"
    NUMBER = "NUMBER"
    STRING = "STRING"
    MAXVALUE = "MAXVALUE"
    DEFAULT = "DEFAULT"
    NULL = "NULL"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Bound:
    kind: HighValueKind
    value: Scalar = None


@dataclass(frozen=True)
class HighValue:
    kind: HighValueKind
    value: Scalar
    values: tuple[Bound, ...]
    text: str


_FLAGS = re.IGNORECASE | re.DOTALL
_KEYWORD = {
    "MAXVALUE": HighValueKind.MAXVALUE,
    "DEFAULT": HighValueKind.DEFAULT,
    "NULL": HighValueKind.NULL,
}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_STRING = re.compile(r"N?'((?:[^']|'')*)'", _FLAGS)
_TYPED_LITERAL = re.compile(r"(DATE|TIMESTAMP)\s*'([^']*)'", _FLAGS)
_CONVERSION = re.compile(
    r"(TO_DATE|TO_TIMESTAMP)\s*\(\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?(?:,\s*'([^']*)'\s*)?\)",
    _FLAGS,
)
# The formats Oracle itself writes into HIGH_VALUE, plus their unsigned forms.
_KNOWN_FORMATS = {
    "SYYYY-MM-DD HH24:MI:SS",
    "SYYYY-MM-DD HH24:MI:SS.FF",
    "YYYY-MM-DD HH24:MI:SS",
    "YYYY-MM-DD HH24:MI:SS.FF",
    "YYYY-MM-DD",
    "SYYYY-MM-DD",
}
_DATE_TEXT = re.compile(
    r"\s*(-?)\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:\s*([+-])(\d{1,2}):(\d{2}))?\s*"
)


def parse(text: str | None) -> HighValue:
    """The bound(s) held in a HIGH_VALUE text; UNKNOWN for anything unrecognised."""
    if not isinstance(text, str):
        return HighValue(HighValueKind.UNKNOWN, None, (), "" if text is None else repr(text))
    items = _split_top_level(text)
    bounds = tuple(_parse_item(item) for item in items) if items else ()
    if not bounds or any(b.kind is HighValueKind.UNKNOWN for b in bounds):
        return HighValue(HighValueKind.UNKNOWN, None, bounds, text)
    return HighValue(bounds[0].kind, bounds[0].value, bounds, text)


def upper_bound_date(text: str | None) -> datetime | None:
    """The date a range partition ends before (exclusive), or None if it is not a date bound."""
    value = parse(text)
    return value.value if value.kind is HighValueKind.DATE else None  # type: ignore[return-value]


def _split_top_level(text: str) -> list[str] | None:
    """Items separated by commas outside quotes and parentheses; None when unbalanced."""
    items: list[str] = []
    depth = 0
    in_quote = False
    start = 0
    for i, char in enumerate(text):
        if in_quote:
            # A doubled quote inside a literal toggles twice, which keeps us inside it.
            if char == "'":
                in_quote = False
        elif char == "'":
            in_quote = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif char == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    if in_quote or depth != 0:
        return None
    items.append(text[start:].strip())
    return items if all(items) else None


def _parse_item(item: str) -> Bound:
    keyword = _KEYWORD.get(item.upper())
    if keyword is not None:
        return Bound(keyword)
    if _NUMBER.fullmatch(item):
        try:
            return Bound(HighValueKind.NUMBER, Decimal(item))
        except InvalidOperation:
            return Bound(HighValueKind.UNKNOWN)
    match = _STRING.fullmatch(item)
    if match:
        return Bound(HighValueKind.STRING, match.group(1).replace("''", "'"))
    match = _TYPED_LITERAL.fullmatch(item)
    if match:
        return _date_bound(match.group(2))
    match = _CONVERSION.fullmatch(item)
    if match:
        literal, fmt, nls = match.group(2), match.group(3), match.group(4)
        if fmt is not None and " ".join(fmt.upper().split()) not in _KNOWN_FORMATS:
            return Bound(HighValueKind.UNKNOWN)
        if nls is not None and "".join(nls.upper().split()) != "NLS_CALENDAR=GREGORIAN":
            return Bound(HighValueKind.UNKNOWN)
        return _date_bound(literal)
    return Bound(HighValueKind.UNKNOWN)


def _date_bound(literal: str) -> Bound:
    match = _DATE_TEXT.fullmatch(literal)
    if not match:
        return Bound(HighValueKind.UNKNOWN)
    sign, year, month, day, hour, minute, second, fraction, tz_sign, tz_h, tz_m = match.groups()
    if sign == "-":
        # Years BC have no datetime representation; such a bound is "before everything".
        return Bound(HighValueKind.UNKNOWN)
    try:
        micro = int((fraction or "0").ljust(6, "0")[:6])
        tzinfo = None
        if tz_sign:
            offset = timedelta(hours=int(tz_h), minutes=int(tz_m))
            tzinfo = timezone(-offset if tz_sign == "-" else offset)
        value = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=tzinfo,
        )
    except ValueError:
        return Bound(HighValueKind.UNKNOWN)
    return Bound(HighValueKind.DATE, value)

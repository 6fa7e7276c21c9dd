"""OWNER.TABLE patterns with * and ? wildcards, as policies name their target tables.

Unquoted parts follow Oracle's rule for unquoted identifiers and match case-insensitively;
a part in double quotes matches exactly, as a quoted identifier would. Only * and ? are
wildcards: fnmatch's [...] classes are refused so a bracket is never silently a character set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Matched whole (fullmatch): with match() and $, "SALES\n" passed as an owner.
_UNQUOTED_PART = re.compile(r"[A-Za-z0-9_$#*?]+")


class PatternError(ValueError):
    """A table pattern that cannot be parsed; the message says what is wrong with it."""


def _split(pattern: str) -> list[tuple[str, bool]]:
    """Split at the dot outside quotes into (text, quoted) parts."""
    parts: list[tuple[str, bool]] = []
    current: list[str] = []
    quoted = False
    was_quoted = False
    for char in pattern:
        if char == '"':
            if not quoted and current:
                raise PatternError("a quote may only open a whole name part")
            quoted = not quoted
            was_quoted = True
            continue
        if char == "." and not quoted:
            parts.append(("".join(current), was_quoted))
            current, was_quoted = [], False
            continue
        if was_quoted and not quoted:
            raise PatternError("text after a closing quote")
        current.append(char)
    if quoted:
        raise PatternError("unbalanced double quote")
    parts.append(("".join(current), was_quoted))
    return parts


def _part_regex(text: str, quoted: bool) -> str:
    out = []
    for char in text:
        if char == "*":
            out.append("[^\\x00]*")
        elif char == "?":
            out.append("[^\\x00]")
        else:
            out.append(re.escape(char))
    body = "".join(out)
    return body if quoted else f"(?i:{body})"


@dataclass(frozen=True)
class TablePattern:
    text: str
    _regex: re.Pattern[str] = field(repr=False, compare=False)

    def matches(self, owner: str, table: str) -> bool:
        return self._regex.fullmatch(f"{owner}\x00{table}") is not None


def compile_pattern(text: str) -> TablePattern:
    """Parse ``OWNER.TABLE``; raises PatternError naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise PatternError("empty table pattern")
    text = text.strip()
    parts = _split(text)
    if len(parts) != 2:
        raise PatternError(
            f"table pattern {text!r} must be OWNER.TABLE (one dot outside quotes), "
            f"found {len(parts)} part(s)"
        )
    regexes = []
    for (part, quoted), what in zip(parts, ("owner", "table"), strict=True):
        if not part:
            raise PatternError(f"table pattern {text!r} has an empty {what}")
        if quoted:
            if "\x00" in part:
                raise PatternError(f"table pattern {text!r} has a NUL in the {what}")
        elif not _UNQUOTED_PART.fullmatch(part):
            raise PatternError(
                f"table pattern {text!r}: {what} {part!r} may only contain letters, digits, "
                "_ $ # and the wildcards * and ? (quote the name for other characters)"
            )
        regexes.append(_part_regex(part, quoted))
    # NUL cannot occur in an identifier and no wildcard matches it, so neither spans both parts.
    return TablePattern(text, re.compile(regexes[0] + "\x00" + regexes[1], re.DOTALL))


def matches_any(patterns: tuple[TablePattern, ...], owner: str, table: str) -> bool:
    return any(p.matches(owner, table) for p in patterns)

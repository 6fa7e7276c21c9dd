"""The range of the integers the repository stores (ids, offsets, byte counts).

SQLite's INTEGER and Oracle's NUMBER(19) columns hold signed 64-bit values; a larger number
typed into an API parameter or a CLI argument used to reach the driver and fail there with an
OverflowError (HTTP 500, a traceback). Every entry point bounds its integers with this.
"""

from __future__ import annotations

from typing import Final

#: Largest integer a repository column (and a bind variable for one) holds.
MAX_INT64: Final = 2**63 - 1


def whole_number(text: str, minimum: int, maximum: int) -> int:
    """``text`` as an integer in [minimum, maximum]; ValueError naming both bounds otherwise.

    For numbers people type (CLI arguments, environment variables). ASCII digits only:
    ``int()`` also reads "١٢" and "1_000", which nobody means there; the length cap keeps
    ``int()`` cheap whatever is pasted.
    """
    body = text.strip()
    digits = body[1:] if body[:1] in "+-" else body
    if digits.isascii() and digits.isdigit() and len(digits) <= 20:
        value = int(body)
        if minimum <= value <= maximum:
            return value
    raise ValueError(f"{text!r} is not a whole number from {minimum} to {maximum}")

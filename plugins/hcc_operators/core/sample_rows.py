"""How many rows a compression estimate samples: one rule for advisor.yaml, the CLI and both
warehouses, so a value one of them offers is never refused by another.

Oracle's DBMS_COMPRESSION.GET_COMPRESSION_RATIO takes a row count or COMP_RATIO_ALLROWS (-1,
every row); the embedded warehouse reads -1 the same way, over the rows it simulates.
"""

from __future__ import annotations

from typing import Any, Final

from hcc_operators.core.errors import ConfigError

#: DBMS_COMPRESSION.COMP_RATIO_ALLROWS: estimate over every row of the object.
ALL_ROWS: Final = -1
#: Largest sample accepted (PL/SQL's signed 32-bit integers); beyond it means "all rows".
MAX_SAMPLE_ROWS: Final = 2**31 - 1


def describe(*, allow_all: bool = True) -> str:
    text = f"a whole number from 1 to {MAX_SAMPLE_ROWS:,}"
    return text + (f", or {ALL_ROWS} for all rows" if allow_all else "")


def check_sample_rows(value: Any, *, allow_all: bool = True) -> int:
    """``value`` as a sample size; ConfigError (field sample_rows) when it is not one."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    if whole and (1 <= value <= MAX_SAMPLE_ROWS or (allow_all and value == ALL_ROWS)):
        return value
    raise ConfigError(
        f"sample_rows must be {describe(allow_all=allow_all)}, got {value!r}", field="sample_rows"
    )


def rows_to_sample(requested: int, available: int) -> int:
    """Rows actually read from an object holding ``available`` rows."""
    if requested == ALL_ROWS:
        return max(0, available)
    return max(0, min(requested, available))

"""Named Oracle statements from include/sql/oracle, loaded once and sent verbatim.

A name is ``<area>/<statement>`` (``dictionary/tables``). The header comment of a file says why
the statement is written the way it is; it is stripped before sending so logs show the
statement itself. Values are always bind variables; the only text ever substituted is a
``{fragment}`` placeholder filled with output of core.ddl (validated, quoted identifiers).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.paths import sql_dir

_NAME = re.compile(r"[a-z_]+/[a-z0-9_]+")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_PLSQL_START = re.compile(r"(DECLARE|BEGIN)\b", re.IGNORECASE)


def path_of(name: str, root: Path | None = None) -> Path:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(f"SQL statement name {name!r} is not of the form area/statement_name")
    return (root or sql_dir()) / f"{name}.sql"


def is_plsql(text: str) -> bool:
    return bool(_PLSQL_START.match(text))


def strip_header(text: str) -> str:
    """The statement without the leading comment lines and surrounding blanks."""
    lines = text.strip().splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines).strip()


@cache
def _read(path: Path) -> str:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ConfigError(f"SQL file {path} does not exist") from err
    text = strip_header(raw)
    if not text:
        raise ConfigError(f"SQL file {path} holds no statement")
    # A trailing ';' is a SQL*Plus terminator; sent to the database it raises ORA-00933.
    if not is_plsql(text) and text.endswith(";"):
        raise ConfigError(f"SQL file {path} ends with ';'; store the statement without it")
    return text


def placeholders(name: str) -> set[str]:
    return set(_PLACEHOLDER.findall(_read(path_of(name))))


def load(name: str, **fragments: str) -> str:
    """The statement ``name``, with each ``{fragment}`` replaced (all must be given)."""
    text = _read(path_of(name))
    wanted = set(_PLACEHOLDER.findall(text))
    if wanted != set(fragments):
        raise ConfigError(
            f"SQL statement {name!r} takes fragments {sorted(wanted)}, got {sorted(fragments)}"
        )
    for key, value in fragments.items():
        text = text.replace("{" + key + "}", value)
    return text


def all_names(root: Path | None = None) -> list[str]:
    """Every statement name under the root, excluding repository DDL (schema/)."""
    base = root or sql_dir()
    names = []
    for path in sorted(base.rglob("*.sql")):
        rel = path.relative_to(base).with_suffix("").as_posix()
        if _NAME.fullmatch(rel) and not rel.startswith(("schema/", "privileges/")):
            names.append(rel)
    return names

"""Which separately licensed Oracle features the package may use: said by the connection.

A tool must not use a licensed option the customer has not bought, even by reading its data
(docs/oracle-rules.md LIC-*). So nothing licensed is used unless the connection's extras
say it is licensed:

- ``hcc_advanced_compression`` (Advanced Compression Option): ROW STORE COMPRESS ADVANCED
  (LIC-03), an ONLINE move of a compressed segment (LIC-05), Heat Map and ADO (LIC-04);
- ``hcc_diagnostics_pack`` (Diagnostics Pack): reading AWR (LIC-01). ``hcc_awr_licensed`` is
  the earlier name of the same setting.

Hybrid Columnar Compression needs Exadata-class storage rather than a licence key (HCC-01,
LIC-06); the connection's ``hcc_tablespaces`` says which tablespaces have it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hcc_operators.core.errors import ConfigError, PolicyError
from hcc_operators.core.models import CompressionType

ACO = "hcc_advanced_compression"
DIAGNOSTICS = "hcc_diagnostics_pack"
_DIAGNOSTICS_OLD = "hcc_awr_licensed"


@dataclass(frozen=True)
class Licences:
    advanced_compression: bool = False
    diagnostics_pack: bool = False

    def describe(self) -> dict[str, bool]:
        return {ACO: self.advanced_compression, DIAGNOSTICS: self.diagnostics_pack}


def _flag(extras: Mapping[str, Any], key: str, conn_id: str) -> bool | None:
    if key not in extras:
        return None
    value = extras[key]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ConfigError(
        f"extra {key} must be true or false, got {value!r}",
        source=f"connection {conn_id}",
        field=key,
    )


def from_extras(
    extras: Mapping[str, Any], conn_id: str, *, default: Licences | None = None
) -> Licences:
    """The licences a connection declares; what it does not mention is not licensed (or
    ``default``'s value, for the embedded warehouse)."""
    base = default or Licences()
    aco = _flag(extras, ACO, conn_id)
    diag = _flag(extras, DIAGNOSTICS, conn_id)
    if diag is None:
        diag = _flag(extras, _DIAGNOSTICS_OLD, conn_id)
    return Licences(
        advanced_compression=base.advanced_compression if aco is None else aco,
        diagnostics_pack=base.diagnostics_pack if diag is None else diag,
    )


def decide_online(
    requested: bool | None,
    target: CompressionType | None,
    current: CompressionType,
    licences: Licences,
) -> tuple[bool, str | None]:
    """(ONLINE or not, a note for the log) for a rewrite.

    ``requested`` None is a policy's ``online: auto``: ONLINE when the option allows it, else
    offline (DML on the partition waits while it runs). True insists: refused without the
    option. An online move of an uncompressed segment into an uncompressed one needs no
    option."""
    compressed = (target or current) is not CompressionType.NONE
    if not compressed or licences.advanced_compression:
        return (True if requested is None else requested), None
    if requested is True:
        raise PolicyError(
            "ONLINE move of a compressed segment needs the Advanced Compression Option "
            f"(docs/oracle-rules.md LIC-05): set {ACO}: true in the connection's extras if it "
            "is licensed, or online: false (or auto) in the policy"
        )
    if requested is None:
        return False, (
            f"offline: ONLINE for a compressed segment needs the Advanced Compression Option "
            f"and the connection does not set {ACO}"
        )
    return False, None


def check_level(level: CompressionType | None, licences: Licences) -> None:
    """ROW STORE COMPRESS ADVANCED is the Advanced Compression Option (LIC-03)."""
    if level is CompressionType.ADVANCED and not licences.advanced_compression:
        raise PolicyError(
            "ADVANCED row compression needs the Advanced Compression Option (docs/oracle-rules.md "
            f"LIC-03): set {ACO}: true in the connection's extras if it is licensed"
        )

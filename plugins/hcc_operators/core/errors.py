"""One exception hierarchy for the whole package.

Every message names the object or setting concerned and what to do about it, because these
messages end up in Airflow task logs and API responses read by people on call.
"""

from __future__ import annotations

import enum


class HccError(Exception):
    """Base of every error the package raises on purpose."""


class ConfigError(HccError):
    """A configuration file, Param or request is invalid. Never retried."""

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.source = source
        self.field = field
        where = ": ".join(p for p in (source, field) if p)
        super().__init__(f"{where}: {message}" if where else message)


class IdentifierError(ConfigError):
    """A schema object name that is not a valid Oracle identifier."""


class PolicyError(HccError):
    """A policy cannot be applied as written (for example a destructive action without opt-in)."""


class NothingToDo(HccError):
    """The live dictionary shows there is nothing for this action to do now; the message says
    why (the partition was merged away, a period is not yet complete). Reported as SKIPPED."""


class WindowError(HccError):
    """Work was asked for outside a maintenance window, or a window definition is unusable."""


class Transience(enum.StrEnum):
    """How a warehouse error should be treated by retries.

    TRANSIENT: retry the same action (lock held, connection lost).
    SKIP_FOR_NOW: leave the item for a later window (space pressure, resource limits).
    PERMANENT: fail fast with the reason; a retry cannot succeed without a change by a person.
    """

    TRANSIENT = "TRANSIENT"
    SKIP_FOR_NOW = "SKIP_FOR_NOW"
    PERMANENT = "PERMANENT"


class WarehouseError(HccError):
    """An error reported by the warehouse, with its ORA code when there is one."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        transience: Transience | None = None,
        committed: bool = False,
    ):
        from hcc_operators.core.ora_codes import classify  # local: avoid an import cycle

        self.code = code
        self.transience = transience or classify(code)
        # True when the connection was lost after the statement committed: the caller must
        # re-read the live state instead of assuming the change did not happen.
        self.committed = committed
        super().__init__(f"{code}: {message}" if code else message)

    @property
    def transient(self) -> bool:
        return self.transience is Transience.TRANSIENT


class ObjectNotFound(WarehouseError):
    """The table, partition or index does not exist (ORA-00942, ORA-02149, ORA-01418)."""

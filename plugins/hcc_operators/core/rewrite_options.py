"""Per-run overrides of a rewrite's ONLINE and PARALLEL options (DAG Params).

A policy (or the compression DAG's default) says how a segment is rewritten; an operator
triggering a run may need otherwise for that night only: offline because the Advanced
Compression Option is not licensed on this database, or a higher PARALLEL degree for a long
weekend window. The Params of ``hcc_ilm_execute`` and ``hcc_compress`` carry these choices;
this module is the one place that names them and applies them to an action.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import Action

#: Bounds of a PARALLEL degree, shared with the policy field (core/actions/rewrite.py).
PARALLEL_MIN, PARALLEL_MAX = 1, 256


class OnlineChoice(enum.StrEnum):
    """The ``online`` Param: keep the policy's choice, or decide it for this run."""

    POLICY = "policy"
    AUTO = "auto"
    ONLINE = "online"
    OFFLINE = "offline"

    @property
    def requested(self) -> bool | None:
        """The Action.online this choice asks for (None: decided from the licences)."""
        return {OnlineChoice.ONLINE: True, OnlineChoice.OFFLINE: False}.get(self)


ONLINE_PARAM_DESCRIPTION = (
    "policy (default): as each policy says; auto: ONLINE where the connection declares the "
    "Advanced Compression Option, else offline; online: always ONLINE (refused without the "
    "option); offline: DML on the partition waits while it is rewritten."
)
PARALLEL_PARAM_DESCRIPTION = (
    f"PARALLEL degree of every rewrite in this run ({PARALLEL_MIN}-{PARALLEL_MAX}); "
    "empty: as each policy says."
)


@dataclass(frozen=True)
class RewriteOptions:
    """This run's overrides; the defaults change nothing."""

    online: OnlineChoice = OnlineChoice.POLICY
    parallel: int | None = None

    @classmethod
    def parse(cls, online: Any = None, parallel: Any = None) -> RewriteOptions:
        """From rendered Param values, refusing anything else with the Param's name."""
        if online is None or online == "":
            choice = OnlineChoice.POLICY
        else:
            try:
                choice = OnlineChoice(str(online).strip().lower())
            except ValueError:
                raise ConfigError(
                    f"{online!r} is not one of {', '.join(c.value for c in OnlineChoice)}",
                    field="Param online",
                ) from None
        if parallel is None or parallel == "":
            degree = None
        elif isinstance(parallel, bool) or not isinstance(parallel, int):
            raise ConfigError(f"{parallel!r} is not a whole number", field="Param parallel")
        elif not PARALLEL_MIN <= parallel <= PARALLEL_MAX:
            raise ConfigError(
                f"{parallel} is outside {PARALLEL_MIN}..{PARALLEL_MAX}", field="Param parallel"
            )
        else:
            degree = parallel
        return cls(online=choice, parallel=degree)

    @property
    def changes_anything(self) -> bool:
        return self.online is not OnlineChoice.POLICY or self.parallel is not None

    def apply(self, action: Action) -> Action:
        """``action`` with this run's choices; actions that rewrite no segment are unchanged."""
        if not action.kind.rewrites_segment or not self.changes_anything:
            return action
        changes: dict[str, Any] = {}
        if self.online is not OnlineChoice.POLICY:
            changes["online"] = self.online.requested
        if self.parallel is not None:
            changes["parallel"] = self.parallel
        return replace(action, **changes)

    def describe(self) -> str:
        parts = []
        if self.online is not OnlineChoice.POLICY:
            parts.append(f"online={self.online.value}")
        if self.parallel is not None:
            parts.append(f"parallel={self.parallel}")
        return ", ".join(parts) or "as the policies say"


#: No override: every rewrite as its policy says.
AS_POLICIES = RewriteOptions()

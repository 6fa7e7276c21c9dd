"""What an action kind declares once, and the typed parameters every queue item carries.

An action kind is one module in this package holding one ``ActionSpec``: the parameters a
policy (or the package itself) gives it, how those become an ``Action``, the DDL that performs
it, how to tell from the live dictionary that it is already done, its default throughput, and
what the eligibility checks need to know about it. The registry (``core.actions``) finds every
module, and everything keyed by action kind (policy models, DDL, applied-state checks,
throughput, reconciliation, descriptions, the simulator's handlers) is derived from it; a test
checks that every kind is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from hcc_operators.core.models import Action, ActionKind, CompressionType, ObjectRef, SegmentInfo

if TYPE_CHECKING:
    from hcc_operators.core.expr import Expr


class ActionParams(BaseModel):
    """The parameters of one kind of action, as a policy writes them and a queue item stores
    them (JSON in hcc_ilm_queue.action_params). Each kind subclasses it with a ``type`` tag."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Set by the subclass; the discriminator of the union of all kinds.
    kind: ClassVar[ActionKind]

    # --- what the eligibility checks need (core.eligibility.checks) -------------------------

    def target_reached(self) -> Expr | None:
        """A condition over partition facts that is true when the action has nothing to do."""
        return None

    def target_reached_text(self, state: Any) -> tuple[str, tuple]:
        return "already in the state the policy produces", ()

    def lower_than_current(self) -> Expr | None:
        """True when the action would lower the partition's compression (never wanted)."""
        return None

    def lower_text(self, state: Any) -> tuple[str, tuple]:
        return "the target is lower than the current state", ()

    def unsupported(self) -> Expr | None:
        """True when the partition's layout cannot take this action as configured."""
        return None

    def unsupported_text(self, state: Any) -> tuple[str, tuple]:
        return "the partition's layout does not support this action", ()

    def nothing_to_merge(self) -> Expr | None:
        """For a MERGE: true when the partition has no period partners to merge with."""
        return None

    def nothing_to_merge_text(self, state: Any) -> tuple[str, tuple]:
        return "nothing to merge with", ()

    def queued_only_when(self) -> Expr | None:
        """Of the eligible partitions, only those where this holds get a queue item (a MERGE
        queues one item per period, on its last partition)."""
        return None

    def target_compression(self) -> CompressionType | None:
        """The compression the action leaves the segment with (None: unchanged); it decides
        which throughput predicts the action's duration (core.throughput)."""
        return None

    def target_tablespace(self) -> str | None:
        """Where a rewrite puts the segment (None: where it is now)."""
        return None

    def space_needed(self) -> Expr:
        """Free bytes a rewrite needs in its target tablespace."""
        from hcc_operators.core.expr import fact

        return fact("size_bytes")

    def age_facts(self) -> tuple[str, str, str]:
        """(age in days fact, age in months fact, how the reason text names it)."""
        return "age_days", "age_months", "age"

    # --- execution ----------------------------------------------------------------------

    def to_action(
        self,
        ref: ObjectRef,
        *,
        table: Sequence[SegmentInfo] = (),
        upper_bound: datetime | None = None,
    ) -> Action:
        """The physical action on ``ref``. ``table`` holds the live partitions (and
        subpartitions) of its table, read just before the action runs; ``upper_bound`` is
        the partition's bound when it was queued (a MERGE finds its period by it)."""
        return Action(self.kind, ref)

    def follow_ups(self) -> list[ActionParams]:
        """Work to queue once this action succeeded (statistics, consolidation)."""
        return []

    def describe(self) -> str:
        """Key settings for logs and `hcc plan` (the JSON is in the queue row)."""
        shown = self.model_dump(exclude_defaults=True, exclude={"type"})
        return ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))


@dataclass(frozen=True)
class Live:
    """What the dictionary shows now about an action's objects, for ``ActionSpec.applied``.

    ``target`` is the live segment of ``action.ref``; ``table`` the live partitions of its
    table (only read for kinds that need the layout); ``sources_left`` for a MERGE the source
    partitions that still exist.
    """

    target: SegmentInfo | None
    table: Sequence[SegmentInfo] = ()
    sources_left: Sequence[str] = ()


Renderer = Callable[[Action, tuple[int, ...]], list[str]]
AppliedCheck = Callable[[Action, Live], bool]


@dataclass(frozen=True)
class ActionSpec:
    """One action kind, declared once (module docstring).

    ``params``: the parameter model; ``policy``: whether policies.yaml may name it (internal
    kinds are only queued by the package, such as a follow-up or the archive exchange).
    ``applied``: None when the dictionary cannot show the result (the reconciliation then
    lists the item as unverifiable rather than passing it). ``structural``: it changes the
    table's partitions (their number, names or bounds). Documentation only: every kind, not
    just these, runs alone on its table (services/table_lock.py).
    ``default_mib_per_s``: the throughput assumed before any history; rewrites use the rate
    of their target compression level when it is lower (core.throughput).
    """

    kind: ActionKind
    description: str
    params: type[ActionParams]
    render: Renderer
    applied: AppliedCheck | None
    default_mib_per_s: float
    policy: bool = True
    rewrites_segment: bool = False
    destructive: bool = False
    structural: bool = False
    #: The kinds whose success may queue this one as a follow-up.
    follows: tuple[ActionKind, ...] = ()
    #: What the result must say about the rendered DDL doing less than was asked (None:
    #: nothing), such as a default attribute Oracle does not let it change.
    note: Callable[[Action], str | None] | None = None

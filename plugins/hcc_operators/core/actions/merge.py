"""MERGE: consolidate the partitions of one closed year or quarter into one partition.

One statement per period (``MERGE PARTITIONS p1, ..., pn INTO PARTITION P_2019``), never a
partition at a time: the period's rows are rewritten once. Oracle lets the result reuse only
the name of the highest-bound partition merged (ORA-14275 for a lower one, rows MERGE-* of
docs/oracle-rules.md), so when the period's name is already taken by a lower partition (a
partially consolidated year), the merge goes into the highest one and a RENAME gives it the
period's name. Both steps are read back from the dictionary, so a retry after a crash between
them only renames.

The partitions to merge are found in the live dictionary when the action runs (by the
period of the bound the item was queued with), so a retry or a queue item whose partition was
merged meanwhile is always right about what exists now.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_core import PydanticCustomError

from hcc_operators.core import ddl, identifiers
from hcc_operators.core.actions.base import ActionSpec, Live
from hcc_operators.core.actions.fields import Level, Tablespace
from hcc_operators.core.actions.rewrite import RewriteParams
from hcc_operators.core.errors import IdentifierError, NothingToDo, PolicyError
from hcc_operators.core.expr import any_of, eq, fact, is_null, lt
from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import Action, ActionKind, ObjectKind, ObjectRef, SegmentInfo
from hcc_operators.core.oracle_features import Feature, require
from hcc_operators.core.partition_layout import (
    DEFAULT_NAME_TEMPLATE,
    PERIOD_OF,
    PartitionBounds,
    Period,
    layout_facts,
    period_of,
)
from hcc_operators.core.partition_layout import last_day as bound_last_day


class MergeParams(RewriteParams):
    """Merge the partitions of each closed period into one partition named for the period."""

    kind: ClassVar[ActionKind] = ActionKind.MERGE
    type: Literal["MERGE"] = "MERGE"
    period: Literal["yearly", "quarterly"] = Field(
        "yearly",
        validation_alias=AliasChoices("period", "into"),
        description="the period whose partitions become one: yearly or quarterly",
    )
    name: str | None = Field(
        None,
        description="name of the merged partition, with {year} and for quarterly {quarter}; "
        "default P_{year} / P_{year}_Q{quarter}",
    )
    tablespace: Tablespace | None = Field(
        None, description="tablespace of the merged partition; none: the latest partition's"
    )
    compression: Level | None = Field(
        None, description="compression of the merged partition; none: the densest of the period's"
    )
    require_tablespace: Tablespace | None = Field(
        None,
        description="merge only once every partition of the period is in this tablespace "
        "(set by MOVE's consolidate follow-up)",
    )

    @field_validator("name")
    @classmethod
    def _valid_template(cls, value: str | None, info) -> str | None:
        if value is None:
            return None
        period = PERIOD_OF[info.data.get("period", "yearly")]
        needed = ["{year}"] + (["{quarter}"] if period is Period.QUARTER else [])
        missing = [n for n in needed if n not in value]
        if missing:
            raise PydanticCustomError(
                "name_template",
                "name {value} must contain {missing} so that each period gets its own name",
                {"value": repr(value), "missing": " and ".join(missing)},
            )
        try:
            sample = value.format(year=2019, quarter=4)
            identifiers.normalise(sample, kind="partition")
        except (KeyError, IndexError, ValueError, IdentifierError) as exc:
            raise PydanticCustomError(
                "name_template",
                "name {value} is not a usable template: {why}",
                {"value": repr(value), "why": str(exc)},
            ) from None
        return value

    @property
    def period_kind(self) -> Period:
        return PERIOD_OF[self.period]

    def _facts(self, name: str) -> str:
        return f"{self.period_kind.value}_{name}"

    def age_facts(self) -> tuple[str, str, str]:
        return (
            self._facts("age_days"),
            self._facts("age_months"),
            f"its {self.period_kind.value}'s age",
        )

    def nothing_to_merge(self):
        members = fact(self._facts("members"))
        return any_of(is_null(members), lt(members, 2))

    def nothing_to_merge_text(self, state):
        members = getattr(state, self._facts("members"))
        if members is None:
            return "not wholly within one {} (it holds rows of more than one)", (
                self.period_kind.value,
            )
        return "the only partition of its {}", (self.period_kind.value,)

    def queued_only_when(self):
        return eq(fact(self._facts("last")), True)

    def target_compression(self):
        return self.compression

    def target_tablespace(self) -> str | None:
        return self.tablespace

    def space_needed(self):
        return fact(self._facts("bytes"))

    def to_action(
        self,
        ref: ObjectRef,
        *,
        table: Sequence[SegmentInfo] = (),
        upper_bound: datetime | None = None,
    ) -> Action:
        return plan_merge(self, ref, table, upper_bound)


def plan_merge(
    params: MergeParams,
    ref: ObjectRef,
    table: Sequence[SegmentInfo],
    upper_bound: datetime | None,
) -> Action:
    """The merge of ``ref``'s period as the live partitions are now."""
    partitions = [s for s in table if s.ref.partition and not s.ref.subpartition]
    by_name = {s.ref.partition: s for s in partitions}
    bound = upper_bound
    if bound is None and ref.partition in by_name:
        bound = upper_bound_date(by_name[ref.partition].high_value)
    if bound is None:
        raise NothingToDo(
            f"{ref.label}: no date bound to find its {params.period_kind.value} by; nothing merged"
        )
    period = params.period_kind
    year, quarter, _, _ = period_of(bound_last_day(bound), period)
    facts = layout_facts(
        [
            PartitionBounds(
                s.ref.partition,
                s.position or 0,
                upper_bound_date(s.high_value),
                s.tablespace,
                s.bytes,
            )
            for s in partitions
        ]
    )
    wanted = (year, quarter if period is Period.QUARTER else 0)
    found = None
    for fact_set in facts.values():
        mine = fact_set.periods.get(period)
        if (
            mine is not None
            and (mine.year, mine.quarter if period is Period.QUARTER else 0) == wanted
        ):
            found = mine
            break
    template = params.name or DEFAULT_NAME_TEMPLATE[period]
    result = template.format(year=year, quarter=quarter)
    try:
        result = identifiers.normalise(result, kind="partition")
    except IdentifierError as err:
        raise PolicyError(f"{ref.owner}.{ref.table}: merged partition name {err}") from None
    target = ObjectRef(ref.owner, ref.table, result)
    members = found.members if found else ()
    if not members:
        raise NothingToDo(
            f"{ref.owner}.{ref.table} has no partition wholly within {_label(period, year, quarter)}"
        )
    if result in by_name and result not in members:
        raise PolicyError(
            f"{target.label} already exists outside {_label(period, year, quarter)}; rename it "
            "or give the policy another name template"
        )
    if params.require_tablespace:
        away = [m for m in members if by_name[m].tablespace != params.require_tablespace]
        if away:
            raise NothingToDo(
                f"{len(away)} of the {len(members)} partitions of "
                f"{_label(period, year, quarter)} are not yet in {params.require_tablespace} "
                f"({', '.join(away[:3])}{', ...' if len(away) > 3 else ''}); the MOVE of the "
                "last one queues the merge again"
            )
    compression = params.compression or max(
        (by_name[m].compression for m in members), key=lambda c: c.rank
    )
    tablespace = params.tablespace or by_name[members[-1]].tablespace
    return Action(
        ActionKind.MERGE,
        target,
        compression=compression,
        tablespace=tablespace,
        online=params.online,
        parallel=params.parallel,
        merge_sources=tuple(members),
    )


def _label(period: Period, year: int, quarter: int) -> str:
    return str(year) if period is Period.YEAR else f"{year} Q{quarter}"


def merge_into_name(action: Action) -> str:
    """The partition named in INTO: the result itself, unless that name belongs to a lower
    source (ORA-14275), then the highest source, renamed afterwards."""
    result, sources = action.ref.partition, action.merge_sources
    if result in sources[:-1]:
        return sources[-1]
    return result or ""


def render(action: Action, version: tuple[int, ...]) -> list[str]:
    ref = action.ref
    ddl.require_kind(ref, ObjectKind.PARTITION, "MERGE PARTITIONS")
    sources = action.merge_sources
    if not sources:
        raise PolicyError(f"{ref.label}: a MERGE needs the partitions to merge (merge_sources)")
    size = identifiers.max_identifier_bytes(version)
    table = ddl.table_name(ref, size)

    def name(text: str) -> str:
        return identifiers.quote(text, kind="partition", max_bytes=size)

    statements: list[str] = []
    into = merge_into_name(action)
    if action.online is None and len(sources) > 1:
        raise PolicyError(
            f"{ref.label}: ONLINE was not decided (online: auto is resolved against the "
            "connection's licences before the DDL is rendered)"
        )
    if len(sources) > 1:
        if len(sources) > 2:
            require(
                Feature.MULTI_PARTITION_MERGE,
                version,
                hint="merge two partitions at a time on this release",
            )
        if action.online:
            require(Feature.ONLINE_MERGE, version, hint="set online: false to merge offline")
        statements.append(
            ddl.join(
                f"ALTER TABLE {table} MERGE PARTITIONS {', '.join(name(s) for s in sources)}",
                f"INTO PARTITION {name(into)}",
                ddl.tablespace_clause(action, size),
                ddl.compression_of(action, version),
                "UPDATE INDEXES" if action.update_indexes else None,
                ddl.parallel_clause(action),
                "ONLINE" if action.online else None,
            )
        )
    elif sources[0] == ref.partition:
        return []  # already one partition with the period's name
    else:
        into = sources[0]
    if into != ref.partition:
        statements.append(
            f"ALTER TABLE {table} RENAME PARTITION {name(into)} TO {name(ref.partition or '')}"
        )
    return statements


def applied(action: Action, live: Live) -> bool:
    """Done when the period's partition exists under its name and no source is left."""
    return live.target is not None and not [
        s for s in live.sources_left if s != action.ref.partition
    ]


SPEC = ActionSpec(
    kind=ActionKind.MERGE,
    description="Merge every partition of a closed year or quarter into one partition named for "
    "the period (ALTER TABLE ... MERGE PARTITIONS ... INTO PARTITION P_2019).",
    params=MergeParams,
    render=render,
    applied=applied,
    default_mib_per_s=20.0,
    rewrites_segment=True,
    structural=True,
    follows=(ActionKind.MOVE,),
)

"""One partition's state read live from the dictionary, as the refresh stage would record it.

``hcc explain`` must answer for the partition as it is now, not as of the last refresh, so it
derives age, layout facts (newest partition, merge target) and temperature with the same core
functions the refresh stage uses, from one table's worth of dictionary reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Engine

from hcc_operators.cli.exit_codes import PROBLEM, CliError
from hcc_operators.core.eligibility import PartitionState
from hcc_operators.core.high_value import upper_bound_date
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.partition_layout import PartitionBounds, layout_facts
from hcc_operators.core.policy_config import PolicySet
from hcc_operators.core.temperature import age_days, age_months, days_since, temperature
from hcc_operators.services.ilm_settings import IlmSettings
from hcc_operators.warehouse.base import Warehouse


def live_partition_state(
    warehouse: Warehouse,
    ref: ObjectRef,
    settings: IlmSettings,
    *,
    now: datetime,
    engine: Engine | None = None,
) -> PartitionState:
    table = ObjectRef(ref.owner, ref.table)
    segments = [
        s
        for s in warehouse.list_segments([ref.owner], [table])
        if s.ref.partition and not s.ref.subpartition
    ]
    by_name = {s.ref.partition: s for s in segments}
    seg = by_name.get(ref.partition)
    if seg is None:
        raise CliError(
            f"{ref.label} is not a partition in the dictionary"
            + (f" (the table has {len(segments)} partitions)" if segments else ""),
            PROBLEM,
        )
    bounds = {s.ref.partition: upper_bound_date(s.high_value) for s in segments}
    facts = layout_facts(
        [
            PartitionBounds(s.ref.partition, s.position or 0, bounds[s.ref.partition], s.tablespace)
            for s in segments
        ]
    )[ref.partition]
    access = warehouse.access_stats([ref.owner]).get(seg.ref)
    last_access_days = days_since(access.last_access if access else None, now)
    space = warehouse.tablespaces().get(seg.tablespace or "")
    bound = bounds[ref.partition]
    thresholds = settings.thresholds_for(ref.owner, ref.table)
    days = age_days(bound, now) if bound else None
    merge_target = by_name.get(facts.merge_target) if facts.merge_target else None
    return PartitionState(
        ref=seg.ref,
        upper_bound=bound.date() if bound else None,
        age_days=days,
        age_months=age_months(bound, now) if bound else None,
        size_bytes=seg.bytes,
        temperature=temperature(days or 0, thresholds, last_access_days=last_access_days),
        compression=seg.compression,
        tablespace=seg.tablespace,
        tablespace_used_pct=round(space.used_percent, 2) if space else None,
        read_only=seg.read_only,
        is_newest=facts.is_newest,
        merge_target=facts.merge_target,
        merge_target_bytes=merge_target.bytes if merge_target else 0,
        last_access_days=last_access_days,
        custom_predicates=_custom_predicates(engine, settings.policies, ref),
    )


def _custom_predicates(
    engine: Engine | None, policies: PolicySet, ref: ObjectRef
) -> dict[str, bool] | None:
    """custom_sql runs on the refreshed hcc_partition_access row, the only place it can run."""
    wanted = [p for p in policies.policies if p.enabled and p.conditions.custom_sql]
    if not wanted or engine is None:
        return None
    results = {}
    with engine.connect() as conn:
        for policy in wanted:
            query = text(
                "SELECT count(*) FROM hcc_partition_access WHERE owner = :o AND table_name = :t"
                f" AND partition_name = :p AND ({policy.conditions.custom_sql})"
            )
            try:
                hit = conn.execute(
                    query, {"o": ref.owner, "t": ref.table, "p": ref.partition}
                ).scalar()
            except Exception as err:  # the database's message names the problem
                raise CliError(
                    f"policies[{policy.name}].conditions.custom_sql does not run: {err}", PROBLEM
                ) from None
            results[policy.name] = bool(hit)
    return results

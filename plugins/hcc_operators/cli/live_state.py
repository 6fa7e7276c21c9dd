"""One partition's state read live from the dictionary, as the refresh stage would record it.

``hcc explain`` must answer for the partition as it is now, not as of the last refresh, so it
computes the partition's facts with the function the refresh stage stores them with
(core.partition_facts), from one table's worth of dictionary reads.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Engine

from hcc_operators.cli.exit_codes import PROBLEM, CliError
from hcc_operators.core.eligibility import PartitionState
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.partition_facts import access_source_of, table_partition_facts
from hcc_operators.core.policy_config import PolicySet
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
    if ref.partition not in {s.ref.partition for s in segments}:
        raise CliError(
            f"{ref.label} is not a partition in the dictionary"
            + (f" (the table has {len(segments)} partitions)" if segments else ""),
            PROBLEM,
        )
    access = warehouse.access_stats([ref.owner])
    records = table_partition_facts(
        segments,
        dml=warehouse.dml_stats([ref.owner]),
        access=access,
        access_source=access_source_of(access),
        spaces=warehouse.tablespaces(),
        thresholds=settings.thresholds_for(ref.owner, ref.table),
        now=now,
    )
    state = next(r.state for r in records if r.state.ref.partition == ref.partition)
    return replace(state, custom_predicates=_custom_predicates(engine, settings.policies, ref))


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

"""The advisor's current advice: one row per object naming the result that is its advice now.

Every successful analysis of an object replaces that object's advice, whichever run made it;
a failed analysis leaves the previous advice in place. An incremental run that re-analyses a
few objects (or none) therefore updates those and keeps every other object's advice, and the
readers (the recommendations API, the dashboard, the metrics, ``hcc_compress``) never depend on
which run happened to be the last. Advice for an object the dictionary no longer lists
(dropped, merged away, unreadable) is forgotten when a run plans over its owner.

Runs and results stay as they were recorded: they are the history, this is the present.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection

from hcc_operators.core.actions import specs
from hcc_operators.core.models import ObjectRef
from hcc_operators.repository.tables import (
    advisor_advice,
    advisor_results,
    compression_executions,
    execution_log,
)


def object_key(ref: ObjectRef) -> str:
    return ref.label


def record(conn: Connection, ref: ObjectRef, *, result_id: int, run_id: int, now: datetime):
    """Make ``result_id`` the advice for ``ref`` (in the caller's transaction)."""
    a = advisor_advice.c
    values = {"result_id": result_id, "run_id": run_id, "updated_at": now}
    changed = conn.execute(
        update(advisor_advice).where(a.object_key == object_key(ref)).values(**values)
    ).rowcount
    if not changed:
        conn.execute(
            insert(advisor_advice).values(
                object_key=object_key(ref),
                owner=ref.owner,
                table_name=ref.table,
                partition_name=ref.partition,
                subpartition_name=ref.subpartition,
                **values,
            )
        )


def forget_missing(conn: Connection, owners: Iterable[str], live: Collection[str]) -> int:
    """Drop the advice of the owners' objects whose key is not in ``live`` (the labels the
    dictionary lists now); returns how many were dropped."""
    a = advisor_advice.c
    gone = [
        key
        for owner in owners
        for key in conn.execute(select(a.object_key).where(a.owner == owner)).scalars()
        if key not in live
    ]
    for start in range(0, len(gone), 500):  # Oracle allows 1000 expressions in an IN list
        conn.execute(delete(advisor_advice).where(a.object_key.in_(gone[start : start + 500])))
    return len(gone)


def current_results() -> Select:
    """advisor_results rows that are some object's current advice (add filters to taste)."""
    return select(advisor_results).join(
        advisor_advice, advisor_advice.c.result_id == advisor_results.c.result_id
    )


def rewritten_since_analysis() -> ColumnElement[bool]:
    """True for an advisor_results row whose object was rewritten after it was measured (by
    hcc_compress, a rollback, or an ILM action that rewrites the segment): its ratios, size
    and decay describe rows that were rewritten since, so the advice is stale."""
    r = advisor_results.c
    c = compression_executions.c
    x = execution_log.c
    rewrites = [s.kind.value for s in specs() if s.rewrites_segment]
    return or_(
        exists().where(
            c.owner == r.owner,
            c.table_name == r.table_name,
            c.partition_name.is_not_distinct_from(r.partition_name),
            c.subpartition_name.is_not_distinct_from(r.subpartition_name),
            c.status == "SUCCESS",
            c.started_at > r.analysed_at,
        ),
        # ILM acts on partitions: a rewrite of the partition rewrote its subpartitions too.
        exists().where(
            x.owner == r.owner,
            x.table_name == r.table_name,
            x.partition_name.is_not_distinct_from(r.partition_name),
            x.action.in_(rewrites),
            x.status == "SUCCESS",
            x.started_at > r.analysed_at,
        ),
    )


def analysed_at(conn: Connection, owners: Iterable[str]) -> dict[str, tuple[datetime, str | None]]:
    """Per object key of the owners: when its advice was measured, and the compression the
    object had then."""
    r = advisor_results.c
    rows = conn.execute(
        select(advisor_advice.c.object_key, r.analysed_at, r.current_compression)
        .join(advisor_results, advisor_advice.c.result_id == r.result_id)
        .where(advisor_advice.c.owner.in_(list(owners)))
    )
    return {key: (at, compression) for key, at, compression in rows}


def fill_from_history(conn: Connection) -> int:
    """Advice for a repository made before advice was kept: each object's latest successful
    result becomes its advice. Returns the number of objects given advice."""
    r = advisor_results.c
    latest = (
        select(func.max(r.result_id).label("result_id"))
        .where(r.status == "SUCCESS")
        .group_by(r.owner, r.table_name, r.partition_name, r.subpartition_name)
        .subquery()
    )
    rows = conn.execute(
        select(advisor_results).join(latest, and_(latest.c.result_id == r.result_id))
    ).all()
    for row in rows:
        ref = ObjectRef(row.owner, row.table_name, row.partition_name, row.subpartition_name)
        record(conn, ref, result_id=row.result_id, run_id=row.run_id, now=row.analysed_at)
    return len(rows)

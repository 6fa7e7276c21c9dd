"""The stage-2 checks as SQL: one CASE expression per policy that yields a reason code.

It is compiled from the same ``_Plan`` fields the pure evaluator (core.eligibility._check)
reads, in the same order (core.reasons.EVALUATION_ORDER), so both give the same first failing
reason; tests/repository/test_evaluation_sql.py holds them to it on random data. SQLAlchemy Core
renders it for SQLite (the embedded warehouse) and Oracle alike.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import and_, case, exists, func, literal, null, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from hcc_operators.core.eligibility import plan_of
from hcc_operators.core.models import CompressionType
from hcc_operators.core.policy_config import Policy
from hcc_operators.core.reasons import Reason
from hcc_operators.core.temperature import Temperature
from hcc_operators.repository.tables import partition_access


def compression_rank(column: ColumnElement) -> ColumnElement:
    """CompressionType.rank of a stored COMPRESS_FOR value (refresh writes the enum's value)."""
    return case({ct.value: ct.rank for ct in CompressionType}, value=column, else_=null())


def temperature(o, t) -> ColumnElement:
    """core.eligibility._temperature_of for a dated partition, from its policy's limits."""
    hot = Temperature.HOT.value
    return case(
        (o.age_days < t.hot_days, hot),
        (and_(o.last_access_days.is_not(None), o.last_access_days < t.hot_days), hot),
        (o.age_days < t.warm_days, Temperature.WARM.value),
        (o.age_days < t.cold_days, Temperature.COLD.value),
        else_=Temperature.FROZEN.value,
    )


def reason_code(
    policy: Policy,
    o,
    temp: ColumnElement,
    tablespaces_free: Mapping[str, int],
) -> ColumnElement:
    """The reason code of ``policy`` for the partition in ``o`` whose temperature is ``temp``.

    ``o`` has the columns of hcc_ilm_eval_objects. The checks follow ``_check`` line by line;
    a check that fails for every row ends the CASE, as the first failing check ends ``_check``.
    """
    p = plan_of(policy)
    whens: list[tuple[ColumnElement, int]] = []

    def always(reason: Reason) -> ColumnElement:
        if not whens:
            return literal(reason.code)
        return case(*whens, else_=reason.code)

    if not p.enabled:
        return always(Reason.POLICY_DISABLED)
    if p.min_days is not None:
        whens.append((o.age_days < p.min_days, Reason.TOO_YOUNG.code))
    if p.min_months is not None:
        whens.append((func.coalesce(o.age_months, 0) < p.min_months, Reason.TOO_YOUNG.code))
    if p.min_bytes is not None:
        whens.append((o.size_bytes < p.min_bytes, Reason.TOO_SMALL.code))
    if p.temperatures is not None:
        wanted = sorted(t.value for t in p.temperatures)
        whens.append((temp.not_in(wanted), Reason.TEMPERATURE_MISMATCH.code))
    if p.min_used_pct is not None:
        whens.append(
            (
                or_(o.tablespace_used_pct.is_(None), o.tablespace_used_pct < p.min_used_pct),
                Reason.NO_SPACE_PRESSURE.code,
            )
        )
    target = p.target_compression
    already = Reason.ALREADY_IN_TARGET_STATE.code
    not_higher = Reason.COMPRESSION_NOT_HIGHER.code
    if p.is_compress:
        whens.append((o.compression == target.value, already))
        whens.append((o.compression_rank > target.rank, not_higher))
    elif p.is_move:
        in_place = o.tablespace_name == p.target_tablespace
        if target is None:
            whens.append((in_place, already))
        else:
            whens.append((and_(in_place, o.compression == target.value), already))
            whens.append((o.compression_rank > target.rank, not_higher))
    elif p.is_read_only:
        whens.append((_true(o.read_only), already))
    if p.destructive:
        if not p.allow_destructive:
            return always(Reason.DESTRUCTIVE_NOT_ALLOWED)
        whens.append((_true(o.is_newest), Reason.NEWEST_PARTITION.code))
        whens.append((temp == Temperature.HOT.value, Reason.HOT_PARTITION.code))
    if p.is_merge:
        whens.append((o.merge_target.is_(None), Reason.NO_MERGE_TARGET.code))
    if p.rewrites:
        short = Reason.INSUFFICIENT_SPACE_IN_TARGET.code
        if p.target_tablespace:
            available = tablespaces_free.get(p.target_tablespace)
            if available is None:
                return always(Reason.INSUFFICIENT_SPACE_IN_TARGET)
            whens.append((o.size_bytes > available, short))
        else:
            free = _free_bytes(o.tablespace_name, tablespaces_free)
            whens.append((or_(free.is_(None), free < o.size_bytes), short))
    if p.has_custom:
        whens.append((~_custom_holds(o, p.custom_sql), Reason.CUSTOM_PREDICATE_FALSE.code))
    return always(Reason.ELIGIBLE)


def custom_predicate_check(custom_sql: str):
    """A statement that runs ``custom_sql`` once, so a broken predicate fails before any write."""
    return select(literal(1)).select_from(partition_access).where(text(f"({custom_sql})")).limit(1)


def _custom_holds(o, custom_sql: str) -> ColumnElement:
    # The predicate sees hcc_partition_access's columns, as documented for custom_sql.
    pa = partition_access
    return exists(
        select(literal(1))
        .select_from(pa)
        .where(
            pa.c.owner == o.owner,
            pa.c.table_name == o.table_name,
            pa.c.partition_name == o.partition_name,
            text(f"({custom_sql})"),
        )
    )


def _free_bytes(tablespace: ColumnElement, free: Mapping[str, int]) -> ColumnElement:
    if not free:
        return null()
    return case({name: value for name, value in sorted(free.items())}, value=tablespace)


def _true(column: ColumnElement) -> ColumnElement:
    # Booleans are SMALLINT 0/1 on Oracle before 23ai: compare, do not rely on truthiness.
    return column == True  # noqa: E712

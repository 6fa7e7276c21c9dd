"""Built-in strategy: re-compress an HCC segment whose rows have decayed out of compression.

Rows updated after an HCC load migrate out of their compression unit and are stored with a
lower (row) compression, so an ARCHIVE HIGH partition that is later updated slowly loses its
savings while the dictionary still says ARCHIVE HIGH. Only a row sample shows it
(``Warehouse.compression_sample``). When the share of sampled rows no longer stored with the
segment's own type exceeds ``max_decayed_fraction``, the segment is rewritten with the same
compression and tablespace, which puts every row back into compression units.

Safety as for every rewrite: free space in the tablespace is checked first (a shortage leaves
the work for a later window), and the row count is reconciled around the rewrite.
"""

from __future__ import annotations

from pydantic import Field

from hcc_operators.core.action_state import rewrite_bytes_needed
from hcc_operators.core.errors import ObjectNotFound, Transience, WarehouseError
from hcc_operators.core.licences import decide_online
from hcc_operators.core.models import Action, ActionKind, ActionStatus, ObjectRef, SegmentInfo
from hcc_operators.core.sample_rows import MAX_SAMPLE_ROWS
from hcc_operators.strategies.base import BaseStrategy, StrategyParams, StrategyResult
from hcc_operators.warehouse.base import Warehouse


class RecompressParams(StrategyParams):
    max_decayed_fraction: float = Field(
        0.2,
        gt=0,
        lt=1,
        description="re-compress when more than this share of sampled rows has decayed",
    )
    sample_rows: int = Field(
        100_000,
        ge=1,
        le=MAX_SAMPLE_ROWS,
        description="rows sampled to measure the decay (per segment)",
    )


class RecompressIfDecayed(BaseStrategy):
    name = "recompress_if_decayed"
    description = "Re-apply a segment's HCC compression when too many rows have decayed."
    Params = RecompressParams

    def execute(
        self, warehouse: Warehouse, target: ObjectRef, params: RecompressParams
    ) -> StrategyResult:
        seg = _segment(warehouse, target)
        ctype = seg.compression
        if not ctype.is_hcc:
            return StrategyResult(
                ActionStatus.SKIPPED,
                f"{target.label} is {ctype.value}, not HCC: its rows cannot decay out of "
                "compression units",
                {"compression": ctype.value},
            )
        decayed = _decayed(warehouse, target, ctype, params.sample_rows)
        details = {
            "compression": ctype.value,
            "tablespace": seg.tablespace,
            "decayed_before": decayed,
            "max_decayed_fraction": params.max_decayed_fraction,
        }
        if decayed is None or decayed <= params.max_decayed_fraction:
            shown = "no sampled rows" if decayed is None else f"{decayed:.1%} of sampled rows"
            return StrategyResult(
                ActionStatus.SKIPPED,
                f"{target.label}: {shown} decayed, threshold "
                f"{params.max_decayed_fraction:.1%}; nothing to do",
                details,
            )

        _check_space(warehouse, seg)
        # The connection's licences decide ONLINE, as for every rewrite (core.licences).
        online, note = decide_online(None, ctype, seg.compression, warehouse.licences)
        if note:
            details["note"] = note
        rows_before = warehouse.row_count(target)
        applied = warehouse.apply(
            Action(
                ActionKind.COMPRESS,
                target,
                compression=ctype,
                tablespace=seg.tablespace,
                online=online,
            )
        )
        rows_after = warehouse.row_count(target)
        after = warehouse.segment(target)
        details.update(
            bytes_before=seg.bytes,
            bytes_after=after.bytes if after else None,
            rows_before=rows_before,
            rows_after=rows_after,
            decayed_after=_decayed(warehouse, target, ctype, params.sample_rows),
        )
        if applied.simulated:
            details["simulated_s"] = round(applied.duration_s, 3)
        if rows_after != rows_before:
            return StrategyResult(
                ActionStatus.FAILED,
                f"row count of {target.label} changed across the rewrite: {rows_before} "
                f"before, {rows_after} after; investigate before any further action",
                details,
                applied.statements,
                error_code="ROW_COUNT_MISMATCH",
            )
        return StrategyResult(
            ActionStatus.SUCCESS,
            f"re-compressed {target.label} with {ctype.value}: {decayed:.1%} of sampled rows "
            "had decayed",
            details,
            applied.statements,
        )


def _segment(warehouse: Warehouse, target: ObjectRef) -> SegmentInfo:
    seg = warehouse.segment(target)
    if seg is None:
        raise ObjectNotFound(
            f"{target.label} does not exist",
            code="ORA-02149" if target.partition else "ORA-00942",
        )
    if seg.has_subpartitions:
        raise WarehouseError(
            f"{target.label} is a composite partition; target its subpartitions instead",
            code="ORA-14257",
            transience=Transience.PERMANENT,
        )
    if target.partition is None:
        tables = warehouse.list_tables([target.owner])
        if any(t.table == target.table and t.partitioned for t in tables):
            raise WarehouseError(
                f"{target.label} is partitioned; target its partitions instead",
                code="ORA-14511",
                transience=Transience.PERMANENT,
            )
    return seg


def _decayed(warehouse: Warehouse, target: ObjectRef, ctype, sample_rows: int) -> float | None:
    sample = warehouse.compression_sample(target, sample_rows=sample_rows)
    if not sample.total:
        return None
    return round(1.0 - sample.fraction(ctype), 4)


def _check_space(warehouse: Warehouse, seg: SegmentInfo) -> None:
    space = warehouse.tablespaces().get(seg.tablespace or "")
    if space is None:
        raise WarehouseError(f"tablespace {seg.tablespace} does not exist", code="ORA-00959")
    needed = rewrite_bytes_needed(seg)
    if space.free_bytes < needed:
        raise WarehouseError(
            f"tablespace {space.name} has {space.free_bytes} bytes free, rewriting "
            f"{seg.ref.label} needs about {needed}; left for a later window",
            code="ORA-01688",
            transience=Transience.SKIP_FOR_NOW,
        )

"""Operators of compression execution and rollback."""

from __future__ import annotations

from typing import Any

from hcc_operators import clock
from hcc_operators.operators.base import HccBaseOperator
from hcc_operators.services import compress
from hcc_operators.services.action_runner import raise_for_failure


class HccCompressCandidatesOperator(HccBaseOperator):
    template_fields = ("objects", "min_ratio", "max_objects")

    def __init__(
        self, *, objects: Any = (), min_ratio: Any = 2.0, max_objects: Any = 20, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.objects = objects
        self.min_ratio = min_ratio
        self.max_objects = max_objects

    def execute(self, context) -> list[dict[str, Any]]:
        with self.warehouse() as wh:
            items = compress.select_candidates(
                wh.repository_engine(),
                objects=list(self.objects or ()),
                min_ratio=float(self.min_ratio),
                max_objects=int(self.max_objects),
            )
        self.log.info("%s candidate(s) selected", len(items))
        return items


class HccCompressObjectOperator(HccBaseOperator):
    template_fields = ("item", "dry_run")

    def __init__(self, *, item: dict[str, Any], dry_run: Any = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.item = item
        self.dry_run = dry_run

    def execute(self, context) -> dict[str, Any]:
        dry_run = str(self.dry_run).lower() in ("true", "1", "yes")
        with self.warehouse() as wh:
            result = compress.compress_object(
                wh,
                wh.repository_engine(),
                self.item,
                dry_run=dry_run,
                dag_run_id=context["run_id"],
                now=clock.now(),
            )
            for statement in result.get("ddl") or result.get("statements") or []:
                self.log.info("DDL%s: %s", " (dry run, not executed)" if dry_run else "", statement)
            if result["status"] == "FAILED":
                raise_for_failure(result)
        return result


class HccCompressSummaryOperator(HccBaseOperator):
    def execute(self, context) -> dict[str, Any]:
        with self.warehouse() as wh:
            summary = compress.summarise(wh.repository_engine(), context["run_id"])
        self.log.info("compression batch: %s", summary)
        return summary


class HccRollbackOperator(HccBaseOperator):
    template_fields = ("execution_id",)

    def __init__(self, *, execution_id: Any, **kwargs) -> None:
        super().__init__(**kwargs)
        self.execution_id = execution_id

    def execute(self, context) -> dict[str, Any]:
        with self.warehouse() as wh:
            result = compress.rollback_execution(
                wh,
                wh.repository_engine(),
                int(self.execution_id),
                dag_run_id=context["run_id"],
                now=clock.now(),
            )
            if result["status"] == "FAILED":
                raise_for_failure(result)
        return result

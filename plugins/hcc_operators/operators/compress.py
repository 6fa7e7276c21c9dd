"""Operators of compression execution and rollback."""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from hcc_operators import clock
from hcc_operators.core import params as p
from hcc_operators.core.rewrite_options import RewriteOptions
from hcc_operators.operators.base import HccBaseOperator, fail_fast

# The services are imported inside execute(): defining the DAG must not load them.


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
        from hcc_operators.services import compress

        with fail_fast():
            objects = p.as_str_list(self.objects, "objects")
            min_ratio = p.as_float(self.min_ratio, "min_ratio", minimum=1.0)
            max_objects = p.as_int(self.max_objects, "max_objects", minimum=1, maximum=1024)
        with self.warehouse() as wh:
            self.record_start(context, wh.repository_engine())
            items = compress.select_candidates(
                wh.repository_engine(),
                wh,
                objects=objects,
                min_ratio=min_ratio,
                max_objects=max_objects,
            )
        self.log.info("%s candidate(s) selected", len(items))
        return items


class HccCompressObjectOperator(HccBaseOperator):
    template_fields = ("item", "dry_run", "online", "parallel")

    def __init__(
        self,
        *,
        item: dict[str, Any],
        dry_run: Any = False,
        online: Any = None,
        parallel: Any = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.item = item
        self.dry_run = dry_run
        self.online = online
        self.parallel = parallel

    def execute(self, context) -> dict[str, Any]:
        from hcc_operators.services import compress
        from hcc_operators.services.action_runner import raise_for_failure

        with fail_fast():
            dry_run = p.as_bool(self.dry_run, "dry_run")
            options = RewriteOptions.parse(self.online, self.parallel)
        with self.warehouse() as wh:
            result = compress.compress_object(
                wh,
                wh.repository_engine(),
                self.item,
                dry_run=dry_run,
                dag_run_id=context["run_id"],
                now=clock.now(),
                options=options,
                map_index=context["ti"].map_index,
            )
            for statement in result["statements"]:
                self.log.info("DDL%s: %s", " (dry run, not executed)" if dry_run else "", statement)
            if result["status"] == "FAILED":
                raise_for_failure(result)
        return result


class HccCompressSummaryOperator(HccBaseOperator):
    def execute(self, context) -> dict[str, Any]:
        from hcc_operators.services import compress

        with self.warehouse() as wh:
            engine = wh.repository_engine()
            summary = compress.summarise(engine, context["run_id"])
            done = summary["by_status"]
            self.record_finish(
                context,
                engine,
                objects_extracted=sum(done.values()),
                actions_done=done.get("SUCCESS", 0) + done.get("DRY_RUN", 0),
                errors=done.get("FAILED", 0),
                summary=summary,
            )
        self.log.info("compression batch: %s", summary)
        if summary["by_status"].get("FAILED"):
            # The summary is the DAG's only leaf: without this a run with failed objects would
            # show green. The mapped task of each failed object holds its error.
            raise AirflowFailException(
                f"{summary['by_status']['FAILED']} object(s) failed to compress; see the failed "
                "compress_object task instances, fix the cause and clear them to retry"
            )
        return summary


class HccRollbackOperator(HccBaseOperator):
    template_fields = ("execution_id",)

    def __init__(self, *, execution_id: Any, **kwargs) -> None:
        super().__init__(**kwargs)
        self.execution_id = execution_id

    def execute(self, context) -> dict[str, Any]:
        with fail_fast():
            execution_id = p.as_int(self.execution_id, "execution_id", optional=True, minimum=1)
        if execution_id is None:
            raise AirflowFailException(
                "execution_id is required: trigger hcc_compress_rollback with the "
                "hcc_compression_executions.execution_id to undo"
            )
        from hcc_operators.services import compress
        from hcc_operators.services.action_runner import raise_for_failure

        with self.warehouse() as wh:
            engine = wh.repository_engine()
            # A refused or failed rollback closes its run record FAILED with the reason.
            with self.recorded_run(context, engine):
                result = compress.rollback_execution(
                    wh, engine, execution_id, dag_run_id=context["run_id"], now=clock.now()
                )
                failed = result["status"] == "FAILED"
                self.record_finish(
                    context,
                    engine,
                    objects_extracted=1,
                    actions_done=int(not failed),
                    errors=int(failed),
                    summary=result,
                    status="FAILED" if failed else None,
                )
                if failed:
                    raise_for_failure(result)
        return result

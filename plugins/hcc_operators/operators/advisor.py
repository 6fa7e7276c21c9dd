"""Operators of the compression advisor: plan chunks, analyse one chunk, finish the run."""

from __future__ import annotations

from typing import Any

from hcc_operators import clock
from hcc_operators.core import params as p
from hcc_operators.operators.base import HccBaseOperator, fail_fast

# services.advisor is imported inside execute(): defining the DAG must not load it.


class HccAdvisorPlanOperator(HccBaseOperator):
    """Discovers objects, records the run, returns byte-balanced chunks for mapping."""

    template_fields = (
        "schemas",
        "strategy",
        "sample_rows",
        "min_size_mb",
        "incremental",
        "chunk_size",
        "parallel_degree",
    )

    def __init__(
        self,
        *,
        schemas: Any = (),
        strategy: Any = None,
        sample_rows: Any = None,
        min_size_mb: Any = None,
        incremental: Any = False,
        chunk_size: Any = None,
        parallel_degree: Any = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.schemas = schemas
        self.strategy = strategy
        self.sample_rows = sample_rows
        self.min_size_mb = min_size_mb
        self.incremental = incremental
        self.chunk_size = chunk_size
        self.parallel_degree = parallel_degree

    def execute(self, context) -> list[dict[str, Any]]:
        from hcc_operators.services import advisor

        with fail_fast():
            params = advisor.AdvisorParams(
                schemas=tuple(p.as_str_list(self.schemas, "schemas")),
                strategy=p.as_str(self.strategy, "strategy", optional=True) or None,
                sample_rows=p.as_int(self.sample_rows, "sample_rows", optional=True, minimum=1),
                min_size_mb=p.as_float(self.min_size_mb, "min_size_mb", optional=True, minimum=0),
                incremental=p.as_bool(self.incremental, "incremental"),
                chunk_size=p.as_int(self.chunk_size, "chunk_size", optional=True, minimum=1),
                parallel_degree=p.as_int(
                    self.parallel_degree, "parallel_degree", optional=True, minimum=1
                ),
            )
        config = self.spec().advisor
        with self.warehouse() as wh:
            self.record_start(context, wh.repository_engine())
            run_id, chunks = advisor.plan_analysis(
                wh,
                wh.repository_engine(),
                params,
                dag_run_id=context["run_id"],
                now=clock.now(),
                config=config,
            )
        context["ti"].xcom_push(key="advisor_run_id", value=run_id)
        self.log.info(
            "advisor run %s: %s object(s) in %s chunk(s)",
            run_id,
            sum(len(c["objects"]) for c in chunks),
            len(chunks),
        )
        return chunks


class HccAdvisorAnalyseOperator(HccBaseOperator):
    """Measures, scores and recommends every object of one chunk."""

    template_fields = ("chunk",)

    def __init__(self, *, chunk: dict[str, Any], **kwargs) -> None:
        super().__init__(**kwargs)
        self.chunk = chunk

    def execute(self, context) -> dict[str, Any]:
        from hcc_operators.services import advisor

        config = self.spec().advisor
        with self.warehouse() as wh:
            return advisor.analyse_chunk(
                wh,
                wh.repository_engine(),
                run_id=self.chunk["run_id"],
                objects=self.chunk["objects"],
                now_fn=clock.now,
                config=config,
            )


class HccAdvisorFinishOperator(HccBaseOperator):
    template_fields = ("run_id",)

    def __init__(self, *, run_id: Any, **kwargs) -> None:
        super().__init__(**kwargs)
        self.run_id = run_id

    def execute(self, context) -> dict[str, Any]:
        from hcc_operators.services import advisor

        with self.warehouse() as wh:
            engine = wh.repository_engine()
            with fail_fast():
                run_id = p.as_int(self.run_id, "advisor_run_id", minimum=1)
            summary = advisor.finish_analysis(engine, run_id, now=clock.now())
            self.record_finish(
                context,
                engine,
                objects_extracted=summary["objects_total"],
                actions_done=summary["analysed"] - summary["failed"],
                errors=summary["failed"],
                summary=summary,
            )
        self.log.info("advisor run finished: %s", summary)
        return summary

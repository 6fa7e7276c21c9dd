"""Operators of the ILM pipeline: refresh, evaluate, plan batch, execute one item, finish."""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from hcc_operators import clock
from hcc_operators.core import params
from hcc_operators.core.names import OUTCOME_XCOM
from hcc_operators.core.outcomes import planned_item
from hcc_operators.core.rewrite_options import RewriteOptions
from hcc_operators.operators.base import HccBaseOperator, fail_fast
from hcc_operators.operators.run_state import execute_run_alive

# The services (and through them SQLAlchemy and the policy machinery) are imported inside
# execute(): the DAG processor imports this module to define the DAGs and needs none of them.


def _run_type(context) -> str:
    run = context["dag_run"]
    return str(getattr(run.run_type, "value", run.run_type))


#: Recorded as the author of what a run changes when no user triggered it (a scheduled or
#: asset-triggered run).
SCHEDULER = "airflow-scheduler"


def _actor(context):
    """The user who triggered this DAG run (Airflow records it on the run), else the
    scheduler; via names the run, so the audit trail links to it."""
    from hcc_operators.core.queue_control import Actor

    user = getattr(context["dag_run"], "triggering_user_name", None)
    return Actor(user or SCHEDULER, f"dag run {context['run_id']}"[:300])


class HccIlmRefreshOperator(HccBaseOperator):
    """Stage 1: partition age, size, storage state and temperature into the repository."""

    def execute(self, context) -> dict[str, Any]:
        from hcc_operators.services import ilm_refresh

        settings = self.ilm_settings()
        with self.warehouse() as wh:
            engine = wh.repository_engine()
            with self.recorded_run(context, engine):
                result = ilm_refresh.refresh_partition_access(
                    wh,
                    engine,
                    is_target=settings.is_target,
                    thresholds_for=settings.thresholds_for,
                    now=clock.now(),
                )
                self.record_finish(
                    context, engine, objects_extracted=result.partitions, summary=result.to_dict()
                )
        self.log.info(
            "refreshed %s partitions of %s tables: %s",
            result.partitions,
            result.tables,
            result.by_temperature,
        )
        return result.to_dict()


class HccIlmEvaluateOperator(HccBaseOperator):
    """Stage 2: every policy against every partition of its tables, into queue and details."""

    def execute(self, context) -> dict[str, Any]:
        from hcc_operators.services import ilm_evaluate

        settings = self.ilm_settings()
        with self.warehouse() as wh:
            engine = wh.repository_engine()
            with self.recorded_run(context, engine):
                result = ilm_evaluate.evaluate_policies(
                    wh,
                    engine,
                    settings.policies,
                    now=clock.now(),
                    evaluation_id=context["run_id"],
                    actor=_actor(context),
                )
                self.record_finish(
                    context,
                    engine,
                    objects_extracted=result["pairs"],
                    actions_done=result["enqueued"],
                    summary=result,
                )
        self.log.info("evaluation: %s", result)
        return result


class HccIlmPlanBatchOperator(HccBaseOperator):
    """Stage 3a: pick the queue items that fit this window slot; returns one dict per item."""

    template_fields = ("force", "max_operations")

    def __init__(self, *, force: Any = False, max_operations: Any = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.force = force
        self.max_operations = max_operations

    def execute(self, context) -> list[dict[str, Any]]:
        from hcc_operators.services import ilm_plan

        with fail_fast():
            force = params.as_bool(self.force, "force")
            max_operations = params.as_int(
                self.max_operations, "max_operations", optional=True, minimum=1, maximum=1024
            )
        settings = self.ilm_settings()
        with self.warehouse() as wh:
            self.record_start(context, wh.repository_engine(), forced=force)
            plan = ilm_plan.plan_batch(
                wh,
                wh.repository_engine(),
                dag_run_id=context["run_id"],
                run_type=_run_type(context),
                force=force,
                max_operations=max_operations,
                now=clock.now(),
                run_alive=execute_run_alive(context),
                settings=settings,
            )
        # Pushed before any skip below: finish_batch closes the batch and the run record.
        context["ti"].xcom_push(key="batch_id", value=plan.batch_id)
        if plan.recovered is not None and plan.recovered.items + plan.recovered.batches:
            self.log.warning("recovery before planning: %s", plan.recovered.summary)
            for found in plan.recovered.items:
                self.log.warning(
                    "  %s %s -> %s: %s", found.label, found.action, found.status, found.note
                )
        if plan.lease_held:
            # Another live batch works the queue: this run does nothing, and says so with a
            # skipped task instead of a green one (a forced run is failed by finish_batch).
            self.log.warning("batch %s SKIPPED: %s", plan.batch_id, plan.reason)
            raise AirflowSkipException(plan.reason)
        self.log.info("batch %s: %s item(s); %s", plan.batch_id, len(plan.items), plan.reason)
        return plan.items


class HccIlmActionOperator(HccBaseOperator):
    """Stage 3b: one partition's action, mapped once per planned queue item."""

    template_fields = ("item", "online", "parallel")

    def __init__(
        self, *, item: dict[str, Any], online: Any = None, parallel: Any = None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.item = item
        self.online = online
        self.parallel = parallel

    def execute(self, context) -> dict[str, Any]:
        from hcc_operators.services import ilm_execute
        from hcc_operators.services.action_runner import raise_for_failure

        ti = context["ti"]
        try:
            item = planned_item(self.item)
        except ValueError as err:
            raise AirflowFailException(f"execute_action got a malformed item: {err}") from err
        with fail_fast():
            options = RewriteOptions.parse(self.online, self.parallel)
        if options.changes_anything:
            self.log.info("this run's rewrite options: %s", options.describe())
        settings = self.ilm_settings()
        with self.warehouse() as wh:
            result = ilm_execute.execute_item(
                wh,
                wh.repository_engine(),
                item,
                dag_run_id=context["run_id"],
                map_index=ti.map_index,
                attempt=ti.try_number,
                now_fn=clock.now,
                options=options,
                settings=settings,
            )
            self.log.info(
                "%s -> %s: %s (%s)",
                self.item["label"],
                self.item["action"],
                result["status"],
                result.get("message"),
            )
            if result["status"] == "FAILED":
                # Inside the warehouse context so permanent errors fail fast, transient retry.
                raise_for_failure(result)
        if result["status"] == "DEFERRED":
            raise AirflowSkipException(result["message"])
        return result


class HccIlmFinishBatchOperator(HccBaseOperator):
    """Stage 3c: batch status (COMPLETED / INTERRUPTED / FAILED), counts, release the lease.

    The run fails when an item failed, when reconciliation finds a mismatch, when plan_batch
    recorded no batch, and when a forced run did nothing because another batch held the lease.
    """

    template_fields = ("batch_id",)

    def __init__(self, *, batch_id: Any, **kwargs) -> None:
        super().__init__(**kwargs)
        self.batch_id = batch_id

    def execute(self, context) -> dict[str, Any]:
        with fail_fast():
            batch_id = params.as_int(self.batch_id, "batch_id", optional=True, minimum=1)
        from hcc_operators.core.batch_outcome import describe_batch, describe_failures
        from hcc_operators.repository.failures import batch_failed_items
        from hcc_operators.services import ilm_finish
        from hcc_operators.services.reconciliation import reconcile_batch

        if batch_id is None:
            # plan_batch failed before it recorded a batch: the run did nothing, and must
            # not end green with its record RUNNING.
            reason = "plan_batch recorded no batch (it failed; its log has the error)"
            with self.warehouse() as wh:
                self.record_finish(
                    context,
                    wh.repository_engine(),
                    errors=1,
                    status="FAILED",
                    summary={"error": reason},
                )
            raise AirflowFailException(reason)
        with self.warehouse() as wh:
            engine = wh.repository_engine()
            result = ilm_finish.finish_batch(wh, engine, batch_id, now=clock.now())
            if result["status"] == "SKIPPED" and result.get("forced"):
                # A forced run is an emergency someone asked for now: doing nothing because
                # another batch holds the lease is a failure of that request, not a success.
                reason = f"forced run did nothing: {result['reason']}"
                self.record_finish(
                    context, engine, errors=1, status="FAILED", summary={**result, "error": reason}
                )
                raise AirflowFailException(reason)
            report = reconcile_batch(wh, engine, batch_id, now=clock.now())
            result["reconciliation"] = report.to_dict()
            with engine.connect() as conn:
                failed_items = batch_failed_items(conn, batch_id) if result.get("failed") else []
            self.record_finish(
                context,
                engine,
                objects_extracted=result.get("planned", 0),
                actions_done=result.get("succeeded", 0),
                errors=result.get("failed", 0),
                summary=result,
            )
        outcome = describe_batch(
            batch_id,
            result["status"],
            planned=result.get("planned"),
            succeeded=result.get("succeeded"),
            skipped=result.get("skipped"),
            failed=result.get("failed"),
            left_pending=result.get("left_pending"),
            reason=result.get("reason"),
            failed_items=failed_items,
        )
        # The plugin's listener copies this into the DAG run's note when the run ends
        # (run_notes.py): a task cannot write the note itself in Airflow 3.
        context["ti"].xcom_push(key=OUTCOME_XCOM, value=outcome)
        self.log.info("%s", outcome)
        if not report.ok:
            # The repository and the live dictionary disagree: someone must look before the
            # next batch builds on a wrong account of what was done.
            raise AirflowFailException(
                "reconciliation found inconsistencies: "
                + "; ".join(f"{f.check} {f.label}: {f.message}" for f in report.findings)
            )
        if result.get("failed"):
            raise AirflowFailException(
                f"batch {batch_id}: {result['failed']} partition action(s) failed: "
                f"{describe_failures(failed_items)}. Fix the cause, then clear those "
                "execute_action instances (with finish_batch downstream) to retry"
            )
        return result

"""What every operator of the package shares: the warehouse connection and error mapping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from hcc_operators import clock
from hcc_operators.core.errors import ConfigError, HccError, PolicyError, WarehouseError
from hcc_operators.core.names import DEFAULT_WAREHOUSE

if TYPE_CHECKING:
    from hcc_operators.core.fleet import WarehouseSpec
    from hcc_operators.services.ilm_settings import IlmSettings
    from hcc_operators.warehouse.base import Warehouse

# The DAG processor imports every operator module to parse a DAG file; the warehouse, the
# repository (SQLAlchemy) and the services are only needed when a task runs, so they are
# imported inside execute() and the helpers below, never at module level (a test holds this).


@contextmanager
def fail_fast() -> Iterator[None]:
    """A bad Param or configuration fails the task at once: no retry can fix it."""
    try:
        yield
    except (ConfigError, PolicyError) as err:
        raise AirflowFailException(str(err)) from err


class HccBaseOperator(BaseOperator):
    """Keyword-only construction; the warehouse is only opened inside execute().

    ``warehouse`` names the fleet member (warehouses.yaml) whose connection and configuration
    files the task uses; ``conn_id``, when given, overrides the connection (tests, a DAG of
    your own). Both are resolved when the task runs, so an edited warehouses.yaml applies to
    the next task without waiting for the DAG to be parsed again.
    """

    ui_color = "#e8f1fb"

    def __init__(
        self, *, warehouse: str = DEFAULT_WAREHOUSE, conn_id: str | None = None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.warehouse_name = warehouse
        self.conn_id = conn_id

    def spec(self) -> WarehouseSpec:
        """This task's warehouse with its configuration (a bad fleet file fails the task)."""
        from hcc_operators.core.fleet import load_warehouse

        with fail_fast():
            return load_warehouse(self.warehouse_name)

    def ilm_settings(self) -> IlmSettings:
        from hcc_operators.services.ilm_settings import IlmSettings

        spec = self.spec()
        with fail_fast():
            return IlmSettings(spec.policies, spec.schedule)

    @contextmanager
    def warehouse(self, *, repository: bool = True) -> Iterator[Warehouse]:
        """The connection's warehouse; ``repository`` creates the repository tables first
        (the pre-flight opens it without, so a missing privilege is its finding, not a
        CREATE TABLE failure)."""
        from hcc_operators.repository.schema import create_all
        from hcc_operators.warehouse.factory import warehouse_from_conn_id

        try:
            wh = warehouse_from_conn_id(self.conn_id or self.spec().conn_id)
        except ConfigError as err:
            raise AirflowFailException(str(err)) from err
        try:
            if repository:
                create_all(wh.repository_engine())
            yield wh
        except (ConfigError, PolicyError) as err:
            # A retry cannot fix a bad configuration: fail now with the reason.
            raise AirflowFailException(str(err)) from err
        except WarehouseError as err:
            if not err.transient:
                raise AirflowFailException(str(err)) from err
            raise
        except HccError as err:
            raise AirflowFailException(str(err)) from err
        finally:
            wh.close()

    def record_start(self, context, engine, *, forced: bool = False) -> int:
        """Record this DAG run in hcc_dag_runs (the first task of each DAG calls it)."""
        from hcc_operators.services import run_control

        run_type = run_control.classify_run_type(context["dag_run"].run_type, forced=forced)
        return run_control.start_run(
            engine, context["dag"].dag_id, context["run_id"], run_type, clock.now()
        )

    @contextmanager
    def recorded_run(self, context, engine, *, forced: bool = False) -> Iterator[None]:
        """For a DAG whose only task both opens and closes the run record: open it, and if
        the work raises, close it FAILED with the error before the error propagates, so the
        record never stays RUNNING for a run that failed (a refused rollback, a bad config)."""
        self.record_start(context, engine, forced=forced)
        self._run_closed = False
        try:
            yield
        except AirflowSkipException:
            raise
        except BaseException as err:
            if not self._run_closed:  # closed already with the outcome that failed
                self.record_failure(context, engine, err)
            raise

    def record_failure(self, context, engine, err: BaseException) -> None:
        """Close the run record FAILED with ``err`` as its reason; a failure to record never
        hides the error being reported."""
        try:
            self.record_finish(
                context,
                engine,
                errors=1,
                status="FAILED",
                summary={"error": f"{type(err).__name__}: {err}"},
            )
        except Exception as record_err:
            self.log.warning("could not record the failure of this run: %s", record_err)

    def record_finish(
        self,
        context,
        engine,
        *,
        objects_extracted: int = 0,
        actions_done: int = 0,
        errors: int = 0,
        summary: dict | None = None,
        status: str | None = None,
    ) -> None:
        """Close the run record with its counts (the last task of each DAG calls it)."""
        from hcc_operators.services import run_control

        run_log_id = run_control.find_run(engine, context["dag"].dag_id, context["run_id"])
        if run_log_id is None:  # the first task never ran (e.g. cleared alone): open it now
            run_log_id = self.record_start(context, engine)
        run_control.finish_run(
            engine,
            run_log_id,
            now=clock.now(),
            objects_extracted=objects_extracted,
            actions_done=actions_done,
            errors=errors,
            summary=summary,
            status=status,
        )
        self._run_closed = True

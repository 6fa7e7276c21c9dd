"""Airflow listener: an ILM execute run's outcome becomes its DAG run note.

A task cannot write its DAG run's note in Airflow 3: tasks reach Airflow only through the
Execution API, which has no call for it, and the public REST API needs a user's token. So
finish_batch leaves the outcome text in an XCom (core.names.OUTCOME_XCOM) and this listener,
which Airflow calls in the scheduler when the run ends (``on_dag_run_success`` /
``on_dag_run_failed``), copies it into the note inside the scheduler's own session: no
warehouse is read here and the scheduler opens no second session for it (on SQLite a second
writer would wait on the scheduler's lock).

A note a person wrote (it has a user) is never replaced; a note this listener wrote earlier
(no user) is, so a cleared and re-run batch shows its latest outcome.
"""

from __future__ import annotations

import logging

from airflow.listeners import hookimpl

from hcc_operators.core.names import OUTCOME_XCOM, Dag, Task, parse_dag_id

log = logging.getLogger(__name__)


def _outcome(dag_run, session) -> str | None:
    from airflow.models.xcom import XComModel

    row = session.scalars(
        XComModel.get_many(
            run_id=dag_run.run_id,
            key=OUTCOME_XCOM,
            task_ids=Task.FINISH_BATCH.value,
            dag_ids=dag_run.dag_id,
            map_indexes=-1,
            limit=1,
        )
    ).first()
    if row is None:
        return None
    value = XComModel.deserialize_value(row)
    return value if isinstance(value, str) and value else None


def note_outcome(dag_run, session) -> str | None:
    """Set the note of an hcc_ilm_execute run (attached to ``session``) from finish_batch's
    outcome; returns the note written, or None when there is nothing to write or a person's
    note is in the way."""
    parsed = parse_dag_id(dag_run.dag_id)
    if parsed is None or parsed[0] is not Dag.ILM_EXECUTE:
        return None
    existing = dag_run.dag_run_note
    if existing is not None and existing.user_id is not None:
        return None
    outcome = _outcome(dag_run, session)
    if outcome is None:
        return None
    if existing is None:
        dag_run.note = outcome
    else:
        existing.content = outcome
    return outcome


def _on_run_end(dag_run) -> None:
    from sqlalchemy.orm import object_session

    try:
        session = object_session(dag_run)
        if session is not None:
            # The scheduler's run, in the scheduler's session: it commits the note with the
            # run's new state.
            note_outcome(dag_run, session)
            return
        # dag.test() (`make demo`, tests/dags) hands over a run no session holds, and has
        # nothing unwritten at that point, so a short session of our own does not wait on it.
        from airflow.models.dagrun import DagRun
        from airflow.utils.session import create_session

        with create_session() as own:
            attached = own.get(DagRun, dag_run.id)
            if attached is not None:
                note_outcome(attached, own)
    except Exception:
        # Airflow logs and ignores a listener's error too; naming the run helps.
        log.exception("could not write the outcome note of %s", dag_run.run_id)


@hookimpl
def on_dag_run_success(dag_run, msg: str) -> None:
    _on_run_end(dag_run)


@hookimpl
def on_dag_run_failed(dag_run, msg: str) -> None:
    _on_run_end(dag_run)

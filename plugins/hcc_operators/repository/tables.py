"""Repository tables: advisor, compression history, ILM state, batches, leases.

SQLAlchemy Core so one definition serves the embedded SQLite file and an Oracle schema;
include/sql/oracle/schema/ holds the same DDL for DBAs who install by script, and a test keeps
the two equal. Names stay within Oracle's 30-byte limit so the schema installs on 12.1 too.
"""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hcc_operators.core.eligibility.facts import STORED_FACTS, PartitionState, column_of
from hcc_operators.repository.column_types import UtcDateTime

metadata = MetaData()

NAME = 128  # Oracle identifier length (12.2+)


def _object_columns() -> list[Column]:
    return [
        Column("owner", String(NAME), nullable=False),
        Column("table_name", String(NAME), nullable=False),
        Column("partition_name", String(NAME)),
        Column("subpartition_name", String(NAME)),
    ]


def _fact_type(name: str, annotation: str):
    if annotation.startswith("int"):
        return BigInteger if name.endswith("_bytes") else Integer
    if annotation.startswith("float"):
        return Float
    if annotation.startswith("bool"):
        return Boolean
    if annotation == "CompressionType":
        return String(20)
    if annotation.startswith("str"):
        return String(NAME)
    raise TypeError(f"no column type for partition fact {name}: {annotation}")


def _fact_columns() -> list[Column]:
    """One column per stored partition fact (core.eligibility.facts), typed from the fact:
    hcc_partition_access and its per-evaluation snapshot hold the same facts by construction."""
    annotations = {f.name: str(f.type) for f in fields(PartitionState)}
    columns = []
    for name in STORED_FACTS:
        annotation = annotations[name]
        nullable = "None" in annotation
        default = False if annotation == "bool" else None
        columns.append(
            Column(
                column_of(name), _fact_type(name, annotation), nullable=nullable, default=default
            )
        )
    return columns


def _id(name: str) -> Column:
    # SQLite only autoincrements an INTEGER PRIMARY KEY (the rowid alias), not BIGINT.
    return Column(
        name, BigInteger().with_variant(Integer, "sqlite"), Identity(start=1), primary_key=True
    )


advisor_runs = Table(
    "hcc_advisor_runs",
    metadata,
    _id("run_id"),
    Column("dag_run_id", String(250)),
    Column("status", String(20), nullable=False),  # RUNNING, SUCCESS, PARTIAL, FAILED
    Column("strategy", String(64), nullable=False),
    Column("schemas", Text),  # JSON list
    Column("params", Text),  # JSON
    Column("objects_total", Integer, nullable=False, default=0),
    Column("objects_analysed", Integer, nullable=False, default=0),
    Column("objects_succeeded", Integer, nullable=False, default=0),
    Column("objects_failed", Integer, nullable=False, default=0),
    # Objects left alone because the dictionary describes them in terms the package does not
    # know (an unknown COMPRESS_FOR); each has a SKIPPED result with the reason.
    Column("objects_skipped", Integer),
    Column("bytes_total", BigInteger, nullable=False, default=0),
    Column("bytes_analysed", BigInteger, nullable=False, default=0),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime()),
    Column("finished_at", UtcDateTime()),
    Column("error", Text),
)

advisor_results = Table(
    "hcc_advisor_results",
    metadata,
    _id("result_id"),
    Column("run_id", BigInteger, ForeignKey("hcc_advisor_runs.run_id"), nullable=False),
    *_object_columns(),
    Column("object_kind", String(30), nullable=False),
    Column("size_bytes", BigInteger),
    Column("num_rows", BigInteger),
    Column("current_compression", String(20)),
    Column("tablespace_name", String(NAME)),
    Column("ratio_advanced", Float),
    Column("ratio_query_low", Float),
    Column("ratio_query_high", Float),
    Column("ratio_archive_low", Float),
    Column("ratio_archive_high", Float),
    Column("dml_total", BigInteger),
    Column("logical_reads", BigInteger),
    Column("physical_reads", BigInteger),
    Column("last_access", UtcDateTime()),
    Column("hotness", Float),
    Column("decayed_fraction", Float),
    Column("recommended", String(20)),
    Column("expected_ratio", Float),
    Column("estimated_savings", BigInteger),
    Column("recompression", Boolean, nullable=False, default=False),
    Column("reason", Text),
    Column("status", String(20), nullable=False),  # SUCCESS, FAILED, SKIPPED
    Column("error_code", String(20)),
    Column("error_message", Text),
    Column("analysed_at", UtcDateTime(), nullable=False),
)
Index("hcc_adv_res_run_ix", advisor_results.c.run_id)
Index("hcc_adv_res_obj_ix", advisor_results.c.owner, advisor_results.c.table_name)

# The current advice: per object, the advisor result that is its advice now (its latest
# successful analysis), whichever run produced it (repository/advice.py). Keyed by the object's
# label because Oracle stores '' as NULL, so (owner, table, partition, subpartition) could not be
# a primary key for a table or a partition.
advisor_advice = Table(
    "hcc_advisor_advice",
    metadata,
    Column("object_key", String(4 * NAME + 3), primary_key=True),
    *_object_columns(),
    Column("result_id", BigInteger, ForeignKey("hcc_advisor_results.result_id"), nullable=False),
    Column("run_id", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
Index("hcc_adv_adv_obj_ix", advisor_advice.c.owner, advisor_advice.c.table_name)

compression_executions = Table(
    "hcc_compression_executions",
    metadata,
    _id("execution_id"),
    Column("dag_run_id", String(250)),
    # The mapped compress_object instance that ran it (None for the unmapped rollback task and
    # rows older than this column): the dashboard links to that instance.
    Column("map_index", Integer),
    Column("result_id", BigInteger),  # the advisor result that proposed it, if any
    *_object_columns(),
    Column("operation", String(20), nullable=False),  # COMPRESS, ROLLBACK
    Column("compression_from", String(20)),
    Column("compression_to", String(20)),
    Column("tablespace_from", String(NAME)),
    Column("tablespace_to", String(NAME)),
    # RUNNING, SUCCESS, SKIPPED, FAILED, ROLLED_BACK, DRY_RUN
    Column("status", String(20), nullable=False),
    Column("bytes_before", BigInteger),
    Column("bytes_after", BigInteger),
    Column("rows_before", BigInteger),
    Column("rows_after", BigInteger),
    Column("expected_ratio", Float),  # before/after of this rewrite, like achieved_ratio
    Column("achieved_ratio", Float),
    Column("space_saved", BigInteger),
    Column("duration_s", Float),
    Column("simulated", Boolean, nullable=False, default=False),
    Column("ddl", Text),
    Column("error_code", String(20)),
    Column("error_message", Text),
    Column("rollback_of", BigInteger),
    # The partition's bound (HIGH_VALUE) when the execution ran: a rollback refuses when the
    # bounds changed since (a merge or a split took the partition's place).
    Column("high_value", Text),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
)
Index("hcc_cmp_exec_obj_ix", compression_executions.c.owner, compression_executions.c.table_name)

threshold_profiles = Table(
    "hcc_threshold_profiles",
    metadata,
    Column("profile_name", String(64), primary_key=True),
    Column("hot_days", Integer, nullable=False),
    Column("warm_days", Integer, nullable=False),
    Column("cold_days", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

ilm_policies = Table(
    "hcc_ilm_policies",
    metadata,
    _id("policy_id"),
    Column("policy_name", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("definition", Text, nullable=False),  # canonical JSON
    Column("is_current", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # Who made this version (core.queue_control.Actor): the user who triggered the evaluation
    # that found policies.yaml changed, or the one `hcc policies sync --by` names.
    Column("created_by", String(250)),
    Column("created_via", String(300)),
    Column("change_reason", Text),
    Column("superseded_at", UtcDateTime()),
    Column("superseded_by", String(250)),
    UniqueConstraint("policy_name", "version", name="hcc_ilm_pol_ver_uk"),
)

config = Table(
    "hcc_config",
    metadata,
    Column("config_key", String(128), primary_key=True),
    Column("config_value", Text),
    Column("updated_at", UtcDateTime(), nullable=False),
)

partition_access = Table(
    "hcc_partition_access",
    metadata,
    Column("owner", String(NAME), primary_key=True),
    Column("table_name", String(NAME), primary_key=True),
    Column("partition_name", String(NAME), primary_key=True),
    Column("partition_position", Integer),
    Column("high_value", Text),
    Column("upper_bound", UtcDateTime()),
    Column("num_rows", BigInteger),
    *_fact_columns(),
    Column("temperature", String(10), nullable=False),  # HOT, WARM, COLD, FROZEN
    Column("temperature_source", String(20)),  # AGE, HEATMAP, NO_DATE_BOUND
    Column("last_access", UtcDateTime()),
    Column("logical_reads", BigInteger),
    Column("dml_total", BigInteger),
    Column("refreshed_at", UtcDateTime(), nullable=False),
)

ilm_queue = Table(
    "hcc_ilm_queue",
    metadata,
    _id("queue_id"),
    Column("policy_name", String(128), nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("owner", String(NAME), nullable=False),
    Column("table_name", String(NAME), nullable=False),
    Column("partition_name", String(NAME), nullable=False),
    Column("action", String(20), nullable=False),
    Column("action_params", Text),  # JSON of the kind's parameter model (core.actions)
    Column("size_bytes", BigInteger),
    Column("age_days", Integer),  # the partition's age at enqueue: core.selection's tie-break
    # The partition's bound at enqueue: a MERGE finds its period by it, and an item whose
    # partition was merged away finds the partition holding its rows now.
    Column("upper_bound", UtcDateTime()),
    # A follow-up (statistics after a rewrite, consolidation after a move) names the item
    # whose success queued it; evaluation never cancels a follow-up.
    Column("parent_queue_id", BigInteger),
    # core.queue_control.QueueStatus: PENDING, HELD, RUNNING, SUCCESS, SKIPPED, FAILED, CANCELLED
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("carried_over", Boolean, nullable=False, default=False),
    Column("batch_id", BigInteger),
    Column("lease_holder", String(250)),
    Column("lease_expires_at", UtcDateTime()),
    Column("predicted_s", Float),
    Column("last_error", Text),
    Column("enqueued_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
Index("hcc_ilm_q_status_ix", ilm_queue.c.status, ilm_queue.c.priority)
Index(
    "hcc_ilm_q_obj_ix",
    ilm_queue.c.owner,
    ilm_queue.c.table_name,
    ilm_queue.c.partition_name,
    ilm_queue.c.policy_name,
)

# Every change an operator made to a queue item (core.queue_control): the audit trail behind
# `hcc queue history`, GET /ilm/queue/{id}/history and the dashboard's queue page.
queue_changes = Table(
    "hcc_ilm_queue_changes",
    metadata,
    _id("change_id"),
    Column("queue_id", BigInteger, nullable=False),
    Column("command", String(20), nullable=False),  # core.queue_control.QueueCommand
    Column("field", String(20), nullable=False),  # status or priority
    Column("old_value", String(64), nullable=False),
    Column("new_value", String(64), nullable=False),
    Column("changed_by", String(250), nullable=False),
    Column("changed_via", String(300), nullable=False),  # api, cli, dag run <id>
    Column("reason", Text),
    Column("changed_at", UtcDateTime(), nullable=False),
)
Index("hcc_ilm_qchg_queue_ix", queue_changes.c.queue_id, queue_changes.c.change_id)

# Stage 2 writes one row per (policy, partition) pair: 20 million at a million partitions and
# 20 policies. So a detail holds only keys and a reason code, in primary-key order, with no
# secondary index: the partition's facts are kept once per evaluation in hcc_ilm_eval_objects,
# each policy's temperature limits per table in hcc_ilm_eval_targets, and the reason's text is
# rendered on read by core.eligibility from those (repository/evaluation_reads.py).
evaluations = Table(
    "hcc_ilm_evaluations",
    metadata,
    _id("evaluation_no"),
    Column("evaluation_id", String(64), nullable=False, unique=True),
    Column("evaluated_at", UtcDateTime(), nullable=False),
    Column("tablespaces_free", Text),  # JSON {tablespace: free bytes} at evaluation time
    Column("pairs", BigInteger),
    Column("eligible", BigInteger),
)
Index("hcc_ilm_evals_at_ix", evaluations.c.evaluated_at)

evaluation_objects = Table(
    "hcc_ilm_eval_objects",
    metadata,
    Column("evaluation_no", BigInteger, primary_key=True, autoincrement=False),
    Column("object_no", BigInteger, primary_key=True, autoincrement=False),
    Column("owner", String(NAME), nullable=False),
    Column("table_name", String(NAME), nullable=False),
    Column("partition_name", String(NAME), nullable=False),
    Column("upper_bound", UtcDateTime()),
    *_fact_columns(),
    Column("compression_rank", Integer),
    sqlite_with_rowid=False,
)
Index(
    "hcc_ilm_evobj_obj_ix",
    evaluation_objects.c.owner,
    evaluation_objects.c.table_name,
    evaluation_objects.c.partition_name,
    evaluation_objects.c.evaluation_no,
)

evaluation_targets = Table(
    "hcc_ilm_eval_targets",
    metadata,
    Column("evaluation_no", BigInteger, primary_key=True, autoincrement=False),
    Column("policy_id", BigInteger, primary_key=True, autoincrement=False),
    Column("owner", String(NAME), primary_key=True),
    Column("table_name", String(NAME), primary_key=True),
    Column("hot_days", Integer, nullable=False),
    Column("warm_days", Integer, nullable=False),
    Column("cold_days", Integer, nullable=False),
    sqlite_with_rowid=False,
)

evaluation_details = Table(
    "hcc_ilm_eval_details",
    metadata,
    Column("evaluation_no", BigInteger, primary_key=True, autoincrement=False),
    Column("policy_id", BigInteger, primary_key=True, autoincrement=False),  # policy + version
    Column("object_no", BigInteger, primary_key=True, autoincrement=False),
    Column("reason", Integer, nullable=False),  # core.reasons.CODES
    sqlite_with_rowid=False,
)

ilm_batches = Table(
    "hcc_ilm_batches",
    metadata,
    _id("batch_id"),
    Column("dag_run_id", String(250)),
    Column("run_type", String(20)),  # scheduled, manual, backfill, forced
    Column("forced", Boolean, nullable=False, default=False),
    Column("window_start", UtcDateTime()),
    Column("window_end", UtcDateTime()),
    # RUNNING, COMPLETED, INTERRUPTED, FAILED (some item failed), SKIPPED (nothing ran)
    Column("status", String(20), nullable=False),
    Column("planned", Integer, nullable=False, default=0),
    Column("succeeded", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("left_pending", Integer, nullable=False, default=0),
    Column("checkpoint", Text),  # JSON: queue ids planned, done
    Column("reason", Text),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
)

execution_log = Table(
    "hcc_ilm_execution_log",
    metadata,
    _id("log_id"),
    Column("queue_id", BigInteger),
    Column("batch_id", BigInteger),
    Column("policy_name", String(128)),
    Column("owner", String(NAME), nullable=False),
    Column("table_name", String(NAME), nullable=False),
    Column("partition_name", String(NAME)),
    Column("action", String(20), nullable=False),
    # RUNNING, SUCCESS, SKIPPED, FAILED, DEFERRED (waits for a later batch)
    Column("status", String(20), nullable=False),
    Column("attempt", Integer, nullable=False, default=1),
    Column("dag_run_id", String(250)),
    Column("map_index", Integer),
    Column("compression_before", String(20)),
    Column("compression_after", String(20)),
    Column("tablespace_before", String(NAME)),
    Column("tablespace_after", String(NAME)),
    Column("bytes_before", BigInteger),
    Column("bytes_after", BigInteger),
    Column("rows_before", BigInteger),
    Column("rows_after", BigInteger),
    Column("ratio", Float),
    Column("duration_s", Float),
    Column("simulated", Boolean, nullable=False, default=False),
    Column("ddl", Text),
    Column("error_code", String(20)),
    Column("error_message", Text),
    # What happened, in words, when the status alone does not say it: an attempt recovered
    # after its worker died, an item that waited for its table, ...
    Column("note", Text),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
)
Index("hcc_ilm_log_queue_ix", execution_log.c.queue_id)
Index("hcc_ilm_log_time_ix", execution_log.c.started_at)

leases = Table(
    "hcc_leases",
    metadata,
    Column("lease_name", String(128), primary_key=True),
    Column("holder", String(250), nullable=False),
    Column("acquired_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)

# Who took over or released a lease other than by finishing normally, and why: a lease taken
# from a dead holder, or released by an operator (`hcc lease release`). The holders named here
# are runs declared dead, whose RUNNING items recovery may re-verify at once.
lease_events = Table(
    "hcc_lease_events",
    metadata,
    _id("event_id"),
    Column("lease_name", String(128), nullable=False),
    Column("event", String(20), nullable=False),  # TAKEN_OVER, RELEASED
    Column("holder", String(250)),  # the holder that lost the lease
    Column("new_holder", String(250)),  # who has it now (none after a release)
    Column("actor", String(250), nullable=False),  # a run id, or the operator's name
    Column("reason", Text, nullable=False),
    Column("happened_at", UtcDateTime(), nullable=False),
)
Index("hcc_lease_ev_ix", lease_events.c.lease_name, lease_events.c.happened_at)

# One ILM action per table at a time (services/table_lock.py, rule LOCK-03): the row names the
# queue item holding the table and the task attempt running it.
table_locks = Table(
    "hcc_table_locks",
    metadata,
    Column("owner", String(NAME), primary_key=True),
    Column("table_name", String(NAME), primary_key=True),
    Column("holder", String(250), nullable=False),  # dag_run_id#map_index, as the item lease
    Column("queue_id", BigInteger, nullable=False),
    Column("acquired_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)

dag_run_log = Table(
    "hcc_dag_runs",
    metadata,
    _id("run_log_id"),
    Column("dag_id", String(250), nullable=False),
    Column("dag_run_id", String(250), nullable=False),
    Column("run_type", String(20), nullable=False),  # scheduled, manual, backfill, forced
    Column("status", String(20), nullable=False),
    Column("objects_extracted", Integer, nullable=False, default=0),
    Column("actions_done", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("summary", Text),  # JSON
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
)

alerts = Table(
    "hcc_alerts",
    metadata,
    _id("alert_id"),
    Column("alert_key", String(250), nullable=False),
    Column("severity", String(10), nullable=False),  # INFO, WARNING, CRITICAL
    Column("message", Text, nullable=False),
    Column("raised_at", UtcDateTime(), nullable=False),
    Column("alert_name", String(64)),  # core.alerts.ALERTS; the key adds what it is about
    # SENT, LOGGED (no channel configured), SUPPRESSED (same key sent within the de-duplication
    # window), FAILED (no channel took it; the next raise tries again). NULL: before delivery.
    Column("status", String(20)),
    Column("channels", String(200)),  # the channels that took it, comma-separated
    Column("delivery_error", Text),
)
Index("hcc_alerts_key_ix", alerts.c.alert_key, alerts.c.raised_at)

operation_log = Table(
    "hcc_operation_log",
    metadata,
    _id("operation_id"),
    Column("strategy", String(128), nullable=False),
    Column("target", String(400), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
    Column("duration_s", Float),
    Column("context", Text),  # JSON
    Column("error", Text),
)

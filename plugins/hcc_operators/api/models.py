"""Response and request bodies of the /hcc API, so OpenAPI documents every field."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, field_validator

from hcc_operators.core.models import ObjectRef

T = TypeVar("T")

SCHEMA_NAME = r"^[A-Za-z][A-Za-z0-9_$#]{0,127}$"


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Rows matching the filters, before limit/offset")
    limit: int
    offset: int


class Health(BaseModel):
    status: str


class ProgressOut(BaseModel):
    percent: float = Field(description="Done, weighted by bytes when sizes are known")
    objects_done: int
    objects_total: int
    elapsed_s: float
    estimated_remaining_s: float | None = Field(
        description="None until there is progress to extrapolate from; 0 when finished"
    )


class AdvisorRunOut(BaseModel):
    run_id: int
    dag_run_id: str | None
    status: str
    strategy: str
    schemas: list[str]
    objects_total: int
    objects_analysed: int
    objects_succeeded: int
    objects_failed: int
    bytes_total: int
    bytes_analysed: int
    started_at: datetime
    updated_at: datetime | None
    finished_at: datetime | None
    error: str | None
    progress: ProgressOut
    ui_url: str | None = Field(description="The DAG run in the Airflow UI")


class RecommendationOut(BaseModel):
    result_id: int
    run_id: int
    object: str = Field(description="OWNER.TABLE[:PARTITION[:SUBPARTITION]]")
    owner: str
    table_name: str
    partition_name: str | None
    subpartition_name: str | None
    object_kind: str
    tablespace_name: str | None
    size_bytes: int | None
    current_compression: str | None
    recommended: str
    expected_ratio: float | None
    estimated_savings: int | None
    hotness: float | None
    recompression: bool
    reason: str | None
    analysed_at: datetime


class ExecutionOut(BaseModel):
    execution_id: int
    dag_run_id: str | None
    map_index: int | None = Field(
        description="The compress_object instance that ran it; None for a rollback"
    )
    result_id: int | None
    object: str
    owner: str
    table_name: str
    partition_name: str | None
    subpartition_name: str | None
    operation: str
    compression_from: str | None
    compression_to: str | None
    tablespace_from: str | None
    tablespace_to: str | None
    status: str
    bytes_before: int | None
    bytes_after: int | None
    rows_before: int | None
    rows_after: int | None
    expected_ratio: float | None
    achieved_ratio: float | None
    space_saved: int | None
    duration_s: float | None
    simulated: bool
    error_code: str | None
    error_message: str | None
    rollback_of: int | None
    started_at: datetime
    finished_at: datetime | None
    ui_url: str | None = Field(description="The task in the Airflow UI")


class ExecutionDetailOut(ExecutionOut):
    ddl: str | None = Field(description="Statements sent, one per line")
    rolled_back_by: list[int] = Field(description="Executions that rolled this one back")


class BatchOut(BaseModel):
    batch_id: int
    dag_run_id: str | None
    run_type: str | None
    forced: bool
    window_start: datetime | None
    window_end: datetime | None
    status: str
    planned: int
    succeeded: int
    skipped: int
    failed: int
    left_pending: int
    reason: str | None
    started_at: datetime
    finished_at: datetime | None
    ui_url: str | None
    outcome: str = Field(
        description="What the batch did, in the words of its DAG run's note in Airflow"
    )


class ActionLogOut(BaseModel):
    log_id: int
    queue_id: int | None
    batch_id: int | None
    policy_name: str | None
    object: str
    action: str
    status: str
    attempt: int
    dag_run_id: str | None
    map_index: int | None
    compression_before: str | None
    compression_after: str | None
    tablespace_before: str | None
    tablespace_after: str | None
    bytes_before: int | None
    bytes_after: int | None
    ratio: float | None
    duration_s: float | None
    simulated: bool
    error_code: str | None
    error_message: str | None
    started_at: datetime
    finished_at: datetime | None
    ui_url: str | None = Field(description="The mapped task instance in the Airflow UI")


class BatchDetailOut(BatchOut):
    actions: list[ActionLogOut]


class QueueItemOut(BaseModel):
    queue_id: int
    policy_name: str
    policy_version: int
    priority: int
    object: str
    action: str
    action_params: dict[str, Any] | None
    size_bytes: int | None
    status: str
    attempts: int
    carried_over: bool
    batch_id: int | None
    predicted_s: float | None
    last_error: str | None
    enqueued_at: datetime
    updated_at: datetime


class BacklogOut(BaseModel):
    by_status: dict[str, int]
    pending_by_policy: dict[str, int]
    pending_bytes: int
    oldest_pending_enqueued_at: datetime | None
    oldest_pending_age_s: float | None


class EvaluationOut(BaseModel):
    policy_name: str
    policy_version: int
    eligible: bool
    reason: str = Field(description="Reason code, e.g. ELIGIBLE or TOO_YOUNG")
    reason_text: str | None
    evaluation_id: str
    evaluated_at: datetime


class PartitionEvaluationsOut(BaseModel):
    object: str
    evaluations: list[EvaluationOut] = Field(description="The latest evaluation per policy")


class PolicyVersionOut(BaseModel):
    policy_id: int
    policy_name: str
    version: int
    checksum: str
    enabled: bool
    priority: int
    action: str
    definition: dict[str, Any]
    is_current: bool
    created_at: datetime
    superseded_at: datetime | None


class OperationOut(BaseModel):
    operation_id: int
    strategy: str
    target: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    context: Any = Field(description="JSON the strategy recorded")
    error: str | None


class AnalyseRequest(BaseModel):
    schemas: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Schemas to analyse; empty analyses every non-Oracle-maintained schema",
    )
    strategy: str | None = Field(default=None, max_length=64)
    incremental: bool = False

    @field_validator("schemas")
    @classmethod
    def _schema_names(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if not re.match(SCHEMA_NAME, s)]
        if bad:
            raise ValueError(f"not schema names: {bad}")
        return [s.upper() for s in value]


class CompressRequest(BaseModel):
    objects: list[str] = Field(
        min_length=1, max_length=1024, description="OWNER.TABLE[:PARTITION[:SUBPARTITION]]"
    )
    dry_run: bool = False

    @field_validator("objects")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        return [ObjectRef.parse(label).label for label in value]


class TriggeredRunOut(BaseModel):
    dag_id: str
    dag_run_id: str
    state: str | None
    ui_url: str = Field(description="The DAG run in the Airflow UI")
    conf: dict[str, Any] = Field(description="The conf the run was started with")
    estimated_savings_bytes: int | None = Field(
        default=None, description="What the advisor expects the selection to save"
    )


class DagStateOut(BaseModel):
    dag_id: str
    is_paused: bool = Field(
        description="A paused DAG queues its runs and starts none until it is unpaused"
    )
    ui_url: str = Field(description="The DAG in the Airflow UI")


class LabelValue(BaseModel):
    label: str
    value: float


class RatioPoint(BaseModel):
    object: str
    compression: str | None
    estimated: float
    achieved: float


class TemperatureTier(BaseModel):
    temperature: str
    tablespace: str
    partitions: int
    size_bytes: int


class DayValue(BaseModel):
    day: str = Field(description="YYYY-MM-DD (UTC)")
    value: float


class FailureOut(BaseModel):
    source: str = Field(description="compression or ilm")
    object: str
    action: str
    error_code: str | None
    error_message: str | None
    at: datetime
    dag_id: str
    dag_run_id: str | None
    map_index: int | None = Field(description="The mapped task instance, when recorded")
    ui_url: str | None = Field(description="The failed task instance in the Airflow UI")
    resolved: bool = Field(description="A later attempt at the same work succeeded")
    resolved_at: datetime | None
    resolved_by: str | None = Field(description="Which later attempt fixed it")


class DashboardData(BaseModel):
    generated_at: datetime
    start_dags: dict[str, str] = Field(
        description="The DAG each dashboard action starts: analyse, compress, rollback"
    )
    latest_run: AdvisorRunOut | None
    savings_by_schema: list[LabelValue]
    recommendations_by_type: list[LabelValue]
    estimated_vs_achieved: list[RatioPoint]
    partitions_by_temperature: list[TemperatureTier]
    space_saved_over_time: list[DayValue] = Field(description="Cumulative bytes saved per day")
    backlog_over_time: list[DayValue] = Field(description="Pending queue items at end of day")
    top_candidates: list[RecommendationOut]
    recent_failures: list[FailureOut]

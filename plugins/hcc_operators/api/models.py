"""Response and request bodies of the /hcc API, so OpenAPI documents every field."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from hcc_operators.api.params import object_label, schema_name
from hcc_operators.core.advisor_config import check_strategy_name
from hcc_operators.core.queue_control import MAX_REASON, PRIORITY_MAX, PRIORITY_MIN

T = TypeVar("T")

#: One schema of a request body: read by the identifier rule (api/params.py).
BodySchema = Annotated[str, StringConstraints(max_length=400), AfterValidator(schema_name)]
#: One object label of a request body, every name validated (api/params.py).
BodyObject = Annotated[str, StringConstraints(max_length=1000), AfterValidator(object_label)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Rows matching the filters, before limit/offset")
    limit: int
    offset: int
    warehouse: str | None = Field(
        default=None, description="The warehouse whose repository was read"
    )


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
    warehouse: str = Field(description="The warehouse whose repository recorded it")


class RecommendationOut(BaseModel):
    result_id: int
    run_id: int
    object: str = Field(description="OWNER.TABLE[:PARTITION[:SUBPARTITION]]")
    object_input: str = Field(
        description="The object as a request names it (POST .../compress `objects`): names "
        "Oracle would not read unquoted, such as the reserved word AUDIT, in double quotes"
    )
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
    warehouse: str = Field(description="The warehouse whose repository recorded it")


class ExecutionDetailOut(ExecutionOut):
    ddl: str | None = Field(description="Statements sent, one per line")
    rolled_back_by: list[int] = Field(description="Executions that rolled this one back")


class BatchOut(BaseModel):
    """One ILM batch. ``status``: RUNNING, COMPLETED (every item SUCCESS or SKIPPED),
    INTERRUPTED (items wait for a later window), FAILED (an item failed; the counts say how
    many), SKIPPED (nothing ran: no window, or another batch held the lease)."""

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
    warehouse: str = Field(description="The warehouse whose repository recorded it")


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
    note: str | None = Field(
        None,
        description="What happened, when the status alone does not say it (an attempt "
        "recovered after its worker died, a wait for a busy table, why it was skipped)",
    )
    started_at: datetime
    finished_at: datetime | None
    ui_url: str | None = Field(description="The mapped task instance in the Airflow UI")


class BatchDetailOut(BatchOut):
    actions: list[ActionLogOut]


class QueueChangeOut(BaseModel):
    """One operator change of a queue item (hcc_ilm_queue_changes)."""

    change_id: int
    queue_id: int
    command: str = Field(description="hold, release, cancel, requeue or priority")
    field: str = Field(description="status or priority")
    old_value: str
    new_value: str
    changed_by: str = Field(description="The Airflow user (API), or the user named by the CLI")
    changed_via: str = Field(description="api, cli, or the DAG run")
    reason: str | None
    changed_at: datetime


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
    last_change: QueueChangeOut | None = Field(
        default=None, description="The latest operator change (who held it, and why)"
    )
    warehouse: str = Field(description="The warehouse whose repository recorded it")


class QueueChangeRequest(BaseModel):
    # As RequestBody below: unknown fields refused, JSON types taken as they are.
    model_config = ConfigDict(extra="forbid", strict=True)

    reason: str | None = Field(
        default=None, max_length=MAX_REASON, description="Why; kept in the item's history"
    )


class PriorityChangeRequest(QueueChangeRequest):
    priority: int = Field(
        ge=PRIORITY_MIN,
        le=PRIORITY_MAX,
        strict=True,
        description=f"{PRIORITY_MIN}-{PRIORITY_MAX}; lower runs first, as a policy's priority",
    )


class QueueCommandOut(BaseModel):
    command: str
    applies_to: list[str] = Field(description="The statuses the command accepts")
    to: str | None = Field(description="The status it leaves; None keeps the status")
    summary: str
    takes_priority: bool


class QueueCommandsOut(BaseModel):
    """core.queue_control.TRANSITIONS, for clients that offer only what applies."""

    commands: list[QueueCommandOut]
    statuses: list[str] = Field(description="Every status a queue item can be in")
    priority_min: int
    priority_max: int


class QueueChangeResultOut(BaseModel):
    change: QueueChangeOut
    item: QueueItemOut
    warehouse: str = Field(description="The warehouse whose queue was changed")


class BacklogOut(BaseModel):
    warehouse: str = Field(description="The warehouse whose queue this is")
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
    created_by: str | None = Field(description="Who made this version (None before recorded)")
    created_via: str | None = Field(description="cli, or the DAG run that synced it")
    change_reason: str | None
    superseded_at: datetime | None
    superseded_by: str | None


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


class RequestBody(BaseModel):
    """Base of every request body: an unknown field is a 422 (``{"schema": [...]}`` must not
    quietly mean "every schema"), and JSON types are taken as they are ("yes" is no boolean)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class AnalyseRequest(RequestBody):
    schemas: list[BodySchema] = Field(
        default_factory=list,
        max_length=1000,
        description='Schemas to analyse (sales = SALES, "Sales" exactly); empty analyses '
        "every non-Oracle-maintained schema",
    )
    strategy: Annotated[str, AfterValidator(check_strategy_name)] | None = Field(
        default=None, description="A strategy of advisor.yaml; default its defaults.strategy"
    )
    incremental: bool = False


class CompressRequest(RequestBody):
    objects: list[BodyObject] = Field(
        min_length=1,
        max_length=1024,
        description="OWNER.TABLE[:PARTITION[:SUBPARTITION]], names as in SQL",
    )
    dry_run: bool = False


class TriggeredRunOut(BaseModel):
    warehouse: str = Field(description="The warehouse the run works on")
    dag_id: str = Field(description="That warehouse's DAG (core.names.dag_id)")
    dag_run_id: str
    state: str | None
    ui_url: str = Field(description="The DAG run in the Airflow UI")
    conf: dict[str, Any] = Field(description="The conf the run was started with")
    estimated_savings_bytes: int | None = Field(
        default=None, description="What the advisor expects the selection to save"
    )


class DagStateOut(BaseModel):
    warehouse: str = Field(description="The warehouse the DAG works on")
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
    warehouse: str = Field(description="The warehouse whose repository recorded it")


class DashboardData(BaseModel):
    generated_at: datetime
    warehouse: str = Field(description="The warehouse whose repository the figures are from")
    start_dags: dict[str, str] = Field(
        description="The DAG each dashboard action starts (analyse, compress, rollback), "
        "the selected warehouse's"
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


class WindowOut(BaseModel):
    """A maintenance window of one warehouse, in its own zone and in UTC."""

    day: str = Field(description="The local date (YYYY-MM-DD) the window opens on")
    kind: str = Field(description="weekday, weekend or holiday (a weekend-treated holiday)")
    opens_at: datetime = Field(description="UTC")
    closes_at: datetime = Field(description="UTC")
    opens_local: datetime = Field(description="In the warehouse's time zone, with its offset")
    closes_local: datetime = Field(description="In the warehouse's time zone, with its offset")


class FleetWarehouseOut(BaseModel):
    """One warehouse of the fleet: its figures, or why they could not be read."""

    name: str
    description: str
    conn_id: str
    is_default: bool = Field(description="Used when a request names no warehouse")
    timezone: str | None = Field(description="IANA zone of its schedule; None if unreadable")
    status: Literal["ok", "unreachable"] = Field(
        description="unreachable: its repository could not be read (see error)"
    )
    error: str | None = Field(description="Why the repository (or schedule) could not be read")
    space_saved_bytes: int | None = Field(
        description="Total space saved, the sum the dashboard charts (compression and ILM)"
    )
    backlog: int | None = Field(description="PENDING queue items")
    backlog_bytes: int | None = Field(description="Bytes of the PENDING queue items")
    recent_failures: int | None = Field(
        description="Failures in the dashboard's Recent failures list (its latest 10)"
    )
    open_failures: int | None = Field(
        description="Of those, the ones no later attempt has resolved"
    )
    current_window: WindowOut | None = Field(description="The window open now, if any")
    next_window: WindowOut | None = Field(
        description="The next window to open (holidays and blackouts respected)"
    )
    window_error: str | None = Field(description="Why no window could be computed")
    dag_ids: dict[str, str] = Field(description="Its DAG ids, by the unsuffixed DAG id")


class FleetOut(BaseModel):
    generated_at: datetime
    default: str | None = Field(description="The warehouse a request without ?warehouse= gets")
    warehouses: list[FleetWarehouseOut]

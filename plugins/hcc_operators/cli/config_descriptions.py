"""One sentence per configuration field, for docs/configuration.md.

Used where a model field has no ``Field(description=...)``; a test fails when a field has
neither, so a new setting cannot reach the reference undocumented.
"""

from __future__ import annotations

from hcc_operators.core import sample_rows
from hcc_operators.core.schedule_config import MAX_DURATION, format_duration

DESCRIPTIONS: dict[tuple[str, str], str] = {
    # warehouses.yaml
    ("FleetFile", "warehouses"): "The warehouses of this deployment (1 to 100), names unique.",
    # policies.yaml
    ("PolicySet", "settings"): "File-wide switches.",
    ("PolicySet", "profiles"): "Temperature threshold profiles by name (upper case).",
    ("PolicySet", "policies"): "The ILM policies, evaluated in priority order.",
    (
        "Settings",
        "allow_custom_sql",
    ): "Allow `conditions.custom_sql` predicates (review them first).",
    ("Settings", "default_profile"): "Profile used when a policy and its table entry name none.",
    ("ThresholdProfile", "hot_days"): "Younger than this (days) is HOT.",
    ("ThresholdProfile", "warm_days"): "Younger than this is WARM; must exceed hot_days.",
    ("ThresholdProfile", "cold_days"): "Younger than this is COLD, older is FROZEN.",
    ("Policy", "name"): "Unique name; letters, digits, `_ . -`.",
    ("Policy", "description"): "Free text shown in the UI and CLI.",
    ("Policy", "enabled"): "A disabled policy is evaluated but never eligible.",
    ("Policy", "priority"): "Lower runs first; waiting items are boosted over time.",
    ("Policy", "tables"): "OWNER.TABLE patterns (`*` wildcard), each optionally with a profile.",
    ("Policy", "profile"): "Threshold profile for this policy's tables.",
    ("Policy", "action"): "What to do with an eligible partition (one of the action types).",
    ("Policy", "conditions"): "All given conditions must hold.",
    ("Policy", "allow_destructive"): "Required opt-in for DROP and TRUNCATE.",
    ("Policy", "acknowledge_young_data"): (
        "Required with DROP or TRUNCATE when the minimum age is under 30 days "
        "(min_age_days < 30 and no min_age_months of 1 or more): confirms that removing data "
        "that young is intended."
    ),
    ("TableTarget", "pattern"): "OWNER.TABLE, `*` matches any run of characters.",
    ("TableTarget", "profile"): "Threshold profile for this table only.",
    ("Conditions", "min_age_days"): "Minimum age in days, counted from the partition's last day.",
    ("Conditions", "min_age_months"): "Minimum age in whole months.",
    ("Conditions", "min_size_mb"): "Minimum segment size in MiB (1024 x 1024 bytes).",
    ("Conditions", "temperatures"): "Allowed temperatures (HOT, WARM, COLD, FROZEN).",
    ("Conditions", "min_tablespace_used_pct"): "Only when the partition's tablespace is this full.",
    ("Conditions", "custom_sql"): "SQL predicate on hcc_partition_access columns (opt-in).",
    ("Conditions", "no_access_days"): (
        "Oracle ADO's 'AFTER N DAYS OF NO ACCESS': not read for this many days, as Heat Map "
        "(connection extra hcc_advanced_compression) or else AWR (hcc_diagnostics_pack) "
        "records reads. Without either nothing tracks reads, and unknown access is never "
        "'no access'. The reason names the source."
    ),
    ("Conditions", "no_modification_days"): (
        "Oracle ADO's 'AFTER N DAYS OF NO MODIFICATION': not modified for this many days, by "
        "Heat Map's segment write time where Heat Map is licensed, else DML monitoring "
        "(ALL_TAB_MODIFICATIONS; a partition it does not list counts from its last statistics "
        "gathering). The reason names the source."
    ),
    # schedule.yaml
    ("ScheduleConfig", "timezone"): "IANA time zone of every wall-clock time in the file.",
    ("ScheduleConfig", "weekday"): "The nightly window on working days.",
    ("ScheduleConfig", "weekend"): "The window on weekend days.",
    ("ScheduleConfig", "holidays"): "Public holidays and company closing days.",
    ("ScheduleConfig", "max_batch_duration"): (
        "Cap on how far ahead one ILM batch plans; null: up to the window's close (later slot "
        "runs top up)."
    ),
    ("ScheduleConfig", "duration_margin"): (
        "Safety factor: an action starts only if predicted duration x this ends before the "
        "window closes; 1.5 covers actions running 50% longer than predicted. Between 1 and 10."
    ),
    ("ScheduleConfig", "daily"): "Start times of the once-a-day DAGs.",
    ("WindowSpec", "open"): "Opening time, 'HH:MM' (quote it in YAML).",
    ("WindowSpec", "close"): "Closing time; earlier than open means the next morning.",
    ("WindowSpec", "every"): (
        "A batch run is started this often within the window, or when the previous batch "
        "ends if it still runs then. At most the window's length (and "
        f"{format_duration(MAX_DURATION)})."
    ),
    ("WindowSpec", "enabled"): (
        "Off: no window on these days (hcc_compress uses weekends only). Some day of the week "
        "must keep a window: a schedule with none is refused."
    ),
    ("WeekendSpec", "open"): "Opening time, 'HH:MM'.",
    ("WeekendSpec", "close"): "Closing time; earlier than open means the next morning.",
    ("WeekendSpec", "every"): (
        "A batch run is started this often within the window, or when the previous batch "
        "ends if it still runs then. At most the window's length (and "
        f"{format_duration(MAX_DURATION)})."
    ),
    ("WeekendSpec", "enabled"): "Without it weekend days use no window.",
    ("WeekendSpec", "days"): "Which days are weekend days.",
    ("HolidaySpec", "country"): "ISO country code for the `holidays` package.",
    ("HolidaySpec", "subdivision"): "State or province code within the country.",
    ("HolidaySpec", "language"): "Language of holiday names used in by_name.",
    ("HolidaySpec", "treatment"): "What a holiday does to its window.",
    ("HolidaySpec", "extra_dates"): "Company closing days: date -> name.",
    ("HolidaySpec", "by_name"): "Treatment per holiday name, overriding `treatment`.",
    ("HolidaySpec", "by_date"): "Treatment per date, overriding everything else.",
    ("DailyTimes", "advisor"): "Advisor DAG start time.",
    ("DailyTimes", "refresh"): "ILM refresh DAG start time.",
    ("DailyTimes", "evaluate"): "ILM evaluate DAG start time.",
    ("DailyTimes", "housekeeping"): "ILM housekeeping DAG start time.",
    # advisor.yaml
    ("AdvisorConfig", "defaults"): "Settings of the measurement run.",
    ("AdvisorConfig", "strategies"): (
        "Recommendation strategies by name (a letter or digit, then letters, digits, _ . -)."
    ),
    ("AdvisorDefaults", "strategy"): "Strategy used when a run names none.",
    ("AdvisorDefaults", "sample_rows"): (
        f"Rows sampled per estimate: {sample_rows.describe()} "
        "(DBMS_COMPRESSION.COMP_RATIO_ALLROWS)."
    ),
    ("AdvisorDefaults", "parallel_degree"): "Parallel degree of the estimates.",
    ("AdvisorDefaults", "min_size_mb"): "Objects smaller than this many MiB are not analysed.",
    ("AdvisorDefaults", "chunk_size"): "Objects per mapped analysis task.",
    ("AdvisorDefaults", "observation_days"): "Days of access statistics considered.",
    ("AdvisorDefaults", "scratch_tablespace"): "Tablespace for DBMS_COMPRESSION scratch tables.",
    ("Strategy", "name"): "Set from the mapping key; leave it out.",
    ("Strategy", "max_hotness_hcc"): "Highest hotness (0-100) that may still get an HCC level.",
    ("Strategy", "max_hotness_advanced"): "Highest hotness that may still get ADVANCED.",
    ("Strategy", "min_ratio_gain"): "Minimum ratio improvement over the current compression.",
    ("Strategy", "min_size_mb"): "Objects smaller than this many MiB get no recommendation.",
    ("Strategy", "max_level"): "Densest level this strategy recommends.",
    ("Strategy", "recompress_decay_threshold"): "Decayed-row share that triggers recompression.",
    # housekeeping.yaml
    ("HousekeepingConfig", "retention"): "How long repository rows are kept.",
    (
        "HousekeepingConfig",
        "stuck_running_hours",
    ): "A RUNNING item untouched this long counts as lost: housekeeping recovers it from the live dictionary (never marks it FAILED without looking).",
    ("HousekeepingConfig", "health"): "Health-check thresholds.",
    ("Retention", "execution_log_days"): "Days of execution log kept.",
    ("Retention", "evaluation_details_days"): "Days of evaluation details kept.",
    ("Retention", "finished_queue_days"): "Days finished queue items are kept.",
    ("Retention", "alerts_days"): "Days of alerts kept.",
    ("Health", "failure_rate_pct"): "Alert when this share of recent executions failed.",
    ("Health", "failure_window_hours"): "Window of the failure rate.",
    ("Health", "backlog_max"): "Alert when more items than this are PENDING.",
    ("Health", "backlog_growth_per_day"): (
        "Alert when the queue grows by more than this many items a day net of executions."
    ),
    ("Health", "no_success_hours"): "Alert when nothing succeeded for this long.",
    ("Health", "ratio_shortfall_pct"): "Alert when the achieved ratio falls this far short.",
    (
        "Health",
        "large_success_gb",
    ): "A compression saving more than this many GiB (1024^3 bytes) raises an INFO alert.",
    ("Health", "tablespace_full_pct"): (
        "Alert when a tablespace is fuller than this and actions on it failed or were deferred."
    ),
    ("Health", "paused_dags_ignored"): "Maintenance DAG ids whose pause is intended (no alert).",
    ("Health", "duration_trend_pct"): (
        "Alert when seconds per GiB of one kind rose by more than this against the baseline."
    ),
    ("Health", "duration_recent_days"): "Days of recent executions compared with the baseline.",
    ("Health", "duration_baseline_days"): "Days before the recent ones that form the baseline.",
    ("Health", "duration_min_samples"): "Executions needed in each period before comparing.",
    ("Health", "dedupe_minutes"): "The same alert is not sent again within this time.",
}

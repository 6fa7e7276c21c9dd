"""housekeeping.yaml: retention periods and health-check thresholds.

Every number has an upper bound: a retention of 10^11 days or ``.inf`` hours is a typo, and
left alone it overflows date arithmetic in the housekeeping task instead of failing here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from hcc_operators.core.config_model import MAX_DAYS, MAX_HOURS, ConfigModel
from hcc_operators.core.config_yaml import load_config_file
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.paths import config_dir

HOUSEKEEPING_FILE = "housekeeping.yaml"
#: A billion: more queue items than any warehouse has partitions.
_MAX_ITEMS = 10**9


class Retention(ConfigModel):
    execution_log_days: int = Field(180, ge=1, le=MAX_DAYS)
    evaluation_details_days: int = Field(14, ge=1, le=MAX_DAYS)
    finished_queue_days: int = Field(90, ge=1, le=MAX_DAYS)
    alerts_days: int = Field(90, ge=1, le=MAX_DAYS)


class Health(ConfigModel):
    failure_rate_pct: float = Field(20, gt=0, le=100)
    failure_window_hours: float = Field(4, gt=0, le=MAX_HOURS)
    backlog_max: int = Field(1000, ge=0, le=_MAX_ITEMS)
    backlog_growth_per_day: int = Field(200, ge=0, le=_MAX_ITEMS)
    no_success_hours: float = Field(24, gt=0, le=MAX_HOURS)
    ratio_shortfall_pct: float = Field(25, gt=0, lt=100)
    # A petabyte.
    large_success_gb: float = Field(10, gt=0, le=2**20)
    tablespace_full_pct: float = Field(90, gt=0, le=100)
    # DAG ids, as the Airflow UI shows them, whose pause is intended (e.g. hcc_compress where
    # only the ILM pipeline is used).
    paused_dags_ignored: tuple[Annotated[str, Field(min_length=1, max_length=250)], ...] = ()
    duration_trend_pct: float = Field(50, gt=0, le=10_000)
    duration_recent_days: float = Field(7, gt=0, le=MAX_HOURS / 24)
    duration_baseline_days: float = Field(28, gt=0, le=MAX_HOURS / 24)
    duration_min_samples: int = Field(5, ge=1, le=1_000_000)
    dedupe_minutes: float = Field(240, ge=0, le=MAX_HOURS * 60)


class HousekeepingConfig(ConfigModel):
    retention: Retention = Field(default_factory=Retention)
    stuck_running_hours: float = Field(12, gt=0, le=MAX_HOURS)
    health: Health = Field(default_factory=Health)


def load_housekeeping(path: str | Path | None = None) -> HousekeepingConfig:
    """Read housekeeping.yaml; a missing or empty file means the defaults."""
    file = Path(path) if path else config_dir() / HOUSEKEEPING_FILE
    return parse_housekeeping(load_config_file(file, optional=True), source=str(file))


def parse_housekeeping(data: Any, *, source: str) -> HousekeepingConfig:
    """Validate already-loaded housekeeping data (None: the defaults)."""
    if data is None:
        return HousekeepingConfig()
    if not isinstance(data, dict):
        raise ConfigError(
            f"expected a mapping with retention, stuck_running_hours and health, got "
            f"{type(data).__name__}",
            source=source,
        )
    try:
        return HousekeepingConfig.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        message = first["msg"]
        if isinstance(first.get("input"), str | int | float) and len(err.errors()) == 1:
            message += f" (got {first['input']!r})"
        elif len(err.errors()) > 1:
            message += f" (and {len(err.errors()) - 1} more problem(s))"
        raise ConfigError(message, source=source, field=field) from None

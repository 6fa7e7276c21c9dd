"""housekeeping.yaml: retention periods and health-check thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.paths import config_dir


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Retention(_Model):
    execution_log_days: int = Field(180, ge=1)
    evaluation_details_days: int = Field(14, ge=1)
    finished_queue_days: int = Field(90, ge=1)
    alerts_days: int = Field(90, ge=1)


class Health(_Model):
    failure_rate_pct: float = Field(20, gt=0, le=100)
    failure_window_hours: float = Field(4, gt=0)
    backlog_max: int = Field(1000, ge=0)
    backlog_growth_per_day: int = Field(200, ge=0)
    no_success_hours: float = Field(24, gt=0)
    ratio_shortfall_pct: float = Field(25, gt=0, lt=100)
    large_success_gb: float = Field(10, gt=0)
    tablespace_full_pct: float = Field(90, gt=0, le=100)
    # DAG ids, as the Airflow UI shows them, whose pause is intended (e.g. hcc_compress where
    # only the ILM pipeline is used).
    paused_dags_ignored: tuple[Annotated[str, Field(min_length=1, max_length=250)], ...] = ()
    duration_trend_pct: float = Field(50, gt=0)
    duration_recent_days: float = Field(7, gt=0)
    duration_baseline_days: float = Field(28, gt=0)
    duration_min_samples: int = Field(5, ge=1)
    dedupe_minutes: float = Field(240, ge=0)


class HousekeepingConfig(_Model):
    retention: Retention = Field(default_factory=Retention)
    stuck_running_hours: float = Field(12, gt=0)
    health: Health = Field(default_factory=Health)


def load_housekeeping(path: str | Path | None = None) -> HousekeepingConfig:
    path = Path(path) if path else config_dir() / "housekeeping.yaml"
    if not path.exists():
        return HousekeepingConfig()
    try:
        data = yaml.safe_load(path.read_text()) or {}
        return HousekeepingConfig.model_validate(data)
    except yaml.YAMLError as err:
        raise ConfigError(f"not valid YAML: {err}", source=str(path)) from err
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(first["msg"], source=str(path), field=field) from err

"""The compression advisor's settings (include/config/advisor.yaml), validated.

``defaults`` drive the measurement run (what to measure and how); a ``Strategy`` drives the
recommendation for each measured object (see core/recommendation.py for how the thresholds
are used). Every problem is reported as a ConfigError naming the file and the setting.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from hcc_operators.core.config_model import ConfigModel
from hcc_operators.core.config_yaml import load_config_file
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import ESTIMATED_TYPES, CompressionType
from hcc_operators.core.paths import config_dir
from hcc_operators.core.sample_rows import check_sample_rows, describe
from hcc_operators.core.units import MIB

FILE_NAME = "advisor.yaml"
#: An advisor strategy name (advisor.yaml keys, the DAG's Param, the API), matched whole.
STRATEGY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def check_strategy_name(value: Any) -> str:
    """The one rule for advisor strategy names; ValueError otherwise."""
    if not isinstance(value, str) or not STRATEGY_NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a strategy name (a letter or digit, then letters, digits, "
            "_ . -; at most 64 characters)"
        )
    return value


StrategyName = Annotated[str, AfterValidator(check_strategy_name)]
#: A petabyte, in MB: a larger minimum size would exclude every object.
_MAX_MB = 2**30


class AdvisorDefaults(ConfigModel):
    strategy: StrategyName = "balanced"
    sample_rows: int = 1_000_000
    parallel_degree: int = Field(4, ge=1, le=512)
    min_size_mb: float = Field(64.0, ge=0, le=_MAX_MB)
    # The advisor maps at most 1024 tasks; a chunk larger than that is one task.
    chunk_size: int = Field(20, ge=1, le=1_000_000)
    observation_days: int = Field(30, ge=1, le=3660)
    scratch_tablespace: str | None = None

    @field_validator("sample_rows")
    @classmethod
    def _sample_rows(cls, value: int) -> int:
        try:
            return check_sample_rows(value)
        except ConfigError:
            raise ValueError(f"must be {describe()}") from None

    @field_validator("scratch_tablespace")
    @classmethod
    def _scratch(cls, value: str | None) -> str | None:
        # The name is validated and quoted where SQL is built (core.ddl); here only reject
        # values that are plainly not a name, so the mistake surfaces at load time.
        if value is not None and not value.strip():
            raise ValueError("must be a tablespace name or null")
        return value.strip() if value is not None else None


class Strategy(ConfigModel):
    """Thresholds for one way of recommending compression.

    Hotness limits are inclusive: an object whose hotness equals ``max_hotness_hcc`` may still
    get an HCC level.
    """

    name: str
    max_hotness_hcc: float = Field(ge=0, le=100)
    max_hotness_advanced: float = Field(ge=0, le=100)
    # A gain of 1000x over the next level is already more than any compression achieves.
    min_ratio_gain: float = Field(ge=0, le=1000)
    min_size_mb: float = Field(ge=0, le=_MAX_MB)
    max_level: CompressionType
    recompress_decay_threshold: float = Field(gt=0, le=1)

    @field_validator("max_level", mode="before")
    @classmethod
    def _parse_level(cls, value: Any) -> CompressionType:
        # CompressionType is a str subclass, and parse() mis-reads a member (str() of a member is
        # "CompressionType.X"), so members pass through untouched.
        if isinstance(value, CompressionType):
            level = value
        elif isinstance(value, str):
            level = CompressionType.parse(value)
        else:
            raise ValueError(f"{value!r} is not a compression level name")
        if level not in ESTIMATED_TYPES:
            raise ValueError(
                f"{value!r} is not a level the advisor estimates; use one of "
                + ", ".join(t.value for t in ESTIMATED_TYPES)
            )
        return level

    @model_validator(mode="after")
    def _limits_ordered(self) -> Strategy:
        # HCC suits colder data than ADVANCED; a lower ADVANCED limit would let an object be
        # too hot for ADVANCED yet cold enough for HCC.
        if self.max_hotness_advanced < self.max_hotness_hcc:
            raise ValueError(
                f"max_hotness_advanced ({self.max_hotness_advanced}) must be at least "
                f"max_hotness_hcc ({self.max_hotness_hcc})"
            )
        return self

    @property
    def min_size_bytes(self) -> int:
        return int(self.min_size_mb * MIB)


class AdvisorConfig(ConfigModel):
    defaults: AdvisorDefaults = Field(default_factory=AdvisorDefaults)
    strategies: dict[StrategyName, Strategy]
    _source: str | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _name_strategies(cls, data: Any) -> Any:
        # The mapping key is the strategy's name; copy it in so a Strategy carries its name
        # into recommendations and logs.
        if isinstance(data, dict) and isinstance(data.get("strategies"), dict):
            named = {}
            for key, body in data["strategies"].items():
                if isinstance(body, dict):
                    if "name" in body and body["name"] != key:
                        raise ValueError(
                            f"strategy {key!r} has name {body['name']!r}; leave name out, "
                            "the key is the name"
                        )
                    body = {**body, "name": key}
                named[key] = body
            data = {**data, "strategies": named}
        return data

    @model_validator(mode="after")
    def _default_is_known(self) -> AdvisorConfig:
        if not self.strategies:
            raise ValueError("strategies: at least one strategy is needed")
        if self.defaults.strategy not in self.strategies:
            raise ValueError(
                f"defaults.strategy {self.defaults.strategy!r} is not defined; "
                f"known strategies: {', '.join(sorted(self.strategies))}"
            )
        return self

    @property
    def source(self) -> str | None:
        return self._source

    def strategy(self, name: str | None = None) -> Strategy:
        """The strategy called ``name``, or the default one when ``name`` is empty."""
        key = name or self.defaults.strategy
        try:
            return self.strategies[key]
        except KeyError:
            raise ConfigError(
                f"unknown strategy {key!r}; known strategies: {', '.join(sorted(self.strategies))}",
                source=self._source,
                field="strategy",
            ) from None


def load_advisor_config(path: str | Path | None = None) -> AdvisorConfig:
    """Read and validate advisor.yaml (default: ``config_dir()/advisor.yaml``)."""
    file = Path(path) if path is not None else config_dir() / FILE_NAME
    source = str(file)
    data = load_config_file(file)
    if not isinstance(data, dict):
        raise ConfigError(
            "expected a mapping with 'defaults' and 'strategies' at the top level",
            source=source,
        )
    return parse_advisor_config(data, source=source)


def parse_advisor_config(data: dict, *, source: str | None = None) -> AdvisorConfig:
    """Validate an already-parsed mapping (a Param override, a test) like the file."""
    try:
        config = AdvisorConfig.model_validate(data)
    except ValidationError as exc:
        raise _config_error(exc, source) from None
    config._source = source
    return config


def _config_error(exc: ValidationError, source: str | None) -> ConfigError:
    problems = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        problems.append((location, message))
    if len(problems) == 1:
        location, message = problems[0]
        return ConfigError(message, source=source, field=location or None)
    text = "; ".join(f"{loc}: {msg}" if loc else msg for loc, msg in problems)
    return ConfigError(f"{len(problems)} problems: {text}", source=source)

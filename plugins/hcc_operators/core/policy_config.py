"""ILM policies as the user writes them in include/config/policies.yaml, validated.

Structure is checked by pydantic; every rule that protects data (destructive opt-in, custom SQL
opt-in, an age bound before anything is dropped) is checked here as well, at load time, so a bad
file fails the evaluate task before any partition is looked at. Errors are ConfigError naming
the file, the policy and the field, never a bare pydantic dump.

Profiles are resolved leniently at evaluation time (a missing profile falls back to DEFAULT,
then to the built-in 90/365/1095 days) because a typo in a profile name must not stop the
whole ILM run; ``PolicySet.issues`` and ``validate`` report every such fallback.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hcc_operators.core.actions import policy_kinds, policy_params_type
from hcc_operators.core.config_model import MAX_DAYS, ConfigModel
from hcc_operators.core.config_yaml import load_config_file, parse_config_text
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.paths import config_dir
from hcc_operators.core.policy_errors import translate
from hcc_operators.core.table_patterns import PatternError, TablePattern, compile_pattern
from hcc_operators.core.temperature import BUILTIN_THRESHOLDS, Temperature, Thresholds

DEFAULT_PROFILE = "DEFAULT"
POLICIES_FILE = "policies.yaml"

#: A policy name, matched whole (fullmatch): a trailing newline is not part of a name.
POLICY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
#: Priorities run from 0 (first) to this; waiting items are boosted below their own number.
MAX_PRIORITY = 1_000_000
#: DROP/TRUNCATE whose minimum age is below this many days (and under one month) need
#: ``acknowledge_young_data: true``: removing data that young is legal but rarely intended.
YOUNG_DATA_DAYS = 30


def check_policy_name(value: str) -> str:
    """The one rule for policy names (policies.yaml, API filters and paths)."""
    if not isinstance(value, str) or not POLICY_NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a policy name (a letter or digit, then letters, digits, _ . -; "
            "at most 128 characters)"
        )
    return value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


ProfileName = Annotated[str, BeforeValidator(_upper), Field(min_length=1, max_length=128)]


_Model = ConfigModel


#: The tagged union of every action kind a policy may name (core.actions declares them).
PolicyAction = policy_params_type()
ACTION_TYPES = policy_kinds()


def _action_type(value: Any) -> Any:
    # Users write "compress" or "read only"; the discriminator needs the exact tag.
    if isinstance(value, Mapping) and isinstance(value.get("type"), str):
        tag = re.sub(r"[\s-]+", "_", value["type"].strip()).upper()
        return {**value, "type": tag}
    return value


def _temperatures(value: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        return [v.upper() if isinstance(v, str) else v for v in value]
    return value


class Conditions(_Model):
    """All given conditions must hold (AND); an omitted condition does not restrict."""

    min_age_days: int | None = Field(None, ge=0, le=MAX_DAYS)
    min_age_months: int | None = Field(None, ge=0, le=MAX_DAYS // 30)
    # A petabyte: a larger minimum would make the policy never apply.
    min_size_mb: float | None = Field(None, ge=0, le=2**30)
    temperatures: Annotated[
        tuple[Temperature, ...] | None, BeforeValidator(_temperatures), Field(min_length=1)
    ] = None
    # Oracle ADO's "no access / no modification for N days" (Heat Map where it tracks, DML
    # monitoring for modifications otherwise; the reason names the source).
    no_access_days: int | None = Field(None, ge=1, le=MAX_DAYS)
    no_modification_days: int | None = Field(None, ge=1, le=MAX_DAYS)
    min_tablespace_used_pct: float | None = Field(None, ge=0, le=100)
    custom_sql: str | None = Field(None, min_length=1)

    @field_validator("custom_sql")
    @classmethod
    def _one_predicate(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise PydanticCustomError("custom_sql", "custom_sql is blank")
        # A predicate, not a statement: it is placed in a WHERE clause by the SQL evaluator.
        if ";" in value:
            raise PydanticCustomError(
                "custom_sql", "custom_sql must be a single predicate without ';'"
            )
        if not (info.context or {}).get("allow_custom_sql", False):
            raise PydanticCustomError(
                "custom_sql_disabled",
                "custom_sql is only allowed when settings.allow_custom_sql is true",
            )
        return value.strip()


class TableTarget(_Model):
    """One OWNER.TABLE pattern, optionally with its own threshold profile."""

    pattern: str
    profile: ProfileName | None = None

    @field_validator("pattern")
    @classmethod
    def _valid_pattern(cls, value: str) -> str:
        try:
            return compile_pattern(value).text
        except PatternError as exc:
            raise PydanticCustomError("table_pattern", str(exc)) from None

    def compiled(self) -> TablePattern:
        return compile_pattern(self.pattern)


def _table_target(value: Any) -> Any:
    return {"pattern": value} if isinstance(value, str) else value


class Policy(_Model):
    name: Annotated[str, AfterValidator(check_policy_name)]
    description: str = ""
    enabled: bool = True
    priority: int = Field(100, ge=0, le=MAX_PRIORITY)
    tables: tuple[Annotated[TableTarget, BeforeValidator(_table_target)], ...] = Field(min_length=1)
    profile: ProfileName | None = None
    action: Annotated[PolicyAction, BeforeValidator(_action_type)]  # an ActionParams
    conditions: Conditions = Field(default_factory=Conditions)
    # Declared after action and conditions so the validators below can see both.
    allow_destructive: bool = Field(False, validate_default=True)
    acknowledge_young_data: bool = Field(False, validate_default=True)

    @field_validator("allow_destructive")
    @classmethod
    def _destructive_opt_in(cls, value: bool, info: ValidationInfo) -> bool:
        action = info.data.get("action")
        if action is None or not action.kind.destructive:
            return value
        if not value:
            raise PydanticCustomError(
                "destructive_not_allowed",
                "action {kind} removes data and needs allow_destructive: true",
                {"kind": action.kind.value},
            )
        conditions = info.data.get("conditions")
        if conditions is not None and (
            conditions.min_age_days is None and conditions.min_age_months is None
        ):
            raise PydanticCustomError(
                "destructive_without_age",
                "action {kind} needs conditions.min_age_days or min_age_months so that only "
                "old partitions can be removed",
                {"kind": action.kind.value},
            )
        return value

    @field_validator("acknowledge_young_data")
    @classmethod
    def _young_data_acknowledged(cls, value: bool, info: ValidationInfo) -> bool:
        action = info.data.get("action")
        conditions = info.data.get("conditions")
        if value or action is None or conditions is None or not action.kind.destructive:
            return value
        if "allow_destructive" not in info.data:
            return value  # the opt-in itself failed; that error is reported already
        days, months = conditions.min_age_days, conditions.min_age_months
        if (days or 0) >= YOUNG_DATA_DAYS or (months or 0) >= 1:
            return value
        given = ", ".join(
            f"{name}: {number}"
            for name, number in (("min_age_days", days), ("min_age_months", months))
            if number is not None
        )
        raise PydanticCustomError(
            "young_data_not_acknowledged",
            "action {kind} with {given} may remove partitions younger than {limit} days; if "
            "that is intended set acknowledge_young_data: true, otherwise raise the minimum age",
            {"kind": action.kind.value, "given": given, "limit": YOUNG_DATA_DAYS},
        )

    @property
    def kind(self):  # -> ActionKind
        return self.action.kind

    @property
    def canonical_json(self) -> str:
        """The policy as sorted-key compact JSON, defaults included: what the checksum hashes.

        Fields added after policies were first versioned are left out while they hold their
        default, so adding them did not give every stored policy a new version.
        """
        data = self.model_dump(mode="json")
        for name in _ADDED_LATER:
            if data.get(name) == type(self).model_fields[name].default:
                del data[name]
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def checksum(self) -> str:
        """sha256 of the canonical JSON: equal for equal policies whatever the YAML key order."""
        return hashlib.sha256(self.canonical_json.encode("utf-8")).hexdigest()


#: See Policy.canonical_json.
_ADDED_LATER = ("acknowledge_young_data",)


class ThresholdProfile(_Model):
    hot_days: int = Field(ge=1, le=MAX_DAYS)
    warm_days: int = Field(ge=1, le=MAX_DAYS)
    cold_days: int = Field(ge=1, le=MAX_DAYS)

    @model_validator(mode="after")
    def _increasing(self) -> ThresholdProfile:
        if not self.hot_days < self.warm_days < self.cold_days:
            raise PydanticCustomError(
                "thresholds_order",
                "thresholds must be strictly increasing (hot_days < warm_days < cold_days), "
                "got {hot}/{warm}/{cold}",
                {"hot": self.hot_days, "warm": self.warm_days, "cold": self.cold_days},
            )
        return self

    def thresholds(self) -> Thresholds:
        return Thresholds(self.hot_days, self.warm_days, self.cold_days)


class Settings(_Model):
    allow_custom_sql: bool = False
    default_profile: ProfileName = DEFAULT_PROFILE


class PolicySet(_Model):
    settings: Settings = Field(default_factory=Settings)
    profiles: dict[ProfileName, ThresholdProfile] = Field(default_factory=dict)
    policies: tuple[Policy, ...] = ()
    source: str | None = Field(None, exclude=True)

    @field_validator("policies")
    @classmethod
    def _unique_names(cls, policies: tuple[Policy, ...]) -> tuple[Policy, ...]:
        seen: set[str] = set()
        for policy in policies:
            if policy.name in seen:
                raise PydanticCustomError(
                    "duplicate_policy",
                    "policy name {name} is used more than once; names must be unique",
                    {"name": repr(policy.name), "policy": policy.name, "field": "name"},
                )
            seen.add(policy.name)
        return policies

    def get(self, name: str) -> Policy:
        for policy in self.policies:
            if policy.name == name:
                return policy
        raise KeyError(f"no policy named {name!r} in {self.source or 'the policy set'}")

    def resolve_profile(self, name: str | None) -> tuple[str, Thresholds, str | None]:
        """(profile used, its thresholds, a warning when a fallback was taken)."""
        wanted = (name or self.settings.default_profile).upper()
        if wanted in self.profiles:
            return wanted, self.profiles[wanted].thresholds(), None
        if DEFAULT_PROFILE in self.profiles:
            return (
                DEFAULT_PROFILE,
                self.profiles[DEFAULT_PROFILE].thresholds(),
                f"profile {wanted!r} is not defined; using {DEFAULT_PROFILE}",
            )
        warning = None
        if wanted != DEFAULT_PROFILE:
            warning = f"profile {wanted!r} is not defined and there is no {DEFAULT_PROFILE}"
        elif self.profiles:
            warning = f"no {DEFAULT_PROFILE} profile is defined"
        if warning:
            warning += (
                f"; using the built-in {BUILTIN_THRESHOLDS.hot_days}/"
                f"{BUILTIN_THRESHOLDS.warm_days}/{BUILTIN_THRESHOLDS.cold_days} days"
            )
        return DEFAULT_PROFILE, BUILTIN_THRESHOLDS, warning

    def profile_for(self, policy: Policy, target: TableTarget | None = None) -> str | None:
        """The profile name a (policy, table target) asks for: table's, then policy's."""
        return (target.profile if target else None) or policy.profile

    def table_thresholds(self, owner: str, table: str) -> Thresholds:
        """The thresholds to record a table's temperature with (the refresh stage's choice).

        The first policy in priority order whose target for the table names a profile (table
        level before policy level) decides; otherwise the default profile. Evaluation itself
        re-derives temperature per policy, so this only decides what is stored and displayed.
        """
        for policy in sorted(self.policies, key=lambda p: (p.priority, p.name)):
            for target in policy.tables:
                if target.compiled().matches(owner, table):
                    wanted = self.profile_for(policy, target)
                    if wanted:
                        return self.resolve_profile(wanted)[1]
                    break
        return self.resolve_profile(None)[1]

    def issues(self) -> list[str]:
        """Problems that do not stop evaluation but that ``validate`` reports."""
        found: list[str] = []
        _, _, warning = self.resolve_profile(None)
        if warning:
            found.append(f"settings.default_profile: {warning}")
        for policy in self.policies:
            named = [("profile", policy.profile)] + [
                (f"tables[{i}].profile", t.profile) for i, t in enumerate(policy.tables)
            ]
            for field_path, profile in named:
                if profile is not None and profile not in self.profiles:
                    _, _, warning = self.resolve_profile(profile)
                    found.append(f"policies[{policy.name}].{field_path}: {warning}")
        return found


def parse_policies(
    text_or_data: str | Mapping[str, Any], *, source: str | None = None
) -> PolicySet:
    """Validate YAML text (or already parsed data) into a PolicySet; raises ConfigError."""
    if isinstance(text_or_data, str):
        data = parse_config_text(text_or_data, source=source)
    else:
        data = text_or_data
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"the file must hold a mapping with settings, profiles and policies, "
            f"not a {type(data).__name__}",
            source=source,
        )
    settings = data.get("settings")
    allow_custom_sql = isinstance(settings, Mapping) and settings.get("allow_custom_sql") is True
    try:
        policy_set = PolicySet.model_validate(
            {**data, "source": source}, context={"allow_custom_sql": allow_custom_sql}
        )
    except ValidationError as exc:
        raise translate(exc, data, source, action_types=ACTION_TYPES) from None
    return policy_set


def load_policies(path: str | Path | None = None) -> PolicySet:
    """Read policies.yaml (default: config_dir()/policies.yaml)."""
    file = Path(path) if path is not None else config_dir() / POLICIES_FILE
    data = load_config_file(file)
    return parse_policies({} if data is None else data, source=str(file))


def validate(path: str | Path | None = None) -> list[str]:
    """Load the file (raising ConfigError when it is invalid) and list its non-fatal issues."""
    policy_set = load_policies(path)
    return [f"{policy_set.source}: {issue}" for issue in policy_set.issues()]

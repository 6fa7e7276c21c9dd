"""warehouses.yaml: the fleet of warehouses one deployment serves, and each one's configuration.

Each warehouse has a name (the suffix of its DAG ids, pools and assets, the ``warehouse``
label of its metrics), the Airflow connection that reaches it, and the configuration files
that apply to it. A file is resolved per warehouse in this order:

1. ``<config_dir>/<file>`` when the warehouse names a ``config_dir`` holding that file (a
   per-warehouse file replaces the shared one entirely);
2. otherwise the shared ``include/config/<file>``;
3. then ``overrides.<kind>`` from warehouses.yaml is merged over what was read: mappings merge
   key by key, anything else (a list, a value, an empty mapping) replaces. So a warehouse in New York can share
   every window of the Berlin schedule and change only ``timezone`` and ``holidays.country``.

Without warehouses.yaml the deployment has one warehouse, ``default``, on the ``hcc_warehouse``
connection with the shared files: exactly what a single-warehouse deployment had before
fleets, with the same DAG ids, pools and history (core/names.py keeps the default's names
unsuffixed).

Pure: reading and validating files only, no database, no Airflow, so DAG files can generate
one set of DAGs per warehouse at parse time. Parsed files are cached by path, size and
modification time, because every DAG file of a 20-warehouse fleet asks for the same ones.
"""

from __future__ import annotations

import copy
import enum
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pydantic import Field, ValidationError, field_validator, model_validator

from hcc_operators.core.config_model import ConfigModel
from hcc_operators.core.config_yaml import load_config_file
from hcc_operators.core.conn_ids import DEFAULT_CONN_ID
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.names import DEFAULT_WAREHOUSE, check_warehouse
from hcc_operators.core.paths import config_dir

if TYPE_CHECKING:
    from hcc_operators.core.advisor_config import AdvisorConfig
    from hcc_operators.core.housekeeping_config import HousekeepingConfig
    from hcc_operators.core.policy_config import PolicySet
    from hcc_operators.core.schedule_config import ScheduleConfig

# The models of the four files are imported when a file of that kind is first read, not with
# this module: a DAG file that needs only the schedule (housekeeping, the advisor's time) does
# not pay for the policy and action models (bench/dag_parse.py).

WAREHOUSES_FILE: Final = "warehouses.yaml"
#: More warehouses than this is more DAGs than one DAG processor parses in its interval
#: (7 DAGs each); bench/ measures the parse cost of 20.
MAX_WAREHOUSES: Final = 100
# Airflow's own rule for connection ids (airflow.models.connection: letters, digits, and
# ``_ . -``), with its 250-character column limit.
_CONN_ID = re.compile(r"[A-Za-z0-9_.\-]{1,250}")


class ConfigKind(enum.StrEnum):
    """The configuration files a warehouse may replace or override."""

    SCHEDULE = "schedule"
    POLICIES = "policies"
    ADVISOR = "advisor"
    HOUSEKEEPING = "housekeeping"


#: The file of each kind (core/*_config.py declare the same names; a test compares them).
_FILES: Final[dict[ConfigKind, str]] = {
    ConfigKind.SCHEDULE: "schedule.yaml",
    ConfigKind.POLICIES: "policies.yaml",
    ConfigKind.ADVISOR: "advisor.yaml",
    ConfigKind.HOUSEKEEPING: "housekeeping.yaml",
}


def _advisor(data: Any, *, source: str) -> AdvisorConfig:
    from hcc_operators.core.advisor_config import parse_advisor_config

    if not isinstance(data, dict):
        raise ConfigError(
            "expected a mapping with 'defaults' and 'strategies' at the top level", source=source
        )
    return parse_advisor_config(data, source=source)


def _policies(data: Any, *, source: str) -> PolicySet:
    from hcc_operators.core.policy_config import parse_policies

    return parse_policies({} if data is None else data, source=source)


def _schedule(data: Any, *, source: str) -> ScheduleConfig:
    from hcc_operators.core.schedule_config import parse_schedule

    return parse_schedule({} if data is None else data, source=source)


def _housekeeping(data: Any, *, source: str) -> HousekeepingConfig:
    from hcc_operators.core.housekeeping_config import parse_housekeeping

    return parse_housekeeping(data, source=source)


_PARSERS: Final[dict[ConfigKind, Callable[..., Any]]] = {
    ConfigKind.SCHEDULE: _schedule,
    ConfigKind.POLICIES: _policies,
    ConfigKind.ADVISOR: _advisor,
    ConfigKind.HOUSEKEEPING: _housekeeping,
}
#: housekeeping.yaml may be absent (its defaults apply); the others are required.
_OPTIONAL: Final = frozenset({ConfigKind.HOUSEKEEPING})


class WarehouseEntry(ConfigModel):
    """One warehouse as written in warehouses.yaml."""

    name: str = Field(description="Suffix of its DAG ids, pools and assets; `default` keeps none")
    conn_id: str = Field(description="Airflow connection of the warehouse (oracle or sqlite)")
    description: str = Field("", max_length=200, description="Shown in the fleet overview")
    config_dir: str | None = Field(
        None,
        description="Folder (relative to include/config) whose files replace the shared ones",
    )
    overrides: dict[ConfigKind, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per file kind, settings merged over the file (mappings merge key by key; "
        "lists, values and {} replace)",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_warehouse(value)

    @field_validator("conn_id")
    @classmethod
    def _conn_id(cls, value: str) -> str:
        if not _CONN_ID.fullmatch(value):
            raise ValueError(
                f"{value!r} is not an Airflow connection id (1-250 letters, digits, _ . -)"
            )
        return value

    @field_validator("config_dir")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        # Relative and inside include/config: a fleet file must not make tasks read
        # arbitrary files of the worker.
        if value is not None and (
            not value or Path(value).is_absolute() or ".." in Path(value).parts
        ):
            raise ValueError(f"{value!r} must be a folder relative to include/config, without ..")
        return value


class FleetFile(ConfigModel):
    warehouses: list[WarehouseEntry] = Field(min_length=1, max_length=MAX_WAREHOUSES)

    @model_validator(mode="after")
    def _unique(self) -> FleetFile:
        seen: dict[str, str] = {}
        for entry in self.warehouses:
            for what, value in (("name", entry.name), ("conn_id", entry.conn_id)):
                key = f"{what}:{value}"
                if key in seen:
                    raise ValueError(f"two warehouses have the {what} {value!r}")
                seen[key] = entry.name
        return self


def merge_settings(base: Any, override: Mapping[str, Any]) -> Any:
    """``override`` merged over ``base``: mappings key by key, anything else replaces; an
    empty mapping replaces too (``by_name: {}`` clears the shared exceptions)."""
    if not isinstance(base, Mapping):
        return copy.deepcopy(dict(override))
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and value and isinstance(merged.get(key), Mapping):
            merged[key] = merge_settings(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


_file_cache: dict[tuple[str, int, int], Any] = {}
#: Validated settings by (kind, file key, overrides): warehouses that share a file and its
#: overrides share one frozen model instead of validating the same policies 20 times.
_parsed_cache: dict[tuple[str, tuple[str, int, int] | None, str, str], Any] = {}


def _file_key(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_size, stat.st_mtime_ns)


def _read(path: Path, *, optional: bool) -> Any:
    """load_config_file, cached by (path, size, mtime): a changed file is read again.

    The cached data is shared, not copied: the validators only read it, and merge_settings
    builds new mappings where it changes one (a copy per warehouse was a third of the parse
    time of a 20-warehouse fleet).
    """
    key = _file_key(path)
    if key is None:
        return load_config_file(path, optional=optional)  # it names the problem
    if key not in _file_cache:
        _file_cache[key] = load_config_file(path, optional=optional)
    return _file_cache[key]


@dataclass(frozen=True)
class WarehouseSpec:
    """One warehouse of the fleet with its configuration resolved (read lazily, then kept)."""

    name: str
    conn_id: str
    description: str
    base_dir: Path
    own_dir: Path | None
    overrides: Mapping[ConfigKind, Mapping[str, Any]]
    #: Where the overrides come from, for error messages.
    fleet_source: str | None = None

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_WAREHOUSE

    def path(self, kind: ConfigKind) -> Path:
        """The file this warehouse reads for ``kind`` (before its overrides)."""
        file = _FILES[ConfigKind(kind)]
        if self.own_dir is not None and (self.own_dir / file).exists():
            return self.own_dir / file
        return self.base_dir / file

    def source(self, kind: ConfigKind) -> str:
        """How errors name the settings of ``kind``: the file, plus the overrides if any."""
        path = str(self.path(kind))
        if ConfigKind(kind) in self.overrides:
            return f"{path} with {self.fleet_source}: {self.name}.overrides.{kind}"
        return path

    def load(self, kind: ConfigKind) -> Any:
        kind = ConfigKind(kind)
        path = self.path(kind)
        override = self.overrides.get(kind)
        source = self.source(kind)
        key = (
            kind.value,
            _file_key(path),
            json.dumps(override, sort_keys=True, default=str),
            source,
        )
        if key[1] is not None and key in _parsed_cache:
            return _parsed_cache[key]
        data = _read(path, optional=kind in _OPTIONAL)
        if override:
            data = merge_settings(data, override)
        parsed = _PARSERS[kind](data, source=source)
        if key[1] is not None:
            _parsed_cache[key] = parsed
        return parsed

    @cached_property
    def schedule(self) -> ScheduleConfig:
        return self.load(ConfigKind.SCHEDULE)

    @cached_property
    def policies(self) -> PolicySet:
        return self.load(ConfigKind.POLICIES)

    @cached_property
    def advisor(self) -> AdvisorConfig:
        return self.load(ConfigKind.ADVISOR)

    @cached_property
    def housekeeping(self) -> HousekeepingConfig:
        return self.load(ConfigKind.HOUSEKEEPING)


@dataclass(frozen=True)
class Fleet:
    warehouses: tuple[WarehouseSpec, ...]
    #: The warehouses.yaml read, or None when there is none (the single default warehouse).
    source: str | None

    def __iter__(self) -> Iterator[WarehouseSpec]:
        return iter(self.warehouses)

    def __len__(self) -> int:
        return len(self.warehouses)

    @property
    def names(self) -> list[str]:
        return [w.name for w in self.warehouses]

    def get(self, name: str | None) -> WarehouseSpec:
        """The warehouse called ``name`` (None: the only or the default one), or ConfigError."""
        if name is None:
            if len(self.warehouses) == 1:
                return self.warehouses[0]
            name = DEFAULT_WAREHOUSE
        for spec in self.warehouses:
            if spec.name == name:
                return spec
        raise ConfigError(
            f"no warehouse named {name!r}; the fleet has: {', '.join(self.names)}",
            source=self.source or WAREHOUSES_FILE,
            field="warehouses",
        )


def single_warehouse(directory: Path | None = None) -> Fleet:
    """The fleet of a deployment without warehouses.yaml."""
    folder = directory or config_dir()
    return Fleet(
        (WarehouseSpec(DEFAULT_WAREHOUSE, DEFAULT_CONN_ID, "", folder, None, {}),), source=None
    )


def parse_fleet(data: Any, *, source: str, directory: Path) -> Fleet:
    if not isinstance(data, dict):
        raise ConfigError(
            "expected a mapping with a 'warehouses' list at the top level", source=source
        )
    try:
        parsed = FleetFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or None
        message = error["msg"].removeprefix("Value error, ")
        if len(exc.errors()) > 1:
            message += f" (and {len(exc.errors()) - 1} more problem(s))"
        raise ConfigError(message, source=source, field=field) from None
    specs = []
    for index, entry in enumerate(parsed.warehouses):
        own = directory / entry.config_dir if entry.config_dir else None
        if own is not None and not own.is_dir():
            raise ConfigError(
                f"config_dir {entry.config_dir!r} is not a folder under {directory}",
                source=source,
                field=f"warehouses.{index}.config_dir",
            )
        specs.append(
            WarehouseSpec(
                name=entry.name,
                conn_id=entry.conn_id,
                description=entry.description,
                base_dir=directory,
                own_dir=own,
                overrides=entry.overrides,
                fleet_source=source,
            )
        )
    return Fleet(tuple(specs), source=source)


def load_fleet(directory: str | Path | None = None) -> Fleet:
    """The fleet of ``directory`` (default config_dir()): warehouses.yaml, or the single
    default warehouse when the file does not exist."""
    folder = Path(directory) if directory is not None else config_dir()
    if not folder.is_dir():
        raise ConfigError(f"the configuration folder {folder} does not exist or is not a folder")
    file = folder / WAREHOUSES_FILE
    data = _read(file, optional=True)
    if data is None:
        return single_warehouse(folder)
    return parse_fleet(data, source=str(file), directory=folder)


def load_warehouse(name: str | None = None, directory: str | Path | None = None) -> WarehouseSpec:
    """One warehouse of the fleet (None: the only or the default one)."""
    return load_fleet(directory).get(name)

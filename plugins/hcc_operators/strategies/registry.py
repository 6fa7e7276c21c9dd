"""Where strategies come from: built-ins, include/config/strategies.yaml, entry points.

Names are unique across the three sources: a custom strategy that silently replaced a built-in
(or another plugin's) would change what existing policies do, so a clash is a ConfigError.
Classes are imported when first asked for, so one broken plugin module only breaks the
policies that use it; ``check_all`` imports everything for ``hcc validate``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from hcc_operators.core.errors import ConfigError
from hcc_operators.strategies.base import Strategy
from hcc_operators.strategies.config import load_strategies_file, strategies_path

ENTRY_POINT_GROUP = "hcc_operators.strategies"
BUILTIN = "built-in"
BUILTINS = {
    "rebuild_unusable_indexes": (
        "hcc_operators.strategies.rebuild_unusable_indexes:RebuildUnusableIndexes"
    ),
    "recompress_if_decayed": "hcc_operators.strategies.recompress_if_decayed:RecompressIfDecayed",
}


@dataclass(frozen=True)
class StrategySource:
    name: str
    dotted_path: str
    origin: str  # "built-in", the strategies.yaml path, or "entry point <dist>"

    @property
    def field(self) -> str:
        return f"strategies.{self.name}"


class StrategyRegistry:
    def __init__(self, sources: Iterable[StrategySource]):
        self._sources: dict[str, StrategySource] = {}
        for source in sources:
            known = self._sources.get(source.name)
            if known is not None:
                raise ConfigError(
                    f"strategy name {source.name!r} is already taken by {known.dotted_path} "
                    f"({known.origin}); choose another name",
                    source=source.origin,
                    field=source.field,
                )
            self._sources[source.name] = source
        self._loaded: dict[str, Strategy] = {}

    def names(self) -> list[str]:
        return sorted(self._sources)

    def source(self, name: str) -> StrategySource:
        try:
            return self._sources[name]
        except KeyError:
            raise ConfigError(
                f"unknown strategy {name!r}; known strategies: {', '.join(self.names())} "
                "(register custom ones in strategies.yaml or the "
                f"{ENTRY_POINT_GROUP} entry point group)",
                field="strategy",
            ) from None

    def get(self, name: str) -> Strategy:
        if name not in self._loaded:
            self._loaded[name] = load_strategy(self.source(name))
        return self._loaded[name]

    def check_all(self) -> list[ConfigError]:
        """Import every registered strategy; the problems found, in name order."""
        problems = []
        for name in self.names():
            try:
                self.get(name)
            except ConfigError as err:
                problems.append(err)
        return problems


def load_registry(
    directory: Path | None = None, *, include_entry_points: bool = True
) -> StrategyRegistry:
    """Built-ins, then strategies.yaml of ``directory`` (default config_dir()), then plugins."""
    sources = [StrategySource(n, p, BUILTIN) for n, p in BUILTINS.items()]
    file = strategies_path(directory)
    for name, path in load_strategies_file(file).strategies.items():
        sources.append(StrategySource(name, path, str(file)))
    if include_entry_points:
        sources.extend(_entry_point_sources(entry_points(group=ENTRY_POINT_GROUP)))
    return StrategyRegistry(sources)


def _entry_point_sources(found: Iterable[EntryPoint]) -> list[StrategySource]:
    sources = []
    for point in found:
        dist = getattr(point.dist, "name", None) or "unknown distribution"
        sources.append(StrategySource(point.name, point.value, f"entry point of {dist}"))
    return sources


def load_strategy(source: StrategySource) -> Strategy:
    """Import ``package.module:Class``, instantiate it and check it is a strategy."""
    module_name, _, attribute = source.dotted_path.partition(":")
    if not module_name or not attribute:
        raise _error(source, f"{source.dotted_path!r} is not of the form 'package.module:Class'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _error(source, f"cannot import module {module_name!r}: {exc}") from None
    except _PLUGIN_FAILURES as exc:  # a plugin module that fails at import: name it
        raise _error(source, f"module {module_name!r} raised {_describe(exc)} on import") from None
    try:
        found = getattr(module, attribute)
    except AttributeError:
        raise _error(source, f"module {module_name!r} has no attribute {attribute!r}") from None
    try:
        strategy = found() if isinstance(found, type) else found
    except _PLUGIN_FAILURES as exc:
        raise _error(
            source, f"{source.dotted_path} cannot be instantiated: {_describe(exc)}"
        ) from None
    missing = [m for m in ("name", "Params", "validate", "execute") if not hasattr(strategy, m)]
    if missing:
        raise _error(
            source,
            f"{source.dotted_path} is not a strategy: it lacks {', '.join(missing)} "
            "(see docs/extending.md)",
        )
    if strategy.name != source.name:
        raise _error(
            source,
            f"{source.dotted_path} declares name {strategy.name!r}; the registered name "
            f"must be the same",
        )
    return strategy


#: What third-party code may raise while it is imported or built. SystemExit is included: a
#: module calling sys.exit() at import must not end `hcc validate` or the Airflow worker.
#: KeyboardInterrupt is not: Ctrl-C still stops the command.
_PLUGIN_FAILURES = (Exception, SystemExit)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"SystemExit (it called sys.exit({exc.code!r}))"
    return f"{type(exc).__name__}: {exc}"


def _error(source: StrategySource, message: str) -> ConfigError:
    return ConfigError(
        f"strategy {source.name!r}: {message}", source=source.origin, field=source.field
    )

"""The interface of a maintenance strategy: what a CUSTOM policy action runs.

A strategy is a class with a ``name``, a pydantic ``Params`` model, ``validate`` and
``execute``. Subclass ``BaseStrategy`` to get ``validate`` for free; any other class with the
same members also works (the registry checks the shape, not the base class), so a plugin
package need not import this module at class-definition time.

Rules a strategy must follow, because the ILM pipeline relies on them:

- ``execute`` reads the live state first and returns SKIPPED when there is nothing to do, so a
  cleared or retried task never repeats finished work;
- it changes the warehouse only through the ``Warehouse`` protocol (``apply`` with a core
  ``Action``), so identifiers are validated and quoted in one place and the same code runs on
  Oracle and on the embedded warehouse;
- it raises ``WarehouseError`` for database failures (the runner records code and
  transience) and never swallows them into a SUCCESS.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, ValidationError

from hcc_operators.core.errors import ConfigError
from hcc_operators.core.models import ActionStatus, ObjectRef
from hcc_operators.warehouse.base import Warehouse

#: The statuses a strategy may report; RUNNING and PENDING belong to the queue, not to a result.
FINAL_STATUSES = (ActionStatus.SUCCESS, ActionStatus.SKIPPED, ActionStatus.FAILED)


class StrategyParams(BaseModel):
    """Base of every ``Params`` model: unknown keys are errors, so a typo never goes unnoticed;
    numbers are finite (``.inf`` in policies.yaml is a typo, not "never")."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


@dataclass(frozen=True)
class StrategyResult:
    """What one execution did. ``details`` must be JSON-serialisable (it lands in the log)."""

    status: ActionStatus
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    statements: tuple[str, ...] = ()
    error_code: str | None = None

    def __post_init__(self) -> None:
        status = ActionStatus(self.status)
        if status not in FINAL_STATUSES:
            raise ValueError(f"a strategy result is SUCCESS, SKIPPED or FAILED, not {status.value}")
        object.__setattr__(self, "status", status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "message": self.message,
            "details": self.details,
            "statements": list(self.statements),
            "error_code": self.error_code,
        }


@runtime_checkable
class Strategy(Protocol):
    """The shape the registry accepts (``BaseStrategy`` is the convenient way to get it)."""

    name: str
    Params: type[BaseModel]

    def validate(self, target: ObjectRef, params: dict[str, Any]) -> BaseModel:
        """Check target and params before anything runs; raise ConfigError naming the field."""

    def execute(self, warehouse: Warehouse, target: ObjectRef, params: BaseModel) -> StrategyResult:
        """Do the work on ``target`` (after reading its live state) and report what happened."""


class BaseStrategy(ABC):
    name: ClassVar[str]
    description: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel]] = StrategyParams

    def validate(self, target: ObjectRef, params: dict[str, Any] | None) -> BaseModel:
        if not isinstance(target, ObjectRef):
            raise ConfigError(
                f"target must be an ObjectRef, got {type(target).__name__}",
                source=f"strategy {self.name}",
                field="target",
            )
        self.check_target(target)
        if params is not None and not isinstance(params, dict):
            raise ConfigError(
                f"params must be a mapping, got {type(params).__name__}",
                source=f"strategy {self.name}",
                field="params",
            )
        try:
            return self.Params.model_validate(params or {})
        except ValidationError as exc:
            raise params_error(self.name, exc) from None

    def check_target(self, target: ObjectRef) -> None:  # noqa: B027 - optional hook
        """Refuse targets the strategy cannot work on (override; raise ConfigError)."""

    @abstractmethod
    def execute(
        self, warehouse: Warehouse, target: ObjectRef, params: BaseModel
    ) -> StrategyResult: ...


def params_error(strategy: str, exc: ValidationError) -> ConfigError:
    """One ConfigError naming the strategy and the first bad field, the others listed after."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in ("params", *error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown parameter (check the spelling)"
        problems.append((where, message))
    field_name, message = problems[0]
    if len(problems) > 1:
        message += " (also " + "; ".join(f"{f}: {m}" for f, m in problems[1:]) + ")"
    return ConfigError(message, source=f"strategy {strategy}", field=field_name)

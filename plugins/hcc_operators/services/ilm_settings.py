"""The ILM configuration as the services use it: policies, profiles, targets, schedule."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from hcc_operators.core.policy_config import PolicySet, load_policies
from hcc_operators.core.schedule_config import ScheduleConfig, load_schedule
from hcc_operators.core.temperature import Thresholds
from hcc_operators.core.windows import WindowCalendar


@dataclass(frozen=True)
class IlmSettings:
    policies: PolicySet
    schedule: ScheduleConfig

    @cached_property
    def _patterns(self):
        return [t.compiled() for p in self.policies.policies for t in p.tables]

    def is_target(self, owner: str, table: str) -> bool:
        return any(pattern.matches(owner, table) for pattern in self._patterns)

    def thresholds_for(self, owner: str, table: str) -> Thresholds:
        return self.policies.table_thresholds(owner, table)

    @cached_property
    def calendar(self) -> WindowCalendar:
        return WindowCalendar(self.schedule)


def load_ilm_settings() -> IlmSettings:
    return IlmSettings(load_policies(), load_schedule())

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
    def _targets(self):
        return [
            (target.compiled(), self.policies.profile_for(policy, target))
            for policy in sorted(self.policies.policies, key=lambda p: (p.priority, p.name))
            for target in policy.tables
        ]

    def is_target(self, owner: str, table: str) -> bool:
        return any(pattern.matches(owner, table) for pattern, _ in self._targets)

    def thresholds_for(self, owner: str, table: str) -> Thresholds:
        """The profile of the highest-priority policy naming the table, else the default."""
        for pattern, profile in self._targets:
            if pattern.matches(owner, table):
                return self.policies.resolve_profile(profile)[1]
        return self.policies.resolve_profile(None)[1]

    @cached_property
    def calendar(self) -> WindowCalendar:
        return WindowCalendar(self.schedule)


def load_ilm_settings() -> IlmSettings:
    return IlmSettings(load_policies(), load_schedule())

"""`hcc validate`: every configuration file, as the DAGs will load it.

Errors name the file and the field and make the exit code 1; warnings (a profile that falls
back to DEFAULT, ...) are printed but do not fail, exactly as evaluation treats them.
CUSTOM policies are checked against the strategy registry: the strategy must exist and import,
and the policy's params must pass the strategy's Params model.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from hcc_operators.cli.common import add_config_dir, add_json, directory
from hcc_operators.cli.exit_codes import OK, PROBLEM
from hcc_operators.cli.output import Output
from hcc_operators.core.actions.custom import CustomParams as CustomAction
from hcc_operators.core.advisor_config import FILE_NAME as ADVISOR_FILE
from hcc_operators.core.advisor_config import load_advisor_config
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.fleet import WAREHOUSES_FILE, ConfigKind, load_fleet
from hcc_operators.core.housekeeping_config import HOUSEKEEPING_FILE, load_housekeeping
from hcc_operators.core.policy_config import POLICIES_FILE, PolicySet, load_policies
from hcc_operators.core.schedule_config import SCHEDULE_FILE, load_schedule
from hcc_operators.strategies.base import params_error
from hcc_operators.strategies.config import STRATEGIES_FILE
from hcc_operators.strategies.registry import StrategyRegistry, load_registry


@dataclass
class FileReport:
    file: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "ERROR" if self.errors else ("WARNING" if self.warnings else "OK")


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "validate",
        help="check policies.yaml, schedule.yaml, advisor.yaml, housekeeping.yaml, "
        "strategies.yaml and warehouses.yaml (each warehouse as its DAGs read it)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_dir(parser)
    add_json(parser)
    parser.set_defaults(run=run)


#: Every file `hcc validate` checks, in report order.
FILES = (
    POLICIES_FILE,
    SCHEDULE_FILE,
    ADVISOR_FILE,
    HOUSEKEEPING_FILE,
    STRATEGIES_FILE,
    WAREHOUSES_FILE,
)


def validate_all(folder: Path) -> list[FileReport]:
    return validate_files(folder, FILES)


def validate_files(folder: Path, names: tuple[str, ...]) -> list[FileReport]:
    """The reports of ``names`` (a subset of FILES) exactly as `hcc validate` makes them.

    strategies.yaml's report includes the CUSTOM policies of policies.yaml (their strategy
    must exist and their params pass its model), so checking it reads policies.yaml too.
    """
    simple = {
        SCHEDULE_FILE: load_schedule,
        ADVISOR_FILE: load_advisor_config,
        HOUSEKEEPING_FILE: load_housekeeping,
    }
    reports = []
    policies = None
    if POLICIES_FILE in names or STRATEGIES_FILE in names:
        policies, report = _policies(folder / POLICIES_FILE)
        if POLICIES_FILE in names:
            reports.append(report)
    for name in names:
        if name in simple:
            reports.append(_simple(folder / name, simple[name]))
    if WAREHOUSES_FILE in names:
        reports.append(_warehouses(folder))
    if STRATEGIES_FILE in names:
        reports.append(_strategies(folder, policies))
    return reports


def _warehouses(folder: Path) -> FileReport:
    """warehouses.yaml, and every warehouse whose configuration differs from the shared files
    (its own config_dir or overrides): each file as that warehouse's DAGs read it, so an
    override that breaks one warehouse's schedule is reported here, naming the warehouse."""
    report = FileReport(str(folder / WAREHOUSES_FILE))
    try:
        fleet = load_fleet(folder)
    except ConfigError as err:
        report.errors.append(str(err))
        return report
    for spec in fleet:
        if spec.own_dir is None and not spec.overrides:
            continue  # reads the shared files, reported above
        for kind in ConfigKind:
            try:
                loaded = spec.load(kind)
            except ConfigError as err:
                report.errors.append(f"warehouse {spec.name}: {err}")
                continue
            if isinstance(loaded, PolicySet):
                report.warnings.extend(
                    f"warehouse {spec.name}: {loaded.source}: {issue}" for issue in loaded.issues()
                )
    return report


def run(args: argparse.Namespace, out: Output) -> int:
    reports = validate_all(directory(args))
    if args.json:
        out.json(
            [
                {"file": r.file, "status": r.status, "errors": r.errors, "warnings": r.warnings}
                for r in reports
            ]
        )
    else:
        rows = []
        for report in reports:
            rows.append((report.status, report.file, ""))
            rows.extend(("", "", f"error: {e}") for e in report.errors)
            rows.extend(("", "", f"warning: {w}") for w in report.warnings)
        out.table(("status", "file", "problem"), rows)
    return PROBLEM if any(r.errors for r in reports) else OK


def _policies(path: Path) -> tuple[PolicySet | None, FileReport]:
    report = FileReport(str(path))
    try:
        policies = load_policies(path)
    except ConfigError as err:
        report.errors.append(str(err))
        return None, report
    report.warnings.extend(f"{policies.source}: {issue}" for issue in policies.issues())
    return policies, report


def _simple(path: Path, load) -> FileReport:
    report = FileReport(str(path))
    try:
        load(path)
    except ConfigError as err:
        report.errors.append(str(err))
    return report


def _strategies(folder: Path, policies: PolicySet | None) -> FileReport:
    report = FileReport(str(folder / STRATEGIES_FILE))
    try:
        registry = load_registry(folder)
    except ConfigError as err:
        report.errors.append(str(err))
        return report
    report.errors.extend(str(err) for err in registry.check_all())
    if policies is not None:
        report.errors.extend(_custom_policy_errors(policies, registry))
    return report


def _custom_policy_errors(policies: PolicySet, registry: StrategyRegistry) -> list[str]:
    errors = []
    for policy in policies.policies:
        action = policy.action
        if not isinstance(action, CustomAction):
            continue
        where = f"{policies.source}: policies[{policy.name}].action"
        try:
            strategy = registry.get(action.strategy)
        except ConfigError as err:
            errors.append(f"{where}.strategy: {err}")
            continue
        try:
            strategy.Params.model_validate(action.params)
        except ValidationError as exc:
            errors.append(f"{where}: {params_error(strategy.name, exc)}")
    return errors

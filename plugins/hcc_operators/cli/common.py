"""Arguments and helpers the subcommands share: connection, config folder, object names."""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from hcc_operators import clock
from hcc_operators.cli.connection import open_warehouse, require_repository
from hcc_operators.cli.exit_codes import PROBLEM, CliError
from hcc_operators.core.errors import ConfigError
from hcc_operators.core.fleet import WarehouseSpec, load_fleet
from hcc_operators.core.instants import SUPPORTED_RANGE, parse_instant
from hcc_operators.core.int_bounds import MAX_INT64, whole_number
from hcc_operators.core.models import ObjectRef
from hcc_operators.core.paths import config_dir
from hcc_operators.services.ilm_settings import IlmSettings
from hcc_operators.warehouse.base import Warehouse


def add_warehouse(parser: argparse.ArgumentParser) -> None:
    """--warehouse NAME: which warehouse of warehouses.yaml (its connection and its files)."""
    if "--warehouse" in parser._option_string_actions:  # added by the other helper already
        return
    parser.add_argument(
        "--warehouse",
        metavar="NAME",
        help="a warehouse of warehouses.yaml: its Airflow connection and configuration files; "
        "default: the default (or only) one",
    )


def add_connection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dsn",
        help="sqlite:///PATH for the embedded warehouse or oracle+oracledb://...; default: the "
        "Airflow connection of --warehouse (hcc_warehouse), else $HCC_DSN",
    )
    add_warehouse(parser)


def add_config_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config-dir",
        type=Path,
        help="folder with warehouses.yaml, policies.yaml, schedule.yaml, ...; default "
        "$HCC_CONFIG_DIR or include/config",
    )
    add_warehouse(parser)


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")


def add_at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at",
        type=_instant,
        help="pretend it is this instant (ISO-8601 with offset, between "
        f"{SUPPORTED_RANGE[0].date()} and {SUPPORTED_RANGE[1].date()}); default now",
    )


def directory(args: argparse.Namespace) -> Path:
    return getattr(args, "config_dir", None) or config_dir()


def warehouse_spec(args: argparse.Namespace) -> WarehouseSpec:
    """The warehouse --warehouse names, with its configuration (an unknown name: exit 1)."""
    return load_fleet(directory(args)).get(getattr(args, "warehouse", None))


def ilm_settings(args: argparse.Namespace) -> IlmSettings:
    spec = warehouse_spec(args)
    return IlmSettings(spec.policies, spec.schedule)


def now(args: argparse.Namespace) -> datetime:
    return getattr(args, "at", None) or clock.now()


@contextmanager
def connected(args: argparse.Namespace, *, repository: bool = True) -> Iterator[Warehouse]:
    warehouse = open_warehouse(args.dsn, conn_id_of(args))
    try:
        if repository:
            require_repository(warehouse.repository_engine())
        yield warehouse
    finally:
        warehouse.close()


def conn_id_of(args: argparse.Namespace) -> str:
    """The connection of --warehouse; without --dsn only (a DSN needs no fleet file)."""
    if args.dsn:
        return ""
    return warehouse_spec(args).conn_id


def parse_object(text: str, *, partition: str = "optional") -> ObjectRef:
    """OWNER.TABLE[:PARTITION] with every name validated; ``partition`` required/optional."""
    try:
        ref = ObjectRef.from_user_text(text)
    except ValueError as err:
        raise CliError(str(err), PROBLEM) from None
    if partition == "required" and (ref.partition is None or ref.subpartition is not None):
        raise CliError(f"{text!r}: give one partition as OWNER.TABLE:PARTITION", PROBLEM)
    return ref


def _instant(text: str) -> datetime:
    try:
        return parse_instant(text, source="")
    except ConfigError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def repository_id(text: str) -> int:
    """argparse type of an id stored in the repository (batch, execution): 1 to 2^63-1."""
    return _bounded_int(text, 1, MAX_INT64)


def bounded_int(minimum: int, maximum: int):
    """argparse type of a whole number in [minimum, maximum], refused with both bounds."""
    return lambda text: _bounded_int(text, minimum, maximum)


def bounded_float(minimum: float, maximum: float, *, above_minimum: bool = False):
    """argparse type of a finite number in [minimum, maximum] (or (minimum, maximum])."""

    def bounded_float(text: str) -> float:
        return _bounded_float(text, minimum, maximum, above_minimum)

    return bounded_float


def _bounded_float(text: str, minimum: float, maximum: float, above_minimum: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    low_ok = value > minimum if above_minimum else value >= minimum
    if not (math.isfinite(value) and low_ok and value <= maximum):
        opening = "(" if above_minimum else "["
        raise argparse.ArgumentTypeError(f"{text!r} is outside {opening}{minimum:g}, {maximum:g}]")
    return value


def _bounded_int(text: str, minimum: int, maximum: int) -> int:
    try:
        return whole_number(text, minimum, maximum)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None

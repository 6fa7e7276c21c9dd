"""The embedded demo warehouse: a SQLite file that simulates an Oracle data warehouse."""

from __future__ import annotations

from hcc_operators.warehouse.embedded.faults import FaultKind
from hcc_operators.warehouse.embedded.generator import build_warehouse
from hcc_operators.warehouse.embedded.warehouse import DEFAULT_VERSION, EmbeddedWarehouse

__all__ = ["DEFAULT_VERSION", "EmbeddedWarehouse", "FaultKind", "build_warehouse"]

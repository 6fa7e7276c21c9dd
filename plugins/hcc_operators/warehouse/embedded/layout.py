"""What the demo warehouse contains: schemas, tablespaces and table layouts.

A TableSpec describes a table the way a DBA would: how it is partitioned, how many rows a month
arrive, where old partitions live and how they were compressed over the years. The generator
turns specs into dictionary rows; the demo list and the benchmark scaler both produce specs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hcc_operators.core.models import CompressionType as C

DEMO_START = date(2018, 1, 1)
#: The partition key column every simulated partitioned table is ranged on (index columns).
KEY_COLUMN = "PART_KEY"


@dataclass(frozen=True)
class TablespaceSpec:
    name: str
    hcc_supported: bool
    #: share of the tablespace in use after the build; None means full (a few MB free)
    fill: float | None
    read_only: bool = False


@dataclass(frozen=True)
class TableSpec:
    owner: str
    name: str
    profile: str
    #: HEAP, MONTHLY, YEARLY, YEARLY_THEN_MONTHLY, INTERVAL, COMPOSITE, TEMPORARY, NESTED
    layout: str
    tablespace: str
    rows_per_month: int
    key_type: str = "DATE"
    start: date = DEMO_START
    yearly_until: int | None = None
    maxvalue: bool = False
    #: (minimum age in months, tablespace) where old partitions were moved to
    archive: tuple[int, str] | None = None
    #: (minimum age in months, type), youngest rule first; the last rule that matches wins
    compress: tuple[tuple[int, C], ...] = ()
    read_only_after: int | None = None
    subpartitions: tuple[str, ...] = ()
    local_index: bool = True
    global_index: bool = False
    #: a primary key (ID, partition key) enforced by a LOCAL unique index
    local_pk: bool = False
    #: chance that an HCC partition received updates after it was compressed
    decay_probability: float = 0.12

    @property
    def partitioned(self) -> bool:
        return self.layout not in ("HEAP", "TEMPORARY", "NESTED")


ORACLE_MAINTAINED = ("SYS", "SYSTEM", "AUDSYS", "OUTLN", "DBSNMP")
DEMO_SCHEMAS = ("SALES", "FINANCE", "LOGISTICS", "AUDIT")

DEMO_TABLESPACES = (
    TablespaceSpec("SALES_DATA", True, 0.72),
    TablespaceSpec("SALES_ARCH", True, 0.45),
    TablespaceSpec("CLICK_DATA", True, 0.93),
    TablespaceSpec("FIN_DATA", False, 0.66),
    TablespaceSpec("LOG_DATA", True, 0.80),
    TablespaceSpec("AUDIT_DATA", False, 0.89),
    TablespaceSpec("ARCHIVE_FULL", True, None),
    TablespaceSpec("COLD_RO", True, 0.50, read_only=True),
    TablespaceSpec("USERS", False, 0.30),
    TablespaceSpec("SYSTEM", False, 0.85),
    TablespaceSpec("SYSAUX", False, 0.75),
)

_QH_OLD = ((4, C.ADVANCED), (36, C.QUERY_HIGH))

DEMO_TABLES = (
    # SALES: Exadata-like storage, old orders archived to SALES_ARCH in QUERY HIGH.
    TableSpec(
        "SALES",
        "ORDERS_FACT",
        "sales",
        "MONTHLY",
        "SALES_DATA",
        40_000_000,
        archive=(36, "SALES_ARCH"),
        compress=_QH_OLD,
        global_index=True,
    ),
    TableSpec(
        "SALES",
        "ORDER_LINES",
        "sales",
        "MONTHLY",
        "SALES_DATA",
        110_000_000,
        compress=((12, C.ADVANCED),),
        global_index=True,
    ),
    TableSpec(
        "SALES",
        "RETURNS",
        "sales",
        "YEARLY_THEN_MONTHLY",
        "SALES_DATA",
        2_000_000,
        yearly_until=2021,
        compress=((24, C.QUERY_HIGH),),
    ),
    TableSpec("SALES", "PROMOTIONS", "sales", "YEARLY", "SALES_DATA", 900_000),
    TableSpec(
        "SALES",
        "WEB_CLICKS",
        "event_log",
        "INTERVAL",
        "CLICK_DATA",
        160_000_000,
        key_type="TIMESTAMP",
        compress=((6, C.QUERY_LOW), (24, C.ARCHIVE_LOW)),
        start=date(2021, 1, 1),
        decay_probability=0.2,
    ),
    TableSpec(
        "SALES",
        "SALES_BY_REGION",
        "sales",
        "COMPOSITE",
        "SALES_DATA",
        12_000_000,
        subpartitions=("EAST", "WEST", "NORTH", "SOUTH"),
        compress=((12, C.ADVANCED),),
    ),
    TableSpec("SALES", "DAILY_REVENUE", "sales", "MONTHLY", "SALES_DATA", 300_000),
    TableSpec(
        "SALES",
        "PAYMENTS",
        "ledger",
        "MONTHLY",
        "SALES_DATA",
        15_000_000,
        compress=((6, C.ADVANCED), (30, C.QUERY_HIGH)),
        global_index=True,
    ),
    TableSpec(
        "SALES",
        "CART_EVENTS",
        "event_log",
        "MONTHLY",
        "CLICK_DATA",
        25_000_000,
        start=date(2019, 1, 1),
        compress=((12, C.QUERY_HIGH),),
    ),
    TableSpec("SALES", "CUSTOMERS", "customer", "HEAP", "USERS", 6_000_000, global_index=True),
    TableSpec("SALES", "PRODUCTS", "customer", "HEAP", "USERS", 60_000, global_index=True),
    TableSpec("SALES", "TMP_ORDER_STAGE", "sales", "TEMPORARY", "USERS", 0, local_index=False),
    TableSpec("SALES", "ORDER_NOTES_NT", "event_log", "NESTED", "USERS", 0, local_index=False),
    # FINANCE: conventional storage (no HCC), closed years read-only.
    TableSpec(
        "FINANCE",
        "GL_JOURNAL",
        "ledger",
        "MONTHLY",
        "FIN_DATA",
        9_000_000,
        compress=((13, C.ADVANCED),),
        read_only_after=84,
        global_index=True,
    ),
    TableSpec(
        "FINANCE",
        "GL_BALANCES",
        "ledger",
        "YEARLY_THEN_MONTHLY",
        "FIN_DATA",
        600_000,
        yearly_until=2022,
        maxvalue=True,
    ),
    TableSpec(
        "FINANCE",
        "AP_INVOICES",
        "ledger",
        "MONTHLY",
        "FIN_DATA",
        2_500_000,
        compress=((24, C.ADVANCED),),
    ),
    TableSpec("FINANCE", "AR_RECEIPTS", "ledger", "MONTHLY", "FIN_DATA", 1_800_000),
    TableSpec("FINANCE", "COST_ALLOCATIONS", "ledger", "MONTHLY", "FIN_DATA", 1_200_000),
    TableSpec("FINANCE", "FX_RATES", "sensor", "HEAP", "FIN_DATA", 40_000),
    TableSpec("FINANCE", "ACCOUNTS", "customer", "HEAP", "FIN_DATA", 20_000, global_index=True),
    # LOGISTICS: Exadata-like, sensor data compressed hard when it cools down.
    TableSpec(
        "LOGISTICS",
        "SHIPMENTS",
        "sales",
        "MONTHLY",
        "LOG_DATA",
        7_000_000,
        compress=((24, C.QUERY_HIGH),),
        global_index=True,
    ),
    TableSpec(
        "LOGISTICS",
        "SENSOR_READINGS",
        "sensor",
        "MONTHLY",
        "LOG_DATA",
        320_000_000,
        compress=((12, C.QUERY_HIGH), (48, C.ARCHIVE_HIGH)),
        decay_probability=0.15,
    ),
    TableSpec("LOGISTICS", "TRACKING_EVENTS", "event_log", "MONTHLY", "LOG_DATA", 35_000_000),
    TableSpec(
        "LOGISTICS",
        "WAREHOUSE_STOCK",
        "sales",
        "YEARLY_THEN_MONTHLY",
        "LOG_DATA",
        3_000_000,
        yearly_until=2020,
    ),
    TableSpec(
        "LOGISTICS",
        "FLEET_TELEMETRY",
        "sensor",
        "MONTHLY",
        "LOG_DATA",
        60_000_000,
        compress=((3, C.QUERY_LOW), (18, C.ARCHIVE_LOW)),
        decay_probability=0.2,
    ),
    TableSpec("LOGISTICS", "ROUTE_PLANS", "sales", "MONTHLY", "LOG_DATA", 900_000),
    TableSpec("LOGISTICS", "CARRIERS", "customer", "HEAP", "LOG_DATA", 4_000),
    # AUDIT: conventional storage under pressure; the oldest audit trail sits in a full archive.
    TableSpec(
        "AUDIT",
        "AUD_TRAIL",
        "audit",
        "MONTHLY",
        "AUDIT_DATA",
        25_000_000,
        archive=(72, "ARCHIVE_FULL"),
        compress=((72, C.QUERY_HIGH),),
        # Its archive-before-drop has to build a matching primary key (EXCHANGE-02..06).
        local_pk=True,
    ),
    TableSpec("AUDIT", "LOGIN_EVENTS", "audit", "MONTHLY", "AUDIT_DATA", 5_000_000),
    TableSpec(
        "AUDIT", "APP_LOG", "event_log", "MONTHLY", "AUDIT_DATA", 18_000_000, start=date(2020, 1, 1)
    ),
    TableSpec("AUDIT", "SECURITY_EVENTS", "audit", "MONTHLY", "AUDIT_DATA", 3_000_000),
    TableSpec(
        "AUDIT",
        "DATA_ACCESS_LOG",
        "audit",
        "INTERVAL",
        "AUDIT_DATA",
        8_000_000,
        start=date(2022, 1, 1),
    ),
    TableSpec(
        "AUDIT",
        "RETENTION_ARCHIVE",
        "audit",
        "YEARLY",
        "COLD_RO",
        2_000_000,
        start=date(2018, 1, 1),
        compress=((0, C.ARCHIVE_HIGH),),
        read_only_after=0,
    ),
    # Oracle-maintained: present in the dictionary, never offered to the product.
    TableSpec("SYS", "AUD$", "audit", "HEAP", "SYSTEM", 3_000_000, global_index=False),
    TableSpec("SYS", "WRH$_SQLSTAT", "audit", "MONTHLY", "SYSAUX", 500_000, start=date(2025, 1, 1)),
    TableSpec("SYSTEM", "LOGMNR_LOG$", "customer", "HEAP", "SYSTEM", 1_000),
    TableSpec(
        "AUDSYS",
        "AUD$UNIFIED",
        "audit",
        "INTERVAL",
        "SYSAUX",
        1_500_000,
        key_type="TIMESTAMP",
        start=date(2024, 1, 1),
    ),
)

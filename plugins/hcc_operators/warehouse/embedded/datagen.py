"""Sample rows per table "data profile", seeded and deterministic.

Rows are generated lazily when a sample is asked for, from the segment's ``data_seed`` and the
date range its rows cover, so the same segment always yields the same rows in every process;
nothing is stored in the file (at a million partitions that would be gigabytes). Rows come out
in time order because warehouse loads append in time order, which is what makes real fact data
compress well column-wise.

Each profile imitates one kind of table found in a data warehouse, with the distributions that
decide compressibility: low-cardinality codes, skewed ids, monotonically growing keys, amounts
with two decimals, free text, noisy sensor values.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

Value = int | float | str | datetime | None
Row = tuple[Value, ...]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # NUMBER, VARCHAR2, DATE, TIMESTAMP


@dataclass(frozen=True)
class Profile:
    name: str
    columns: tuple[Column, ...]
    make_rows: Callable[[random.Random, int, datetime, datetime], list[Row]]


def _times(rng: random.Random, n: int, start: datetime, end: datetime) -> list[datetime]:
    span = max((end - start).total_seconds(), 1.0)
    return sorted(start + timedelta(seconds=int(rng.random() * span)) for _ in range(n))


def _skewed(rng: random.Random, population: int) -> int:
    # Pareto-like: a few customers/devices produce most rows, as in real facts.
    return min(int(rng.paretovariate(1.2)) * 7 % population + 1, population)


_CHANNELS = ("WEB", "STORE", "PHONE", "PARTNER")
_CURRENCIES = ("EUR", "EUR", "EUR", "USD", "GBP", "CHF")
_ORDER_STATUS = ("SHIPPED", "SHIPPED", "SHIPPED", "DELIVERED", "RETURNED", "CANCELLED")


def _sales_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    order_id = rng.randrange(10_000_000, 90_000_000)
    rows: list[Row] = []
    for ts in _times(rng, n, start, end):
        order_id += rng.randint(1, 3)
        qty = rng.choice((1, 1, 1, 2, 2, 3, 4, 6, 10))
        price = round(rng.choice((4.99, 9.99, 14.5, 19.99, 49.0, 99.9, 249.0)) * rng.choice(
            (1, 1, 1, 0.9, 0.8)), 2)
        rows.append((
            ts.replace(hour=0, minute=0, second=0),
            order_id,
            _skewed(rng, 250_000),
            rng.randint(1, 5_000),
            rng.choice(_CHANNELS),
            rng.choice(_CURRENCIES),
            qty,
            price,
            round(qty * price, 2),
            rng.choice(_ORDER_STATUS),
        ))
    return rows


_ACCOUNTS = tuple(f"{a}-{c:03d}" for a in (1000, 1200, 2000, 4000, 4100, 5000, 6000, 7000)
                  for c in range(0, 60, 10))
_JOURNAL_TEXT = ("Monthly accrual", "Invoice posting", "Payment received", "FX revaluation",
                 "Depreciation run", "Intercompany settlement", "Manual correction")


def _ledger_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    journal = rng.randrange(1_000_000, 9_000_000)
    rows: list[Row] = []
    for ts in _times(rng, n, start, end):
        journal += rng.choice((0, 0, 1))
        amount = round(rng.lognormvariate(6, 1.6), 2)
        debit = rng.random() < 0.5
        rows.append((
            journal,
            ts.replace(hour=0, minute=0, second=0),
            rng.choice(_ACCOUNTS),
            f"CC{rng.randint(100, 140)}",
            amount if debit else None,
            None if debit else amount,
            rng.choice(_CURRENCIES),
            f"{rng.choice(_JOURNAL_TEXT)} {ts:%Y-%m}",
        ))
    return rows


_HOSTS = tuple(f"app{i:02d}.prod.example.com" for i in range(1, 13))
_COMPONENTS = ("checkout", "auth", "search", "inventory", "payments", "gateway")
_LEVELS = ("INFO",) * 12 + ("WARN",) * 3 + ("ERROR", "DEBUG")
_WORDS = ("request", "completed", "timeout", "retry", "user", "session", "cache", "miss",
          "upstream", "latency", "exceeded", "order", "token", "refreshed", "queue", "backlog")


def _event_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    rows: list[Row] = []
    for ts in _times(rng, n, start, end):
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 9)))
        message = f"{words} id={rng.getrandbits(40):x} took {rng.randint(1, 5000)}ms"
        rows.append((
            ts.replace(microsecond=rng.randrange(0, 1_000_000, 1000)),
            rng.choice(_HOSTS),
            rng.choice(_LEVELS),
            rng.choice(_COMPONENTS),
            f"{rng.getrandbits(64):016x}",
            message,
        ))
    return rows


_METRICS = (("TEMP", "C", 21.0, 2.5), ("HUMIDITY", "%", 45.0, 8.0), ("PRESSURE", "hPa", 1013.0,
                                                                     6.0))


def _sensor_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    devices = 200
    rows: list[Row] = []
    for ts in _times(rng, n, start, end):
        metric, unit, mean, spread = rng.choice(_METRICS)
        rows.append((
            ts.replace(second=0),
            rng.randint(1, devices),
            metric,
            round(rng.gauss(mean, spread), 3),
            unit,
            "G" if rng.random() < 0.98 else rng.choice(("S", "B")),
        ))
    return rows


_DB_USERS = ("APP_USER", "APP_USER", "APP_USER", "ETL_USER", "REPORTING", "DBA_ADMIN")
_ACTIONS = ("SELECT",) * 6 + ("LOGON", "LOGOFF", "UPDATE", "INSERT", "DELETE", "ALTER TABLE")
_OBJECTS = ("ORDERS_FACT", "CUSTOMERS", "GL_JOURNAL", "SHIPMENTS", "PAYMENTS", None)


def _audit_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    rows: list[Row] = []
    for ts in _times(rng, n, start, end):
        action = rng.choice(_ACTIONS)
        obj = None if action in ("LOGON", "LOGOFF") else rng.choice(_OBJECTS)
        rows.append((
            ts,
            rng.choice(_DB_USERS),
            f"svc{rng.randint(1, 8)}",
            action,
            obj,
            0 if rng.random() < 0.97 else rng.choice((1017, 942, 1031)),
            f"pts/{rng.randint(0, 40)}",
            f"{action} on {obj}" if obj and rng.random() < 0.3 else None,
        ))
    return rows


_CITIES = ("Berlin", "Munich", "Hamburg", "Paris", "Lyon", "Madrid", "Milan", "Vienna", "Zurich")
_FIRST = ("Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas")
_LAST = ("Meyer", "Schmidt", "Dubois", "Garcia", "Rossi", "Huber", "Keller", "Weber", "Klein")


def _customer_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    base = rng.randrange(1, 1_000_000)
    rows: list[Row] = []
    for i, ts in enumerate(_times(rng, n, start, end)):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        rows.append((
            base + i,
            f"{first} {last}",
            f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.com",
            f"{rng.randint(1, 250)} {rng.choice(_LAST)}strasse",
            rng.choice(_CITIES),
            rng.choice(("DE", "DE", "FR", "ES", "IT", "AT", "CH")),
            ts,
        ))
    return rows


def _cols(spec: str) -> tuple[Column, ...]:
    return tuple(Column(*item.split(":")) for item in spec.split())


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("sales", _cols(
            "SALE_DATE:DATE ORDER_ID:NUMBER CUSTOMER_ID:NUMBER PRODUCT_ID:NUMBER"
            " CHANNEL:VARCHAR2 CURRENCY:VARCHAR2 QUANTITY:NUMBER UNIT_PRICE:NUMBER"
            " AMOUNT:NUMBER STATUS:VARCHAR2"), _sales_rows),
        Profile("ledger", _cols(
            "JOURNAL_ID:NUMBER POSTING_DATE:DATE ACCOUNT:VARCHAR2 COST_CENTER:VARCHAR2"
            " DEBIT:NUMBER CREDIT:NUMBER CURRENCY:VARCHAR2 DESCRIPTION:VARCHAR2"), _ledger_rows),
        Profile("event_log", _cols(
            "EVENT_TS:TIMESTAMP HOST:VARCHAR2 LOG_LEVEL:VARCHAR2 COMPONENT:VARCHAR2"
            " TRACE_ID:VARCHAR2 MESSAGE:VARCHAR2"), _event_rows),
        Profile("sensor", _cols(
            "READING_TS:DATE DEVICE_ID:NUMBER METRIC:VARCHAR2 READING:NUMBER UNIT:VARCHAR2"
            " QUALITY:VARCHAR2"), _sensor_rows),
        Profile("audit", _cols(
            "EVENT_TIME:TIMESTAMP DB_USER:VARCHAR2 OS_USER:VARCHAR2 ACTION_NAME:VARCHAR2"
            " OBJECT_NAME:VARCHAR2 RETURN_CODE:NUMBER TERMINAL:VARCHAR2 SQL_TEXT:VARCHAR2"),
            _audit_rows),
        Profile("customer", _cols(
            "CUSTOMER_ID:NUMBER FULL_NAME:VARCHAR2 EMAIL:VARCHAR2 STREET:VARCHAR2"
            " CITY:VARCHAR2 COUNTRY:VARCHAR2 CREATED_AT:DATE"), _customer_rows),
    )
}


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown data profile {name!r}; expected one of {', '.join(sorted(PROFILES))}"
        ) from None


def sample_rows(profile_name: str, seed: int, n: int, start: datetime, end: datetime) -> list[Row]:
    """``n`` rows of the profile covering [start, end), identical for identical arguments."""
    if n < 0:
        raise ValueError(f"a sample cannot have {n} rows")
    return profile(profile_name).make_rows(random.Random(seed), n, start, end)

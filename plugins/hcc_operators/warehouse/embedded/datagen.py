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
from itertools import accumulate

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


# Generation is column by column (``choices(k=n)`` and list comprehensions rather than a
# ``choice`` per value): a sample is generated for every segment the advisor estimates, and
# per-value calls made generation the largest cost of an estimate.


def _times(rng: random.Random, n: int, start: datetime, end: datetime) -> list[datetime]:
    span = max((end - start).total_seconds(), 1.0)
    offsets = sorted(int(rng.random() * span) for _ in range(n))
    return [start + timedelta(seconds=s) for s in offsets]


def _days(times: list[datetime]) -> list[datetime]:
    # Times are sorted, so equal days are adjacent: truncate each distinct day once.
    out: list[datetime] = []
    last_date, last_day = None, None
    for ts in times:
        if ts.date() != last_date:
            last_date, last_day = ts.date(), ts.replace(hour=0, minute=0, second=0)
        out.append(last_day)  # type: ignore[arg-type]
    return out


def _months(times: list[datetime]) -> list[str]:
    # strftime per row was most of a ledger sample's cost; a sample spans few months.
    labels: dict[tuple[int, int], str] = {}
    return [
        labels.get((ts.year, ts.month)) or labels.setdefault((ts.year, ts.month), f"{ts:%Y-%m}")
        for ts in times
    ]


def _skewed(rng: random.Random, population: int, n: int) -> list[int]:
    # Pareto-like: a few customers/devices produce most rows, as in real facts.
    return [min(int(rng.paretovariate(1.2)) * 7 % population + 1, population) for _ in range(n)]


def _ints(rng: random.Random, low: int, high: int, n: int) -> list[int]:
    """n uniform integers in [low, high]."""
    return rng.choices(range(low, high + 1), k=n)


def _flags(rng: random.Random, probability: float, n: int) -> list[bool]:
    return [rng.random() < probability for _ in range(n)]


_CHANNELS = ("WEB", "STORE", "PHONE", "PARTNER")
_CURRENCIES = ("EUR", "EUR", "EUR", "USD", "GBP", "CHF")
_ORDER_STATUS = ("SHIPPED", "SHIPPED", "SHIPPED", "DELIVERED", "RETURNED", "CANCELLED")
_QUANTITIES = (1, 1, 1, 2, 2, 3, 4, 6, 10)
_LIST_PRICES = (4.99, 9.99, 14.5, 19.99, 49.0, 99.9, 249.0)
_DISCOUNTS = (1, 1, 1, 0.9, 0.8)


def _sales_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    first = rng.randrange(10_000_000, 90_000_000)
    order_ids = list(accumulate(rng.choices((1, 2, 3), k=n), initial=first))[1:]
    qty = rng.choices(_QUANTITIES, k=n)
    price = [
        round(p * d, 2)
        for p, d in zip(rng.choices(_LIST_PRICES, k=n), rng.choices(_DISCOUNTS, k=n), strict=True)
    ]
    return list(
        zip(
            _days(_times(rng, n, start, end)),
            order_ids,
            _skewed(rng, 250_000, n),
            _ints(rng, 1, 5_000, n),
            rng.choices(_CHANNELS, k=n),
            rng.choices(_CURRENCIES, k=n),
            qty,
            price,
            [round(q * p, 2) for q, p in zip(qty, price, strict=True)],
            rng.choices(_ORDER_STATUS, k=n),
            strict=True,
        )
    )


_ACCOUNTS = tuple(
    f"{a}-{c:03d}"
    for a in (1000, 1200, 2000, 4000, 4100, 5000, 6000, 7000)
    for c in range(0, 60, 10)
)
_JOURNAL_TEXT = (
    "Monthly accrual",
    "Invoice posting",
    "Payment received",
    "FX revaluation",
    "Depreciation run",
    "Intercompany settlement",
    "Manual correction",
)


def _ledger_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    first = rng.randrange(1_000_000, 9_000_000)
    journals = list(accumulate(rng.choices((0, 0, 1), k=n), initial=first))[1:]
    times = _times(rng, n, start, end)
    amounts = [round(rng.lognormvariate(6, 1.6), 2) for _ in range(n)]
    debit = _flags(rng, 0.5, n)
    return list(
        zip(
            journals,
            _days(times),
            rng.choices(_ACCOUNTS, k=n),
            [f"CC{c}" for c in _ints(rng, 100, 140, n)],
            [a if d else None for a, d in zip(amounts, debit, strict=True)],
            [None if d else a for a, d in zip(amounts, debit, strict=True)],
            rng.choices(_CURRENCIES, k=n),
            [
                f"{text} {month}"
                for text, month in zip(rng.choices(_JOURNAL_TEXT, k=n), _months(times), strict=True)
            ],
            strict=True,
        )
    )


_HOSTS = tuple(f"app{i:02d}.prod.example.com" for i in range(1, 13))
_COMPONENTS = ("checkout", "auth", "search", "inventory", "payments", "gateway")
_LEVELS = ("INFO",) * 12 + ("WARN",) * 3 + ("ERROR", "DEBUG")
_WORDS = (
    "request",
    "completed",
    "timeout",
    "retry",
    "user",
    "session",
    "cache",
    "miss",
    "upstream",
    "latency",
    "exceeded",
    "order",
    "token",
    "refreshed",
    "queue",
    "backlog",
)


def _event_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    lengths = _ints(rng, 3, 9, n)
    words = rng.choices(_WORDS, k=sum(lengths))
    bounds = list(accumulate(lengths, initial=0))
    messages = [
        f"{' '.join(words[bounds[i] : bounds[i + 1]])} id={rng.getrandbits(40):x} took {took}ms"
        for i, took in enumerate(_ints(rng, 1, 5000, n))
    ]
    micros = rng.choices(range(0, 1_000_000, 1000), k=n)
    return list(
        zip(
            [
                ts.replace(microsecond=m)
                for ts, m in zip(_times(rng, n, start, end), micros, strict=True)
            ],
            rng.choices(_HOSTS, k=n),
            rng.choices(_LEVELS, k=n),
            rng.choices(_COMPONENTS, k=n),
            [f"{rng.getrandbits(64):016x}" for _ in range(n)],
            messages,
            strict=True,
        )
    )


_METRICS = (
    ("TEMP", "C", 21.0, 2.5),
    ("HUMIDITY", "%", 45.0, 8.0),
    ("PRESSURE", "hPa", 1013.0, 6.0),
)


def _sensor_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    devices = 200
    metrics = rng.choices(_METRICS, k=n)
    return list(
        zip(
            [ts.replace(second=0) for ts in _times(rng, n, start, end)],
            _ints(rng, 1, devices, n),
            [m[0] for m in metrics],
            [round(rng.gauss(mean, spread), 3) for _, _, mean, spread in metrics],
            [m[1] for m in metrics],
            [
                q if bad else "G"
                for bad, q in zip(_flags(rng, 0.02, n), rng.choices(("S", "B"), k=n), strict=True)
            ],
            strict=True,
        )
    )


_DB_USERS = ("APP_USER", "APP_USER", "APP_USER", "ETL_USER", "REPORTING", "DBA_ADMIN")
_ACTIONS = ("SELECT",) * 6 + ("LOGON", "LOGOFF", "UPDATE", "INSERT", "DELETE", "ALTER TABLE")
_OBJECTS = ("ORDERS_FACT", "CUSTOMERS", "GL_JOURNAL", "SHIPMENTS", "PAYMENTS", None)


def _audit_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    actions = rng.choices(_ACTIONS, k=n)
    objects = [
        None if a in ("LOGON", "LOGOFF") else o
        for a, o in zip(actions, rng.choices(_OBJECTS, k=n), strict=True)
    ]
    errors = [
        code if failed else 0
        for failed, code in zip(
            _flags(rng, 0.03, n), rng.choices((1017, 942, 1031), k=n), strict=True
        )
    ]
    return list(
        zip(
            _times(rng, n, start, end),
            rng.choices(_DB_USERS, k=n),
            [f"svc{u}" for u in _ints(rng, 1, 8, n)],
            actions,
            objects,
            errors,
            [f"pts/{t}" for t in _ints(rng, 0, 40, n)],
            [
                f"{a} on {o}" if o and logged else None
                for a, o, logged in zip(actions, objects, _flags(rng, 0.3, n), strict=True)
            ],
            strict=True,
        )
    )


_CITIES = ("Berlin", "Munich", "Hamburg", "Paris", "Lyon", "Madrid", "Milan", "Vienna", "Zurich")
_FIRST = ("Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas")
_LAST = ("Meyer", "Schmidt", "Dubois", "Garcia", "Rossi", "Huber", "Keller", "Weber", "Klein")


def _customer_rows(rng: random.Random, n: int, start: datetime, end: datetime) -> list[Row]:
    base = rng.randrange(1, 1_000_000)
    firsts, lasts = rng.choices(_FIRST, k=n), rng.choices(_LAST, k=n)
    return list(
        zip(
            range(base, base + n),
            [f"{f} {s}" for f, s in zip(firsts, lasts, strict=True)],
            [
                f"{f.lower()}.{s.lower()}{i}@example.com"
                for f, s, i in zip(firsts, lasts, _ints(rng, 1, 999, n), strict=True)
            ],
            [
                f"{no} {street}strasse"
                for no, street in zip(_ints(rng, 1, 250, n), rng.choices(_LAST, k=n), strict=True)
            ],
            rng.choices(_CITIES, k=n),
            rng.choices(("DE", "DE", "FR", "ES", "IT", "AT", "CH"), k=n),
            _times(rng, n, start, end),
            strict=True,
        )
    )


def _cols(spec: str) -> tuple[Column, ...]:
    return tuple(Column(*item.split(":")) for item in spec.split())


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "sales",
            _cols(
                "SALE_DATE:DATE ORDER_ID:NUMBER CUSTOMER_ID:NUMBER PRODUCT_ID:NUMBER"
                " CHANNEL:VARCHAR2 CURRENCY:VARCHAR2 QUANTITY:NUMBER UNIT_PRICE:NUMBER"
                " AMOUNT:NUMBER STATUS:VARCHAR2"
            ),
            _sales_rows,
        ),
        Profile(
            "ledger",
            _cols(
                "JOURNAL_ID:NUMBER POSTING_DATE:DATE ACCOUNT:VARCHAR2 COST_CENTER:VARCHAR2"
                " DEBIT:NUMBER CREDIT:NUMBER CURRENCY:VARCHAR2 DESCRIPTION:VARCHAR2"
            ),
            _ledger_rows,
        ),
        Profile(
            "event_log",
            _cols(
                "EVENT_TS:TIMESTAMP HOST:VARCHAR2 LOG_LEVEL:VARCHAR2 COMPONENT:VARCHAR2"
                " TRACE_ID:VARCHAR2 MESSAGE:VARCHAR2"
            ),
            _event_rows,
        ),
        Profile(
            "sensor",
            _cols(
                "READING_TS:DATE DEVICE_ID:NUMBER METRIC:VARCHAR2 READING:NUMBER UNIT:VARCHAR2"
                " QUALITY:VARCHAR2"
            ),
            _sensor_rows,
        ),
        Profile(
            "audit",
            _cols(
                "EVENT_TIME:TIMESTAMP DB_USER:VARCHAR2 OS_USER:VARCHAR2 ACTION_NAME:VARCHAR2"
                " OBJECT_NAME:VARCHAR2 RETURN_CODE:NUMBER TERMINAL:VARCHAR2 SQL_TEXT:VARCHAR2"
            ),
            _audit_rows,
        ),
        Profile(
            "customer",
            _cols(
                "CUSTOMER_ID:NUMBER FULL_NAME:VARCHAR2 EMAIL:VARCHAR2 STREET:VARCHAR2"
                " CITY:VARCHAR2 COUNTRY:VARCHAR2 CREATED_AT:DATE"
            ),
            _customer_rows,
        ),
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

"""Prometheus metrics read from the repositories of the fleet at scrape time.

A fresh CollectorRegistry per scrape: the API server runs several workers and restarts at will,
so counters kept in process memory would disagree between workers and reset on restart. The
repositories are the one source of truth; every value here is a gauge over what they hold now.

Every series carries a ``warehouse`` label (the name in warehouses.yaml; ``default`` for a
single-warehouse deployment). ``hcc_warehouse_up`` is 1 for each warehouse whose repository was
read and 0 for one that could not be: that warehouse's other series are left out (all of them,
never half a reading), and the other warehouses are served as usual.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from hcc_operators.api.queries.advisor import recommendations_by_type
from hcc_operators.api.queries.savings import savings
from hcc_operators.core.fleet import WarehouseSpec
from hcc_operators.repository.tables import (
    advisor_results,
    compression_executions,
    execution_log,
    ilm_batches,
    ilm_queue,
)

log = logging.getLogger(__name__)

FINISHED = ("SUCCESS", "FAILED")
WAREHOUSE_LABEL = "warehouse"
#: Repositories read at once (as the fleet overview, api/queries/fleet.py).
PARALLEL_READS = 8


@dataclass(frozen=True)
class Spec:
    """One metric: its name, help text and labels (``warehouse`` comes first, added here)."""

    name: str
    doc: str
    labels: tuple[str, ...] = ()


SPACE_SAVED = Spec(
    "hcc_space_saved_bytes",
    "Bytes saved by successful compression and ILM actions",
    ("schema", "source"),
)
ANALYSED = Spec(
    "hcc_advisor_objects_analysed",
    "Objects analysed by the advisor (retained results), by outcome",
    ("status",),
)
RECOMMENDATIONS = Spec(
    "hcc_recommendations",
    "Objects whose current advice recommends each compression type",
    ("compression_type",),
)
EXECUTIONS = Spec(
    "hcc_executions", "Compression executions and ILM actions, by status", ("kind", "status")
)
DURATION = Spec(
    "hcc_execution_duration_seconds_avg",
    "Average duration of finished (succeeded or failed) executions",
    ("kind",),
)
FAILURE_RATIO = Spec(
    "hcc_execution_failure_ratio",
    "Failed / (succeeded + failed); skipped and dry runs excluded",
    ("kind",),
)
QUEUE = Spec("hcc_ilm_queue_items", "ILM queue items by status", ("status",))
OLDEST_PENDING = Spec(
    "hcc_ilm_queue_oldest_pending_age_seconds",
    "Age of the oldest PENDING queue item (0 when nothing is pending)",
)
LAST_BATCH = Spec(
    "hcc_ilm_last_successful_batch_timestamp_seconds",
    "Unix time the last COMPLETED ILM batch finished (absent before the first)",
)
UP = Spec(
    "hcc_warehouse_up",
    "1 when the warehouse's repository was read for this scrape, 0 when it could not be "
    "(its other series are then absent)",
)
#: Every metric of a reading, in the order of the exposition.
REPOSITORY_METRICS = (
    SPACE_SAVED,
    ANALYSED,
    RECOMMENDATIONS,
    EXECUTIONS,
    DURATION,
    FAILURE_RATIO,
    QUEUE,
    OLDEST_PENDING,
    LAST_BATCH,
)


@dataclass
class Reading:
    """Everything one repository says, by metric name: {label values: value}."""

    values: dict[str, dict[tuple, float]] = field(default_factory=lambda: defaultdict(dict))

    def set(self, spec: Spec, values: dict[tuple, float]) -> None:
        self.values[spec.name].update(values)


def read_repository(engine: Engine, now: datetime) -> Reading:
    """One warehouse's series (raises when its repository cannot be read)."""
    reading = Reading()
    saved: dict[tuple, float] = defaultdict(float)
    for s in savings(engine):
        saved[(s.owner, s.source)] += s.bytes
    reading.set(SPACE_SAVED, saved)
    with engine.connect() as conn:
        _advisor(conn, reading)
        _executions(conn, reading)
        _queue(conn, now, reading)
        _last_batch(conn, reading)
    return reading


def _advisor(conn, reading: Reading) -> None:
    r = advisor_results.c
    analysed = conn.execute(select(r.status, func.count()).group_by(r.status)).all()
    reading.set(ANALYSED, {(s,): n for s, n in analysed})
    reading.set(RECOMMENDATIONS, {(t,): n for t, n in recommendations_by_type(conn).items()})


def _executions(conn, reading: Reading) -> None:
    counts: dict[tuple, float] = {}
    durations: dict[tuple, float] = {}
    failure: dict[tuple, float] = {}
    for kind, table in (("compression", compression_executions), ("ilm", execution_log)):
        c = table.c
        for status, n in conn.execute(select(c.status, func.count()).group_by(c.status)):
            counts[(kind, status)] = n
        avg = conn.scalar(
            select(func.avg(c.duration_s)).where(c.status.in_(FINISHED), c.duration_s.is_not(None))
        )
        if avg is not None:
            durations[(kind,)] = float(avg)
        ok = counts.get((kind, "SUCCESS"), 0)
        failed = counts.get((kind, "FAILED"), 0)
        if ok + failed:
            failure[(kind,)] = failed / (ok + failed)
    reading.set(EXECUTIONS, counts)
    reading.set(DURATION, durations)
    reading.set(FAILURE_RATIO, failure)


def _queue(conn, now: datetime, reading: Reading) -> None:
    q = ilm_queue.c
    rows = conn.execute(select(q.status, func.count()).group_by(q.status)).all()
    reading.set(QUEUE, {(s,): n for s, n in rows})
    oldest = conn.scalar(
        select(q.enqueued_at).where(q.status == "PENDING").order_by(q.enqueued_at).limit(1)
    )
    reading.set(OLDEST_PENDING, {(): max((now - oldest).total_seconds(), 0.0) if oldest else 0.0})


def _last_batch(conn, reading: Reading) -> None:
    b = ilm_batches.c
    last = conn.scalar(
        select(b.finished_at)
        .where(b.status == "COMPLETED", b.finished_at.is_not(None))
        .order_by(b.finished_at.desc())
        .limit(1)
    )
    reading.set(LAST_BATCH, {(): last.timestamp()} if last is not None else {})


#: Reads the repository of one warehouse (tests stand in for the connection).
RepositoryReader = Callable[[WarehouseSpec], Reading]


class FleetCollector(Collector):
    """The series of every warehouse given, each labelled with its name."""

    def __init__(self, warehouses: Sequence[WarehouseSpec], read: RepositoryReader):
        self.warehouses = list(warehouses)
        self.read = read

    def _read_one(self, spec: WarehouseSpec) -> Reading | None:
        try:
            return self.read(spec)
        except Exception as err:  # one warehouse down: up 0, the others still served
            log.warning("metrics: warehouse %s unreadable: %s", spec.name, err)
            return None

    def collect(self) -> Iterator[Metric]:
        if len(self.warehouses) > 1:
            workers = min(PARALLEL_READS, len(self.warehouses))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                readings = list(pool.map(self._read_one, self.warehouses))
        else:
            readings = [self._read_one(spec) for spec in self.warehouses]
        up = GaugeMetricFamily(UP.name, UP.doc, labels=[WAREHOUSE_LABEL])
        for spec, reading in zip(self.warehouses, readings, strict=True):
            up.add_metric([spec.name], 1.0 if reading is not None else 0.0)
        yield up
        for metric in REPOSITORY_METRICS:
            family = GaugeMetricFamily(
                metric.name, metric.doc, labels=[WAREHOUSE_LABEL, *metric.labels]
            )
            for spec, reading in zip(self.warehouses, readings, strict=True):
                if reading is None:
                    continue
                for key, value in sorted(reading.values.get(metric.name, {}).items()):
                    family.add_metric([spec.name, *key], value)
            yield family


def render_metrics(warehouses: Sequence[WarehouseSpec], read: RepositoryReader) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FleetCollector(warehouses, read))
    return generate_latest(registry)

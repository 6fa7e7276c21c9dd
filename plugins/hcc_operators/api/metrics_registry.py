"""Prometheus metrics read from the repository at scrape time.

A fresh CollectorRegistry per scrape: the API server runs several workers and restarts at will,
so counters kept in process memory would disagree between workers and reset on restart. The
repository is the one source of truth; every value here is a gauge over what it holds now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from hcc_operators.api.queries.advisor import recommendations_by_type
from hcc_operators.api.queries.savings import savings
from hcc_operators.repository.tables import (
    advisor_results,
    compression_executions,
    execution_log,
    ilm_batches,
    ilm_queue,
)

FINISHED = ("SUCCESS", "FAILED")


def _gauge(name: str, doc: str, labels: list[str], values: dict[tuple, float]) -> Metric:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for key, value in sorted(values.items()):
        family.add_metric(list(key), value)
    return family


class RepositoryCollector(Collector):
    def __init__(self, engine: Engine, now: datetime):
        self.engine = engine
        self.now = now

    def collect(self) -> Iterator[Metric]:
        yield self._space_saved()
        with self.engine.connect() as conn:
            yield from self._advisor(conn)
            yield from self._executions(conn)
            yield from self._queue(conn)
            yield self._last_batch(conn)

    def _space_saved(self) -> Metric:
        saved: dict[tuple, float] = defaultdict(float)
        for s in savings(self.engine):
            saved[(s.owner, s.source)] += s.bytes
        return _gauge(
            "hcc_space_saved_bytes",
            "Bytes saved by successful compression and ILM actions",
            ["schema", "source"],
            saved,
        )

    def _advisor(self, conn) -> Iterator[Metric]:
        r = advisor_results.c
        analysed = conn.execute(select(r.status, func.count()).group_by(r.status)).all()
        yield _gauge(
            "hcc_advisor_objects_analysed",
            "Objects analysed by the advisor (retained results), by outcome",
            ["status"],
            {(s,): n for s, n in analysed},
        )
        yield _gauge(
            "hcc_recommendations",
            "Objects whose current advice recommends each compression type",
            ["compression_type"],
            {(t,): n for t, n in recommendations_by_type(conn).items()},
        )

    def _executions(self, conn) -> Iterator[Metric]:
        counts: dict[tuple, float] = {}
        durations: dict[tuple, float] = {}
        failure: dict[tuple, float] = {}
        for kind, table in (("compression", compression_executions), ("ilm", execution_log)):
            c = table.c
            for status, n in conn.execute(select(c.status, func.count()).group_by(c.status)):
                counts[(kind, status)] = n
            avg = conn.scalar(
                select(func.avg(c.duration_s)).where(
                    c.status.in_(FINISHED), c.duration_s.is_not(None)
                )
            )
            if avg is not None:
                durations[(kind,)] = float(avg)
            ok = counts.get((kind, "SUCCESS"), 0)
            failed = counts.get((kind, "FAILED"), 0)
            if ok + failed:
                failure[(kind,)] = failed / (ok + failed)
        yield _gauge(
            "hcc_executions",
            "Compression executions and ILM actions, by status",
            ["kind", "status"],
            counts,
        )
        yield _gauge(
            "hcc_execution_duration_seconds_avg",
            "Average duration of finished (succeeded or failed) executions",
            ["kind"],
            durations,
        )
        yield _gauge(
            "hcc_execution_failure_ratio",
            "Failed / (succeeded + failed); skipped and dry runs excluded",
            ["kind"],
            failure,
        )

    def _queue(self, conn) -> Iterator[Metric]:
        q = ilm_queue.c
        rows = conn.execute(select(q.status, func.count()).group_by(q.status)).all()
        yield _gauge(
            "hcc_ilm_queue_items",
            "ILM queue items by status",
            ["status"],
            {(s,): n for s, n in rows},
        )
        oldest = conn.scalar(
            select(q.enqueued_at).where(q.status == "PENDING").order_by(q.enqueued_at).limit(1)
        )
        age = GaugeMetricFamily(
            "hcc_ilm_queue_oldest_pending_age_seconds",
            "Age of the oldest PENDING queue item (0 when nothing is pending)",
        )
        age.add_metric([], max((self.now - oldest).total_seconds(), 0.0) if oldest else 0.0)
        yield age

    def _last_batch(self, conn) -> Metric:
        b = ilm_batches.c
        last = conn.scalar(
            select(b.finished_at)
            .where(b.status == "COMPLETED", b.finished_at.is_not(None))
            .order_by(b.finished_at.desc())
            .limit(1)
        )
        family = GaugeMetricFamily(
            "hcc_ilm_last_successful_batch_timestamp_seconds",
            "Unix time the last COMPLETED ILM batch finished (absent before the first)",
        )
        if last is not None:
            family.add_metric([], last.timestamp())
        return family


def render_metrics(engine: Engine, now: datetime) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RepositoryCollector(engine, now))
    return generate_latest(registry)

"""Airflow's distributed setup for end-to-end tests: PostgreSQL metadata DB, CeleryExecutor with a
Redis broker, two Celery workers; every process on 127.0.0.1, started by the test.

The Airflow part is tests/e2e/conftest.py's ``start_airflow`` (the same api-server, scheduler
and dag-processor, REST client and watchdog budget) with the metadata DB, the executor and
Celery's settings overridden, plus two ``airflow celery worker`` processes started here with
distinct Celery hostnames. PostgreSQL and Redis come from backing_servers.py. Where they, or
the Celery provider, are not installed the module is skipped with the reason.

Heartbeat detection is shortened so a test can watch Airflow notice a killed worker: the task
supervisor heartbeats every ``[workers] min_heartbeat_interval`` (5 s); a task instance with no
heartbeat for HEARTBEAT_TIMEOUT_S is failed by the scheduler (and retried if it has retries).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import psutil
import pytest

from e2e.conftest import AirflowStack, start_airflow
from hcc_operators.core.names import POOL_SLOTS, Pool

from .backing_servers import (
    Postgres,
    Redis,
    start_postgres,
    start_redis,
    stop_postgres,
    unavailable,
)

WORKERS = ("hcc-worker-1", "hcc-worker-2")
#: Task slots per worker: as many as the hcc_oracle_ddl pool has (4), so that one surviving
#: worker always has a slot for the retry of a killed instance even while the batch's other
#: instances occupy the rest of the pool. With fewer, instances waiting for the killed one's
#: table (one action per table) can fill the survivor's slots, and the retry that would
#: release the table waits for the dead item's lease to expire (3 x predicted + 10 min).
CONCURRENCY = POOL_SLOTS[Pool.DDL]
HEARTBEAT_TIMEOUT_S = 30
WORKER_READY_S = 120
WORKER_STOP_GRACE_S = 20


@dataclass
class Distributed:
    """The running Airflow and what it runs on."""

    airflow: AirflowStack
    postgres: Postgres
    redis: Redis
    workers: dict[str, str] = field(default_factory=dict)  # name -> Celery hostname
    killed: list[str] = field(default_factory=list)

    def worker_log(self, name: str) -> str:
        path = self.airflow.home / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start_worker(self, name: str) -> None:
        hostname = f"{name}@127.0.0.1"
        # --skip-serve-logs: the log server's port is fixed (8793) and two workers on one machine
        # would collide; task logs are on this machine's disk, where the API server reads them.
        self.airflow.start(
            name,
            "celery",
            "worker",
            "--celery-hostname",
            hostname,
            "--concurrency",
            str(CONCURRENCY),
            "--skip-serve-logs",
        )
        self.workers[name] = hostname

    def wait_workers_ready(self, *names: str) -> None:
        for name in names:
            marker = f"{self.workers[name]} ready."
            self.airflow.wait_for(
                f"Celery worker {name} to be ready",
                lambda m=marker, n=name: True if m in self.worker_log(n) else None,
                timeout_s=WORKER_READY_S,
                every_s=0.5,
            )

    def worker_of_pid(self, pid: int) -> str | None:
        """The worker whose process tree holds ``pid`` (a task process), or None."""
        for name in self.workers:
            proc = self.airflow.processes.get(name)
            if proc is None:
                continue
            with contextlib.suppress(psutil.NoSuchProcess):
                tree = psutil.Process(proc.pid).children(recursive=True)
                if any(p.pid == pid for p in tree):
                    return name
        return None

    def kill_worker(self, name: str) -> list[int]:
        """``kill -9`` the worker and every process under it at once, as when its machine dies:
        the Celery main process, its pool processes, the task supervisors and the tasks."""
        proc = self.airflow.processes.pop(name)  # a dead worker is not a component failure
        family = [psutil.Process(proc.pid)]
        with contextlib.suppress(psutil.NoSuchProcess):
            family += family[0].children(recursive=True)
        for member in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.send_signal(signal.SIGKILL)
        _, alive = psutil.wait_procs(family, timeout=10)
        assert not alive, f"still alive after SIGKILL: {alive}"
        proc.wait(timeout=5)
        self.killed.append(name)
        return [m.pid for m in family]

    def executed_by(self) -> dict[tuple[str, str, int, int], str]:
        """(run_id, task_id, map_index, try_number) -> the worker that received the workload,
        read from each worker's log ("Executing workload in Celery: ...")."""
        seen: dict[tuple[str, str, int, int], str] = {}
        for name in [*self.workers, *self.killed]:
            for line in self.worker_log(name).splitlines():
                if "Executing workload in Celery" not in line or " ti=" not in line:
                    continue
                # The task instance's own fields (log_path before it names them too).
                fields = dict(_WORKLOAD_FIELD.findall(line.split(" ti=", 1)[1]))
                try:
                    key = (
                        fields["run_id"],
                        fields["task_id"],
                        int(fields["map_index"]),
                        int(fields["try_number"]),
                    )
                except (KeyError, ValueError):
                    continue
                seen[key] = name
        return seen

    def stop_workers(self) -> None:
        """SIGTERM (Celery's warm shutdown) to each live worker's process group, then the stack's
        own stop() takes what is left."""
        for name in self.workers:
            proc = self.airflow.processes.get(name)
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for name in self.workers:
            proc = self.airflow.processes.get(name)
            if proc is not None:
                with contextlib.suppress(Exception):
                    proc.wait(timeout=WORKER_STOP_GRACE_S)


_WORKLOAD_FIELD = re.compile(r"\b(run_id|task_id|map_index|try_number)=['\"]?([^'\",)\s]+)")


def distributed_env(postgres: Postgres, redis: Redis) -> dict[str, str]:
    return {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres.url,
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": redis.url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{postgres.url}",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(CONCURRENCY),
        # Longer than any action may run: the broker redelivers a message not acknowledged
        # within it (acks are late), and a killed worker's message is never acknowledged.
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "86400",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT_S),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
    }


@pytest.fixture(scope="module")
def distributed_factory(tmp_path_factory) -> Iterator:
    """Start PostgreSQL, Redis, Airflow and the two workers; stop all of it at the end."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    started: list[Distributed] = []
    postgres_servers: list[Postgres] = []
    redis_servers: list[Redis] = []

    def factory(*, extra_env: dict[str, str], budget_s: float, unpause: tuple[str, ...]):
        tmp = tmp_path_factory.mktemp("distributed")
        postgres = start_postgres()
        postgres_servers.append(postgres)
        redis = start_redis(tmp)
        redis_servers.append(redis)
        stack = start_airflow(
            tmp,
            extra_env=distributed_env(postgres, redis) | extra_env,
            budget_s=budget_s,
            unpause=unpause,
        )
        dist = Distributed(stack, postgres, redis)
        started.append(dist)
        for name in WORKERS:
            dist.start_worker(name)
        dist.wait_workers_ready(*WORKERS)
        return dist

    yield factory
    for dist in started:
        dist.stop_workers()
        if dist.airflow.watchdog is not None:
            dist.airflow.watchdog.cancel()
        dist.airflow.stop()
        if dist.airflow.client is not None:
            dist.airflow.client.close()
    # Airflow is gone: nothing uses the broker or the database any more.
    for redis in redis_servers:
        redis.stop()
    for postgres in postgres_servers:
        stop_postgres(postgres)


def pytest_terminal_summary(terminalreporter):
    """The figures of this run's chaos module, when it ran (written to OUTPUT as well)."""
    module = sys.modules.get(f"{__package__}.test_celery_postgres_chaos")
    figures = getattr(module, "FIGURES", None)
    if not figures or not figures["runs"]:
        return
    terminalreporter.section("distributed Airflow figures")
    terminalreporter.write_line(f"DAG runs: {figures['runs']}")
    terminalreporter.write_line(f"workers killed (SIGKILL mid-action): {figures['kills']}")
    left = figures["rows_left_running"]
    terminalreporter.write_line(
        f"rows left RUNNING after recovery: {left if left >= 0 else 'not measured'}"
    )

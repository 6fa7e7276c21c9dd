"""Real Airflow for end-to-end tests: api-server, scheduler and dag-processor on 127.0.0.1.

Each module gets its own AIRFLOW_HOME (a migrated SQLite metadata DB in tmp), this project's
dags/ and plugins/, LocalExecutor, a free port, and a REST client holding a JWT from the
SimpleAuthManager. The components are started one by one rather than with `airflow standalone`
because standalone always starts the scheduler's and triggerer's log servers on 0.0.0.0:8793/8794
(a fixed port: two runs on one machine collide); `--skip-serve-logs` avoids that, and the log
files are on local disk anyway. No triggerer: no task of the package defers.

Each Airflow gets a time budget. A watchdog stops it when the budget is spent, so a hung
scheduler fails the tests instead of hanging CI, and every wait is bounded by the same deadline.
Only one Airflow runs at a time: starting the next one stops the one before.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = Path(sys.executable).with_name("airflow")
USER = "hcc_e2e"
STOP_GRACE_S = 20.0
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_environment() -> dict[str, str]:
    # The parent may carry another AIRFLOW_HOME (tests/dags/conftest.py sets one), Airflow
    # settings or HCC_* seams; none of them may leak into the Airflow under test.
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "HCC_", "_AIRFLOW")) and key != "PYTHONPATH"
    }


@dataclass
class AirflowStack:
    home: Path
    port: int
    env: dict[str, str]
    budget_s: float
    deadline: float
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    client: httpx.Client | None = None
    watchdog: threading.Timer | None = None
    stop_reason: str | None = None  # set first, so waits report it, not dying components
    stopped: bool = False
    # Held for the whole of stop(): a teardown arriving while the watchdog is still stopping
    # waits for it, so pytest never exits (killing the daemon watchdog) with Airflow alive.
    _stop_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- processes -------------------------------------------------------------------------

    def run_cli(self, *args: str, timeout_s: float = 120) -> str:
        done = subprocess.run(
            [str(AIRFLOW), *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=min(timeout_s, self.seconds_left()),
        )
        assert done.returncode == 0, f"airflow {' '.join(args)} failed:\n{done.stderr[-4000:]}"
        return done.stdout

    def start(self, name: str, *args: str) -> None:
        log = (self.home / f"{name}.log").open("wb")
        # A session of its own per component: stop() signals the whole group (the scheduler's
        # LocalExecutor workers included) without touching the pytest process.
        self.processes[name] = subprocess.Popen(
            [str(AIRFLOW), *args],
            env=self.env,
            cwd=self.home,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def check_alive(self) -> None:
        assert self.stop_reason is None, f"Airflow was stopped: {self.stop_reason}\n{self.tails()}"
        dead = {n: p.returncode for n, p in self.processes.items() if p.poll() is not None}
        assert not dead, f"Airflow component(s) exited: {dead}\n{self.tails()}"

    def stop(self, reason: str = "the test is over") -> None:
        """SIGTERM every component's process group, then SIGKILL whatever is left.

        Task processes run in process groups of their own (the task supervisor calls setpgid),
        so the descendants are collected first and killed individually if they outlive their
        parents. Only processes started here, and their children, are ever signalled.
        """
        self.stop_reason = self.stop_reason or reason
        with self._stop_lock:
            if not self.stopped:
                self._stop()
                self.stopped = True

    def _stop(self) -> None:
        family: list[psutil.Process] = []
        for proc in self.processes.values():
            try:
                parent = psutil.Process(proc.pid)
                family += [parent, *parent.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        # The scheduler first, so that it stops handing out work while the API still answers.
        for name in ("scheduler", "dag-processor", "api-server"):
            proc = self.processes.get(name)
            if proc is not None and proc.poll() is None:
                _signal_group(proc.pid, signal.SIGTERM)
        _, alive = psutil.wait_procs(family, timeout=STOP_GRACE_S)
        for proc in self.processes.values():
            if proc.poll() is None:
                _signal_group(proc.pid, signal.SIGKILL)
        for leftover in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()
        psutil.wait_procs(alive, timeout=5)
        for proc in self.processes.values():
            # Reap the children so no zombie outlives the fixture; SIGKILL was sent above.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)

    # --- waiting and diagnostics ---------------------------------------------------------------

    def seconds_left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def wait_for(
        self, what: str, probe: Callable[[], T | None], *, timeout_s: float, every_s: float = 1.0
    ) -> T:
        """Poll ``probe`` until it returns something other than None, within the budget."""
        deadline = min(time.monotonic() + timeout_s, self.deadline)
        while True:
            self.check_alive()
            value = probe()
            if value is not None:
                return value
            if time.monotonic() >= deadline:
                limit = "Airflow's time budget" if deadline == self.deadline else "the wait"
                raise AssertionError(
                    f"{limit} ran out ({timeout_s:.0f}s for this wait, {self.budget_s:.0f}s "
                    f"for this Airflow) waiting for {what}\n" + self.tails()
                )
            time.sleep(every_s)

    def tails(self, lines: int = 40) -> str:
        out = []
        for name in self.processes:
            path = self.home / f"{name}.log"
            text = path.read_text(errors="replace").splitlines() if path.exists() else []
            out.append(f"--- {name} (last {lines} lines of {path}) ---")
            out.extend(text[-lines:])
        return "\n".join(out)

    # --- REST --------------------------------------------------------------------------------

    def api(self, method: str, path: str, *, expect: int | tuple[int, ...] = 200, **kwargs) -> Any:
        assert self.client is not None, "not logged in"
        response = self.client.request(method, path, **kwargs)
        wanted = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in wanted, (
            f"{method} {path} -> {response.status_code}: {response.text[:2000]}"
        )
        return response.json() if response.content else None


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)  # pid == pgid: each component leads its own session


def start_airflow(
    tmp: Path, *, extra_env: dict[str, str], budget_s: float, unpause: tuple[str, ...]
) -> AirflowStack:
    """Migrate a fresh metadata DB, start the components, log in, wait for the DAGs."""
    home = tmp / "airflow_home"
    home.mkdir()
    port = free_port()
    password = secrets.token_urlsafe(16)
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({USER: password}))
    env = (
        _clean_environment()
        | {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            # One worker: this runs on 2-core CI machines next to the scheduler and the tasks.
            "AIRFLOW__API__WORKERS": "1",
            # Fresh secrets per run instead of whatever airflow.cfg generation would pick.
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(16),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            # No runs from the timetables: the real clock may be inside a maintenance window and a
            # scheduled run would take queue items the test planned for its own runs. Manual runs
            # and backfills are still scheduled (Airflow's documented meaning of this switch).
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "PYTHONPATH": str(ROOT / "plugins"),
            "HCC_PROJECT_ROOT": str(ROOT),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
        | extra_env
    )
    stack = AirflowStack(home, port, env, budget_s, deadline=time.monotonic() + budget_s)
    # The watchdog is the hard limit: when it fires every process is gone, so any wait or REST
    # call still in progress fails at once instead of hanging the CI job.
    watchdog = threading.Timer(
        budget_s, stack.stop, kwargs={"reason": f"its time budget of {budget_s:.0f}s is spent"}
    )
    watchdog.daemon = True
    watchdog.start()
    stack.watchdog = watchdog
    try:
        stack.run_cli("db", "migrate")
        stack.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port))
        stack.start("scheduler", "scheduler", "--skip-serve-logs")
        stack.start("dag-processor", "dag-processor")
        _log_in(stack, password)
        for dag_id in unpause:
            stack.wait_for(
                f"{dag_id} to be parsed",
                lambda d=dag_id: _parsed(stack, d),
                timeout_s=120,
            )
            stack.api("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})
    except BaseException:
        watchdog.cancel()
        stack.stop(reason="it did not start")
        raise
    return stack


def _log_in(stack: AirflowStack, password: str) -> None:
    """POST /auth/token with the user and password the SimpleAuthManager was configured with."""
    with httpx.Client(base_url=stack.base_url, timeout=30, trust_env=False) as raw:

        def token() -> str | None:
            try:
                response = raw.post("/auth/token", json={"username": USER, "password": password})
            except httpx.TransportError:
                return None  # not listening yet
            if response.status_code == 201:
                return response.json()["access_token"]
            return None

        access = stack.wait_for("the API server to issue a token", token, timeout_s=120)
    stack.client = httpx.Client(
        base_url=stack.base_url,
        timeout=30,
        trust_env=False,
        headers={"Authorization": f"Bearer {access}"},
    )


def _parsed(stack: AirflowStack, dag_id: str) -> bool | None:
    assert stack.client is not None
    response = stack.client.get(f"/api/v2/dags/{dag_id}")
    return True if response.status_code == 200 else None


@pytest.fixture(scope="module")
def airflow_factory(tmp_path_factory) -> Iterator[Callable[..., AirflowStack]]:
    """Start Airflow on demand (the module decides the environment), stop it at the end."""
    started: list[AirflowStack] = []

    def factory(**kwargs) -> AirflowStack:
        # One Airflow at a time: two of them do not fit a 2-core CI machine side by side.
        for earlier in started:
            earlier.stop(reason="a later test started another Airflow")
        stack = start_airflow(tmp_path_factory.mktemp("airflow"), **kwargs)
        started.append(stack)
        return stack

    yield factory
    for stack in started:
        if stack.watchdog is not None:
            stack.watchdog.cancel()
        stack.stop()
        if stack.client is not None:
            stack.client.close()

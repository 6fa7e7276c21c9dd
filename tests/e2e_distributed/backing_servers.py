"""Private PostgreSQL and Redis servers on 127.0.0.1, from Debian's packages, for one test module.

PostgreSQL: ``initdb`` of a fresh cluster in a temporary directory, then ``postgres`` in the
foreground on a free port (listening on 127.0.0.1 only, trust authentication for its one
superuser, durability switched off: the data lives as long as the test). PostgreSQL refuses
to run as root, so under root (CI) both run as the unprivileged system user ``nobody``, which
owns the cluster's directory. Redis: ``redis-server`` on a free port with persistence off.

Both are children of the test process in sessions of their own and are stopped by their
process ids. ``unavailable()`` says why they cannot run here (the tests are skipped with that
reason): the Debian packages postgresql and redis-server, or the Python packages of
requirements-dev.txt (the Celery provider, psycopg2, asyncpg), are missing.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from glob import glob
from importlib.util import find_spec
from pathlib import Path

PG_USER = "hcc"  # the cluster's superuser (initdb -U); not a system account
PG_DATABASE = "airflow"
#: The unprivileged account the PostgreSQL server runs as when the tests run as root.
SERVICE_ACCOUNT = ("nobody", "nogroup")
START_TIMEOUT_S = 60.0
STOP_GRACE_S = 10.0


def pg_bindir() -> Path | None:
    """Where initdb and postgres are: Debian keeps them in /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("initdb")
    if on_path and Path(on_path).resolve().with_name("postgres").exists():
        return Path(on_path).resolve().parent
    found = sorted(
        (Path(p) for p in glob("/usr/lib/postgresql/*/bin") if Path(p, "postgres").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def unavailable() -> str | None:
    """Why the distributed stack cannot start on this machine; None when it can."""
    missing = []
    if pg_bindir() is None:
        missing.append("PostgreSQL server binaries (Debian package postgresql: initdb, postgres)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server (Debian package redis-server)")
    for module, package in (
        ("airflow.providers.celery", "apache-airflow-providers-celery"),
        ("psycopg2", "psycopg2-binary"),
        ("asyncpg", "asyncpg"),
        ("redis", "redis"),
    ):
        if find_spec(module.split(".")[0]) is None or find_spec(module) is None:
            missing.append(f"the Python package {package} (requirements-dev.txt)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVICE_ACCOUNT[0])
            grp.getgrnam(SERVICE_ACCOUNT[1])
        except KeyError:
            missing.append(
                f"the system account {SERVICE_ACCOUNT[0]}:{SERVICE_ACCOUNT[1]} "
                "(PostgreSQL refuses to run as root)"
            )
    if not missing:
        return None
    return "distributed Airflow needs " + "; ".join(missing) + " (.ci/run installs them as root)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    workdir: Path
    process: subprocess.Popen | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.workdir / f"{self.name}.log"

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        return "\n".join(
            [f"--- {self.name} (last {lines} lines of {self.log}) ---", *text[-lines:]]
        )

    def check_alive(self) -> None:
        assert self.process is not None and self.process.poll() is None, (
            f"{self.name} exited with {self.process.returncode if self.process else None}\n"
            + self.tail()
        )

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Ask the server to stop, then SIGKILL its session if it has not within the grace."""
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_GRACE_S)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # its session: the server and its children
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def _wait(what: Server, ready, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        what.check_alive()
        if ready():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what.name} not ready within {timeout_s:.0f}s\n{what.tail()}")
        time.sleep(0.2)


@dataclass
class Postgres(Server):
    @property
    def url(self) -> str:
        """SQLAlchemy URL of the test's database (trust authentication on 127.0.0.1)."""
        return f"postgresql+psycopg2://{PG_USER}@127.0.0.1:{self.port}/{PG_DATABASE}"


def _as_service_account() -> dict:
    """Popen arguments that run a child as the unprivileged account when we are root."""
    if os.geteuid() != 0:
        return {}
    user, group = SERVICE_ACCOUNT
    return {"user": user, "group": group, "extra_groups": []}


def _server_env() -> dict[str, str]:
    # Nothing of the test's environment (proxies, Airflow settings) reaches the servers.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}


def start_postgres() -> Postgres:
    """initdb a cluster in a new temporary directory and run it on a free port."""
    bindir = pg_bindir()
    assert bindir is not None, unavailable()
    # Not under pytest's tmp directory: that one is private to root, and the server may run
    # as nobody. The directory is removed when the server stops (stop_postgres).
    workdir = Path(tempfile.mkdtemp(prefix="hcc_pg_"))
    account = _as_service_account()
    if account:
        os.chown(
            workdir, pwd.getpwnam(account["user"]).pw_uid, grp.getgrnam(account["group"]).gr_gid
        )
    data = workdir / "data"
    server = Postgres("postgresql", free_port(), workdir)
    with server.log.open("wb") as log:
        if account:
            os.chown(server.log, pwd.getpwnam(account["user"]).pw_uid, -1)
        done = subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", PG_USER, "-A", "trust"]
            + ["--no-locale", "-E", "UTF8", "--no-sync"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_server_env(),
            cwd=workdir,
            timeout=120,
            **account,
        )
    assert done.returncode == 0, f"initdb failed ({done.returncode})\n{server.tail()}"
    settings = {
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": str(workdir),
        # Throw-away data: no durability, small memory; Airflow's components, two Celery
        # workers, their task processes and the result backend stay well under 200 sessions.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "shared_buffers": "32MB",
        "max_connections": "200",
    }
    args = [str(bindir / "postgres"), "-D", str(data), "-p", str(server.port)]
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    log = server.log.open("ab")
    server.process = subprocess.Popen(
        args,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=_server_env(),
        cwd=workdir,
        start_new_session=True,
        **account,
    )
    log.close()
    try:
        _wait(server, lambda: _create_database(server.port))
    except BaseException:
        stop_postgres(server)
        raise
    return server


def _create_database(port: int) -> bool:
    import psycopg2

    try:
        conn = psycopg2.connect(host="127.0.0.1", port=port, user=PG_USER, dbname="postgres")
    except psycopg2.OperationalError:
        return False  # still starting
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {PG_DATABASE}")
    finally:
        conn.close()
    return True


def stop_postgres(server: Postgres) -> None:
    server.stop(signal.SIGINT)  # PostgreSQL's "fast" shutdown
    shutil.rmtree(server.workdir, ignore_errors=True)


@dataclass
class Redis(Server):
    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def start_redis(workdir: Path) -> Redis:
    server = Redis("redis", free_port(), workdir)
    log = server.log.open("wb")
    server.process = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(server.port)]
        + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=_server_env(),
        cwd=workdir,
        start_new_session=True,
    )
    log.close()
    try:
        _wait(server, lambda: _pong(server.port))
    except BaseException:
        server.stop()
        raise
    return server


def _pong(port: int) -> bool:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False
    finally:
        client.close()

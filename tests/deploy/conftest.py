"""Production processes started for real: ``make serve``, or gunicorn and the mail worker, on
the PostgreSQL database under test (``TEST_DATABASE_URL``) and Redis (``TEST_REDIS_URL``, by
default database 10 of the local server, which these tests empty), each on a port of its own."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from participation import ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/10"


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


on_postgresql = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="pg_dump and pg_restore need PostgreSQL (TEST_DATABASE_URL)",
)
needs_redis = pytest.mark.skipif(not _redis_available(), reason=f"no Redis at {REDIS_URL}")
# Production: PostgreSQL and Redis.
needs_postgresql = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql")
    or not _redis_available(),
    reason="production runs on PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(database_url: str, port: int, outbox: Path, **extra) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "FLASK_", "GUNICORN_")) and key != "PORT"
    }
    environment.update(
        PARTICIPATION_ENV="production",
        SECRET_KEY="a-production-secret-for-the-test-only",
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        TRUSTED_HOSTS="127.0.0.1",
        MAIL_OUTBOX_DIR=str(outbox),
        MAIL_WORKER_INTERVAL="0.2",
        WEB_CONCURRENCY="2",
        # Cheap hashing: the test signs up and in many times.
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_COST="1024",
    )
    environment.update(extra)
    return environment


class Processes:
    """Processes started in a session of their own, stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, command: list[str], environment: dict) -> subprocess.Popen:
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((process, log))
        return process

    def stop(self, process: subprocess.Popen, timeout: float = 45) -> int:
        """SIGTERM to every process of its session, as systemd or a terminal's Ctrl-C does;
        SIGKILL if they are not gone after ``timeout`` seconds. Its exit code."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            return process.wait()

    def stop_all(self) -> None:
        for process, _log in self.started:
            self.stop(process)

    def log(self, process: subprocess.Popen) -> str:
        return next(log for p, log in self.started if p is process).read_text(errors="replace")


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()


def get(url: str, headers: dict | None = None, data: bytes | None = None):
    """(status, headers, body) of a request, errors included."""
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_healthy(base: str, process: subprocess.Popen, processes: Processes, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, processes.log(process)[-3000:]
        try:
            status, _headers, body = get(f"{base}/healthz")
        except OSError:
            time.sleep(0.3)
            continue
        if status == 200:
            return json.loads(body)
        time.sleep(0.3)
    raise AssertionError(f"{base} never became healthy:\n{processes.log(process)[-3000:]}")


def pytest_collection_modifyitems(items):
    # These tests empty one Redis database and start servers on it: with pytest-xdist they all
    # run in the same worker (``--dist loadgroup``), one after the other.
    for item in items:
        if "tests/deploy/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("redis"))

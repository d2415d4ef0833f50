"""Serving the app with gunicorn and driving it with wrk."""

import importlib.metadata
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# wrk's own summary counts 3xx answers as successes and hides which status came back: this
# script counts every status, and prints the figures as one JSON line (latencies in µs).
WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"statuses": {%s}, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), table.concat(parts, ", "), e.connect + e.read + e.write + e.timeout))
end
"""
USER_AGENT = "participation-bench"
# Slow pages at 32 connections queue behind 2 workers for seconds: not an error to wrk.
WRK_TIMEOUT = "60s"


@dataclass(frozen=True)
class Gunicorn:
    """The production server's settings for the run (documented in the README)."""

    workers: int = 2
    worker_class: str = "sync"
    port: int = 8765
    timeout: int = 120

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            str(Path(sys.executable).with_name("gunicorn")),
            # Production's settings (the app loaded once and forked, workers replaced now and
            # then…), with the run's own number of workers, address and timeout.
            "--config",
            "gunicorn.conf.py",  # in the directory gunicorn runs in, the project's
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            str(self.timeout),
            "participation.bench.app:create_bench_app()",
        ]

    def describe(self) -> dict:
        return {
            "version": importlib.metadata.version("gunicorn"),
            "workers": self.workers,
            "worker_class": self.worker_class,
            "timeout": self.timeout,
            "command": " ".join(self.command()[1:]),
        }


def opener(url: str) -> urllib.request.OpenerDirector:
    """Redirects are answers too: a page that redirects is not the page. Through nginx, the
    certificate is the run's own (``proxy.py``)."""
    handlers = [_NoRedirect]
    if url.startswith("https://127.0.0.1:"):
        handlers.append(urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
    return urllib.request.build_opener(*handlers)


def fetch(url: str, cookie: str | None = None) -> int:
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener(url).open(request, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextmanager
def serve(server: Gunicorn, environment: dict, log_path: Path):
    """Run gunicorn until the block ends; its log goes to ``log_path``."""
    from .app import BARE_PATH

    with open(log_path, "w") as log:
        process = subprocess.Popen(
            server.command(),
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
        try:
            wait_until_answered(
                server.base_url + BARE_PATH, process, "gunicorn", log_path.read_text
            )
            yield process
        finally:
            stop(process, timeout=30)


def stop(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM, then SIGKILL if it is still there after ``timeout`` seconds."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_answered(
    url: str, process: subprocess.Popen, name: str, log: Callable[[], str], seconds: int = 60
) -> None:
    """Until ``url`` answers 200; fails with the end of ``log()`` if ``process`` stops first,
    or if ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped:\n{log()[-3000:]}")
        try:
            if fetch(url) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer within {seconds} s:\n{log()[-3000:]}")


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is missing: apt-get install wrk")
    return path


def wrk_version() -> str:
    result = subprocess.run([wrk_path(), "--version"], capture_output=True, text=True)
    return (result.stdout or result.stderr).split("[")[0].strip()


def drive(url: str, connections: int, duration: int, cookie: str | None = None) -> dict:
    """One wrk run on ``url``: requests per second, latency percentiles (ms), statuses."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = [
        wrk_path(),
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{duration}s",
        "--timeout",
        WRK_TIMEOUT,
        "--script",
        script.name,
        "--header",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    try:
        result = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
    line = next(line for line in result.stdout.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    seconds = figures["duration_us"] / 1e6
    return {
        "connections": connections,
        "requests": figures["requests"],
        "seconds": round(seconds, 3),
        "requests_per_s": round(figures["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "statuses": {int(status): n for status, n in figures["statuses"].items()},
        "errors": figures["errors"],
    }

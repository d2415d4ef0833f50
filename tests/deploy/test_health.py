"""/healthz and the request id on every answer and log line."""

import io
import json
import logging
import socket

import pytest

from participation import create_app
from participation.logs import JsonFormatter, RequestIdFilter
from tests.conftest import make_config

from .conftest import REDIS_URL, needs_redis


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthy_without_redis_configured(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert response.headers["Cache-Control"] == "no-store"


@needs_redis
def test_healthy_with_redis(app_factory):
    app = app_factory(REDIS_URL=REDIS_URL)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["redis"] == "ok"


def test_503_when_redis_is_unreachable(app_factory):
    app = app_factory(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/10")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "redis": "unreachable"}


def test_503_when_the_database_is_unreachable(tmp_path):
    # Not app_factory: its clean-up empties the tables of a database that is not there.
    url = f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/none"
    app = create_app(make_config(url, tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


@pytest.fixture
def access_log():
    """The access lines, formatted as in production."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("participation.access")
    logger.addHandler(handler)
    level, disabled = logger.level, logger.disabled
    # The migrations' logging.config (run by the suite's set-up) disables the loggers it finds.
    logger.setLevel(logging.INFO)
    logger.disabled = False
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)
    logger.disabled = disabled


def test_a_request_id_is_honoured_or_made_and_on_every_log_line(client, access_log):
    lines = access_log
    sent = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert sent.headers["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": '{"forged": true}'})
    assert made.headers["X-Request-ID"] != '{"forged": true}'
    assert len(made.headers["X-Request-ID"]) == 32
    entries = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert [(e["request_id"], e["path"], e["status"]) for e in entries] == [
        ("abc-123", "/healthz", 200),
        (made.headers["X-Request-ID"], "/healthz", 200),
    ]
    assert all(e["level"] == "INFO" and e["method"] == "GET" for e in entries)
    assert all(isinstance(e["duration_ms"], float) for e in entries)

"""Structured logs: one JSON object a line, each carrying the id of the request it belongs to.

The request id is the ``X-Request-ID`` the reverse proxy sent (nginx's ``$request_id``, see
``deploy/``) when it looks like one, else a new one; it is sent back in the answer's
``X-Request-ID`` and written on every line logged while the request runs, and on the one access
line logged when it ends. ``LOG_FORMAT=json`` (the default in production) turns this on; in
development the lines stay readable text.
"""

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

# What a request id may be: what proxies generate (hex, UUIDs), and nothing a log reader could
# mistake for something else.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
STANDARD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_FIELDS and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(json_lines: bool, level: str = "INFO") -> None:
    """Send every logger's lines to stderr, as JSON or as text, with the request id."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == "json":
        configure(json_lines=True, level=app.config.get("LOG_LEVEL", "INFO"))
        # The app's own lines go through the root handler (Flask adds one of its own otherwise).
        app.logger.handlers.clear()
        app.logger.propagate = True
    access = logging.getLogger("participation.access")

    @app.before_request
    def take_request_id() -> None:
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def give_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
            access.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
                    "remote_addr": request.remote_addr,
                },
            )
        return response

"""``/healthz``: whether this app server reaches its database and Redis, for the load balancer
and the supervisor. 200 when everything answers, 503 (with what failed) when something does not.
"""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .extensions import db
from .policy import anyone
from .views import guard

bp = Blueprint("health", __name__)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # whatever the driver raises, the answer is "unreachable"
        current_app.logger.error("Health check: database unreachable: %s", error)
        db.session.rollback()
        return "unreachable"
    return "ok"


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    import redis

    client = current_app.extensions.get("health_redis")
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        current_app.extensions["health_redis"] = client
    try:
        client.ping()
    except redis.RedisError as error:
        current_app.logger.error("Health check: Redis unreachable: %s", error)
        return "unreachable"
    return "ok"


@bp.get("/healthz")
@guard(anyone)
def healthz():
    checks = {"database": _database(), "redis": _redis()}
    healthy = all(state != "unreachable" for state in checks.values())
    response = jsonify(status="ok" if healthy else "unavailable", **checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response

"""``make serve`` starts gunicorn and the mail worker with the production settings on
PostgreSQL and Redis: it answers /healthz and the home page, sends the outbox, logs JSON lines
with the request id, and stops on SIGTERM."""

import json
import time

from participation.extensions import db
from participation.mail import queue_mail
from participation.models import MailStatus, OutboxMessage, User

from .conftest import free_port, get, needs_postgresql, production_environment, wait_healthy


@needs_postgresql
def test_make_serve_answers_health_and_home_and_sends_mail(app, database_url, processes, tmp_path):
    port = free_port()
    outbox = tmp_path / "outbox"
    serve = processes.start(
        "serve",
        ["make", "--no-print-directory", "serve", f"SERVE_PORT={port}"],
        production_environment(database_url, port, outbox),
    )
    base = f"http://127.0.0.1:{port}"
    assert wait_healthy(base, serve, processes) == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }
    status, headers, body = get(f"{base}/", headers={"X-Request-ID": "serve-home-1"})
    assert status == 200, body[:2000]
    assert "Béthune" in body.decode()
    assert headers["X-Request-ID"] == "serve-home-1"
    assert "Strict-Transport-Security" in headers  # the production settings are in force

    # The mail worker beside gunicorn sends what a change stored.
    owner = User(email="owner@example.org", display_name="Anne", password_hash="x")
    queue_mail("someone@example.org", "Votre compte", "already_registered", user=owner)
    db.session.commit()
    deadline = time.monotonic() + 30
    while not list(outbox.glob("*.eml")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(list(outbox.glob("*.eml"))) == 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.scalar(db.select(OutboxMessage.status)) == MailStatus.SENT:
            break
        time.sleep(0.2)
    assert db.session.scalar(db.select(OutboxMessage.status)) == MailStatus.SENT

    started = time.monotonic()
    processes.stop(serve)
    assert time.monotonic() - started < 40  # within gunicorn's graceful_timeout, and no kill
    lines = [line for line in processes.log(serve).splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    home = [e for e in entries if e.get("request_id") == "serve-home-1"]
    assert home and home[0]["path"] == "/" and home[0]["status"] == 200
    gunicorn = [e["message"] for e in entries if e.get("logger") == "gunicorn.error"]
    assert "Handling signal: term" in gunicorn and "Shutting down: Master" in gunicorn
    assert any(e["message"] == "Mail worker stopped" for e in entries)

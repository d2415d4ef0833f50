"""The mail worker: it sends what ``mail.queue_mail`` stored, once each, and never loses any.

``deliver_one`` takes the oldest due message in its own transaction, locked with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL so that any number of workers can run at once
without two of them taking the same message; sends it; and records the attempt in the same
transaction: sent, due again after an exponential backoff (``MAIL_RETRY_SECONDS`` doubled at each
failure, at most ``MAIL_RETRY_MAX_SECONDS``), or dead after ``MAIL_MAX_ATTEMPTS`` failures or a
permanent refusal (an SMTP 5xx). A worker stopped in the middle of a message leaves it locked by
a transaction that never commits: the database releases it and another worker sends it (the
stable Message-ID makes the rare double delivery recognisable). SQLite has no row locks: run a
single worker there (``make run`` has one, a thread beside the development server).

Dead messages are listed for administrators, who may put one back in the queue
(``admin/services.py``, audited).
"""

import signal
import smtplib
import threading
import time
from datetime import date, datetime, timedelta
from email import policy
from email.parser import BytesParser

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .extensions import db
from .following.services import send_digests
from .mail import send_now
from .models import DailyRun, MailStatus, OutboxMessage, utcnow
from .paris_time import utc_to_paris

mail_cli = AppGroup("mail", help="Send the mail outbox.")
PURGE_EVERY = 60 * 60  # seconds


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure."""
    config = current_app.config
    seconds = config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _permanent(error: Exception) -> bool:
    """Trying again would not help: the server refused the message for good (5xx), or the
    message itself cannot be sent (anything but a network or SMTP failure)."""
    if not isinstance(error, OSError | smtplib.SMTPException):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _due(session: Session) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == MailStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow()
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(query).first()


def deliver_one() -> OutboxMessage | None:
    """Send the oldest due message and record the attempt; None when nothing is due."""
    with Session(db.engine, expire_on_commit=False) as session:
        message = _due(session)
        if message is None:
            session.rollback()
            return None
        now = utcnow()
        message.attempts += 1
        message.last_attempt_at = now
        try:
            send_now(BytesParser(policy=policy.default).parsebytes(message.raw))
        # Whatever goes wrong is recorded: a message that cannot be sent must not stop the others.
        except Exception as error:
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            if _permanent(error) or message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                message.status = MailStatus.DEAD
                current_app.logger.error(
                    "Mail %s to %s not delivered: %s",
                    message.message_id,
                    message.recipient,
                    message.last_error,
                )
            else:
                message.next_attempt_at = now + backoff(message.attempts)
                current_app.logger.warning(
                    "Mail %s to %s failed (attempt %d), next at %s: %s",
                    message.message_id,
                    message.recipient,
                    message.attempts,
                    message.next_attempt_at.isoformat(),
                    message.last_error,
                )
        else:
            message.status = MailStatus.SENT
            message.sent_at = now
            message.last_error = None
        session.commit()
        return message


def deliver_due(limit: int | None = None) -> int:
    """Send what is due now, up to ``limit`` messages; how many were tried."""
    tried = 0
    while limit is None or tried < limit:
        if deliver_one() is None:
            break
        tried += 1
    return tried


def purge_sent() -> int:
    """Forget the messages sent more than ``MAIL_KEEP_SENT_DAYS`` days ago (their links, reset
    links included, are long expired); how many."""
    before = utcnow() - timedelta(days=current_app.config["MAIL_KEEP_SENT_DAYS"])
    with Session(db.engine) as session:
        result = session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == MailStatus.SENT, OutboxMessage.sent_at < before
            )
        )
        session.commit()
        return result.rowcount


# The worker's daily task, and how long it waits after a failure before trying again.
DIGEST_RUN = "digest"
DIGEST_RETRY = 300


def send_daily_digests(now: datetime | None = None) -> int | None:
    """The day's digests (``following.services.send_digests``), queued once a day from
    ``DIGEST_HOUR``, Paris time, in the transaction that claims the day: of several workers,
    the first sends them; a failure rolls the claim back with the rest, for a later turn. How
    many were queued, or None when not due (before the hour, done today, ``DIGEST_HOUR`` off,
    or another worker at it)."""
    hour = current_app.config["DIGEST_HOUR"]
    if hour is None:
        return None
    local = utc_to_paris(now or utcnow())
    if local.hour < hour:
        return None
    try:
        queued = send_digests() if _claim_day(DIGEST_RUN, local.date()) else None
        db.session.commit()  # also ends the read when not due: no snapshot kept between turns
    except BaseException:
        db.session.rollback()
        raise
    if queued is not None:
        current_app.logger.info("Mail worker: %d daily digest(s) queued", queued)
    return queued


def _claim_day(name: str, day: date) -> bool:
    """Move the task's last day to ``day``; False when it is there already, or when another
    worker holds it (it is at the task: this one goes on delivering). Read first: the worker
    asks at every turn and writes once a day. The first claim ever inserts the row; a
    concurrent one fails on its key."""
    last = db.session.scalar(select(DailyRun.last_day).where(DailyRun.name == name))
    if last is None:
        try:
            with db.session.begin_nested():
                db.session.add(DailyRun(name=name, last_day=day))
        except IntegrityError:
            return False
        return True
    if last >= day:
        return False
    held = db.session.scalar(
        select(DailyRun.last_day)
        .where(DailyRun.name == name, DailyRun.last_day < day)
        .with_for_update(skip_locked=True)
    )
    if held is None:
        return False
    moved = db.session.execute(
        update(DailyRun)
        .where(DailyRun.name == name, DailyRun.last_day < day)
        .values(last_day=day)
        .execution_options(synchronize_session=False)
    )
    return bool(moved.rowcount)


def work(stop: threading.Event, interval: float) -> None:
    """Send what is due, then wait ``interval`` seconds, until ``stop`` is set. A message being
    sent when it is set is finished first. Once a day, from ``DIGEST_HOUR``, the digests are
    queued; once an hour, old sent messages are forgotten."""
    purged_at = 0.0
    digest_failed_at = -DIGEST_RETRY
    while not stop.is_set():
        try:
            deliver_due(limit=100)
            if time.monotonic() - purged_at > PURGE_EVERY:
                purge_sent()
                purged_at = time.monotonic()
        except Exception:  # the database is away for a moment: try again at the next turn
            current_app.logger.exception("Mail worker: could not read the outbox")
        # Apart: a digest that fails (and waits before trying again) stops no other mail.
        if time.monotonic() - digest_failed_at > DIGEST_RETRY:
            try:
                send_daily_digests()
            except Exception:
                digest_failed_at = time.monotonic()
                current_app.logger.exception("Mail worker: the daily digest failed")
            finally:
                db.session.remove()
        stop.wait(interval)


def start_thread(app: Flask) -> threading.Event:
    """The development worker: a daemon thread beside ``flask run``; setting the event returned
    (also ``app.extensions["mail_worker"]``) stops it."""
    stop = threading.Event()

    def run():
        with app.app_context():
            work(stop, app.config["MAIL_WORKER_INTERVAL"])

    threading.Thread(target=run, name="mail-worker", daemon=True).start()
    app.extensions["mail_worker"] = stop
    return stop


@mail_cli.command("work")
@click.option("--interval", type=float, default=None, help="Seconds between two looks.")
def work_command(interval: float | None) -> None:
    """Send the outbox until stopped (SIGTERM or Ctrl-C: the message in hand is finished)."""
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_args: stop.set())
    current_app.logger.info("Mail worker started")
    work(stop, interval or current_app.config["MAIL_WORKER_INTERVAL"])
    current_app.logger.info("Mail worker stopped")


@mail_cli.command("send")
def send_command() -> None:
    """Send what is due now, once, and say how many were tried."""
    click.echo(f"{deliver_due()} message(s) tried")

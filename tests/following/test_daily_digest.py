"""The daily digest sent by the mail worker, with no cron: once a day from DIGEST_HOUR (Paris
time), by one worker of several."""

import threading
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from participation import outbox
from participation.extensions import db
from participation.following import services
from participation.mail import queue_mail
from participation.models import (
    DailyRun,
    Delivery,
    MailStatus,
    NotificationType,
    OutboxMessage,
    ProposalStatus,
    User,
)
from participation.moderation import services as moderation

# 15 January 2026: Paris is UTC+1.
WINTER_DAY = datetime(2026, 1, 15)


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


@pytest.fixture
def news(create_proposal, create_user, moderator):
    """``news(title)``: a decision on a new proposal that a resident follows, for their digest;
    the resident."""
    resident = create_user()
    services.set_preferences(resident, {NotificationType.ANSWER: Delivery.DIGEST})

    def make(title: str) -> None:
        proposal = create_proposal(title=title)
        services.follow(resident, proposal)
        moderation.decide(proposal, moderator, ProposalStatus.UNDER_STUDY, "À l'étude")
        db.session.commit()

    make.resident = resident
    return make


def digests_to(email: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
        )
    )


def test_the_digest_leaves_once_a_day_from_its_hour_in_paris_time(app, news):
    app.config["DIGEST_HOUR"] = 7
    news("Des bancs")
    email = news.resident.email

    def run(utc: datetime):
        return outbox.send_daily_digests(utc)

    assert run(WINTER_DAY + timedelta(hours=5, minutes=59)) is None  # 6:59 in Paris
    assert digests_to(email) == []
    assert run(WINTER_DAY + timedelta(hours=6)) == 1  # 7:00 in Paris
    assert len(digests_to(email)) == 1
    # Later that day, new news waits for tomorrow's digest.
    news("Des arbres")
    assert run(WINTER_DAY + timedelta(hours=19)) is None
    assert len(digests_to(email)) == 1
    # 23:30 UTC is 0:30 the next day in Paris: before the hour.
    assert run(WINTER_DAY + timedelta(hours=23, minutes=30)) is None
    assert run(WINTER_DAY + timedelta(days=1, hours=6, minutes=30)) == 1
    first, second = digests_to(email)
    assert b"Des arbres" in second.raw and b"Des arbres" not in first.raw
    assert db.session.get(DailyRun, outbox.DIGEST_RUN).last_day == date(2026, 1, 16)
    # In summer Paris is UTC+2: 7:00 there is 5:00 UTC.
    news("Des fleurs")
    assert run(datetime(2026, 7, 15, 4, 59)) is None
    assert run(datetime(2026, 7, 15, 5, 0)) == 1
    assert len(digests_to(email)) == 3


def test_a_digest_that_fails_gives_the_day_back_and_stops_no_other_mail(app, news, monkeypatch):
    app.config["DIGEST_HOUR"] = 7
    news("Des bancs")
    email = news.resident.email

    def broken():
        raise RuntimeError("a template that does not render")

    monkeypatch.setattr(outbox, "send_digests", broken)
    with pytest.raises(RuntimeError):
        outbox.send_daily_digests(WINTER_DAY + timedelta(hours=8))
    assert db.session.scalar(select(DailyRun)) is None
    # The worker goes on delivering the rest while the digest fails.
    queue_mail("someone@example.org", "Sujet", "already_registered", user=User(display_name="A"))
    db.session.commit()
    stop = threading.Event()
    worker = threading.Thread(target=_work_a_moment, args=(app, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _sent_to("someone@example.org"):
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join()
    assert _sent_to("someone@example.org")
    assert digests_to(email) == []
    # Mended, the next turn sends it.
    monkeypatch.undo()
    assert outbox.send_daily_digests(WINTER_DAY + timedelta(hours=9)) == 1
    assert len(digests_to(email)) == 1


def _work_a_moment(app, stop: threading.Event) -> None:
    with app.app_context():
        outbox.work(stop, 0.05)


def _sent_to(email: str) -> bool:
    db.session.expire_all()
    return any(m.status == MailStatus.SENT for m in digests_to(email))


def test_with_the_hour_off_the_digest_is_left_to_the_command(app, news):
    app.config["DIGEST_HOUR"] = None
    news("Des bancs")
    assert outbox.send_daily_digests(WINTER_DAY + timedelta(hours=12)) is None
    db.session.commit()
    assert digests_to(news.resident.email) == []
    assert db.session.scalar(select(DailyRun)) is None


def test_the_mail_worker_sends_the_digest_with_no_other_process(app_factory, news):
    news("Des bancs")
    served = app_factory(MAIL_WORKER_THREAD=True, MAIL_WORKER_INTERVAL=0.05, DIGEST_HOUR=0)
    try:
        with served.app_context():
            deadline = time.monotonic() + 10
            sent = []
            while not sent and time.monotonic() < deadline:
                time.sleep(0.05)
                db.session.expire_all()
                sent = [m for m in digests_to(news.resident.email) if m.status == MailStatus.SENT]
            (digest,) = sent
            assert b"Des bancs" in digest.raw
    finally:
        served.extensions["mail_worker"].set()
        time.sleep(0.2)


@pytest.mark.parametrize(
    "claimed_before, command",
    [(False, False), (True, False), (True, True)],
    ids=["first day", "next day", "the command beside a worker"],
)
def test_two_runs_at_once_send_one_digest(app, news, claimed_before, command, monkeypatch):
    """Two workers reach the hour together (or a cron's command runs as a worker does): one
    digest leaves, whether the task has run before (the row's lock) or never (the primary key);
    the command skips the news a worker is sending."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (TEST_DATABASE_URL)")
    app.config["DIGEST_HOUR"] = 7
    news("Des bancs")
    email = news.resident.email
    if claimed_before:
        db.session.add(DailyRun(name=outbox.DIGEST_RUN, last_day=date(2026, 1, 14)))
        db.session.commit()
    start = threading.Barrier(2)
    queued = []

    def worker(run):
        with app.app_context():
            start.wait()
            try:
                queued.append(run())
            finally:
                db.session.remove()

    def slow_send():
        # Holding the claim and the news a moment: the other run meets them.
        sent = services.send_digests()
        time.sleep(0.2)
        return sent

    def daily():
        return outbox.send_daily_digests(WINTER_DAY + timedelta(hours=8))

    def by_hand():
        sent = services.send_digests()
        db.session.commit()
        return sent

    monkeypatch.setattr(outbox, "send_digests", slow_send)
    runs = [daily, by_hand if command else daily]
    threads = [threading.Thread(target=worker, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(queued, key=str) == ([0, 1] if command else [1, None])
    assert len(digests_to(email)) == 1


def test_the_hour_is_read_from_the_environment(monkeypatch):
    import config

    for value, hour in (("", 7), ("0", 0), ("23", 23), ("off", None), ("OFF", None)):
        monkeypatch.setenv("DIGEST_HOUR", value)
        assert config.load_config()["DIGEST_HOUR"] == hour
    for wrong in ("24", "-1", "sept", "none"):
        monkeypatch.setenv("DIGEST_HOUR", wrong)
        with pytest.raises(ValueError):
            config.load_config()

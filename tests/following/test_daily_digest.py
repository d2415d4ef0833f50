"""The daily digest sent by the mail worker, with no cron: once a day from DIGEST_HOUR (Paris
time), by one worker of several."""

import threading
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.following import services
from participation.models import (
    DailyRun,
    Delivery,
    MailStatus,
    NotificationType,
    OutboxMessage,
    ProposalStatus,
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
        queued = services.send_digests_if_due(utc)
        db.session.commit()
        return queued

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
    assert db.session.get(DailyRun, services.DIGEST_RUN).last_day == date(2026, 1, 16)


def test_with_the_hour_off_the_digest_is_left_to_the_command(app, news):
    app.config["DIGEST_HOUR"] = None
    news("Des bancs")
    assert services.send_digests_if_due(WINTER_DAY + timedelta(hours=12)) is None
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


@pytest.mark.parametrize("claimed_before", [False, True], ids=["first day", "next day"])
def test_two_workers_send_one_digest(app, news, claimed_before):
    """Two workers reach the hour together: one digest leaves, whether the task has run before
    (the row's lock) or never (the primary key)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (TEST_DATABASE_URL)")
    app.config["DIGEST_HOUR"] = 7
    news("Des bancs")
    if claimed_before:
        db.session.add(DailyRun(name=services.DIGEST_RUN, last_day=date(2026, 1, 14)))
        db.session.commit()
    start = threading.Barrier(2)
    queued = []

    def worker():
        with app.app_context():
            start.wait()
            try:
                queued.append(services.send_digests_if_due(WINTER_DAY + timedelta(hours=8)))
                # Holding the claim a moment: the other worker's claim waits for it.
                time.sleep(0.2)
                db.session.commit()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(queued, key=str) == [1, None]
    assert len(digests_to(news.resident.email)) == 1


def test_the_hour_is_read_from_the_environment(monkeypatch):
    import config

    for value, hour in (("", 7), ("0", 0), ("23", 23), ("off", None), ("OFF", None)):
        monkeypatch.setenv("DIGEST_HOUR", value)
        assert config.load_config()["DIGEST_HOUR"] == hour
    for wrong in ("24", "-1", "sept"):
        monkeypatch.setenv("DIGEST_HOUR", wrong)
        with pytest.raises(ValueError):
            config.load_config()

"""The outbox: a mail exists exactly when the change that causes it does, the worker sends it
once, keeps it while the mail server is down, and loses nothing when it is killed."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from participation import ROOT
from participation.extensions import db
from participation.mail import queue_mail
from participation.models import MailStatus, OutboxMessage, Role, User, utcnow
from participation.moderation import services as moderation
from participation.outbox import deliver_due
from tests.conftest import TEST_PASSWORD


def stored(status: MailStatus | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.scalars(query))


def make_due() -> None:
    """Time passes: every pending message is due again."""
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()


def queue(count: int) -> list[str]:
    owner = User(email="owner@example.org", display_name="Anne", password_hash="x")
    for n in range(count):
        queue_mail(f"r{n}@example.org", "Votre compte", "already_registered", user=owner)
    db.session.commit()
    return [m.message_id for m in stored()]


def test_a_mail_is_stored_with_its_change_and_sent_only_by_the_worker(app, client, outbox):
    response = client.post(
        "/sign-up",
        data={
            "email": "lea@example.org",
            "display_name": "Léa",
            "password": TEST_PASSWORD,
            "password_confirm": TEST_PASSWORD,
        },
    )
    assert response.status_code == 200
    (message,) = stored(MailStatus.PENDING)
    assert message.recipient == "lea@example.org" and message.attempts == 0
    assert not Path(app.config["MAIL_OUTBOX_DIR"]).exists()
    (sent,) = outbox()
    assert sent["Message-ID"] == message.message_id
    assert stored(MailStatus.SENT)[0].sent_at is not None
    assert [m["Message-ID"] for m in outbox()] == [message.message_id]


def test_no_mail_is_kept_when_the_change_is_rolled_back(app):
    queue_mail("a@example.org", "Sujet", "already_registered", user=User(display_name="A"))
    db.session.rollback()
    assert stored() == []
    assert deliver_due() == 0


def test_while_smtp_is_down_mails_are_kept_then_each_arrives_once_in_its_language(
    app, client, smtp, create_user, create_proposal
):
    # A sign-up in English, a reset for a French speaker, a decision told to an English author.
    client.post(
        "/sign-up",
        headers={"Accept-Language": "en"},
        data={
            "email": "new@example.org",
            "display_name": "Newcomer",
            "password": TEST_PASSWORD,
            "password_confirm": TEST_PASSWORD,
        },
    )
    create_user(email="paul@example.org", locale="fr")
    client.post("/password/forgotten", data={"email": "paul@example.org"})
    proposal = create_proposal(status="submitted", author=create_user(locale="en"))
    moderation.publish(proposal, create_user(Role.MODERATOR))
    db.session.commit()

    assert deliver_due() == 3
    kept = stored(MailStatus.PENDING)
    assert len(kept) == 3
    assert all(m.attempts == 1 and m.last_error and m.next_attempt_at > utcnow() for m in kept)
    assert deliver_due() == 0  # not due again yet

    smtp.start()
    make_due()
    assert deliver_due() == 3
    assert deliver_due() == 0
    received = {m["To"]: m for m in smtp.mailbox.messages}
    assert len(smtp.mailbox.messages) == 3
    assert sorted(smtp.mailbox.message_ids()) == sorted(m.message_id for m in kept)
    assert received["new@example.org"]["Subject"] == "Confirm your e-mail address"
    assert received["new@example.org"]["Content-Language"] == "en"
    assert received["paul@example.org"]["Subject"] == "Choisissez un nouveau mot de passe"
    assert received["paul@example.org"]["Content-Language"] == "fr"
    assert received[proposal.author.email]["Subject"] == "Your proposal is published"
    assert all(m.sent_at is not None for m in stored(MailStatus.SENT))


def test_failures_wait_longer_each_time_then_the_message_waits_for_an_admin(app, smtp):
    app.config.update(MAIL_RETRY_SECONDS=60, MAIL_MAX_ATTEMPTS=3)
    queue(1)
    waits = []
    for _attempt in range(3):
        assert deliver_due() == 1
        (message,) = stored()
        waits.append(message.next_attempt_at - message.last_attempt_at)
        make_due()
    assert waits[:2] == [timedelta(seconds=60), timedelta(seconds=120)]
    assert message.status == MailStatus.DEAD and message.attempts == 3
    assert deliver_due() == 0


def test_a_permanent_refusal_is_not_tried_again(app, smtp):
    smtp.mailbox.refuse = "550 No such user here"
    smtp.start()
    queue(1)
    assert deliver_due() == 1
    (message,) = stored()
    assert message.status == MailStatus.DEAD and message.attempts == 1
    assert "550" in message.last_error


def worker_environment(app, database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(app.config["MAIL_PORT"]),
        "MAIL_USE_TLS": "0",
        "MAIL_WORKER_INTERVAL": "0.1",
        "RATELIMIT_ENABLED": "0",
    }


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing(app, smtp, database_url):
    ids = queue(5)
    smtp.mailbox.hold_at = 3
    smtp.start()
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "participation", "mail", "work"],
        cwd=ROOT,
        env=worker_environment(app, database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert smtp.mailbox.holding.wait(60), "the worker never reached the third message"
        worker.kill()
    finally:
        worker.kill()
        worker.wait()
    assert len(stored(MailStatus.SENT)) == 2
    assert len(stored(MailStatus.PENDING)) == 3
    smtp.mailbox.released.set()
    deadline = time.monotonic() + 30
    while len(stored(MailStatus.SENT)) < 5 and time.monotonic() < deadline:
        deliver_due()
        time.sleep(0.1)
    # Each message arrived once: the one in hand when the worker died was sent again, whole.
    assert sorted(smtp.mailbox.message_ids()) == sorted(ids)


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="several workers at once need PostgreSQL's row locks (TEST_DATABASE_URL)",
)
def test_two_workers_never_send_the_same_message(app, smtp):
    ids = queue(40)
    smtp.mailbox.delay = 0.01
    smtp.start()
    start = threading.Barrier(2)
    tried = []

    def worker():
        with app.app_context():
            start.wait()
            tried.append(deliver_due())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(smtp.mailbox.message_ids()) == sorted(ids)
    assert sum(tried) == 40 and all(tried)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 40
    assert len(stored(MailStatus.SENT)) == 40


def test_the_development_server_delivers_with_no_other_process(app_factory, tmp_path):
    served = app_factory(MAIL_WORKER_THREAD=True, MAIL_WORKER_INTERVAL=0.05)
    try:
        with served.app_context():
            queue(1)
            outbox = Path(served.config["MAIL_OUTBOX_DIR"])
            deadline = time.monotonic() + 10
            while not stored(MailStatus.SENT) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(stored(MailStatus.SENT)) == 1
            assert len(list(outbox.glob("*.eml"))) == 1
    finally:
        served.extensions["mail_worker"].set()
        time.sleep(0.2)


def test_a_message_that_cannot_be_sent_is_set_aside_and_the_next_one_leaves(app, smtp):
    smtp.start()
    db.session.add(
        OutboxMessage(
            message_id="<broken@example.org>",
            recipient="nobody",
            subject="Sans expéditeur ni destinataire",
            locale="fr",
            raw=b"Subject: rien\n\nPas d'en-tetes.",
        )
    )
    db.session.commit()
    (good,) = [i for i in queue(1) if i != "<broken@example.org>"]
    assert deliver_due() == 2
    broken = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.message_id == "<broken@example.org>")
    )
    # No recipient: refused for good at the first attempt, not tried seven more times.
    assert (broken.status, broken.attempts) == (MailStatus.DEAD, 1)
    assert "SMTPRecipientsRefused" in broken.last_error
    assert smtp.mailbox.message_ids() == [good]


def test_old_sent_messages_are_forgotten_and_undelivered_ones_kept(app, outbox):
    from participation.outbox import purge_sent

    queue(3)
    outbox()
    old, recent, dead = stored()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([old.id, dead.id]))
        .values(sent_at=utcnow() - timedelta(days=31), last_attempt_at=utcnow())
    )
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == dead.id).values(status=MailStatus.DEAD)
    )
    db.session.commit()
    assert purge_sent() == 1
    assert [m.id for m in stored()] == [recent.id, dead.id]

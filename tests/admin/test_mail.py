"""Administrators read the mails that could not be delivered and queue them again."""

import pytest

from participation.extensions import db
from participation.models import AuditEntry, MailStatus, OutboxMessage, Role
from participation.outbox import deliver_due


@pytest.fixture
def dead(app):
    message = OutboxMessage(
        message_id="<1@participation.bethune.fr>",
        recipient="absent@example.org",
        subject="Confirmez votre adresse e-mail",
        locale="fr",
        raw=b"To: absent@example.org\nSubject: Confirmez\nMessage-ID: <1@participation.bethune.fr>\n\nBonjour",
        status=MailStatus.DEAD,
        attempts=8,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    db.session.add(message)
    db.session.commit()
    return message


@pytest.mark.parametrize(
    ("language", "title"), [("fr", "E-mails non remis"), ("en", "Undelivered e-mails")]
)
def test_admins_see_the_undelivered_mails_in_their_language(
    client, create_user, sign_in, dead, language, title
):
    sign_in(create_user(Role.ADMIN))
    page = client.get("/admin/mail", headers={"Accept-Language": language})
    assert page.status_code == 200
    assert title in page.text
    assert "absent@example.org" in page.text and "Connection refused" in page.text


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR])
def test_nobody_else_reads_or_retries_them(client, create_user, sign_in, dead, role):
    sign_in(create_user(role))
    assert client.get("/admin/mail").status_code == 403
    assert client.post(f"/admin/mail/{dead.id}/retry").status_code == 403
    db.session.refresh(dead)
    assert dead.status == MailStatus.DEAD


def test_an_admin_queues_one_again_and_it_is_audited_then_sent(
    client, create_user, sign_in, dead, outbox
):
    admin = create_user(Role.ADMIN)
    sign_in(admin)
    response = client.post(f"/admin/mail/{dead.id}/retry")
    assert response.status_code == 302
    db.session.refresh(dead)
    assert (dead.status, dead.attempts) == (MailStatus.PENDING, 0)
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id) == (
        "mail.retry",
        admin.id,
        "outbox_messages",
        dead.id,
    )
    assert entry.before == {"mail_status": "dead", "attempts": 8}
    # A message already queued has nothing to retry.
    assert client.post(f"/admin/mail/{dead.id}/retry").status_code == 409
    assert [m["To"] for m in outbox()] == ["absent@example.org"]
    db.session.refresh(dead)
    assert dead.status == MailStatus.SENT
    assert deliver_due() == 0
    audit_page = client.get("/moderation/audit", headers={"Accept-Language": "en"})
    assert "Undelivered e-mail queued again" in audit_page.text

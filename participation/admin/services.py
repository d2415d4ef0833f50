"""Reading accounts for administrators; the mail outbox's undelivered messages."""

from sqlalchemy import func, or_, select

from .. import audit
from ..extensions import db
from ..models import MailStatus, OutboxMessage, Role, User, utcnow
from .rules import can_retry_mail


def users_query(search: str = "", role: str = ""):
    query = select(User).where(User.erased_at.is_(None)).order_by(User.created_at.desc(), User.id)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(User.email.like(pattern), User.display_name.ilike(pattern)))
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    return query


def dead_mail_query():
    """The messages that were not delivered, the latest failure first."""
    return (
        select(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.DEAD)
        .order_by(OutboxMessage.last_attempt_at.desc(), OutboxMessage.id.desc())
    )


def mail_counts() -> dict[MailStatus, int]:
    """How many messages the outbox holds in each status."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    found = dict(rows.all())
    return {status: found.get(status, 0) for status in MailStatus}


def retry_mail(actor: User, message: OutboxMessage) -> None:
    """Put a message that was not delivered back in the queue, due now, its attempts counted
    afresh; the audit log keeps who did it."""
    can_retry_mail(actor, message).require()
    before = {"mail_status": message.status.value, "attempts": message.attempts}
    message.status = MailStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    audit.log(
        actor,
        "mail.retry",
        message,
        before=before,
        after={"mail_status": message.status.value, "attempts": 0},
    )
    db.session.flush()

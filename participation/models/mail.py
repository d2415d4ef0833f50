"""The mail outbox: every message a change causes, stored in the same transaction as the change.

A row is written by ``mail.queue_mail`` (never sent inline); ``outbox.deliver_one`` takes it,
sends it, and records the attempt: sent, due again later (exponential backoff), or dead after
too many failures, where administrators read and retry it.
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow
from .types import enum_column_type


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"

    @property
    def title(self):
        return {
            MailStatus.PENDING: _l("Waiting to be sent"),
            MailStatus.SENT: _l("Sent"),
            MailStatus.DEAD: _l("Not delivered"),
        }[self]


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # What a worker looks for: the pending messages that are due, oldest first.
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID header: the same on every attempt, so a rare second delivery is recognised.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    locale: Mapped[str] = mapped_column(String(5))
    # The message as it leaves (RFC 5322 bytes), built in the recipient's language when queued.
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[MailStatus] = mapped_column(
        enum_column_type(MailStatus, "status", 10), default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    sent_at: Mapped[datetime | None]


class DailyRun(db.Model):
    """The last day a daily task of the mail worker ran (the digest), in Paris time. A worker
    claims the day by moving it forward, in the transaction that does the task: of several
    workers, one does it, once."""

    __tablename__ = "daily_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_day: Mapped[date]

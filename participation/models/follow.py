"""Following a proposal, and what its followers are told (``participation/notifications.py``)."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .types import enum_column_type

if TYPE_CHECKING:
    from .proposal import Proposal


class Follow(db.Model):
    """A resident follows a proposal: its author and its supporters do from the start; anyone
    else who can see it may; each may stop."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationType(enum.StrEnum):
    """The kinds of news, each with its own choice of mail (at once, daily digest, none)."""

    ANSWER = "answer"
    ACTION = "action"
    COMMENT = "comment"

    @property
    def title(self):
        return {
            NotificationType.ANSWER: _l(
                "The moderators' answers (published, under study, retained, not retained, merged)"
            ),
            NotificationType.ACTION: _l("Framework deliberations and the progress of actions"),
            NotificationType.COMMENT: _l("New comments"),
        }[self]


class Delivery(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"

    @property
    def title(self):
        return {
            Delivery.IMMEDIATE: _l("An e-mail at once"),
            Delivery.DIGEST: _l("A daily digest"),
            Delivery.NONE: _l("No e-mail (on the site only)"),
        }[self]


class NotificationPreference(db.Model):
    """How a person wants to be told of one kind of news by mail; without a row, the type's
    default (``notifications.DEFAULT_DELIVERY``)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[NotificationType] = mapped_column(
        enum_column_type(NotificationType, "type_known", 10)
    )
    delivery: Mapped[Delivery] = mapped_column(enum_column_type(Delivery, "delivery_known", 10))


class Notification(db.Model):
    """One piece of news for one person, listed on their notifications page until read; a
    daily digest mails those marked ``in_digest`` and clears the mark."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The unread count and the list: one person's, newest first.
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[NotificationType] = mapped_column(
        enum_column_type(NotificationType, "type_known", 10)
    )
    # What happened, as ``notifications.SUBJECTS`` names it ("retained", "comment"...).
    event: Mapped[str] = mapped_column(db.String(30))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    in_digest: Mapped[bool] = mapped_column(default=False)

    proposal: Mapped["Proposal"] = relationship()

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .proposal import Origin
from .types import enum_column_type

if TYPE_CHECKING:
    from .proposal import Proposal
    from .user import User
    from .workshop import Workshop


class Comment(db.Model):
    """A comment on a proposal, or a reply to one (a single level of replies)."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_proposal_parent_created", "proposal_id", "parent_id", "created_at"),
        # A proposal's thread, a page at a time, read in its order: "parent_id IS NULL" in the
        # index above is a condition PostgreSQL does not sort by, so it joined and sorted all.
        Index(
            "ix_comments_proposal_threads",
            "proposal_id",
            "created_at",
            "id",
            postgresql_where=text("parent_id IS NULL"),
            sqlite_where=text("parent_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    origin: Mapped[Origin] = mapped_column(
        enum_column_type(Origin, "origin_known", 10), default=Origin.ONLINE
    )
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), index=True
    )
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    reply_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    proposal: Mapped["Proposal"] = relationship()
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])
    entered_by: Mapped["User | None"] = relationship(foreign_keys=[entered_by_id])
    workshop: Mapped["Workshop | None"] = relationship()
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @hybrid_property
    def is_published(self) -> bool:
        """Neither deleted by its author nor hidden by moderation. The public sees a comment
        when it is published and its proposal is visible (``Proposal.is_visible``); who else
        sees a hidden one is ``comments.rules.can_see_hidden``."""
        return self.deleted_at is None and self.hidden_at is None

    @is_published.inplace.expression
    @classmethod
    def _is_published_expression(cls):
        return and_(cls.deleted_at.is_(None), cls.hidden_at.is_(None))


# The codes ``moderation/reports.py`` writes in ``Report.resolution``.
REPORT_RESOLUTIONS = {
    "hidden": _l("Hidden"),
    "restored": _l("Shown again"),
    "dismissed": _l("Dismissed"),
}


class Report(db.Model):
    """A person's report of a proposal or a comment, with a reason; one per person and item."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "proposal_id"),
        UniqueConstraint("reporter_id", "comment_id"),
        CheckConstraint("(proposal_id IS NULL) <> (comment_id IS NULL)", name="exactly_one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(500))

    reporter: Mapped["User | None"] = relationship(foreign_keys=[reporter_id])
    proposal: Mapped["Proposal | None"] = relationship()
    comment: Mapped["Comment | None"] = relationship()

    @property
    def resolution_title(self) -> str:
        """How the report was closed, in words (``resolution`` keeps a code or a moderator's
        words)."""
        if not self.resolution:
            return str(_l("Resolved"))
        return str(REPORT_RESOLUTIONS.get(self.resolution, self.resolution))

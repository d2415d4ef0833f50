import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    NOT_RETAINED = "not_retained"
    MERGED = "merged"
    RETAINED = "retained"
    PROMOTED = "promoted"

    @property
    def title(self):
        return {
            ProposalStatus.SUBMITTED: _l("Awaiting moderation"),
            ProposalStatus.PUBLISHED: _l("Published"),
            ProposalStatus.WITHDRAWN: _l("Withdrawn by its author"),
            ProposalStatus.NOT_RETAINED: _l("Not retained"),
            ProposalStatus.MERGED: _l("Merged into another proposal"),
            ProposalStatus.RETAINED: _l("Retained"),
            ProposalStatus.PROMOTED: _l("Became a framework deliberation"),
        }[self]

    @property
    def is_public(self) -> bool:
        return self is not ProposalStatus.SUBMITTED


class Origin(enum.StrEnum):
    ONLINE = "online"
    WORKSHOP = "workshop"

    @property
    def title(self):
        return {Origin.ONLINE: _l("Online"), Origin.WORKSHOP: _l("Workshop")}[self]


STATUS_VALUES = ", ".join(f"'{s.value}'" for s in ProposalStatus)


class Proposal(db.Model):
    """A resident's (or a workshop card's) proposal, and its counters kept by atomic updates."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("round_id", "number"),
        CheckConstraint(f"status IN ({STATUS_VALUES})", name="status_known"),
        CheckConstraint("origin IN ('online', 'workshop')", name="origin_known"),
        CheckConstraint(
            "origin = 'workshop' OR workshop_id IS NULL", name="workshop_only_for_paper"
        ),
        CheckConstraint("support_count >= 0", name="support_count_positive"),
        CheckConstraint("paper_support_count >= 0", name="paper_support_count_positive"),
        CheckConstraint("comment_count >= 0", name="comment_count_positive"),
        CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"
        ),
        CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"
        ),
        Index("ix_proposals_round_status", "round_id", "status"),
        Index("ix_proposals_round_support_count", "round_id", "support_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"))
    # Per-round number, printed as the short code on workshop vote sheets (e.g. "P-42").
    number: Mapped[int]
    pillar_id: Mapped[int] = mapped_column(
        ForeignKey("pillars.id", ondelete="RESTRICT"), index=True
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    origin: Mapped[str] = mapped_column(String(10), default=Origin.ONLINE.value)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), index=True
    )
    # Who typed a paper card in (facilitator), or None for the web form.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.SUBMITTED.value)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="RESTRICT"), index=True
    )
    deliberation_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliberations.id", ondelete="SET NULL"), index=True
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    support_count: Mapped[int] = mapped_column(default=0)
    paper_support_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # Set by the first support or the first moderator action: the author can no longer edit.
    locked_at: Mapped[datetime | None]

    round = relationship("Round")
    pillar = relationship("Pillar")
    neighbourhood = relationship("Neighbourhood")
    author = relationship("User", foreign_keys=[author_id])
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    workshop = relationship("Workshop")
    merged_into = relationship("Proposal", remote_side=[id])
    deliberation = relationship("Deliberation", back_populates="proposals")
    events = relationship(
        "ProposalEvent",
        back_populates="proposal",
        order_by="ProposalEvent.created_at, ProposalEvent.id",
        cascade="all, delete-orphan",
    )

    @property
    def status_enum(self) -> ProposalStatus:
        return ProposalStatus(self.status)

    @property
    def origin_enum(self) -> Origin:
        return Origin(self.origin)

    @property
    def code(self) -> str:
        return f"P-{self.number}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_visible(self) -> bool:
        """Shown to the public: published (or decided) and not hidden by moderation."""
        return self.status_enum.is_public and not self.is_hidden

    @property
    def total_supports(self) -> int:
        return self.support_count + self.paper_support_count

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status}>"


class ProposalEvent(db.Model):
    """One dated line of a proposal's public trail (and of its private history)."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    # Edits keep the previous text here (shown to moderators only).
    previous: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal = relationship("Proposal", back_populates="events")
    actor = relationship("User")


class Support(db.Model):
    """An online support (soutien). One per resident and proposal, enforced by the database."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    # NULL once the supporter erased their account: the support stays counted, unlinked.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

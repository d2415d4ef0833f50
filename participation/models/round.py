import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

round_pillars = Table(
    "round_pillars",
    db.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("pillar_id", ForeignKey("pillars.id", ondelete="RESTRICT"), primary_key=True),
)


class RoundPhase(enum.StrEnum):
    UPCOMING = "upcoming"
    COLLECTING = "collecting"
    VOTING = "voting"
    DELIBERATION = "deliberation"
    CLOSED = "closed"

    @property
    def title(self):
        return {
            RoundPhase.UPCOMING: _l("Upcoming"),
            RoundPhase.COLLECTING: _l("Collecting proposals"),
            RoundPhase.VOTING: _l("Voting"),
            RoundPhase.DELIBERATION: _l("Deliberation"),
            RoundPhase.CLOSED: _l("Closed"),
        }[self]


class Round(db.Model):
    """A consultation round (concertation) and its calendar, stored in UTC."""

    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint("collect_starts_at < collect_ends_at", name="collect_in_order"),
        CheckConstraint("support_cap IS NULL OR support_cap > 0", name="support_cap_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    collect_starts_at: Mapped[datetime]
    collect_ends_at: Mapped[datetime]
    vote_starts_at: Mapped[datetime | None]
    vote_ends_at: Mapped[datetime | None]
    deliberation_ends_at: Mapped[datetime | None]
    support_cap: Mapped[int | None]
    premoderation: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pillars = relationship("Pillar", secondary=round_pillars, order_by="Pillar.position")

    def phase_at(self, now: datetime) -> RoundPhase:
        if now < self.collect_starts_at:
            return RoundPhase.UPCOMING
        if now < self.collect_ends_at:
            return RoundPhase.COLLECTING
        # A gap between collection and vote already belongs to the vote (not yet open).
        if self.vote_starts_at and self.vote_ends_at and now < self.vote_ends_at:
            return RoundPhase.VOTING
        if self.deliberation_ends_at and now < self.deliberation_ends_at:
            return RoundPhase.DELIBERATION
        return RoundPhase.CLOSED

    @property
    def phase(self) -> RoundPhase:
        return self.phase_at(utcnow())

    def accepts_proposals_at(self, now: datetime) -> bool:
        return self.collect_starts_at <= now < self.collect_ends_at

    def accepts_supports_at(self, now: datetime) -> bool:
        # Supports open with the collection and close with the vote.
        if self.collect_starts_at <= now < self.collect_ends_at:
            return True
        return bool(
            self.vote_starts_at
            and self.vote_ends_at
            and self.vote_starts_at <= now < self.vote_ends_at
        )

    def accepts_comments_at(self, now: datetime) -> bool:
        return self.phase_at(now) is not RoundPhase.CLOSED and now >= self.collect_starts_at

    @property
    def is_archived(self) -> bool:
        return self.phase is RoundPhase.CLOSED

    def __repr__(self) -> str:
        return f"<Round {self.slug}>"

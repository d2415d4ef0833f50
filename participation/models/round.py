import enum
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

if TYPE_CHECKING:
    from .pillar import Pillar


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
        CheckConstraint(
            "paper_grace_days >= 0 AND paper_grace_days <= 365", name="paper_grace_in_range"
        ),
        CheckConstraint(
            "stickers_per_person >= 1 AND stickers_per_person <= 100", name="stickers_in_range"
        ),
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
    # Paper input stays open this many days after a workshop, even once its phase has ended.
    paper_grace_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # How many stickers each workshop participant receives to vote with.
    stickers_per_person: Mapped[int] = mapped_column(default=5, server_default="5")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    # Imported from the city's archives (the 2018 Smart Days): held before the platform, so its
    # participation was never recorded here, only what the council decided.
    is_history: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pillars: Mapped[list["Pillar"]] = relationship(
        secondary=round_pillars, order_by="Pillar.position"
    )

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
    def workshops_end_at(self) -> datetime:
        """Workshops feed the collection and the vote: their phase ends with the vote (or with
        the collection when the round has no vote). They may be planned before it starts."""
        return self.vote_ends_at or self.collect_ends_at

    def accepts_workshops_at(self, now: datetime) -> bool:
        return now < self.workshops_end_at

    def accepts_paper_at(self, now: datetime, workshop_ends_at: datetime) -> bool:
        """What came back on paper is typed in during the workshops phase, or within the round's
        grace period after the workshop. A workshop that runs past the end of the phase counts
        its grace from that end: moving a workshop's end cannot reopen a closed round."""
        ended = min(workshop_ends_at, self.workshops_end_at)
        grace_ends = ended + timedelta(days=self.paper_grace_days)
        return now < max(self.workshops_end_at, grace_ends)

    @property
    def is_archived(self) -> bool:
        return self.phase is RoundPhase.CLOSED

    def __repr__(self) -> str:
        return f"<Round {self.slug}>"

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

if TYPE_CHECKING:
    from .masterplan import Action
    from .pillar import Pillar
    from .proposal import Proposal
    from .round import Round


class CouncilSession(db.Model):
    """A sitting of the city council that votes framework deliberations."""

    __tablename__ = "council_sessions"
    __table_args__ = (UniqueConstraint("held_on", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped["Round | None"] = relationship()
    deliberations: Mapped[list["Deliberation"]] = relationship(
        back_populates="council_session", order_by="Deliberation.number"
    )


class Deliberation(db.Model):
    """A numbered framework deliberation (délibération cadre), voted by a council session."""

    __tablename__ = "deliberations"
    __table_args__ = (
        UniqueConstraint("council_session_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_session_id: Mapped[int] = mapped_column(
        ForeignKey("council_sessions.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int]
    pillar_id: Mapped[int] = mapped_column(
        ForeignKey("pillars.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    council_session: Mapped["CouncilSession"] = relationship(back_populates="deliberations")
    pillar: Mapped["Pillar"] = relationship()
    proposals: Mapped[list["Proposal"]] = relationship(
        back_populates="deliberation", order_by="Proposal.id"
    )
    # What the public sees of them: a proposal hidden by moderation is not listed.
    visible_proposals: Mapped[list["Proposal"]] = relationship(
        primaryjoin="and_(Proposal.deliberation_id == Deliberation.id, Proposal.is_visible)",
        viewonly=True,
        order_by="Proposal.id",
    )

    @property
    def reference(self) -> str:
        """A number that never repeats: the council's date, then the number within it."""
        return f"{self.council_session.held_on.isoformat()}/{self.number}"

    # The masterplan action that carries it out (``models/masterplan.py``).
    action: Mapped["Action | None"] = relationship(back_populates="deliberation", uselist=False)

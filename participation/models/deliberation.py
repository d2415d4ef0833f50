import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .types import enum_column_type

if TYPE_CHECKING:
    from .pillar import Pillar
    from .proposal import Proposal
    from .round import Round
    from .user import User


class MasterplanStatus(enum.StrEnum):
    PROJECT = "project"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def title(self):
        return {
            MasterplanStatus.PROJECT: _l("Project"),
            MasterplanStatus.IN_PROGRESS: _l("In progress"),
            MasterplanStatus.DONE: _l("Done"),
        }[self]


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
    """A numbered framework deliberation (délibération cadre) and its masterplan tracking."""

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
    masterplan_status: Mapped[MasterplanStatus] = mapped_column(
        enum_column_type(MasterplanStatus, "status_known", 20), default=MasterplanStatus.PROJECT
    )
    carrier: Mapped[str] = mapped_column(String(200), default="Ville de Béthune")
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
    progress_notes: Mapped[list["ProgressNote"]] = relationship(
        back_populates="deliberation",
        order_by="ProgressNote.noted_on.desc(), ProgressNote.id.desc()",
        cascade="all, delete-orphan",
    )

    @property
    def status(self) -> MasterplanStatus:
        return MasterplanStatus(self.masterplan_status)


class ProgressNote(db.Model):
    """A dated note on a masterplan action's progress, with the status it set."""

    __tablename__ = "progress_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    deliberation_id: Mapped[int] = mapped_column(
        ForeignKey("deliberations.id", ondelete="CASCADE"), index=True
    )
    noted_on: Mapped[date]
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MasterplanStatus | None] = mapped_column(
        enum_column_type(MasterplanStatus, "status_known", 20)
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deliberation: Mapped["Deliberation"] = relationship(back_populates="progress_notes")
    author: Mapped["User | None"] = relationship()

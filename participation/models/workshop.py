import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .types import enum_column_type

if TYPE_CHECKING:
    from .pillar import Pillar
    from .proposal import Proposal
    from .round import Round
    from .user import User


workshop_pillars = Table(
    "workshop_pillars",
    db.metadata,
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    Column("pillar_id", ForeignKey("pillars.id", ondelete="RESTRICT"), primary_key=True),
)

workshop_facilitators = Table(
    "workshop_facilitators",
    db.metadata,
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class WorkshopState(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    TRANSCRIBED = "transcribed"

    @property
    def title(self):
        return {
            WorkshopState.PLANNED: _l("Planned"),
            WorkshopState.HELD: _l("Held"),
            WorkshopState.TRANSCRIBED: _l("Transcribed"),
        }[self]


class Workshop(db.Model):
    """A dated, located in-person session of a round, origin of paper contributions."""

    __tablename__ = "workshops"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="times_in_order"),
        CheckConstraint("attendance IS NULL OR attendance >= 0", name="attendance_positive"),
        CheckConstraint(
            "expected_attendance IS NULL OR expected_attendance >= 0", name="expected_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    expected_attendance: Mapped[int | None]
    attendance: Mapped[int | None]
    state: Mapped[WorkshopState] = mapped_column(
        enum_column_type(WorkshopState, "state_known", 20), default=WorkshopState.PLANNED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped["Round"] = relationship()
    pillars: Mapped[list["Pillar"]] = relationship(
        secondary=workshop_pillars, order_by="Pillar.position"
    )
    facilitators: Mapped[list["User"]] = relationship(secondary=workshop_facilitators)

    @property
    def sticker_bound(self) -> int | None:
        """How many sticker votes the workshop can have given in all: its attendance times the
        stickers each participant receives (None until the attendance is typed in)."""
        if self.attendance is None:
            return None
        return self.attendance * self.round.stickers_per_person


class PaperItem(enum.StrEnum):
    """What a correction of paper input is about."""

    PROPOSAL = "proposal"
    COMMENT = "comment"
    PAPER_SUPPORT = "paper_support"
    ATTENDANCE = "attendance"


class PaperSupport(db.Model):
    """Sticker votes counted at one workshop for one proposal; kept apart from online supports.

    Two sources add up: the cards given as a "+1" to a proposal at card entry (``card_count``)
    and the count typed from the vote sheet (``sheet_count``); ``count`` is their sum.
    """

    __tablename__ = "paper_supports"
    __table_args__ = (
        UniqueConstraint("workshop_id", "proposal_id"),
        CheckConstraint("count >= 0", name="count_positive"),
        CheckConstraint("card_count >= 0 AND sheet_count >= 0", name="sources_positive"),
        CheckConstraint("count = card_count + sheet_count", name="count_is_sum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    count: Mapped[int] = mapped_column(default=0)
    card_count: Mapped[int] = mapped_column(default=0, server_default="0")
    sheet_count: Mapped[int] = mapped_column(default=0, server_default="0")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    workshop: Mapped["Workshop"] = relationship()
    proposal: Mapped["Proposal"] = relationship()
    entered_by: Mapped["User | None"] = relationship()


class PaperCorrection(db.Model):
    """The previous value of a paper item each time it is corrected, and who changed it."""

    __tablename__ = "paper_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    item_type: Mapped[PaperItem] = mapped_column(enum_column_type(PaperItem, "item_type_known", 20))
    item_id: Mapped[int | None]
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by: Mapped["User | None"] = relationship()

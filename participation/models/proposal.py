import enum
import random
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .types import enum_column_type

# The keys the random order draws from (``proposals.services``): below 2**31, an INTEGER on both
# databases.
SHUFFLE_KEYS = 2**31 - 1


def draw_shuffle_key() -> int:
    return random.randrange(SHUFFLE_KEYS)


if TYPE_CHECKING:
    from .deliberation import Deliberation
    from .neighbourhood import Neighbourhood
    from .pillar import Pillar
    from .round import Round
    from .user import User
    from .workshop import Workshop


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    NOT_RETAINED = "not_retained"
    # The city's services study it before deciding: a public note says what is looked at.
    UNDER_STUDY = "under_study"
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
            ProposalStatus.UNDER_STUDY: _l("Under study"),
            ProposalStatus.MERGED: _l("Merged into another proposal"),
            ProposalStatus.RETAINED: _l("Retained"),
            ProposalStatus.PROMOTED: _l("Became a framework deliberation"),
        }[self]

    @property
    def is_public(self) -> bool:
        """Shown to the public (unless hidden): declared in ``proposals/state.py``."""
        from ..proposals.state import Allows, allows

        return allows(self, Allows.PUBLIC)


class Origin(enum.StrEnum):
    ONLINE = "online"
    WORKSHOP = "workshop"

    @property
    def title(self):
        return {Origin.ONLINE: _l("Online"), Origin.WORKSHOP: _l("Workshop")}[self]


class EventKind(enum.StrEnum):
    """What a line of a proposal's trail records (its wording: ``proposals/trail.py``)."""

    SUBMITTED = "submitted"
    STATUS = "status"
    EDITED = "edited"
    EDIT_PROPOSED = "edit_proposed"
    EDIT_REFUSED = "edit_refused"
    CORRECTED = "corrected"
    HIDDEN = "hidden"
    RESTORED = "restored"
    MERGED_IN = "merged_in"


class Proposal(db.Model):
    """A resident's (or a workshop card's) proposal, and its counters kept by atomic updates."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("round_id", "number"),
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
    origin: Mapped[Origin] = mapped_column(
        enum_column_type(Origin, "origin_known", 10), default=Origin.ONLINE
    )
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), index=True
    )
    # Who typed a paper card in (facilitator), or None for the web form.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column_type(ProposalStatus, "status_known", 20), default=ProposalStatus.SUBMITTED
    )
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
    # Drawn once, at random: the proposal's place in the random order, which each visit starts
    # at a point of its own (``proposals.services``).
    shuffle_key: Mapped[int] = mapped_column(default=draw_shuffle_key)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # Set by the first support or the first moderator action: the author can no longer edit.
    locked_at: Mapped[datetime | None]

    round: Mapped["Round"] = relationship()
    pillar: Mapped["Pillar"] = relationship()
    neighbourhood: Mapped["Neighbourhood | None"] = relationship()
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])
    entered_by: Mapped["User | None"] = relationship(foreign_keys=[entered_by_id])
    workshop: Mapped["Workshop | None"] = relationship()
    merged_into: Mapped["Proposal | None"] = relationship(remote_side=[id])
    deliberation: Mapped["Deliberation | None"] = relationship(back_populates="proposals")
    revision: Mapped["ProposalRevision | None"] = relationship(
        back_populates="proposal", uselist=False, cascade="all, delete-orphan"
    )
    events: Mapped[list["ProposalEvent"]] = relationship(
        back_populates="proposal",
        order_by="ProposalEvent.created_at, ProposalEvent.id",
        cascade="all, delete-orphan",
    )

    @property
    def code(self) -> str:
        return f"P-{self.number}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @hybrid_property
    def is_visible(self) -> bool:
        """Shown to the public: its status is public (``proposals/state.py``) and moderation has
        not hidden it. The one definition, in Python and in SQL (``where(Proposal.is_visible)``)."""
        return ProposalStatus(self.status).is_public and self.hidden_at is None

    @is_visible.inplace.expression
    @classmethod
    def _is_visible_expression(cls):
        from ..database import written_in
        from ..proposals.state import PUBLIC_STATUSES

        # Written into the statement: the partial indexes on what the public sees
        # (``ix_proposals_visible_*``) then serve a prepared statement's generic plan too.
        return and_(written_in(cls.status, PUBLIC_STATUSES), cls.hidden_at.is_(None))

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
    kind: Mapped[EventKind] = mapped_column(enum_column_type(EventKind, "kind_known", 30))
    from_status: Mapped[ProposalStatus | None] = mapped_column(
        enum_column_type(ProposalStatus, "from_status_known", 20)
    )
    to_status: Mapped[ProposalStatus | None] = mapped_column(
        enum_column_type(ProposalStatus, "to_status_known", 20)
    )
    note: Mapped[str | None] = mapped_column(Text)
    # Edits keep the previous text here (shown to moderators only).
    previous: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped["Proposal"] = relationship(back_populates="events")
    actor: Mapped["User | None"] = relationship()


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
    # The proposal first supported, when a merge moved the support here (its supporters follow
    # what becomes of the proposal they chose).
    merged_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalRevision(db.Model):
    """An author's change to a public proposal of a pre-moderated round, waiting for a moderator:
    the published text stays public until the change is accepted. One per proposal."""

    __tablename__ = "proposal_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillars.id", ondelete="RESTRICT"))
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    proposal: Mapped["Proposal"] = relationship(back_populates="revision")
    pillar: Mapped["Pillar"] = relationship()
    neighbourhood: Mapped["Neighbourhood | None"] = relationship()

"""The masterplan (plan d'actions): every action of the Smart City policy, whoever carries it.

An action is carried by a carrier (the city and its services, a company, an association, a
school, a group of residents, a person). It may come from a framework deliberation (each one leads
to an action carried by the city) or be proposed by a partner speaking for its carrier; the city
accepts it, asks for changes or declines it, and only accepted actions are public.
"""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .types import enum_column_type

if TYPE_CHECKING:
    from .deliberation import Deliberation
    from .pillar import Pillar
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


class CarrierKind(enum.StrEnum):
    CITY = "city"
    COMPANY = "company"
    ASSOCIATION = "association"
    SCHOOL = "school"
    RESIDENTS = "residents"
    INDIVIDUAL = "individual"

    @property
    def title(self):
        return {
            CarrierKind.CITY: _l("The city and its services"),
            CarrierKind.COMPANY: _l("Company"),
            CarrierKind.ASSOCIATION: _l("Association"),
            CarrierKind.SCHOOL: _l("School"),
            CarrierKind.RESIDENTS: _l("Group of residents"),
            CarrierKind.INDIVIDUAL: _l("Individual"),
        }[self]


class ActionReview(enum.StrEnum):
    """Where the city stands on an action: a partner's proposal waits for its answer."""

    PROPOSED = "proposed"
    CHANGES_REQUESTED = "changes_requested"
    DECLINED = "declined"
    ACCEPTED = "accepted"

    @property
    def title(self):
        return {
            ActionReview.PROPOSED: _l("Waiting for the city"),
            ActionReview.CHANGES_REQUESTED: _l("Changes asked"),
            ActionReview.DECLINED: _l("Declined"),
            ActionReview.ACCEPTED: _l("In the masterplan"),
        }[self]


# The people who speak for a carrier (its partner accounts).
carrier_partners = Table(
    "carrier_partners",
    db.metadata,
    Column("carrier_id", ForeignKey("carriers.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Carrier(db.Model):
    """Who carries actions: the city, or one of its partners."""

    __tablename__ = "carriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[CarrierKind] = mapped_column(enum_column_type(CarrierKind, "kind_known", 20))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actions: Mapped[list["Action"]] = relationship(back_populates="carrier")
    partners: Mapped[list["User"]] = relationship(secondary=carrier_partners, order_by="User.id")

    def __repr__(self) -> str:
        return f"<Carrier {self.slug}>"


class Action(db.Model):
    """One action of the masterplan, its carrier, its dates and how far it has come."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent"),
        CheckConstraint(
            "done_on IS NULL OR started_on IS NULL OR done_on >= started_on",
            name="done_after_start",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    pillar_id: Mapped[int] = mapped_column(
        ForeignKey("pillars.id", ondelete="RESTRICT"), index=True
    )
    carrier_id: Mapped[int] = mapped_column(
        ForeignKey("carriers.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[MasterplanStatus] = mapped_column(
        enum_column_type(MasterplanStatus, "status_known", 20), default=MasterplanStatus.PROJECT
    )
    planned_on: Mapped[date | None]
    started_on: Mapped[date | None]
    done_on: Mapped[date | None]
    percent: Mapped[int | None]
    # The framework deliberation the action carries out, when it went through the council.
    deliberation_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliberations.id", ondelete="SET NULL"), unique=True
    )
    review: Mapped[ActionReview] = mapped_column(
        enum_column_type(ActionReview, "review_known", 20), default=ActionReview.ACCEPTED
    )
    review_reason: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pillar: Mapped["Pillar"] = relationship()
    carrier: Mapped["Carrier"] = relationship(back_populates="actions")
    deliberation: Mapped["Deliberation | None"] = relationship(back_populates="action")
    proposed_by: Mapped["User | None"] = relationship()
    progress_notes: Mapped[list["ProgressNote"]] = relationship(
        back_populates="action",
        order_by="ProgressNote.noted_on.desc(), ProgressNote.id.desc()",
        cascade="all, delete-orphan",
    )

    @hybrid_property
    def is_published(self) -> bool:
        """In the public masterplan: the city accepted it. One definition, Python and SQL."""
        return self.review == ActionReview.ACCEPTED

    @is_published.inplace.expression
    @classmethod
    def _is_published_expression(cls):
        return cls.review == ActionReview.ACCEPTED

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status}>"


class ProgressNote(db.Model):
    """A dated note on a masterplan action's progress, with the status it set, if any."""

    __tablename__ = "progress_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    noted_on: Mapped[date]
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MasterplanStatus | None] = mapped_column(
        enum_column_type(MasterplanStatus, "status_known", 20)
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    action: Mapped["Action"] = relationship(back_populates="progress_notes")
    author: Mapped["User | None"] = relationship()

"""Council sessions, and retained proposals promoted into numbered framework deliberations.

Services take the acting moderator, write the audit log, flush and never commit.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..errors import ParticipationError
from ..extensions import db
from ..masterplan import tracking
from ..models import CouncilSession, Deliberation, Pillar, Proposal, ProposalStatus, User
from ..notifications import notify_followers
from ..proposals import state
from . import rules
from .rules import PromotionNotPossible

__all__ = ["NumberTaken", "PromotionNotPossible", "DeliberationInput", "promote"]


class NumberTaken(ParticipationError):
    message = _l("This number is already used by another deliberation of this council session.")
    field = "number"


class SessionExists(ParticipationError):
    message = _l("A council session with this date and title exists already.")
    field = "title"


def create_council_session(
    actor: User, held_on: date, title: str, round_id: int | None
) -> CouncilSession:
    rules.can_manage(actor).require()
    session = CouncilSession(held_on=held_on, title=title.strip(), round_id=round_id)
    try:
        with db.session.begin_nested():
            db.session.add(session)
    except IntegrityError as error:
        raise SessionExists() from error
    audit.log(
        actor,
        "council_session.create",
        session,
        after={"held_on": held_on.isoformat(), "title": session.title},
    )
    return session


@dataclass
class DeliberationInput:
    council_session_id: int
    number: int
    pillar_id: int
    title: str
    body: str = ""


def promote(proposals: list[Proposal], actor: User, data: DeliberationInput) -> Deliberation:
    """Turn retained proposals into one numbered framework deliberation of a council session,
    and its action in the masterplan."""
    rules.can_manage(actor).require()
    if not proposals or len({p.round_id for p in proposals}) != 1:
        raise PromotionNotPossible()
    for proposal in proposals:
        rules.can_promote(actor, proposal).require()
    if (
        db.session.get(CouncilSession, data.council_session_id) is None
        or db.session.get(Pillar, data.pillar_id) is None
    ):
        raise PromotionNotPossible()
    deliberation = Deliberation(
        council_session_id=data.council_session_id,
        number=data.number,
        pillar_id=data.pillar_id,
        title=data.title.strip(),
        body=data.body.strip(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(deliberation)
    except IntegrityError as error:
        raise NumberTaken() from error
    # Each framework deliberation leads to an action of the masterplan, carried by the city.
    tracking.action_for_deliberation(deliberation)
    for proposal in proposals:
        proposal.deliberation = deliberation
        state.transition(
            proposal, ProposalStatus.PROMOTED, actor, deliberation.title, action="proposal.promote"
        )
    audit.log(
        actor,
        "deliberation.create",
        deliberation,
        after={
            "number": data.number,
            "title": deliberation.title,
            "proposals": [p.id for p in proposals],
        },
    )
    for proposal in proposals:
        notify_followers(proposal, "promoted", deliberation=deliberation)
    db.session.flush()
    return deliberation


def next_deliberation_number(council_session_id: int) -> int:
    current = db.session.scalar(
        select(func.coalesce(func.max(Deliberation.number), 0)).where(
            Deliberation.council_session_id == council_session_id
        )
    )
    return current + 1

"""Workshops: planning them, their state, and reading them (public list, page, printable kit).

Services take the acting user explicitly, flush, never commit. A refused workshop raises
``WorkshopInvalid`` whose ``problems`` map each form field to a translated message. What comes
back on paper (cards, sticker votes, attendance, imports) is typed in through ``paper``.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import audit
from ..extensions import db
from ..models import (
    Comment,
    PaperCorrection,
    PaperItem,
    PaperSupport,
    Pillar,
    Proposal,
    Role,
    Round,
    User,
    Workshop,
    WorkshopState,
    utcnow,
)
from ..policy import holding, is_moderator
from ..proposals.state import Allows, statuses_allowing
from ..rounds.services import paris_to_utc, utc_to_paris
from ..templating import localdate
from . import errors, rules

TITLE_MAX = 200
PLACE_MAX = 300
DESCRIPTION_MAX = 5000
ATTENDANCE_MAX = 100_000
AUDITED = ("title", "starts_at", "ends_at", "place", "description", "expected_attendance")


# --- planning ------------------------------------------------------------------------------


@dataclass
class WorkshopInput:
    """A workshop as it is typed. Times are naive Europe/Paris wall-clock times."""

    title: str
    place: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    description: str = ""
    pillar_ids: list[int] = field(default_factory=list)
    facilitator_ids: list[int] = field(default_factory=list)
    expected_attendance: int | None = None


def workshop_problems(data: WorkshopInput) -> dict[str, str]:
    """Every rule ``data`` breaks that needs no database, as {field name: message}."""
    problems: dict[str, object] = {}
    title = (data.title or "").strip()
    if not title:
        problems["title"] = _l("Give the workshop a title.")
    elif len(title) > TITLE_MAX:
        problems["title"] = _l("The title has at most %(max)d characters.", max=TITLE_MAX)
    place = (data.place or "").strip()
    if not place:
        problems["place"] = _l("Say where the workshop takes place.")
    elif len(place) > PLACE_MAX:
        problems["place"] = _l("The place has at most %(max)d characters.", max=PLACE_MAX)
    if len((data.description or "").strip()) > DESCRIPTION_MAX:
        problems["description"] = _l(
            "The description has at most %(max)d characters.", max=DESCRIPTION_MAX
        )
    if data.starts_at is None:
        problems["starts_at"] = _l("Enter when the workshop starts.")
    if data.ends_at is None:
        problems["ends_at"] = _l("Enter when the workshop ends.")
    elif data.starts_at is not None and paris_to_utc(data.ends_at) <= paris_to_utc(data.starts_at):
        problems["ends_at"] = _l("The workshop must end after it starts.")
    if not data.pillar_ids:
        problems["pillar_ids"] = _l("Choose at least one pillar.")
    if data.expected_attendance is not None and not (
        0 <= data.expected_attendance <= ATTENDANCE_MAX
    ):
        problems["expected_attendance"] = _l(
            "Enter a number between 0 and %(max)d.", max=ATTENDANCE_MAX
        )
    return {name: str(message) for name, message in problems.items()}


def create_workshop(actor: User, round_: Round, data: WorkshopInput) -> Workshop:
    """A facilitator (who then runs it), a moderator or an administrator plans a workshop."""
    rules.can_plan(actor, round_).require()
    workshop = Workshop(round=round_, created_by_id=actor.id, state=WorkshopState.PLANNED.value)
    _save(actor, workshop, data, is_new=True)
    return workshop


def update_workshop(actor: User, workshop: Workshop, data: WorkshopInput) -> None:
    rules.can_manage(actor, workshop).require()
    _save(actor, workshop, data, is_new=False)


def _save(actor: User, workshop: Workshop, data: WorkshopInput, *, is_new: bool) -> None:
    problems = workshop_problems(data)
    if (
        data.starts_at is not None
        and paris_to_utc(data.starts_at) >= workshop.round.workshops_end_at
    ):
        problems.setdefault(
            "starts_at",
            str(
                _l(
                    "The workshop must take place before the end of the consultation's "
                    "workshops phase, on %(date)s.",
                    date=localdate(workshop.round.workshops_end_at, "long"),
                )
            ),
        )
    # Every read happens before the workshop changes, so that no autoflush writes half of it.
    pillars = _round_pillars(workshop.round, data.pillar_ids, problems)
    facilitators = _facilitators(data.facilitator_ids, problems)
    if problems:
        raise errors.WorkshopInvalid(problems)
    if not is_moderator(actor) and all(f.id != actor.id for f in facilitators):
        # A facilitator stays among the facilitators of the workshops they plan or edit.
        facilitators.append(actor)
    before = None if is_new else _audited(workshop)
    workshop.title = data.title.strip()
    workshop.place = data.place.strip()
    workshop.description = (data.description or "").strip()
    workshop.starts_at = paris_to_utc(data.starts_at)
    workshop.ends_at = paris_to_utc(data.ends_at)
    workshop.expected_attendance = data.expected_attendance
    workshop.pillars = pillars
    workshop.facilitators = facilitators
    db.session.add(workshop)
    db.session.flush()
    audit.log(
        actor,
        "workshop.create" if is_new else "workshop.update",
        workshop,
        before=before,
        after=_audited(workshop),
    )
    db.session.flush()


def _audited(workshop: Workshop) -> dict:
    return audit.snapshot(workshop, list(AUDITED)) | {
        "pillars": [p.id for p in workshop.pillars],
        "facilitators": [u.id for u in workshop.facilitators],
    }


def _round_pillars(round_: Round, pillar_ids: list[int], problems: dict) -> list[Pillar]:
    wanted = set(pillar_ids or [])
    pillars = [p for p in round_.pillars if p.id in wanted]
    if len(pillars) != len(wanted):
        problems.setdefault("pillar_ids", str(_l("Choose pillars from the list.")))
    return pillars


def _facilitators(user_ids: list[int], problems: dict) -> list[User]:
    if not user_ids:
        return []
    users = list(db.session.scalars(facilitator_query().where(User.id.in_(user_ids))))
    if len(users) != len(set(user_ids)):
        problems.setdefault("facilitator_ids", str(_l("Choose facilitators from the list.")))
    return users


def facilitator_query():
    """Accounts that can run a workshop: facilitators, moderators, administrators."""
    return select(User).where(holding(Role.FACILITATOR)).order_by(User.display_name, User.id)


def facilitator_choices() -> list[tuple[int, str]]:
    return [(u.id, u.display_name) for u in db.session.scalars(facilitator_query())]


def workshop_input(workshop: Workshop) -> WorkshopInput:
    """A stored workshop as its form shows it: times in Paris time."""
    return WorkshopInput(
        title=workshop.title,
        place=workshop.place,
        starts_at=utc_to_paris(workshop.starts_at),
        ends_at=utc_to_paris(workshop.ends_at),
        description=workshop.description or "",
        pillar_ids=[p.id for p in workshop.pillars],
        facilitator_ids=[u.id for u in workshop.facilitators],
        expected_attendance=workshop.expected_attendance,
    )


def change_state(workshop: Workshop, actor: User, target: WorkshopState) -> None:
    """Mark a workshop as held, as transcribed, or reopen it for entry."""
    rules.can_manage(actor, workshop).require()
    if target not in rules.state_targets(workshop, actor):
        raise errors.StateNotAllowed()
    before = workshop.state
    workshop.state = target
    audit.log(
        actor, "workshop.state", workshop, before={"state": before}, after={"state": target.value}
    )
    db.session.flush()


# --- reading -------------------------------------------------------------------------------


def get_workshop_or_404(workshop_id: int) -> Workshop:
    return db.first_or_404(
        select(Workshop)
        .where(Workshop.id == workshop_id)
        .options(
            joinedload(Workshop.round).selectinload(Round.pillars),
            selectinload(Workshop.pillars),
            selectinload(Workshop.facilitators),
        )
    )


def get_round_or_404(slug: str) -> Round:
    return db.first_or_404(
        select(Round).where(Round.slug == slug).options(selectinload(Round.pillars))
    )


def _listing():
    return select(Workshop).options(selectinload(Workshop.pillars))


def coming_workshops(round_: Round, now: datetime | None = None, limit: int = 100):
    """The round's workshops that have not ended yet, soonest first."""
    return list(
        db.session.scalars(
            _listing()
            .where(Workshop.round_id == round_.id, Workshop.ends_at >= (now or utcnow()))
            .order_by(Workshop.starts_at, Workshop.id)
            .limit(limit)
        )
    )


def past_workshops_query(round_: Round, now: datetime | None = None):
    """The round's workshops that have ended, latest first (paginated by the caller)."""
    return (
        _listing()
        .where(Workshop.round_id == round_.id, Workshop.ends_at < (now or utcnow()))
        .order_by(Workshop.starts_at.desc(), Workshop.id.desc())
    )


def managed_workshops_query(user: User):
    """The workshops ``user`` can manage: all for moderators, else those they facilitate."""
    query = (
        _listing()
        .options(joinedload(Workshop.round))
        .order_by(Workshop.starts_at.desc(), Workshop.id.desc())
    )
    if is_moderator(user):
        return query
    return query.where(Workshop.facilitators.any(User.id == user.id))


@dataclass
class Outcome:
    """What came out of a workshop, as the public sees it."""

    proposal_count: int
    sticker_count: int
    comment_count: int


def outcome(workshop: Workshop) -> Outcome:
    """Public totals of a workshop's paper contributions, in one query."""
    proposals = (
        select(func.count(Proposal.id))
        .where(Proposal.workshop_id == workshop.id, Proposal.is_visible)
        .scalar_subquery()
    )
    stickers = (
        select(func.coalesce(func.sum(PaperSupport.count), 0))
        .join(Proposal, Proposal.id == PaperSupport.proposal_id)
        .where(PaperSupport.workshop_id == workshop.id, Proposal.is_visible)
        .scalar_subquery()
    )
    comments = (
        select(func.count(Comment.id))
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Comment.workshop_id == workshop.id, Comment.is_published, Proposal.is_visible)
        .scalar_subquery()
    )
    row = db.session.execute(select(proposals, stickers, comments)).one()
    return Outcome(proposal_count=row[0], sticker_count=int(row[1]), comment_count=row[2])


def paper_proposals_query(workshop: Workshop):
    """The workshop's cards that the public sees, in the order they were typed in."""
    return (
        select(Proposal)
        .where(Proposal.workshop_id == workshop.id, Proposal.is_visible)
        .options(joinedload(Proposal.pillar), joinedload(Proposal.neighbourhood))
        .order_by(Proposal.number)
    )


def paper_supports_query(workshop: Workshop):
    """The sticker votes the workshop gave to public proposals, most first."""
    return (
        select(PaperSupport)
        .join(Proposal, Proposal.id == PaperSupport.proposal_id)
        .where(
            PaperSupport.workshop_id == workshop.id,
            PaperSupport.count > 0,
            Proposal.is_visible,
        )
        .options(joinedload(PaperSupport.proposal))
        .order_by(PaperSupport.count.desc(), Proposal.number)
    )


def sheet_proposals(workshop: Workshop) -> list[Proposal]:
    """The proposals printed on the sticker-vote sheet: those of the workshop's pillars in its
    round that can receive sticker votes, by pillar then code."""
    pillar_ids = [p.id for p in workshop.pillars] or [p.id for p in workshop.round.pillars]
    return list(
        db.session.scalars(
            select(Proposal)
            .join(Pillar, Pillar.id == Proposal.pillar_id)
            .where(
                Proposal.is_visible,
                Proposal.round_id == workshop.round_id,
                Proposal.pillar_id.in_(pillar_ids),
                Proposal.status.in_(statuses_allowing(Allows.STICKERS)),
            )
            .options(joinedload(Proposal.pillar), joinedload(Proposal.neighbourhood))
            .order_by(Pillar.position, Proposal.number)
        )
    )


def when(workshop: Workshop) -> str:
    """ "Saturday 10 October 2026, 14:00–17:00" in Paris time (both dates when it spans days)."""
    start, end = workshop.starts_at, workshop.ends_at
    if utc_to_paris(start).date() == utc_to_paris(end).date():
        return _(
            "%(date)s, %(start)s–%(end)s",
            date=localdate(start, "full"),
            start=format_time(start, "short"),
            end=format_time(end, "short"),
        )
    return _(
        "from %(start)s to %(end)s",
        start=_(
            "%(date)s at %(time)s",
            date=localdate(start, "full"),
            time=format_time(start, "short"),
        ),
        end=_("%(date)s at %(time)s", date=localdate(end, "full"), time=format_time(end, "short")),
    )


# --- the edit history of paper items (moderators) --------------------------------------------


def corrections_query(workshop: Workshop):
    """Every change of a paper item of the workshop, latest first."""
    return (
        select(PaperCorrection)
        .where(PaperCorrection.workshop_id == workshop.id)
        .options(joinedload(PaperCorrection.changed_by))
        .order_by(PaperCorrection.changed_at.desc(), PaperCorrection.id.desc())
    )


@dataclass
class Typist:
    user: User | None
    cards: int = 0
    comments: int = 0
    tallies: int = 0


def typists(workshop: Workshop) -> list[Typist]:
    """Who typed in the workshop's paper items, and how many of each: three grouped counts."""
    found: dict[int | None, Typist] = {}
    for model, attribute in (
        (Proposal, "cards"),
        (Comment, "comments"),
        (PaperSupport, "tallies"),
    ):
        rows = db.session.execute(
            select(model.entered_by_id, func.count(model.id))
            .where(model.workshop_id == workshop.id)
            .group_by(model.entered_by_id)
        )
        for user_id, count in rows:
            setattr(found.setdefault(user_id, Typist(user=None)), attribute, count)
    user_ids = [user_id for user_id in found if user_id is not None]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    for user_id, typist in found.items():
        typist.user = users.get(user_id)
    return sorted(found.values(), key=lambda t: -(t.cards + t.comments + t.tallies))


def corrected_items(corrections: list[PaperCorrection]) -> dict[int, Proposal]:
    """The proposal each correction is about (its code and title), by correction id."""
    proposal_ids = {c.item_id for c in corrections if c.item_type == PaperItem.PROPOSAL}
    tally_ids = {c.item_id for c in corrections if c.item_type == PaperItem.PAPER_SUPPORT}
    proposals: dict[tuple[str, int], Proposal] = {}
    if proposal_ids:
        for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(proposal_ids))):
            proposals[("proposal", p.id)] = p
    if tally_ids:
        rows = db.session.execute(
            select(PaperSupport.id, Proposal)
            .join(Proposal, Proposal.id == PaperSupport.proposal_id)
            .where(PaperSupport.id.in_(tally_ids))
        )
        for tally_id, p in rows:
            proposals[("paper_support", tally_id)] = p
    return {
        c.id: proposals[(c.item_type, c.item_id)]
        for c in corrections
        if (c.item_type, c.item_id) in proposals
    }

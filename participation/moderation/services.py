"""What moderators do: publish, decide, correct, hide and restore, merge, promote, block.

Every action goes through the proposal state machine where a status changes, writes the
audit log in the same transaction, and queues the author's e-mail for after the commit.
Services flush and never commit.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..comments import services as comment_services
from ..extensions import db
from ..models import (
    Comment,
    CouncilSession,
    Deliberation,
    PaperSupport,
    Pillar,
    Proposal,
    ProposalStatus,
    Report,
    Role,
    Support,
    User,
    utcnow,
)
from ..notifications import notify_author
from ..proposals import errors, state
from ..proposals.errors import ParticipationError

S = ProposalStatus
DECISIONS = (S.RETAINED, S.NOT_RETAINED)


class OwnContent(ParticipationError):
    message = _l("Moderators do not moderate their own contributions: ask another moderator.")


class MergeNotPossible(ParticipationError):
    message = _l("These proposals cannot be merged.")


class PromotionNotPossible(ParticipationError):
    message = _l("Only retained proposals of the same round can be promoted together.")


class NumberTaken(ParticipationError):
    message = _l("This number is already used by another deliberation of this council session.")


class BlockNotAllowed(ParticipationError):
    message = _l("You cannot block this account.")


def is_moderator(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.has_role(Role.MODERATOR)


def _require_moderator(actor: User) -> None:
    if not is_moderator(actor):
        raise errors.NotAllowed()


def _not_own(actor: User, item) -> None:
    if getattr(item, "author_id", None) == actor.id:
        raise OwnContent()


# --- publication and decisions -------------------------------------------------------------


def publish(proposal: Proposal, actor: User) -> None:
    """Pre-moderation: a moderator lets a submitted proposal appear."""
    _require_moderator(actor)
    _not_own(actor, proposal)
    state.transition(proposal, S.PUBLISHED, actor, action="proposal.publish")
    notify_author(proposal, "published")


def decide(proposal: Proposal, actor: User, target: ProposalStatus, reason: str | None) -> None:
    """Retain or not retain (or reject at pre-moderation), or correct an earlier decision."""
    if target not in DECISIONS:
        raise errors.TransitionNotAllowed()
    _require_moderator(actor)
    _not_own(actor, proposal)
    corrected = proposal.status in (S.RETAINED.value, S.NOT_RETAINED.value)
    action = "proposal.correct" if corrected else "proposal.decide"
    state.transition(proposal, target, actor, reason, action=action)
    event = "decision_corrected" if corrected else target.value
    notify_author(proposal, event, reason=proposal.decision_reason)


# --- hiding --------------------------------------------------------------------------------


def hide(item: Proposal | Comment, actor: User, reason: str) -> bool:
    _require_moderator(actor)
    _not_own(actor, item)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReasonRequired()
    if not comment_services.hide(item, actor, reason):
        return False
    _resolve_reports(item, actor, "hidden")
    audit.log(actor, f"{item.__tablename__[:-1]}.hide", item, after={"hidden": True}, note=reason)
    if isinstance(item, Proposal):
        notify_author(item, "hidden", reason=reason)
    return True


def restore(item: Proposal | Comment, actor: User, reason: str) -> bool:
    _require_moderator(actor)
    _not_own(actor, item)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReasonRequired()
    if not comment_services.restore(item, actor, "restored"):
        return False
    audit.log(
        actor, f"{item.__tablename__[:-1]}.restore", item, after={"hidden": False}, note=reason
    )
    return True


def _report_column(item):
    return Report.comment_id if isinstance(item, Comment) else Report.proposal_id


def _resolve_reports(item, actor: User, resolution: str) -> int:
    result = db.session.execute(
        update(Report)
        .where(_report_column(item) == item.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dismiss_reports(item: Proposal | Comment, actor: User, reason: str | None = None) -> int:
    """The reports were unfounded: close them, and show the item again if they had hidden it."""
    _require_moderator(actor)
    _not_own(actor, item)
    if item.hidden_reason == comment_services.HIDDEN_BY_REPORTS:
        comment_services.restore(item, actor, "dismissed")
    count = _resolve_reports(item, actor, "dismissed")
    audit.log(actor, "reports.dismiss", item, after={"dismissed": count}, note=reason)
    db.session.flush()
    return count


# --- merging -------------------------------------------------------------------------------


def merge(kept: Proposal, duplicates: list[Proposal], actor: User, note: str | None = None) -> None:
    """Merge ``duplicates`` into ``kept``, in the caller's single transaction.

    Online supports move to ``kept`` without counting anyone twice; paper supports add up per
    workshop; each duplicate points to ``kept`` forever and keeps its text and comments.
    """
    _require_moderator(actor)
    duplicates = [p for p in duplicates if p.id != kept.id]
    if not duplicates or not kept.is_visible or kept.status_enum is not S.PUBLISHED:
        raise MergeNotPossible()
    for duplicate in duplicates:
        if duplicate.round_id != kept.round_id or not state.can_transition(
            duplicate, S.MERGED, actor
        ):
            raise MergeNotPossible()
    _not_own(actor, kept)
    ids = [d.id for d in duplicates]
    already = select(Support.user_id).where(
        Support.proposal_id == kept.id, Support.user_id.isnot(None)
    )
    # Each supporter of a duplicate who does not yet support the kept one, once.
    movers = (
        select(Support.user_id.label("user_id"), func.min(Support.created_at).label("created_at"))
        .where(Support.proposal_id.in_(ids), Support.user_id.isnot(None))
        .where(Support.user_id.not_in(already))
        .group_by(Support.user_id)
        .subquery()
    )
    db.session.execute(
        insert(Support).from_select(
            ["user_id", "created_at", "proposal_id", "round_id"],
            select(movers.c.user_id, movers.c.created_at, literal(kept.id), literal(kept.round_id)),
        )
    )
    # Supports of erased accounts are anonymous: they move as they are.
    db.session.execute(
        update(Support)
        .where(Support.proposal_id.in_(ids), Support.user_id.is_(None))
        .values(proposal_id=kept.id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(Support.__table__.delete().where(Support.proposal_id.in_(ids)))
    _merge_paper_supports(kept, ids)
    _recount_supports([kept.id, *ids])
    for duplicate in duplicates:
        duplicate.merged_into = kept
        state.transition(duplicate, S.MERGED, actor, note, action="proposal.merge")
        audit.log(actor, "proposal.merge_target", duplicate, after={"merged_into": kept.id})
        notify_author(duplicate, "merged", target=kept)
    state.record(kept, "merged_in", actor, note=", ".join(d.code for d in duplicates))
    db.session.flush()


def _merge_paper_supports(kept: Proposal, ids: list[int]) -> None:
    tallies = db.session.scalars(
        select(PaperSupport).where(PaperSupport.proposal_id.in_(ids))
    ).all()
    for tally in tallies:
        target = db.session.scalar(
            select(PaperSupport).where(
                PaperSupport.workshop_id == tally.workshop_id, PaperSupport.proposal_id == kept.id
            )
        )
        if target is None:
            tally.proposal_id = kept.id
        else:
            target.count += tally.count
            target.updated_at = utcnow()
            db.session.delete(tally)
        db.session.flush()


def _recount_supports(proposal_ids: list[int]) -> None:
    online = (
        select(func.count()).select_from(Support).where(Support.proposal_id == Proposal.id)
    ).scalar_subquery()
    paper = (
        select(func.coalesce(func.sum(PaperSupport.count), 0))
        .where(PaperSupport.proposal_id == Proposal.id)
        .scalar_subquery()
    )
    db.session.execute(
        update(Proposal)
        .where(Proposal.id.in_(proposal_ids))
        .values(support_count=online, paper_support_count=paper)
        .execution_options(synchronize_session=False)
    )
    for proposal_id in proposal_ids:
        loaded = db.session.identity_map.get(db.session.identity_key(Proposal, proposal_id))
        if loaded is not None:
            db.session.expire(loaded, ["support_count", "paper_support_count"])


# --- council sessions and promotion --------------------------------------------------------


def create_council_session(
    actor: User, held_on: date, title: str, round_id: int | None
) -> CouncilSession:
    _require_moderator(actor)
    session = CouncilSession(held_on=held_on, title=title.strip(), round_id=round_id)
    try:
        with db.session.begin_nested():
            db.session.add(session)
    except IntegrityError as error:
        raise ParticipationError(
            _l("A council session with this date and title exists already.")
        ) from error
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
    carrier: str = "Ville de Béthune"


def promote(proposals: list[Proposal], actor: User, data: DeliberationInput) -> Deliberation:
    """Turn retained proposals into one numbered framework deliberation of a council session."""
    _require_moderator(actor)
    if not proposals or len({p.round_id for p in proposals}) != 1:
        raise PromotionNotPossible()
    for proposal in proposals:
        if not state.can_transition(proposal, S.PROMOTED, actor):
            raise PromotionNotPossible()
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
        carrier=data.carrier.strip() or "Ville de Béthune",
    )
    try:
        with db.session.begin_nested():
            db.session.add(deliberation)
    except IntegrityError as error:
        raise NumberTaken() from error
    for proposal in proposals:
        proposal.deliberation = deliberation
        state.transition(proposal, S.PROMOTED, actor, deliberation.title, action="proposal.promote")
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
        notify_author(proposal, "promoted", deliberation=deliberation)
    db.session.flush()
    return deliberation


def next_deliberation_number(council_session_id: int) -> int:
    current = db.session.scalar(
        select(func.coalesce(func.max(Deliberation.number), 0)).where(
            Deliberation.council_session_id == council_session_id
        )
    )
    return current + 1


# --- accounts ------------------------------------------------------------------------------


def block(user: User, actor: User, reason: str) -> None:
    _require_moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReasonRequired()
    # Moderators block residents and facilitators; only an admin blocks a moderator.
    if user.id == actor.id or (user.has_role(Role.MODERATOR) and not actor.has_role(Role.ADMIN)):
        raise BlockNotAllowed()
    before = {"blocked": user.is_blocked}
    user.blocked_at = utcnow()
    user.blocked_reason = reason[:500]
    audit.log(actor, "user.block", user, before=before, after={"blocked": True}, note=reason)
    db.session.flush()


def unblock(user: User, actor: User, reason: str | None = None) -> None:
    _require_moderator(actor)
    if user.has_role(Role.MODERATOR) and not actor.has_role(Role.ADMIN):
        raise BlockNotAllowed()
    user.blocked_at = None
    user.blocked_reason = None
    audit.log(
        actor, "user.unblock", user, before={"blocked": True}, after={"blocked": False}, note=reason
    )
    db.session.flush()

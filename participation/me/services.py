"""A resident's own space: what they took part in, the download of their data, and erasure.

Services take the user explicitly, flush, never commit. Erasure keeps the public contributions
(proposals, comments, supports) and deletes what identifies the person: the ``users`` row stays,
emptied, so that proposals and comments keep an author shown as "Deleted account".
"""

from collections import defaultdict
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from .. import audit
from ..accounts.passwords import verify_password
from ..accounts.rules import LastAdmin, ensure_an_admin_remains
from ..accounts.services import WrongPassword
from ..accounts.sessions import active_sessions
from ..accounts.sessions import end_all as end_sessions
from ..extensions import db
from ..following.services import forget as forget_follower
from ..following.services import preferences as mail_preferences
from ..models import (
    Comment,
    Follow,
    Notification,
    Proposal,
    ProposalEvent,
    Report,
    Round,
    Support,
    User,
    utcnow,
)
from ..notifications import MERGE_DEPTH
from ..proposals.rules import can_view


class LastAdminCannotErase(LastAdmin):
    message = _l(
        "You are the last administrator: give the administrator role to another account "
        "before erasing yours."
    )


def display_author(user: User | None) -> str:
    """The name to show for the author of a contribution (Jinja global ``display_author``).

    An erased account, or an author whose row is gone, reads "Deleted account". Contributions
    typed in from a workshop card have no author either: templates say so before calling this.
    """
    if user is None or user.erased_at is not None:
        return _("Deleted account")
    return user.display_name


# --- "My participation" --------------------------------------------------------------------


def my_proposals_query(user: User):
    return (
        select(Proposal)
        .where(Proposal.author_id == user.id)
        .options(joinedload(Proposal.round))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    )


def latest_public_events(proposal_ids: list[int]) -> dict[int, ProposalEvent]:
    """The newest public trail entry of each proposal, in one query."""
    if not proposal_ids:
        return {}
    position = (
        func.row_number()
        .over(
            partition_by=ProposalEvent.proposal_id,
            order_by=(ProposalEvent.created_at.desc(), ProposalEvent.id.desc()),
        )
        .label("position")
    )
    ranked = (
        select(ProposalEvent.id, position)
        .where(ProposalEvent.proposal_id.in_(proposal_ids), ProposalEvent.is_public.is_(True))
        .subquery()
    )
    events = db.session.scalars(
        select(ProposalEvent)
        .join(ranked, ranked.c.id == ProposalEvent.id)
        .where(ranked.c.position == 1)
    )
    return {event.proposal_id: event for event in events}


def merge_destinations(proposals: list[Proposal]) -> dict[int, Proposal]:
    """Where each merged proposal of ``proposals`` ended up: the proposal it joined, or, when
    that one was merged in turn, the last of the chain. One query per step of the chains."""
    destination = {p.id: p.merged_into_id for p in proposals if p.merged_into_id is not None}
    loaded: dict[int, Proposal] = {}
    wanted = set(destination.values())
    for _step in range(MERGE_DEPTH):
        if not wanted:
            break
        level = db.session.scalars(
            select(Proposal).where(Proposal.id.in_(wanted)).options(joinedload(Proposal.round))
        )
        loaded.update((p.id, p) for p in level)
        wanted = {
            p.merged_into_id
            for p in loaded.values()
            if p.merged_into_id is not None and p.merged_into_id not in loaded
        }

    def last(proposal_id: int) -> Proposal:
        proposal = loaded[proposal_id]
        for _step in range(MERGE_DEPTH):
            if proposal.merged_into_id not in loaded:
                break
            proposal = loaded[proposal.merged_into_id]
        return proposal

    return {source: last(target) for source, target in destination.items()}


def my_supports_query(user: User):
    return (
        select(Support)
        .where(Support.user_id == user.id)
        .order_by(Support.created_at.desc(), Support.id.desc())
    )


def proposals_by_id(proposal_ids: list[int]) -> dict[int, Proposal]:
    """Proposals (with their round, for links) of a page of supports, in one query."""
    if not proposal_ids:
        return {}
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.id.in_(proposal_ids)).options(joinedload(Proposal.round))
    )
    return {proposal.id: proposal for proposal in proposals}


def my_comments_query(user: User):
    return (
        select(Comment)
        .where(Comment.author_id == user.id)
        .options(joinedload(Comment.proposal).joinedload(Proposal.round))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


# --- download ------------------------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    # Stored as naive UTC.
    return value.isoformat() + "Z" if value else None


def _proposal_ref(proposal: Proposal | None, reader: User) -> dict | None:
    """Another's proposal the person supported, followed, commented or reported: its title only
    while they may still see it (``proposals.rules.can_view``): one hidden by moderation since is
    named by its code alone."""
    if proposal is None:
        return None
    return {
        "id": proposal.id,
        "code": proposal.code,
        "title": proposal.title if can_view(reader, proposal) else None,
        "round": proposal.round.slug,
    }


def _dated_proposals(link: type[Support] | type[Follow], user: User):
    """(since when, proposal) for each proposal ``user`` supports or follows, oldest first."""
    return db.session.execute(
        select(link.created_at, Proposal)
        .join(Proposal, Proposal.id == link.proposal_id)
        .where(link.user_id == user.id)
        .options(joinedload(Proposal.round))
        .order_by(link.created_at, link.id)
    )


def account_data(user: User) -> dict:
    """Everything the platform holds about ``user``, in a fixed number of queries.

    Other people are never named: trail entries and reports say what happened, not who acted.
    """
    proposals = list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.author_id == user.id)
            .options(
                joinedload(Proposal.round),
                joinedload(Proposal.pillar),
                joinedload(Proposal.neighbourhood),
            )
            .order_by(Proposal.created_at, Proposal.id)
        )
    )
    trails: dict[int, list[dict]] = defaultdict(list)
    for event in db.session.scalars(
        select(ProposalEvent)
        .join(Proposal, Proposal.id == ProposalEvent.proposal_id)
        .where(Proposal.author_id == user.id)
        # The public trail, and the lines the person wrote themselves (e.g. earlier texts).
        .where((ProposalEvent.is_public.is_(True)) | (ProposalEvent.actor_id == user.id))
        .order_by(ProposalEvent.created_at, ProposalEvent.id)
    ):
        trails[event.proposal_id].append(
            {
                "date": _when(event.created_at),
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "previous_text": event.previous if event.actor_id == user.id else None,
                "by_you": event.actor_id == user.id,
            }
        )

    supports = _dated_proposals(Support, user)
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.author_id == user.id)
        .options(joinedload(Comment.proposal).joinedload(Proposal.round))
        .order_by(Comment.created_at, Comment.id)
    )
    reports = db.session.scalars(
        select(Report)
        .where(Report.reporter_id == user.id)
        .options(
            joinedload(Report.proposal).joinedload(Proposal.round),
            joinedload(Report.comment).joinedload(Comment.proposal).joinedload(Proposal.round),
        )
        .order_by(Report.created_at, Report.id)
    )

    follows = _dated_proposals(Follow, user)
    notifications = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(joinedload(Notification.proposal).joinedload(Proposal.round))
        .order_by(Notification.created_at, Notification.id)
    )

    return {
        "generated_at": _when(utcnow()),
        "profile": {
            "email": user.email,
            "pending_email": user.pending_email,
            "display_name": user.display_name,
            "role": user.role,
            "neighbourhood": user.neighbourhood.name if user.neighbourhood else None,
            "language": user.locale,
            "created_at": _when(user.created_at),
            "email_confirmed_at": _when(user.email_confirmed_at),
            "last_sign_in_at": _when(user.last_sign_in_at),
            "confirmed": user.is_confirmed,
            "blocked": user.is_blocked,
            "blocked_at": _when(user.blocked_at),
            "blocked_reason": user.blocked_reason,
            "two_factor_enabled_at": _when(user.two_factor_enabled_at),
        },
        # Signed in on these devices now (the cookie's token is never shown, nor kept in clear).
        "sessions": [
            {
                "device": s.device,
                "signed_in_at": _when(s.created_at),
                "last_seen_at": _when(s.last_seen_at),
            }
            for s in active_sessions(user)
        ],
        "mail_preferences": {
            kind.value: delivery.value for kind, delivery in mail_preferences(user).items()
        },
        "following": [
            {"since": _when(created_at), "proposal": _proposal_ref(proposal, user)}
            for created_at, proposal in follows
        ],
        "notifications": [
            {
                "date": _when(n.created_at),
                "type": str(n.type),
                "event": n.event,
                "note": n.note,
                "proposal": _proposal_ref(n.proposal, user),
                "read_at": _when(n.read_at),
            }
            for n in notifications
        ],
        "proposals": [
            {
                "id": p.id,
                "code": p.code,
                "round": p.round.slug,
                "pillar": p.pillar.slug,
                "neighbourhood": p.neighbourhood.name if p.neighbourhood else None,
                "title": p.title,
                "body": p.body,
                "status": p.status,
                "decision_reason": p.decision_reason,
                "hidden_at": _when(p.hidden_at),
                "hidden_reason": p.hidden_reason,
                "online_supports": p.support_count,
                "paper_supports": p.paper_support_count,
                "created_at": _when(p.created_at),
                "updated_at": _when(p.updated_at),
                "published_at": _when(p.published_at),
                "trail": trails.get(p.id, []),
            }
            for p in proposals
        ],
        "supports": [
            {"date": _when(created_at), "proposal": _proposal_ref(proposal, user)}
            for created_at, proposal in supports
        ],
        "comments": [
            {
                "id": c.id,
                "proposal": _proposal_ref(c.proposal, user),
                "reply_to": c.parent_id,
                "body": c.body,
                "created_at": _when(c.created_at),
                "edited_at": _when(c.edited_at),
                "deleted_at": _when(c.deleted_at),
                "hidden_at": _when(c.hidden_at),
                "hidden_reason": c.hidden_reason,
            }
            for c in comments
        ],
        "reports": [
            {
                "date": _when(r.created_at),
                "reason": r.reason,
                "item": (
                    {"type": "proposal", "proposal": _proposal_ref(r.proposal, user)}
                    if r.proposal_id is not None
                    else {
                        "type": "comment",
                        "comment_id": r.comment_id,
                        "proposal": _proposal_ref(r.comment.proposal if r.comment else None, user),
                    }
                ),
                "resolved_at": _when(r.resolved_at),
                "resolution": r.resolution,
            }
            for r in reports
        ],
    }


# --- erasure -------------------------------------------------------------------------------


def supports_withdrawn_by_erasure(user: User, now: datetime | None = None) -> int:
    """How many of ``user``'s supports an erasure now would take back (those of rounds whose
    supports are still open); the others stay counted, anonymously."""
    return sum(1 for _support, round_ in _supports_with_rounds(user) if _open(round_, now))


def _supports_with_rounds(user: User):
    return db.session.execute(
        select(Support, Round)
        .join(Round, Round.id == Support.round_id)
        .where(Support.user_id == user.id)
    ).all()


def _open(round_: Round, now: datetime | None) -> bool:
    return round_.accepts_supports_at(now or utcnow())


def erase_account(user: User, password: str) -> None:
    """Delete ``user``'s personal data after checking their password.

    Proposals and comments keep their author row (shown as "Deleted account"). Supports given
    in a round whose supports are still open are taken back (the person could otherwise sign up
    again and support twice); those of closed rounds stay counted but lose their link to the
    person. Reports lose their reporter; follows, notifications and the choice of mail go. Every
    session of the account ends. Raises WrongPassword or LastAdminCannotErase, leaving
    everything untouched.
    """
    if not verify_password(user.password_hash, password):
        raise WrongPassword()
    try:
        ensure_an_admin_remains(user, leaving=True)
    except LastAdmin as error:
        raise LastAdminCannotErase() from error
    # The same lock as a support's: no support slips in while the account goes.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    now = utcnow()
    withdrawn = [s for s, round_ in _supports_with_rounds(user) if _open(round_, now)]
    for support in withdrawn:
        _take_back(support)
    db.session.execute(update(Support).where(Support.user_id == user.id).values(user_id=None))
    db.session.execute(update(Report).where(Report.reporter_id == user.id).values(reporter_id=None))
    forget_follower(user)
    user.email = None
    user.pending_email = None
    user.password_hash = None
    # The column requires a string; templates show "Deleted account" through display_author.
    user.display_name = ""
    user.neighbourhood_id = None
    user.locale = None
    user.email_confirmed_at = None
    user.last_sign_in_at = None
    user.blocked_at = None
    user.blocked_reason = None
    user.erased_at = now
    end_sessions(user)
    audit.log(user, "account.erase", user, after={"supports_withdrawn": len(withdrawn)})
    db.session.flush()


def _take_back(support: Support) -> None:
    """Delete one support and move its proposal's counter, atomically."""
    deleted = db.session.execute(
        Support.__table__.delete().where(Support.id == support.id)
    ).rowcount
    if deleted:
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == support.proposal_id)
            .values(support_count=Proposal.support_count - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.expunge(support)

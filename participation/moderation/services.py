"""What moderators do to proposals and accounts: publish, decide, accept or refuse a change,
merge duplicates, block. Reports and hiding: ``reports``; promotion: ``deliberations``.

Every action asks the rulebook (``moderation/rules.py``, the state machine), writes the audit
log in the same transaction, and queues the people's e-mails for after the commit. Services
flush and never commit.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, literal, select, update

from .. import audit
from ..errors import ParticipationError, ReasonRequired
from ..extensions import db
from ..models import (
    EventKind,
    PaperSupport,
    Proposal,
    ProposalStatus,
    Support,
    User,
    utcnow,
)
from ..notifications import notify_author, notify_followers
from ..policy import can_moderate
from ..proposals import state
from ..proposals.errors import TransitionNotAllowed
from ..proposals.services import apply_text
from . import errors, rules

S = ProposalStatus
DECISIONS = state.DECISIONS


# --- publication and decisions -------------------------------------------------------------


def publish(proposal: Proposal, actor: User) -> None:
    """Pre-moderation: a moderator lets a submitted proposal appear."""
    rules.can_moderate_item(actor, proposal).require()
    state.transition(proposal, S.PUBLISHED, actor, action="proposal.publish")
    notify_author(proposal, "published")


def decide(proposal: Proposal, actor: User, target: ProposalStatus, reason: str | None) -> None:
    """Put under study (with a public note), retain or not retain (or reject at
    pre-moderation), or correct an earlier decision."""
    if target not in state.ANSWERS:
        raise TransitionNotAllowed()
    rules.can_moderate_item(actor, proposal).require()
    corrected = proposal.status in DECISIONS
    action = "proposal.correct" if corrected else "proposal.decide"
    state.transition(proposal, target, actor, reason, action=action)
    event = "decision_corrected" if corrected else target.value
    notify_followers(proposal, event, reason=proposal.decision_reason)


class BulkRefused(ParticipationError):
    """One proposal of a bulk action was refused: nothing was changed."""

    def __init__(self, proposal: Proposal, error: ParticipationError):
        super().__init__(
            _l("Nothing was changed: %(error)s (%(code)s)", error=str(error), code=proposal.code)
        )
        self.status = error.status


def act_on_all(proposals: list[Proposal], actor: User, action: str, reason: str | None) -> None:
    """Publish, retain or not retain several proposals at once: all of them, or none."""
    # Who is acting first: a refusal that is not about one proposal names none.
    can_moderate(actor).require()
    for proposal in proposals:
        try:
            if action == "publish":
                publish(proposal, actor)
            else:
                decide(proposal, actor, ProposalStatus(action), reason)
        except ParticipationError as error:
            raise BulkRefused(proposal, error) from error


# --- changes waiting in a pre-moderated round ---------------------------------------------


def accept_change(proposal: Proposal, actor: User) -> None:
    """The author's waiting change replaces the published text (the trail keeps the old one)."""
    rules.can_moderate_item(actor, proposal).require()
    revision = proposal.revision
    if revision is None:
        raise errors.NoPendingChange()
    apply_text(
        proposal,
        actor,
        revision.title,
        revision.body,
        revision.pillar,
        revision.neighbourhood,
        EventKind.EDITED,
    )
    proposal.revision = None
    audit.log(actor, "proposal.accept_change", proposal, after={"title": proposal.title})
    notify_author(proposal, "change_accepted")
    db.session.flush()


def refuse_change(proposal: Proposal, actor: User, reason: str) -> None:
    """The waiting change is dropped; the published text stays; the author is told why."""
    rules.can_moderate_item(actor, proposal).require()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if proposal.revision is None:
        raise errors.NoPendingChange()
    proposal.revision = None
    state.record(proposal, EventKind.EDIT_REFUSED, actor, reason, is_public=False)
    audit.log(actor, "proposal.refuse_change", proposal, note=reason)
    notify_author(proposal, "change_refused", reason=reason)
    db.session.flush()


# --- merging -------------------------------------------------------------------------------


def merge(kept: Proposal, duplicates: list[Proposal], actor: User, note: str | None = None) -> None:
    """Merge ``duplicates`` into ``kept``, in the caller's single transaction.

    Online supports move to ``kept`` without counting anyone twice, and never as a support of
    its author for their own proposal (``rules.proposals.can_support``); each moved support
    remembers the proposal first chosen. Paper supports add up per workshop; each duplicate
    points to ``kept`` forever and keeps its text and comments.
    """
    duplicates = [p for p in duplicates if p.id != kept.id]
    if not duplicates:
        raise errors.MergeNotPossible()
    for duplicate in duplicates:
        rules.can_merge(actor, duplicate, kept).require()
    ids = [d.id for d in duplicates]
    already = select(Support.user_id).where(
        Support.proposal_id == kept.id, Support.user_id.isnot(None)
    )
    # Each supporter of a duplicate who does not yet support the kept one, once; not its author.
    movers = (
        select(
            Support.user_id.label("user_id"),
            func.min(Support.created_at).label("created_at"),
            func.min(func.coalesce(Support.merged_from_id, Support.proposal_id)).label(
                "merged_from_id"
            ),
        )
        .where(Support.proposal_id.in_(ids), Support.user_id.isnot(None))
        .where(Support.user_id.not_in(already))
        .group_by(Support.user_id)
    )
    if kept.author_id is not None:
        movers = movers.where(Support.user_id != kept.author_id)
    movers = movers.subquery()
    db.session.execute(
        insert(Support).from_select(
            ["user_id", "created_at", "merged_from_id", "proposal_id", "round_id"],
            select(
                movers.c.user_id,
                movers.c.created_at,
                movers.c.merged_from_id,
                literal(kept.id),
                literal(kept.round_id),
            ),
        )
    )
    # Supports of erased accounts are anonymous: they move as they are.
    db.session.execute(
        update(Support)
        .where(Support.proposal_id.in_(ids), Support.user_id.is_(None))
        .values(
            proposal_id=kept.id,
            merged_from_id=func.coalesce(Support.merged_from_id, Support.proposal_id),
        )
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
    state.record(kept, EventKind.MERGED_IN, actor, note=", ".join(d.code for d in duplicates))
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
            target.card_count += tally.card_count
            target.sheet_count += tally.sheet_count
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


# --- accounts ------------------------------------------------------------------------------


def block(user: User, actor: User, reason: str) -> None:
    """Block an account: it reads, and loses every other power; it is signed out everywhere."""
    from ..accounts.rules import ensure_an_admin_remains
    from ..accounts.sessions import end_all as end_sessions

    rules.can_block(actor, user).require()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    ensure_an_admin_remains(user, leaving=True)
    before = {"blocked": user.is_blocked}
    user.blocked_at = utcnow()
    user.blocked_reason = reason[:500]
    end_sessions(user)
    audit.log(actor, "user.block", user, before=before, after={"blocked": True}, note=reason)
    db.session.flush()


def unblock(user: User, actor: User, reason: str | None = None) -> None:
    rules.can_block(actor, user).require()
    user.blocked_at = None
    user.blocked_reason = None
    audit.log(
        actor, "user.unblock", user, before={"blocked": True}, after={"blocked": False}, note=reason
    )
    db.session.flush()

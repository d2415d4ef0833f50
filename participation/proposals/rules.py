"""Who may do what with a proposal, now: the rulebook's chapter on proposals and supports.

Each ``can_*(user, thing)`` returns a ``Verdict`` (see ``policy``). What a status allows comes
from ``state.STATUS_ALLOWS``; the round's calendar from ``Round``; who is acting from ``policy``.
Services require these verdicts, routes guard with them, templates show buttons by them.
"""

from datetime import datetime

from ..errors import NotFound, PhaseClosed
from ..models import ProposalStatus, Round, User, utcnow
from ..models.proposal import Proposal
from ..policy import ALLOWED, Verdict, can_post, check, first, is_moderator, refuse, signed_in
from . import errors
from .state import Allows, allows, can_transition


def _is_author(user: User | None, proposal: Proposal) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and proposal.author_id is not None
        and proposal.author_id == user.id
    )


def can_view(user: User | None, proposal: Proposal) -> Verdict:
    """The public sees visible proposals; a proposal awaiting moderation or hidden is seen by
    moderators, its author and the facilitator who typed the card in. Others: "not found"."""
    if proposal.is_visible or is_moderator(user):
        return ALLOWED
    if signed_in(user) and user.id in (proposal.author_id, proposal.entered_by_id):
        return ALLOWED
    return refuse(NotFound())


def can_read_history(user: User | None, _proposal: Proposal | None = None) -> Verdict:
    """The private lines of a trail and the texts before each change are for moderators."""
    return check((is_moderator(user), NotFound))


def can_read_waiting_change(user: User | None, proposal: Proposal) -> Verdict:
    """A change waiting for a moderator (``ProposalRevision``) is read by its author, who finds
    it in the edit form, and by those who may read the history; the public reads only the
    published text."""
    if _is_author(user, proposal):
        return ALLOWED
    return can_read_history(user, proposal)


def can_submit(user: User | None, round_: Round, now: datetime | None = None) -> Verdict:
    return first(
        check((round_.accepts_proposals_at(now or utcnow()), PhaseClosed)),
        can_post(user),
    )


def can_edit(user: User | None, proposal: Proposal, now: datetime | None = None) -> Verdict:
    """Its author, until the first support or a moderator's decision, while proposals are
    collected. In a pre-moderated round, a change to a public proposal waits for a moderator
    (see ``edit_needs_review``)."""
    verdict = first(can_view(user, proposal), can_post(user))
    if not verdict:
        return verdict
    return check(
        (_is_author(user, proposal), errors.NotOwnProposal),
        (
            allows(proposal.status, Allows.EDIT)
            and proposal.locked_at is None
            and not proposal.is_hidden,
            errors.NotEditable,
        ),
        (proposal.round.accepts_proposals_at(now or utcnow()), PhaseClosed),
    )


def edit_needs_review(proposal: Proposal) -> bool:
    """In a pre-moderated round, what the public already reads changes only once a moderator has
    accepted the change; before publication, the proposal itself still awaits moderation."""
    return proposal.round.premoderation and allows(proposal.status, Allows.PUBLIC)


def can_withdraw(user: User | None, proposal: Proposal) -> Verdict:
    return first(
        can_view(user, proposal),
        can_post(user),
        check(
            (_is_author(user, proposal), errors.NotOwnProposal),
            (can_transition(proposal, ProposalStatus.WITHDRAWN, user), errors.TransitionNotAllowed),
        ),
    )


def can_support(user: User | None, proposal: Proposal, now: datetime | None = None) -> Verdict:
    """Why ``user`` cannot support ``proposal`` now (the cap and duplicates are checked on write,
    by the database)."""
    return first(
        can_view(user, proposal),
        check(
            (
                allows(proposal.status, Allows.SUPPORT) and not proposal.is_hidden,
                errors.NotSupportable,
            ),
            (proposal.round.accepts_supports_at(now or utcnow()), PhaseClosed),
        ),
        can_post(user),
        check((not _is_author(user, proposal), errors.OwnProposal)),
    )


def can_unsupport(user: User | None, proposal: Proposal, now: datetime | None = None) -> Verdict:
    """A support is taken back while supports are open; a blocked account cannot change the
    record (its supports go with the account's erasure, see ``me.services``)."""
    return first(
        can_view(user, proposal),
        check((proposal.round.accepts_supports_at(now or utcnow()), PhaseClosed)),
        can_post(user),
    )

"""Who may do what with a proposal, now. Services enforce these; templates ask the same ones."""

from datetime import datetime

from ..models import ProposalStatus, Role, User, utcnow
from ..models.proposal import Proposal
from . import errors

EDITABLE = {ProposalStatus.SUBMITTED, ProposalStatus.PUBLISHED}
WITHDRAWABLE = EDITABLE
SUPPORTABLE = {ProposalStatus.PUBLISHED}


def _signed_in(user: User | None) -> bool:
    return user is not None and user.is_authenticated


def posting_problem(user: User | None) -> errors.ParticipationError | None:
    """Why ``user`` cannot post at all (None when they can)."""
    if not _signed_in(user):
        return errors.NotAllowed()
    if user.is_blocked:
        return errors.AccountBlocked()
    if not user.is_confirmed:
        return errors.EmailNotConfirmed()
    return None


def can_post(user: User | None) -> bool:
    return posting_problem(user) is None


def can_view(proposal: Proposal, user: User | None) -> bool:
    if proposal.is_visible:
        return True
    if not _signed_in(user):
        return False
    # Its author, or the facilitator who typed the card in, follows it before publication.
    return (
        user.has_role(Role.MODERATOR)
        or proposal.author_id == user.id
        or proposal.entered_by_id == user.id
    )


def can_submit(round_, user: User | None, now: datetime | None = None) -> bool:
    return can_post(user) and round_.accepts_proposals_at(now or utcnow())


def edit_problem(proposal: Proposal, user: User | None, now: datetime | None = None):
    if posting_problem(user) is not None:
        return posting_problem(user)
    if proposal.author_id != user.id:
        return errors.NotAllowed()
    if proposal.status_enum not in EDITABLE or proposal.locked_at is not None or proposal.is_hidden:
        return errors.NotEditable()
    if not proposal.round.accepts_proposals_at(now or utcnow()):
        return errors.PhaseClosed()
    return None


def can_edit(proposal: Proposal, user: User | None, now: datetime | None = None) -> bool:
    return edit_problem(proposal, user, now) is None


def can_withdraw(proposal: Proposal, user: User | None) -> bool:
    return (
        _signed_in(user)
        and proposal.author_id == user.id
        and proposal.status_enum in WITHDRAWABLE
        and not user.is_blocked
    )


def support_problem(proposal: Proposal, user: User | None, now: datetime | None = None):
    """Why ``user`` cannot support ``proposal`` now (cap and duplicates are checked on write)."""
    problem = posting_problem(user)
    if problem is not None:
        return problem
    if proposal.status_enum not in SUPPORTABLE or proposal.is_hidden:
        return errors.NotAllowed()
    if proposal.author_id == user.id:
        return errors.OwnProposal()
    if not proposal.round.accepts_supports_at(now or utcnow()):
        return errors.PhaseClosed()
    return None


def can_support(proposal: Proposal, user: User | None, now: datetime | None = None) -> bool:
    return support_problem(proposal, user, now) is None


def can_unsupport(proposal: Proposal, user: User | None, now: datetime | None = None) -> bool:
    return _signed_in(user) and proposal.round.accepts_supports_at(now or utcnow())

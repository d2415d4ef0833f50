"""Who may comment, edit, delete and report, now. Services enforce these; templates ask them too.

Comments stay open on a proposal while the round is open (from the start of the collection to
the end of the deliberation) and the proposal is public and still under discussion: published,
retained, not retained or promoted. A withdrawn proposal is its author's retreat and a merged one
continues on the proposal it was merged into, so neither accepts new comments; a proposal awaiting
moderation or hidden by it is not public, so neither does it.
"""

from datetime import datetime, timedelta

from flask import current_app

from ..models import Comment, Proposal, ProposalStatus, Role, User, utcnow
from ..proposals import errors as proposal_errors
from ..proposals.rules import can_view, posting_problem
from . import errors

S = ProposalStatus
COMMENTABLE = {S.PUBLISHED, S.RETAINED, S.NOT_RETAINED, S.PROMOTED}


def _signed_in(user: User | None) -> bool:
    return user is not None and user.is_authenticated


def is_moderator(user: User | None) -> bool:
    return _signed_in(user) and user.has_role(Role.MODERATOR)


def edit_minutes() -> int:
    return current_app.config.get("COMMENT_EDIT_MINUTES", 15)


def edit_deadline(comment: Comment) -> datetime:
    return comment.created_at + timedelta(minutes=edit_minutes())


def is_counted(comment: Comment) -> bool:
    """Counted in ``proposals.comment_count`` (and its parent's ``reply_count``)."""
    return comment.deleted_at is None and comment.hidden_at is None


def comment_problem(proposal: Proposal, user: User | None, now: datetime | None = None):
    """Why ``user`` cannot comment on ``proposal`` now (None when they can).

    Closure comes first: a visitor is not asked to sign in to a discussion that is over.
    """
    if proposal.status_enum not in COMMENTABLE or proposal.is_hidden:
        return errors.CommentsClosed()
    if not proposal.round.accepts_comments_at(now or utcnow()):
        return proposal_errors.PhaseClosed()
    return posting_problem(user)


def can_comment(proposal: Proposal, user: User | None, now: datetime | None = None) -> bool:
    return comment_problem(proposal, user, now) is None


def edit_problem(comment: Comment, user: User | None, now: datetime | None = None):
    problem = posting_problem(user)
    if problem is not None:
        return problem
    if comment.author_id is None or comment.author_id != user.id or comment.origin != "online":
        return proposal_errors.NotAllowed()
    if comment.is_deleted:
        return errors.CommentDeleted()
    if comment.is_hidden:
        return errors.CommentHidden()
    if (now or utcnow()) >= edit_deadline(comment):
        return errors.EditWindowOver(edit_minutes())
    return None


def can_edit(comment: Comment, user: User | None, now: datetime | None = None) -> bool:
    return edit_problem(comment, user, now) is None


def delete_problem(comment: Comment, user: User | None):
    """Authors delete their own comments, even when blocked (removing is not posting).

    A hidden comment waits for a moderator: deleting it would also delete the reports on it.
    """
    if not _signed_in(user) or comment.author_id is None or comment.author_id != user.id:
        return proposal_errors.NotAllowed()
    if comment.is_deleted:
        return errors.CommentDeleted()
    if comment.is_hidden:
        return errors.CommentHidden()
    return None


def can_delete(comment: Comment, user: User | None) -> bool:
    return delete_problem(comment, user) is None


def report_problem(item: Comment | Proposal, user: User | None, proposal: Proposal | None = None):
    """Why ``user`` cannot report ``item`` (a comment or a proposal); duplicates are caught on
    write by the database. ``proposal`` is the comment's proposal when the caller has it."""
    problem = posting_problem(user)
    if problem is not None:
        return problem
    if item.author_id is not None and item.author_id == user.id:
        return errors.OwnContribution()
    if item.is_hidden:
        return errors.CommentHidden()
    if isinstance(item, Comment):
        if item.is_deleted:
            return errors.CommentDeleted()
        if not can_view(proposal or item.proposal, user):
            return proposal_errors.NotAllowed()
    elif not item.is_visible:
        return proposal_errors.NotAllowed()
    return None


def can_report(item: Comment | Proposal, user: User | None) -> bool:
    return report_problem(item, user) is None

"""Who may comment, reply, edit and delete, and who sees what of a discussion, now.

Comments stay open on a proposal while the round is open (from the start of the collection to
the end of the deliberation) and its status allows comments (``state.STATUS_ALLOWS``). Reporting
and hiding are moderation's chapter (``moderation/rules.py``).
"""

from datetime import datetime, timedelta

from flask import current_app

from ..errors import NotAllowed, NotFound, PhaseClosed
from ..models import Comment, Origin, Proposal, User, utcnow
from ..policy import Verdict, can_post, check, first, is_moderator, refuse, signed_in
from ..proposals.rules import can_view
from ..proposals.state import Allows, allows
from . import errors


def can_see_hidden(user: User | None) -> bool:
    """Moderators read hidden comments (marked as such) to decide on them; nobody else does."""
    return is_moderator(user)


def edit_minutes() -> int:
    return current_app.config.get("COMMENT_EDIT_MINUTES", 15)


def edit_deadline(comment: Comment) -> datetime:
    return comment.created_at + timedelta(minutes=edit_minutes())


def _is_author(user: User | None, comment: Comment) -> bool:
    return bool(signed_in(user)) and comment.author_id is not None and comment.author_id == user.id


def can_read(user: User | None, comment: Comment) -> Verdict:
    """A comment's own page (edit, report): on a proposal the person may see, neither deleted
    nor hidden from them."""
    return first(
        can_view(user, comment.proposal),
        check(
            (not comment.is_deleted, NotFound),
            (not comment.is_hidden or can_see_hidden(user) or _is_author(user, comment), NotFound),
        ),
    )


def can_comment(user: User | None, proposal: Proposal, now: datetime | None = None) -> Verdict:
    """Closure comes first: a visitor is not asked to sign in to a discussion that is over."""
    return first(
        can_view(user, proposal),
        check(
            (
                allows(proposal.status, Allows.COMMENT) and not proposal.is_hidden,
                errors.CommentsClosed,
            ),
            (proposal.round.accepts_comments_at(now or utcnow()), PhaseClosed),
        ),
        can_post(user),
    )


def can_reply(
    user: User | None, comment: Comment, now: datetime | None = None, commenting=None
) -> Verdict:
    """One level of replies, to a comment still shown. ``commenting``: ``can_comment``'s verdict
    on the comment's proposal, when the caller has it already (a thread asks for each comment)."""
    verdict = commenting if commenting is not None else can_comment(user, comment.proposal, now)
    if not verdict:
        return verdict
    return check(
        (comment.parent_id is None, NotAllowed),
        (not comment.is_deleted, errors.CommentDeleted),
        (not comment.is_hidden, errors.CommentHidden),
    )


def can_open_edit(user: User | None, comment: Comment) -> Verdict:
    """The edit page of one's own comment. Whether it can still be changed (its window, its
    state) is ``can_edit``'s, said on the page: a text typed too late is kept on screen."""
    return first(
        can_read(user, comment),
        can_post(user),
        check((_is_author(user, comment) and comment.origin == Origin.ONLINE, NotAllowed)),
    )


def can_edit(
    user: User | None, comment: Comment, now: datetime | None = None, posting=None
) -> Verdict:
    """``posting``: ``can_post``'s verdict on ``user``, when the caller has it already (a thread
    asks for each comment)."""
    verdict = posting if posting is not None else can_post(user)
    if not verdict:
        return verdict
    if now is None:
        now = utcnow()
    verdict = check(
        (_is_author(user, comment) and comment.origin == Origin.ONLINE, NotAllowed),
        (not comment.is_deleted, errors.CommentDeleted),
        (not comment.is_hidden, errors.CommentHidden),
    )
    if verdict and now >= edit_deadline(comment):
        # Its message is built only when given (a thread asks about every comment shown).
        return refuse(errors.EditWindowOver(edit_minutes()))
    return verdict


def can_delete(user: User | None, comment: Comment, signed=None) -> Verdict:
    """Authors delete their own comments, even when blocked (taking one's words back is not
    posting). A hidden comment waits for a moderator: deleting it would also delete its reports.
    ``signed``: ``signed_in``'s verdict on ``user``, when the caller has it already."""
    verdict = signed if signed is not None else signed_in(user)
    if not verdict:
        return verdict
    return check(
        (_is_author(user, comment), NotAllowed),
        (not comment.is_deleted, errors.CommentDeleted),
        (not comment.is_hidden, errors.CommentHidden),
    )

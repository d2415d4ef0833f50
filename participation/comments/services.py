"""Comments (one level of replies) and reports on proposals and comments.

Services take the acting user, flush, never commit; the rules live in ``rules``.

Counters are changed by atomic ``UPDATE … SET x = x + 1`` in the same transaction as the row:
``proposals.comment_count`` counts the comments (replies included) that are neither deleted nor
hidden, and ``comments.reply_count`` counts a comment's replies that are neither deleted nor
hidden. Every change of visibility goes through this module so that both stay exact.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Comment, Proposal, Report, User, utcnow
from ..proposals import errors as proposal_errors
from ..proposals import state
from ..text import render_markdown
from . import errors, rules

HIDDEN_BY_REPORTS = "reported"


def _checked_text(text: str | None, low: int, high: int, error: type) -> str:
    text = (text or "").strip()
    if not low <= len(text) <= high:
        raise error()
    return text


def _shift_counters(comment: Comment, delta: int) -> None:
    """Add ``delta`` to the counters that include ``comment`` (its proposal's, its parent's)."""
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == comment.proposal_id)
        .values(comment_count=Proposal.comment_count + delta)
        .execution_options(synchronize_session=False)
    )
    if comment.parent_id is not None:
        db.session.execute(
            update(Comment)
            .where(Comment.id == comment.parent_id)
            .values(reply_count=Comment.reply_count + delta)
            .execution_options(synchronize_session=False)
        )
    # Objects already in the session read the new values on their next access.
    identity_map = db.session.identity_map
    for model, key, attribute in (
        (Proposal, comment.proposal_id, "comment_count"),
        (Comment, comment.parent_id, "reply_count"),
    ):
        loaded = identity_map.get(db.session.identity_key(model, key)) if key else None
        if loaded is not None:
            db.session.expire(loaded, [attribute])


# --- comments --------------------------------------------------------------------------------


def add_comment(
    proposal: Proposal, author: User, body: str, parent: Comment | None = None
) -> Comment:
    """Post a comment on ``proposal``, or a reply to ``parent``.

    There is one level of replies: a reply to a reply joins the thread of its top-level comment.
    """
    problem = rules.comment_problem(proposal, author)
    if problem is not None:
        raise problem
    if parent is not None:
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.proposal_id != proposal.id:
            raise proposal_errors.NotAllowed()
        if parent.is_deleted:
            raise errors.CommentDeleted()
        if parent.is_hidden:
            raise errors.CommentHidden()
    body = _checked_text(body, errors.COMMENT_MIN, errors.COMMENT_MAX, errors.CommentLength)
    comment = Comment(
        proposal_id=proposal.id,
        parent_id=parent.id if parent is not None else None,
        author_id=author.id,
        origin="online",
        body=body,
        body_html=render_markdown(body),
    )
    db.session.add(comment)
    db.session.flush()
    _shift_counters(comment, +1)
    return comment


def edit_comment(comment: Comment, user: User, body: str) -> None:
    """Its author corrects a comment during the edit window (``COMMENT_EDIT_MINUTES``)."""
    problem = rules.edit_problem(comment, user)
    if problem is not None:
        raise problem
    comment.body = _checked_text(body, errors.COMMENT_MIN, errors.COMMENT_MAX, errors.CommentLength)
    comment.body_html = render_markdown(comment.body)
    comment.edited_at = utcnow()
    db.session.flush()


def delete_comment(comment: Comment, user: User) -> bool:
    """Its author deletes a comment. Returns True when the row is gone.

    A top-level comment with replies stays as "comment deleted", its text erased, so that the
    replies keep their place; otherwise the row is deleted.
    """
    problem = rules.delete_problem(comment, user)
    if problem is not None:
        raise problem
    # Conditional statements: a second click or a moderator hiding it meanwhile changes nothing.
    still_counted = and_(
        Comment.id == comment.id, Comment.deleted_at.is_(None), Comment.hidden_at.is_(None)
    )
    has_replies = comment.parent_id is None and db.session.scalar(
        select(exists().where(Comment.parent_id == comment.id))
    )
    if has_replies:
        statement = (
            update(Comment).where(still_counted).values(deleted_at=utcnow(), body="", body_html="")
        )
    else:
        statement = delete(Comment).where(still_counted)
    if db.session.execute(statement.execution_options(synchronize_session=False)).rowcount != 1:
        raise errors.CommentDeleted()
    _shift_counters(comment, -1)
    if has_replies:
        db.session.expire(comment, ["deleted_at", "body", "body_html"])
    else:
        db.session.expunge(comment)
    db.session.flush()
    return not has_replies


def get_comment_or_404(comment_id: int) -> Comment:
    return db.get_or_404(
        Comment,
        comment_id,
        options=[
            joinedload(Comment.proposal).joinedload(Proposal.round),
            joinedload(Comment.author),
        ],
    )


def _public_top_level(proposal_id: int):
    """Top-level comments the public sees: visible ones, and deleted or hidden ones that still
    carry visible replies (shown as a placeholder)."""
    return select(Comment).where(
        Comment.proposal_id == proposal_id,
        Comment.parent_id.is_(None),
        or_(
            and_(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None)),
            Comment.reply_count > 0,
        ),
    )


def _moderator_top_level(proposal_id: int):
    """Moderators also see hidden comments; deleted ones only while they have replies."""
    replies = aliased(Comment)
    return select(Comment).where(
        Comment.proposal_id == proposal_id,
        Comment.parent_id.is_(None),
        or_(Comment.deleted_at.is_(None), exists().where(replies.parent_id == Comment.id)),
    )


def per_page() -> int:
    return current_app.config.get("COMMENTS_PER_PAGE", 20)


def comment_page(comment: Comment) -> int:
    """The page of the public thread that shows ``comment`` (a reply: its top-level comment)."""
    top = comment.parent if comment.parent_id is not None else comment
    before = db.session.scalar(
        select(func.count()).select_from(
            _public_top_level(top.proposal_id)
            .where(
                or_(
                    Comment.created_at < top.created_at,
                    and_(Comment.created_at == top.created_at, Comment.id < top.id),
                )
            )
            .subquery()
        )
    )
    return before // per_page() + 1


@dataclass
class Thread:
    """One page of a proposal's comments, as ``viewer`` may see it, with what they may do.

    Every flag is computed from what is loaded: no query once the thread is built.
    """

    proposal: Proposal
    pagination: Pagination
    viewer: User | None
    replies_by_parent: dict[int, list[Comment]] = field(default_factory=dict)
    reported_comment_ids: set[int] = field(default_factory=set)
    proposal_reported: bool = False
    shows_hidden: bool = False
    now: datetime = field(default_factory=utcnow)

    @property
    def comments(self) -> list[Comment]:
        """The top-level comments of this page, oldest first."""
        return self.pagination.items

    @property
    def count(self) -> int:
        """Every comment shown to the public, replies included."""
        return self.proposal.comment_count

    @property
    def page(self) -> int:
        return self.pagination.page

    @property
    def pages(self) -> int:
        return self.pagination.pages

    def replies(self, comment: Comment) -> list[Comment]:
        return self.replies_by_parent.get(comment.id, [])

    @cached_property
    def comment_problem(self):
        """Why the viewer cannot comment (None when they can)."""
        return rules.comment_problem(self.proposal, self.viewer, self.now)

    @property
    def can_comment(self) -> bool:
        return self.comment_problem is None

    def can_reply(self, comment: Comment) -> bool:
        return (
            self.can_comment
            and comment.parent_id is None
            and not comment.is_deleted
            and not comment.is_hidden
        )

    def can_edit(self, comment: Comment) -> bool:
        return rules.can_edit(comment, self.viewer, self.now)

    def edit_deadline(self, comment: Comment) -> datetime:
        return rules.edit_deadline(comment)

    def can_delete(self, comment: Comment) -> bool:
        return rules.can_delete(comment, self.viewer)

    def has_reported(self, comment: Comment) -> bool:
        return comment.id in self.reported_comment_ids

    def can_report(self, comment: Comment) -> bool:
        return not self.has_reported(comment) and (
            rules.report_problem(comment, self.viewer, self.proposal) is None
        )


def comment_thread(proposal: Proposal, page: int, viewer: User | None) -> Thread:
    """Page ``page`` of the top-level comments (oldest first) with all their replies.

    A fixed number of queries whatever the size of the discussion: the count and the page (with
    authors), the replies of the whole page (with authors), the viewer's reports on them.
    """
    shows_hidden = rules.is_moderator(viewer)
    top_level = _moderator_top_level if shows_hidden else _public_top_level
    query = (
        top_level(proposal.id)
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )
    page = max(page, 1)
    pagination = db.paginate(query, page=page, per_page=per_page(), error_out=False)
    if page > pagination.pages > 0:
        pagination = db.paginate(query, page=pagination.pages, per_page=per_page(), error_out=False)
    thread = Thread(
        proposal=proposal, pagination=pagination, viewer=viewer, shows_hidden=shows_hidden
    )
    top_ids = [comment.id for comment in pagination.items]
    for comment in pagination.items:
        set_committed_value(comment, "proposal", proposal)
    replies = []
    if top_ids:
        reply_query = (
            select(Comment)
            .where(Comment.parent_id.in_(top_ids))
            .options(joinedload(Comment.author))
            .order_by(Comment.created_at, Comment.id)
        )
        if not shows_hidden:
            reply_query = reply_query.where(
                Comment.deleted_at.is_(None), Comment.hidden_at.is_(None)
            )
        replies = list(db.session.scalars(reply_query))
    by_id = {comment.id: comment for comment in pagination.items}
    for reply in replies:
        set_committed_value(reply, "proposal", proposal)
        set_committed_value(reply, "parent", by_id[reply.parent_id])
        thread.replies_by_parent.setdefault(reply.parent_id, []).append(reply)
    if viewer is not None and viewer.is_authenticated:
        all_ids = top_ids + [reply.id for reply in replies]
        rows = db.session.execute(
            select(Report.comment_id, Report.proposal_id).where(
                Report.reporter_id == viewer.id,
                or_(Report.proposal_id == proposal.id, Report.comment_id.in_(all_ids)),
            )
        )
        for comment_id, proposal_id in rows:
            if proposal_id is not None:
                thread.proposal_reported = True
            else:
                thread.reported_comment_ids.add(comment_id)
    return thread


# --- reports and hiding ----------------------------------------------------------------------


def _report_target(item: Comment | Proposal):
    if isinstance(item, Comment):
        return Report.comment_id
    return Report.proposal_id


def has_reported(item: Comment | Proposal, user: User | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(
        select(exists().where(Report.reporter_id == user.id, _report_target(item) == item.id))
    )


def report(item: Comment | Proposal, reporter: User, reason: str) -> Report:
    """``reporter`` reports a comment or a proposal, once. At ``REPORT_HIDE_THRESHOLD``
    unresolved reports the item hides itself until a moderator looks at it."""
    problem = rules.report_problem(item, reporter)
    if problem is not None:
        raise problem
    reason = _checked_text(reason, errors.REASON_MIN, errors.REASON_MAX, errors.ReasonLength)
    is_comment = isinstance(item, Comment)
    entry = Report(
        reporter_id=reporter.id,
        comment_id=item.id if is_comment else None,
        proposal_id=None if is_comment else item.id,
        reason=reason,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError as error:
        raise errors.AlreadyReported() from error
    threshold = current_app.config.get("REPORT_HIDE_THRESHOLD", 3)
    unresolved = db.session.scalar(
        select(func.count())
        .select_from(Report)
        .where(_report_target(item) == item.id, Report.resolved_at.is_(None))
    )
    if threshold and unresolved >= threshold:
        hide(item, None, HIDDEN_BY_REPORTS)
    db.session.flush()
    return entry


def _set_hidden(item: Comment | Proposal, hidden: bool, reason: str | None) -> bool:
    """Flip the item's visibility in one conditional UPDATE; False when it already was so.

    A deleted comment is left alone, so a comment changes counters only while it is shown.
    """
    model = type(item)
    conditions = [
        model.id == item.id,
        model.hidden_at.is_(None) if hidden else model.hidden_at.isnot(None),
    ]
    if model is Comment:
        conditions.append(Comment.deleted_at.is_(None))
    result = db.session.execute(
        update(model)
        .where(*conditions)
        .values(hidden_at=utcnow() if hidden else None, hidden_reason=reason if hidden else None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(item, ["hidden_at", "hidden_reason"])
    return result.rowcount == 1


def hide(item: Comment | Proposal, actor: User | None, reason: str) -> bool:
    """Hide a comment or a proposal: by a moderator, or by the platform (``actor`` None) when
    reports reach the threshold. Returns False when it was already hidden."""
    if actor is not None and not rules.is_moderator(actor):
        raise proposal_errors.NotAllowed()
    if not _set_hidden(item, True, reason):
        return False
    if isinstance(item, Comment):
        _shift_counters(item, -1)
    else:
        state.record(item, "hidden", actor, is_public=False)
    db.session.flush()
    return True


def restore(item: Comment | Proposal, moderator: User, resolution: str | None = None) -> bool:
    """A moderator shows a hidden item again; its open reports are resolved with it, so that
    they do not hide it again. Returns False when it was not hidden."""
    if not rules.is_moderator(moderator):
        raise proposal_errors.NotAllowed()
    if not _set_hidden(item, False, None):
        return False
    db.session.execute(
        update(Report)
        .where(_report_target(item) == item.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=moderator.id, resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    if isinstance(item, Comment):
        _shift_counters(item, +1)
    else:
        state.record(item, "restored", moderator, is_public=False)
    db.session.flush()
    return True

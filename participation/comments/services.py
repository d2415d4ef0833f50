"""Comments on proposals, with one level of replies, and the page of a discussion.

Services take the acting user, flush, never commit; the rules live in ``rules``. Reports and
hiding are moderation's (``moderation/reports.py``), which moves the counters through
``shift_counters`` here.

Counters are changed by atomic ``UPDATE … SET x = x + 1`` in the same transaction as the row:
``proposals.comment_count`` counts the comments (replies included) that are neither deleted nor
hidden, and ``comments.reply_count`` counts a comment's replies that are neither deleted nor
hidden. Every change of visibility goes through this module so that both stay exact.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property
from typing import NamedTuple

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import aliased, defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.local import LocalProxy

from ..database import written_number
from ..errors import NotAllowed
from ..extensions import db
from ..models import Comment, Proposal, Report, User, utcnow
from ..notifications import notify_comment
from ..pagination import PreparedPagination
from ..policy import Verdict, can_post, signed_in
from ..proposals.rules import can_view
from ..text import render_markdown
from . import errors, rules


def _checked_text(text: str | None, low: int, high: int, error: type) -> str:
    text = (text or "").strip()
    if not low <= len(text) <= high:
        raise error()
    return text


def shift_counters(comment: Comment, delta: int) -> None:
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
    if parent is not None:
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.proposal_id != proposal.id:
            raise NotAllowed()
        rules.can_reply(author, parent).require()
    else:
        rules.can_comment(author, proposal).require()
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
    shift_counters(comment, +1)
    notify_comment(proposal, author)
    return comment


def edit_comment(comment: Comment, user: User, body: str) -> None:
    """Its author corrects a comment during the edit window (``COMMENT_EDIT_MINUTES``)."""
    rules.can_edit(user, comment).require()
    comment.body = _checked_text(body, errors.COMMENT_MIN, errors.COMMENT_MAX, errors.CommentLength)
    comment.body_html = render_markdown(comment.body)
    comment.edited_at = utcnow()
    db.session.flush()


def delete_comment(comment: Comment, user: User) -> bool:
    """Its author deletes a comment. Returns True when the row is gone.

    A top-level comment with replies stays as "comment deleted", its text erased, so that the
    replies keep their place; otherwise the row is deleted.
    """
    rules.can_delete(user, comment).require()
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
    shift_counters(comment, -1)
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
    """Top-level comments the public sees: published ones, and deleted or hidden ones that
    still carry published replies (shown as a placeholder)."""
    return select(Comment).where(
        Comment.proposal_id == proposal_id,
        Comment.parent_id.is_(None),
        or_(Comment.is_published, Comment.reply_count > 0),
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


class Actions(NamedTuple):
    """What the viewer may do with one comment of a thread: each is the rulebook's verdict. A
    tuple: a page builds one per comment and writes each into its list's key."""

    edit: bool = False
    delete: bool = False
    reply: bool = False
    reported: bool = False
    report: bool = False


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
    _actions: dict[int, Actions] = field(default_factory=dict, init=False, repr=False)

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
    def can_comment(self):
        """The viewer's verdict on commenting (its reason says why not)."""
        return rules.can_comment(self.viewer, self.proposal, self.now)

    def can_reply(self, comment: Comment):
        return rules.can_reply(self.viewer, comment, self.now, commenting=self.can_comment)

    @cached_property
    def posting(self) -> Verdict:
        """The viewer's verdicts on posting and on being signed in, asked once for all the
        comments (the rules on each comment start with them)."""
        return can_post(self.viewer)

    @cached_property
    def signed(self) -> Verdict:
        return signed_in(self.viewer)

    def can_edit(self, comment: Comment):
        return rules.can_edit(self.viewer, comment, self.now, posting=self.posting)

    def edit_deadline(self, comment: Comment) -> datetime:
        return rules.edit_deadline(comment)

    def can_delete(self, comment: Comment):
        return rules.can_delete(self.viewer, comment, signed=self.signed)

    def has_reported(self, comment: Comment) -> bool:
        return comment.id in self.reported_comment_ids

    @cached_property
    def viewing(self) -> Verdict:
        """The viewer's verdict on seeing the proposal, asked once for all its comments."""
        return can_view(self.viewer, self.proposal)

    def can_report(self, comment: Comment):
        from ..moderation.rules import can_report

        return not self.has_reported(comment) and can_report(
            self.viewer, comment, viewing=self.viewing, posting=self.posting
        )

    def actions(self, comment: Comment) -> Actions:
        """The viewer's verdicts on ``comment``, asked once each (the page shows them, and the
        cached list of comments is keyed by them)."""
        found = self._actions.get(comment.id)
        if found is None:
            found = self._actions[comment.id] = Actions(
                edit=bool(self.can_edit(comment)),
                delete=bool(self.can_delete(comment)),
                reply=bool(self.can_reply(comment)),
                reported=self.has_reported(comment),
                report=bool(self.can_report(comment)),
            )
        return found

    @cached_property
    def key(self) -> tuple | None:
        """Everything the page's list of comments shows, for ``fragments.fragment``: each
        comment's contents, its author's name as shown and the viewer's verdicts on it. None
        when the list holds a form (a deletion's, with the viewer's CSRF token)."""
        shown = []
        for comment in self.comments:
            shown.append(comment)
            shown.extend(self.replies(comment))
        if any(self.actions(comment).delete for comment in shown):
            return None
        return (
            "comments",
            self.proposal.id,
            self.proposal.author_id,
            self.pagination.first,
            self.shows_hidden,
            tuple(self._key(comment) for comment in shown),
        )

    def _key(self, comment: Comment) -> tuple:
        author = comment.author
        actions = self.actions(comment)
        return (
            comment.id,
            comment.parent_id,
            comment.author_id,
            comment.origin,
            comment.body_html,
            comment.created_at,
            comment.edited_at,
            comment.deleted_at,
            comment.hidden_at,
            comment.hidden_reason,
            comment.reply_count,
            None if author is None or author.erased_at else author.display_name,
            actions,
            self.edit_deadline(comment) if actions.edit else None,
        )


# What a thread reads of its comments and their authors: what the page shows and the rules ask
# (``Thread.key`` lists it), not a comment's Markdown source nor its author's account.
_SHOWN = (
    defer(Comment.body),
    joinedload(Comment.author).load_only(User.id, User.display_name, User.erased_at),
)


class ThreadPagination(PreparedPagination):
    """A page of top-level comments read with their replies and their count, in one statement
    (``_thread_statements``): three had cost a proposal's page two round trips and their
    executions. The replies are kept in ``replies``, oldest first. A page past the last has no
    row to carry the count: the top-level comments are then counted alone."""

    def _query_items(self) -> list[Comment]:
        args = self._query_args
        params = {**args["params"], "limit": self.per_page, "offset": self._query_offset}
        self.replies: list[Comment] = []
        self._counted = None
        items = []
        for comment, total in args["session"].execute(args["select"], params):
            self._counted = total
            (items if comment.parent_id is None else self.replies).append(comment)
        return items

    def _query_count(self) -> int:
        if self._counted is not None:
            return self._counted
        return super()._query_count()


# The reader's reports on a proposal and on any of its comments, as (comment id, proposal id)
# rows (``viewer_id``, ``proposal_id``), built once. A person's reports are few, read from their
# index, and the statement's text stays the same whatever the page (a list of the page's ids
# made a new one each time, parsed again by the driver).
READER_REPORTS = (
    select(Report.comment_id, Report.proposal_id)
    .outerjoin(Comment, Comment.id == Report.comment_id)
    .where(
        Report.reporter_id == bindparam("viewer_id"),
        or_(
            Report.proposal_id == bindparam("proposal_id"),
            Comment.proposal_id == bindparam("proposal_id"),
        ),
    )
)


@cache
def _thread_statements(shows_hidden: bool) -> tuple[Select, Select]:
    """A thread's queries, built once (``comment_thread`` gives their parameters): a page of
    top-level comments with their replies, their authors and the count of top-level comments
    (each row carries it); that count alone."""
    top_level = (_moderator_top_level if shows_hidden else _public_top_level)(
        bindparam("proposal_id")
    )
    count = select(func.count()).select_from(top_level.with_only_columns(Comment.id).subquery())
    # The page's ids, read in their order from the threads' index, then their replies' ids.
    page = (
        top_level.with_only_columns(Comment.id)
        .order_by(Comment.created_at, Comment.id)
        .limit(written_number("limit"))
        .offset(written_number("offset"))
        .cte("page")
    )
    replies = select(Comment.id).where(Comment.parent_id.in_(select(page.c.id)))
    if not shows_hidden:
        replies = replies.where(Comment.is_published)
    shown = union_all(select(page.c.id), replies).subquery("shown")
    # Top-level comments and replies in one order: each list keeps it.
    thread = (
        select(Comment, count.scalar_subquery().label("total"))
        .join(shown, shown.c.id == Comment.id)
        .options(*_SHOWN)
        .order_by(Comment.created_at, Comment.id)
    )
    return thread, count


def comment_thread(
    proposal: Proposal,
    page: int,
    viewer: User | None,
    reports: Iterable[tuple[int | None, int | None]] | None = None,
) -> Thread:
    """Page ``page`` of the top-level comments (oldest first) with all their replies.

    A fixed number of queries whatever the size of the discussion: the page with its replies,
    their authors and the count, then the viewer's reports on the proposal and its comments
    (``READER_REPORTS``), unless the caller read them already (``reports``: its rows).
    """
    # The person behind Flask-Login's proxy: the page asks the rules about them a few times per
    # comment, and each look through the proxy costs as much as the rule.
    if isinstance(viewer, LocalProxy):
        viewer = viewer._get_current_object()
    shows_hidden = rules.can_see_hidden(viewer)
    thread_query, count_query = _thread_statements(shows_hidden)

    def page_of(number: int) -> ThreadPagination:
        return ThreadPagination(
            select=thread_query,
            counting=count_query,
            params={"proposal_id": proposal.id},
            session=db.session(),
            page=number,
            per_page=per_page(),
            max_per_page=None,
            error_out=False,
        )

    page = max(page, 1)
    pagination = page_of(page)
    if page > pagination.pages > 0:
        pagination = page_of(pagination.pages)
    thread = Thread(
        proposal=proposal, pagination=pagination, viewer=viewer, shows_hidden=shows_hidden
    )
    for comment in pagination.items:
        set_committed_value(comment, "proposal", proposal)
    by_id = {comment.id: comment for comment in pagination.items}
    for reply in pagination.replies:
        set_committed_value(reply, "proposal", proposal)
        set_committed_value(reply, "parent", by_id[reply.parent_id])
        thread.replies_by_parent.setdefault(reply.parent_id, []).append(reply)
    if reports is None and viewer is not None and viewer.is_authenticated:
        reports = db.session.execute(
            READER_REPORTS, {"viewer_id": viewer.id, "proposal_id": proposal.id}
        )
    if reports is not None:
        for comment_id, proposal_id in reports:
            if proposal_id is not None:
                thread.proposal_reported = True
            else:
                thread.reported_comment_ids.add(comment_id)
    return thread

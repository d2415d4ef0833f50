"""What the reader of a proposal's page has done about it: supported it, followed it, reported it
or some of its comments, read in one statement.

Each part is its own module's statement (``supports.SUPPORTED``, ``following.FOLLOWED``,
``comments.READER_REPORTS``), joined here so that a signed-in reader's page sends one round trip
instead of three. What each answer means (an author follows their proposal, which reports a
thread marks) stays with those modules, given these rows; a support row means supported.
"""

from typing import NamedTuple

from sqlalchemy import Integer, cast, literal, null, select, union_all

from ..comments.services import READER_REPORTS
from ..extensions import db
from ..following.services import FOLLOWED
from ..models import Proposal, User
from .supports import SUPPORTED


class ReaderMarks(NamedTuple):
    """A visitor's are all empty."""

    supported: bool = False
    # A follow row: whether they follow is ``following.services.follows``'s, given it.
    followed: bool = False
    # Their reports on the proposal and its comments: (comment id, proposal id) rows.
    reports: tuple[tuple[int | None, int | None], ...] = ()


def _marks_statement():
    """One row per mark: its kind, then a report's comment id and proposal id (none for the
    others)."""
    nothing = cast(null(), Integer)
    supported, followed = SUPPORTED.subquery(), FOLLOWED.subquery()
    reports = READER_REPORTS.subquery()
    return union_all(
        select(literal("support").label("kind"), nothing, nothing).select_from(supported),
        select(literal("follow"), nothing, nothing).select_from(followed),
        select(literal("report"), reports.c.comment_id, reports.c.proposal_id),
    )


_MARKS = _marks_statement()


def reader_marks(user: User | None, proposal: Proposal) -> ReaderMarks:
    """``user``'s marks on ``proposal``: one statement for a signed-in person, none for a
    visitor."""
    if user is None or not user.is_authenticated:
        return ReaderMarks()
    rows = db.session.execute(
        _MARKS,
        {
            "user_id": user.id,
            "viewer_id": user.id,
            "proposal_id": proposal.id,
            "proposal_ids": [proposal.id],
        },
    ).all()
    return ReaderMarks(
        supported=any(kind == "support" for kind, _, _ in rows),
        followed=any(kind == "follow" for kind, _, _ in rows),
        reports=tuple((comment_id, about) for kind, comment_id, about in rows if kind == "report"),
    )

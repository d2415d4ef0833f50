"""Queries of the public read API: only what the site shows the public, in a fixed number of
queries whatever the amount of data, with stable cursor pagination."""

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..database import written_number
from ..extensions import db
from ..masterplan.services import MasterplanFilters, masterplan_query
from ..masterplan.services import carriers as masterplan_carriers
from ..models import (
    Action,
    Carrier,
    Comment,
    CouncilSession,
    Deliberation,
    Neighbourhood,
    Origin,
    Pillar,
    Proposal,
    Round,
    Workshop,
)
from ..opendata import services as statistics
from ..proposals.services import ProposalFilters, browse_query, public_trail
from ..rounds.services import pillars_with_counts
from ..views import MAX_INT
from ..workshops.services import outcome

MAX_PAGE_SIZE = 100
# Slugs are made of these (rounds.services.slugify); anything else, e.g. a NUL byte that
# PostgreSQL refuses, cannot name an item.
SLUG_PATTERN = r"^[A-Za-z0-9_-]{1,80}$"
PROPOSAL_SORTS = ("supports", "newest", "comments")
# Not translated: the API answers the same bytes in every language (and so the same ETag).
DELETED_ACCOUNT = "Deleted account"


class InvalidCursor(ValueError):
    pass


class Extended:
    """An item seen with extra attributes (its trail, replies, outcome) for a schema to dump."""

    def __init__(self, item, **extras):
        self._item = item
        self.__dict__.update(extras)

    def __getattr__(self, name):
        return getattr(self._item, name)


def author_name(item: Proposal | Comment) -> str | None:
    """The author's display name; "Deleted account" once erased; None for a workshop card."""
    if item.author is None:
        return None if item.origin == Origin.WORKSHOP else DELETED_ACCOUNT
    if item.author.erased_at is not None:
        return DELETED_ACCOUNT
    return item.author.display_name


# --- cursor pagination -----------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    """One column of a keyset order: its expression, direction and how to read it from a row."""

    expression: object
    descending: bool
    read: object  # row -> value
    kind: type = int


def _encode(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def _decode(value, kind: type):
    if value is None:
        return None
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:  # the database holds naive UTC
            raise InvalidCursor
        return moment
    if kind is date:
        return date.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        if not -MAX_INT <= value <= MAX_INT:
            raise InvalidCursor
        return value
    raise InvalidCursor


def encode_cursor(keys: Sequence[SortKey], row) -> str:
    raw = json.dumps([_encode(key.read(row)) for key in keys], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(keys: Sequence[SortKey], cursor: str) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor from error
    if not isinstance(values, list) or len(values) != len(keys):
        raise InvalidCursor
    try:
        decoded = [_decode(value, key.kind) for key, value in zip(keys, values, strict=True)]
    except (TypeError, ValueError) as error:
        raise InvalidCursor from error
    if any(value is None for value in decoded):
        raise InvalidCursor
    return decoded


def _after(keys: Sequence[SortKey], values: list):
    """Rows strictly after ``values`` in the keyset order (lexicographic, mixed directions)."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j].expression == values[j] for j in range(i)]
        beyond = key.expression < values[i] if key.descending else key.expression > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


@dataclass
class Page:
    items: list
    next_cursor: str | None = None


def paginate(query, keys: Sequence[SortKey], cursor: str | None, limit: int) -> Page:
    """One query: the page after ``cursor`` plus one row to know whether another page follows."""
    if cursor:
        query = query.where(_after(keys, decode_cursor(keys, cursor)))
    query = query.order_by(None).order_by(
        *(key.expression.desc() if key.descending else key.expression for key in keys)
    )
    # Planning the proposals' six joins at each request took 4.5 ms (``written_number``).
    rows = list(db.session.scalars(query.limit(written_number("limit", limit + 1))).unique())
    page = Page(items=rows[:limit])
    if len(rows) > limit:
        page.next_cursor = encode_cursor(keys, page.items[-1])
    return page


# --- lookups by slug, as subqueries (no extra query, an unknown slug matches nothing) -------


def _id_of(model, slug: str):
    return select(model.id).where(model.slug == slug).scalar_subquery()


# --- rounds and pillars ----------------------------------------------------------------------


def rounds() -> list[Round]:
    return list(
        db.session.scalars(
            select(Round)
            .options(selectinload(Round.pillars))
            .order_by(Round.collect_starts_at.desc(), Round.id.desc())
        )
    )


def round_or_none(slug: str) -> Round | None:
    if not re.fullmatch(SLUG_PATTERN, slug):
        return None
    return db.session.scalar(select(Round).where(Round.slug == slug))


def round_with_pillar_counts(round_: Round) -> Extended:
    """The round, its pillars each with its number of public proposals (one query)."""
    pillars = [Extended(pillar, proposal_count=n) for pillar, n in pillars_with_counts(round_)]
    return Extended(round_, pillars=pillars)


def pillars() -> list[Pillar]:
    return list(db.session.scalars(select(Pillar).order_by(Pillar.position, Pillar.id)))


# --- proposals -------------------------------------------------------------------------------

_ID_DESC = SortKey(Proposal.id, True, lambda p: p.id)
PROPOSAL_KEYS = {
    "supports": (
        SortKey(
            Proposal.support_count + Proposal.paper_support_count,
            True,
            lambda p: p.support_count + p.paper_support_count,
        ),
        _ID_DESC,
    ),
    "newest": (
        SortKey(
            func.coalesce(Proposal.published_at, Proposal.created_at),
            True,
            lambda p: p.published_at or p.created_at,
            datetime,
        ),
        _ID_DESC,
    ),
    "comments": (SortKey(Proposal.comment_count, True, lambda p: p.comment_count), _ID_DESC),
}


def proposals_page(
    *,
    round: str | None = None,
    pillar: str | None = None,
    neighbourhood: str | None = None,
    status: str | None = None,
    origin: str | None = None,
    sort: str = "supports",
    cursor: str | None = None,
    limit: int = 20,
) -> Page:
    filters = ProposalFilters(status=status, origin=origin)
    query = browse_query(None, filters, load=joinedload).options(
        joinedload(Proposal.workshop), joinedload(Proposal.merged_into), joinedload(Proposal.author)
    )
    if round:
        query = query.where(Proposal.round_id == _id_of(Round, round))
    if pillar:
        query = query.where(Proposal.pillar_id == _id_of(Pillar, pillar))
    if neighbourhood:
        query = query.where(Proposal.neighbourhood_id == _id_of(Neighbourhood, neighbourhood))
    return paginate(query, PROPOSAL_KEYS[sort], cursor, limit)


def visible_proposal_or_none(proposal_id: int) -> Proposal | None:
    """A public proposal with everything its page shows, in one query (the trail is another)."""
    return db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id, Proposal.is_visible)
        .options(
            joinedload(Proposal.round),
            joinedload(Proposal.pillar),
            joinedload(Proposal.neighbourhood),
            joinedload(Proposal.author),
            joinedload(Proposal.workshop),
            joinedload(Proposal.merged_into),
        )
    )


def proposal_with_trail(proposal: Proposal) -> Extended:
    """The public trail only: events a moderator kept private never leave the site."""
    return Extended(proposal, trail=public_trail(proposal, include_private=False))


# --- comments --------------------------------------------------------------------------------

COMMENT_KEYS = (
    SortKey(Comment.created_at, False, lambda c: c.created_at, datetime),
    SortKey(Comment.id, False, lambda c: c.id),
)


def _published_comments():
    return select(Comment).where(Comment.is_published)


def comments_page(proposal: Proposal, cursor: str | None, limit: int) -> Page:
    """Published top-level comments, oldest first, each with its published replies: two queries.

    A hidden or deleted comment is left out with its replies (the site shows a placeholder; the
    API has nothing public to say about it).
    """
    query = _published_comments().where(
        Comment.proposal_id == proposal.id, Comment.parent_id.is_(None)
    )
    query = query.options(joinedload(Comment.author), joinedload(Comment.workshop))
    page = paginate(query, COMMENT_KEYS, cursor, limit)
    replies: dict[int, list[Comment]] = {comment.id: [] for comment in page.items}
    if page.items:
        reply_query = (
            _published_comments()
            .where(Comment.parent_id.in_(list(replies)))
            .options(joinedload(Comment.author), joinedload(Comment.workshop))
            .order_by(Comment.created_at, Comment.id)
        )
        for reply in db.session.scalars(reply_query):
            replies[reply.parent_id].append(reply)
    page.items = [Extended(comment, replies=replies[comment.id]) for comment in page.items]
    return page


# --- workshops -------------------------------------------------------------------------------

WORKSHOP_KEYS = (
    SortKey(Workshop.starts_at, False, lambda w: w.starts_at, datetime),
    SortKey(Workshop.id, False, lambda w: w.id),
)


def _workshops():
    return select(Workshop).options(joinedload(Workshop.round), selectinload(Workshop.pillars))


def workshops_page(*, round: str | None = None, cursor: str | None = None, limit: int = 20):
    query = _workshops()
    if round:
        query = query.where(Workshop.round_id == _id_of(Round, round))
    return paginate(query, WORKSHOP_KEYS, cursor, limit)


def workshop_or_none(workshop_id: int) -> Workshop | None:
    return db.session.scalar(_workshops().where(Workshop.id == workshop_id))


def workshop_with_outcome(workshop: Workshop) -> Extended:
    return Extended(workshop, outcome=outcome(workshop))


# --- council sessions and deliberations ------------------------------------------------------


def council_sessions() -> list[dict]:
    counts = (
        select(Deliberation.council_session_id, func.count(Deliberation.id).label("n"))
        .group_by(Deliberation.council_session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(CouncilSession, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.council_session_id == CouncilSession.id)
        .options(joinedload(CouncilSession.round))
        .order_by(CouncilSession.held_on.desc(), CouncilSession.id.desc())
    )
    return [
        {
            "id": session.id,
            "held_on": session.held_on,
            "title": session.title,
            "round": session.round,
            "deliberation_count": count,
        }
        for session, count in rows
    ]


DELIBERATION_KEYS = (
    SortKey(CouncilSession.held_on, True, lambda d: d.council_session.held_on, date),
    SortKey(Deliberation.number, False, lambda d: d.number),
    SortKey(Deliberation.id, False, lambda d: d.id),
)


def deliberations_page(
    *,
    session: int | None = None,
    pillar: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page:
    query = (
        select(Deliberation)
        .join(Deliberation.council_session)
        .join(Deliberation.pillar)
        .outerjoin(Deliberation.action)
        .options(
            contains_eager(Deliberation.council_session),
            contains_eager(Deliberation.pillar),
            contains_eager(Deliberation.action).joinedload(Action.carrier),
            contains_eager(Deliberation.action).selectinload(Action.progress_notes),
            selectinload(Deliberation.visible_proposals),
        )
    )
    if session:
        query = query.where(Deliberation.council_session_id == session)
    if status:
        query = query.where(Action.status == status)
    if pillar:
        query = query.where(Deliberation.pillar_id == _id_of(Pillar, pillar))
    return paginate(query, DELIBERATION_KEYS, cursor, limit)


# --- the masterplan: actions and carriers ----------------------------------------------------

ACTION_KEYS = (SortKey(Action.id, False, lambda a: a.id),)


def actions_page(
    *,
    pillar: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    carrier: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page:
    """Public actions of the masterplan (``masterplan.services``' filters), in id order."""
    query = masterplan_query(MasterplanFilters(status=status, kind=kind))
    if pillar:
        query = query.where(Action.pillar_id == _id_of(Pillar, pillar))
    if carrier:
        query = query.where(Action.carrier_id == _id_of(Carrier, carrier))
    query = query.options(selectinload(Action.progress_notes))
    return paginate(query, ACTION_KEYS, cursor, limit)


def carriers() -> list[Carrier]:
    return masterplan_carriers()


# --- statistics ------------------------------------------------------------------------------


def round_statistics(round_: Round) -> dict:
    """The round's public figures (``opendata.services.round_statistics``, the one computation
    the statistics page reads too), in the shape of ``schemas.StatisticsSchema``."""
    figures = statistics.round_statistics(round_)
    totals = figures.totals
    return {
        "round": round_,
        "contributors": figures.contributors.total,
        "workshop_attendance": figures.contributors.attendance,
        "totals": totals,
        "by_pillar": figures.by_pillar,
        "by_neighbourhood": figures.by_neighbourhood,
        # Paper supports are the stickers of workshops: they count in the workshop channel.
        "by_channel": {
            Origin.ONLINE.value: {
                "proposals": totals.online_proposals,
                "supports": totals.online_supports,
                "comments": totals.online_comments,
            },
            Origin.WORKSHOP.value: {
                "proposals": totals.workshop_proposals,
                "supports": totals.paper_supports,
                "comments": totals.workshop_comments,
            },
        },
        "masterplan": figures.masterplan_counts,
    }

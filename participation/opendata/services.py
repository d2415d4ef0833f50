"""What a round publishes as open data and statistics.

Only public content leaves here: the proposals the public sees (``Proposal.is_visible``), their
published comments (``Comment.is_published``), counts of supports (never who supported), and no
e-mail address. Statistics are computed by grouped queries, so a round of 30 proposals and one
of 30,000 cost the same number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, distinct, func, or_, select, union
from sqlalchemy.orm import aliased

from ..extensions import db
from ..figures import kept
from ..masterplan.services import PillarProgress
from ..models import (
    Action,
    Carrier,
    Comment,
    CouncilSession,
    Deliberation,
    MasterplanStatus,
    Neighbourhood,
    Origin,
    PaperSupport,
    Pillar,
    ProgressNote,
    Proposal,
    Round,
    Support,
    User,
    Workshop,
    round_pillars,
)


def public_proposal_filter(round_: Round):
    """Proposals of ``round_`` that the public sees (``Proposal.is_visible``)."""
    return _visible_in(round_.id)


def refresh_minutes() -> int:
    """How often the cached figures are counted again, in whole minutes (0: never kept)."""
    if current_app.config["CACHE_TYPE"] == "NullCache":
        return 0
    return -(-current_app.config["CACHE_DEFAULT_TIMEOUT"] // 60)


def _visible_in(round_id: int):
    return and_(Proposal.round_id == round_id, Proposal.is_visible)


def as_day(value) -> date:
    # SQLite's date() answers a string, PostgreSQL's a date.
    return value if isinstance(value, date) else date.fromisoformat(value)


# --- statistics ----------------------------------------------------------------------------


@dataclass
class Figures:
    """Counts for one slice of the round: a pillar, a neighbourhood (None with ``pillar`` None
    too: the proposals placed in no neighbourhood), or the whole round."""

    pillar: Pillar | None = None
    neighbourhood: Neighbourhood | None = None
    proposals: int = 0
    online_proposals: int = 0
    workshop_proposals: int = 0
    online_supports: int = 0
    paper_supports: int = 0
    comments: int = 0
    online_comments: int = 0
    workshop_comments: int = 0

    @property
    def supports(self) -> int:
        return self.online_supports + self.paper_supports

    @property
    def is_empty(self) -> bool:
        return not (self.proposals or self.supports or self.comments)

    def add_proposals(self, origin: Origin, count: int, online: int, paper: int) -> None:
        self.proposals += count
        if origin == Origin.WORKSHOP:
            self.workshop_proposals += count
        else:
            self.online_proposals += count
        self.online_supports += online
        self.paper_supports += paper

    def add_comments(self, origin: Origin, count: int) -> None:
        self.comments += count
        if origin == Origin.WORKSHOP:
            self.workshop_comments += count
        else:
            self.online_comments += count


@dataclass
class Contributors:
    total: int
    proposal_authors: int
    commenters: int
    supporters: int
    workshops: int
    attendance: int


@dataclass
class Week:
    starts_on: date
    proposals: int = 0
    online_supports: int = 0
    paper_supports: int = 0


@dataclass
class Statistics:
    """A round's public figures: what the statistics page draws and the API answers."""

    contributors: Contributors
    totals: Figures
    # The round's pillars, and any other pillar that still holds public proposals of it.
    by_pillar: list[Figures]
    # Every neighbourhood, then the proposals placed in none (``neighbourhood`` None).
    by_neighbourhood: list[Figures]
    # Masterplan actions of the round's council sessions, by pillar (those that have some).
    masterplan: list[PillarProgress]

    @property
    def masterplan_counts(self) -> dict[str, int]:
        """Masterplan actions of the round, by status, all pillars together."""
        return {
            status.value: sum(item.counts[status.value] for item in self.masterplan)
            for status in MasterplanStatus
        }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def round_statistics(round_: Round) -> Statistics:
    """Every public figure of a round, in six queries whatever its size, of which the four that
    read every proposal, comment and support of the round are kept for
    ``CACHE_DEFAULT_TIMEOUT`` (``_groups_of``, ``_contributors_of``).

    The one computation behind the statistics page and ``/api/v1/rounds/<slug>/statistics``:
    public proposals only (``Proposal.is_visible``), published comments on them
    (``Comment.is_published``), counts of supports, never who supported.
    """
    pillars = db.session.execute(
        select(Pillar, round_pillars.c.round_id)
        .outerjoin(
            round_pillars,
            and_(round_pillars.c.pillar_id == Pillar.id, round_pillars.c.round_id == round_.id),
        )
        .order_by(Pillar.position, Pillar.id)
    ).all()
    neighbourhoods = db.session.scalars(
        select(Neighbourhood).order_by(Neighbourhood.position, Neighbourhood.name)
    ).all()

    totals = Figures()
    by_pillar = {p.id: Figures(pillar=p) for p, _ in pillars}
    by_neighbourhood = {n.id: Figures(neighbourhood=n) for n in neighbourhoods}
    by_neighbourhood[None] = Figures()

    proposal_groups, comment_groups = _groups_of(round_.id)
    for pillar_id, neighbourhood_id, origin, count, online, paper in proposal_groups:
        for figures in (totals, by_pillar[pillar_id], by_neighbourhood[neighbourhood_id]):
            figures.add_proposals(origin, count, int(online), int(paper))

    for pillar_id, neighbourhood_id, origin, count in comment_groups:
        for figures in (totals, by_pillar[pillar_id], by_neighbourhood[neighbourhood_id]):
            figures.add_comments(origin, count)

    return Statistics(
        contributors=_contributors(round_),
        totals=totals,
        by_pillar=[
            by_pillar[p.id]
            for p, round_id in pillars
            if round_id is not None or not by_pillar[p.id].is_empty
        ],
        by_neighbourhood=list(by_neighbourhood.values()),
        masterplan=_masterplan_progress(round_, [p for p, _ in pillars]),
    )


@kept
def _groups_of(round_id: int) -> tuple[list[tuple], list[tuple]]:
    """Public proposals (with their supports) and published comments, counted by pillar,
    neighbourhood and origin: two grouped queries, the second over every comment of the round,
    hence kept for ``CACHE_DEFAULT_TIMEOUT``."""
    visible = _visible_in(round_id)
    proposal_groups = db.session.execute(
        select(
            Proposal.pillar_id,
            Proposal.neighbourhood_id,
            Proposal.origin,
            func.count(Proposal.id),
            func.coalesce(func.sum(Proposal.support_count), 0),
            func.coalesce(func.sum(Proposal.paper_support_count), 0),
        )
        .where(visible)
        .group_by(Proposal.pillar_id, Proposal.neighbourhood_id, Proposal.origin)
    ).all()
    comment_groups = db.session.execute(
        select(
            Proposal.pillar_id, Proposal.neighbourhood_id, Comment.origin, func.count(Comment.id)
        )
        .join(Proposal, Comment.proposal_id == Proposal.id)
        .where(visible, Comment.is_published)
        .group_by(Proposal.pillar_id, Proposal.neighbourhood_id, Comment.origin)
    ).all()
    return [tuple(row) for row in proposal_groups], [tuple(row) for row in comment_groups]


def _contributors(round_: Round) -> Contributors:
    return _contributors_of(round_.id)


@kept
def _contributors_of(round_id: int) -> Contributors:
    """Distinct people, counted once however many ways they took part: one query, which reads
    every support of the round (1.7 seconds at Madrid's scale), hence kept for
    ``CACHE_DEFAULT_TIMEOUT``."""
    visible = _visible_in(round_id)
    authors = select(Proposal.author_id.label("user_id")).where(
        visible, Proposal.author_id.is_not(None)
    )
    commenters = (
        select(Comment.author_id.label("user_id"))
        .join(Proposal, Comment.proposal_id == Proposal.id)
        .where(visible, Comment.is_published, Comment.author_id.is_not(None))
    )
    supporters = (
        select(Support.user_id.label("user_id"))
        .join(Proposal, Support.proposal_id == Proposal.id)
        .where(visible, Support.user_id.is_not(None))
    )
    people = union(authors, commenters, supporters).subquery()

    def distinct_count(query):
        inner = query.subquery()
        return select(func.count(distinct(inner.c.user_id))).scalar_subquery()

    row = db.session.execute(
        select(
            select(func.count()).select_from(people).scalar_subquery(),
            distinct_count(authors),
            distinct_count(commenters),
            distinct_count(supporters),
            select(func.count(Workshop.id)).where(Workshop.round_id == round_id).scalar_subquery(),
            select(func.coalesce(func.sum(Workshop.attendance), 0))
            .where(Workshop.round_id == round_id)
            .scalar_subquery(),
        )
    ).one()
    return Contributors(*(int(value) for value in row))


def weekly_activity(round_: Round) -> list[Week]:
    return _weekly_activity_of(round_.id)


@kept
def _weekly_activity_of(round_id: int) -> list[Week]:
    """Public proposals and supports per week (Monday to Sunday, UTC days), gaps filled with
    zeros: three queries, which read every support of the round, hence kept for
    ``CACHE_DEFAULT_TIMEOUT``.

    Grouped by day in SQL (portable between SQLite and PostgreSQL), then by week here: a round
    has at most a few hundred days, whatever its number of rows.
    """
    visible = _visible_in(round_id)
    appeared = func.coalesce(Proposal.published_at, Proposal.created_at)
    proposals = db.session.execute(
        select(func.date(appeared), func.count(Proposal.id))
        .where(visible)
        .group_by(func.date(appeared))
    ).all()
    supports = db.session.execute(
        select(func.date(Support.created_at), func.count(Support.id))
        .join(Proposal, Support.proposal_id == Proposal.id)
        .where(visible)
        .group_by(func.date(Support.created_at))
    ).all()
    # Paper supports count in the week of the workshop where the stickers were put.
    paper = db.session.execute(
        select(func.date(Workshop.starts_at), func.coalesce(func.sum(PaperSupport.count), 0))
        .join(Workshop, PaperSupport.workshop_id == Workshop.id)
        .join(Proposal, PaperSupport.proposal_id == Proposal.id)
        .where(visible)
        .group_by(func.date(Workshop.starts_at))
    ).all()

    weeks: dict[date, Week] = {}

    def week(day) -> Week:
        monday = _monday(as_day(day))
        return weeks.setdefault(monday, Week(monday))

    for day, count in proposals:
        week(day).proposals += count
    for day, count in supports:
        week(day).online_supports += count
    for day, count in paper:
        week(day).paper_supports += int(count)
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    return [
        weeks.get(first + timedelta(weeks=n)) or Week(first + timedelta(weeks=n))
        for n in range((last - first).days // 7 + 1)
    ]


def round_deliberations_filter(round_: Round):
    """Deliberations of the council sessions linked to the round."""
    return Deliberation.council_session_id.in_(
        select(CouncilSession.id).where(CouncilSession.round_id == round_.id)
    )


def _masterplan_progress(round_: Round, pillars: list[Pillar]) -> list[PillarProgress]:
    """The round's masterplan actions by pillar and status, in the pillars' order: one query."""
    rows = db.session.execute(
        select(Deliberation.pillar_id, Action.status, func.count(Deliberation.id))
        .join(Action, Action.deliberation_id == Deliberation.id)
        .where(round_deliberations_filter(round_))
        .group_by(Deliberation.pillar_id, Action.status)
    ).all()
    progress = {pillar.id: PillarProgress(pillar) for pillar in pillars}
    for pillar_id, status, count in rows:
        progress[pillar_id].counts[status] += count
    return [item for item in progress.values() if item.total]


# --- open data rows ------------------------------------------------------------------------


def proposal_rows(round_: Round):
    """One tuple per public proposal; the author's display name only for an active account."""
    merged = aliased(Proposal)
    author = aliased(User)
    return (
        select(
            Proposal.number,
            Proposal.title,
            Proposal.body,
            Pillar.slug,
            Pillar.name_fr,
            Neighbourhood.name,
            Proposal.status,
            Proposal.origin,
            Proposal.workshop_id,
            author.display_name,
            author.blocked_at,
            author.erased_at,
            Proposal.support_count,
            Proposal.paper_support_count,
            Proposal.comment_count,
            merged.number,
            Proposal.deliberation_id,
            Proposal.created_at,
            Proposal.published_at,
        )
        .join(Pillar, Proposal.pillar_id == Pillar.id)
        .outerjoin(Neighbourhood, Proposal.neighbourhood_id == Neighbourhood.id)
        .outerjoin(author, Proposal.author_id == author.id)
        .outerjoin(merged, Proposal.merged_into_id == merged.id)
        .where(public_proposal_filter(round_))
        .order_by(Proposal.number)
    )


def supports_by_day_rows(round_: Round):
    """Online supports counted per public proposal and day: never who supported."""
    day = func.date(Support.created_at)
    return (
        select(Proposal.number, day, func.count(Support.id))
        .join(Proposal, Support.proposal_id == Proposal.id)
        .where(public_proposal_filter(round_))
        .group_by(Proposal.number, day)
        .order_by(Proposal.number, day)
    )


def paper_support_rows(round_: Round):
    return (
        select(Proposal.number, PaperSupport.workshop_id, PaperSupport.count)
        .join(Proposal, PaperSupport.proposal_id == Proposal.id)
        .where(public_proposal_filter(round_))
        .order_by(Proposal.number, PaperSupport.workshop_id)
    )


def comment_rows(round_: Round):
    """Published comments on public proposals, without their authors."""
    return (
        select(
            Comment.id,
            Proposal.number,
            Comment.parent_id,
            Comment.origin,
            Comment.workshop_id,
            Comment.created_at,
            Comment.body,
        )
        .join(Proposal, Comment.proposal_id == Proposal.id)
        .where(public_proposal_filter(round_), Comment.is_published)
        .order_by(Comment.id)
    )


def workshop_rows(round_: Round):
    paper = (
        select(func.coalesce(func.sum(PaperSupport.count), 0))
        .join(Proposal, PaperSupport.proposal_id == Proposal.id)
        .where(PaperSupport.workshop_id == Workshop.id, public_proposal_filter(round_))
        .scalar_subquery()
    )
    cards = (
        select(func.count(Proposal.id))
        .where(Proposal.workshop_id == Workshop.id, public_proposal_filter(round_))
        .scalar_subquery()
    )
    return (
        select(
            Workshop.id,
            Workshop.title,
            Workshop.starts_at,
            Workshop.ends_at,
            Workshop.place,
            Workshop.state,
            Workshop.expected_attendance,
            Workshop.attendance,
            cards,
            paper,
        )
        .where(Workshop.round_id == round_.id)
        .order_by(Workshop.starts_at, Workshop.id)
    )


def _deliberations_of(round_: Round):
    """Deliberations of the round's council sessions, or promoted from its public proposals."""
    return or_(
        round_deliberations_filter(round_),
        Deliberation.id.in_(
            select(Proposal.deliberation_id).where(
                public_proposal_filter(round_), Proposal.deliberation_id.is_not(None)
            )
        ),
    )


def deliberation_rows(round_: Round):
    return (
        select(
            Deliberation.id,
            CouncilSession.held_on,
            CouncilSession.title,
            Deliberation.number,
            Pillar.slug,
            Pillar.name_fr,
            Deliberation.title,
            Deliberation.body,
            Action.status,
            Carrier.name,
            Action.id,
        )
        .join(CouncilSession, Deliberation.council_session_id == CouncilSession.id)
        .join(Pillar, Deliberation.pillar_id == Pillar.id)
        .outerjoin(Action, Action.deliberation_id == Deliberation.id)
        .outerjoin(Carrier, Action.carrier_id == Carrier.id)
        .where(_deliberations_of(round_))
        .order_by(CouncilSession.held_on, Deliberation.number)
    )


def deliberation_proposal_codes(round_: Round, deliberation_ids: list[int]) -> dict[int, str]:
    """The public proposals each deliberation came from, as "P-1 P-7": one query per batch."""
    rows = db.session.execute(
        select(Proposal.deliberation_id, Proposal.number)
        .where(public_proposal_filter(round_), Proposal.deliberation_id.in_(deliberation_ids))
        .order_by(Proposal.number)
    ).all()
    codes: dict[int, list[str]] = defaultdict(list)
    for deliberation_id, number in rows:
        codes[deliberation_id].append(f"P-{number}")
    return {key: " ".join(value) for key, value in codes.items()}


def progress_note_rows(round_: Round):
    return (
        select(
            Action.deliberation_id,
            ProgressNote.noted_on,
            ProgressNote.status,
            ProgressNote.body,
            ProgressNote.action_id,
        )
        .join(Action, ProgressNote.action_id == Action.id)
        .join(Deliberation, Action.deliberation_id == Deliberation.id)
        .where(_deliberations_of(round_))
        .order_by(Deliberation.id, ProgressNote.noted_on, ProgressNote.id)
    )


def action_rows():
    """The whole public masterplan, whatever the round: the city's and its partners' actions."""
    return (
        select(
            Action.id,
            Action.title,
            Action.description,
            Pillar.slug,
            Carrier.slug,
            Action.status,
            Action.planned_on,
            Action.started_on,
            Action.done_on,
            Action.percent,
            Action.deliberation_id,
            Action.is_sample,
        )
        .join(Pillar, Action.pillar_id == Pillar.id)
        .join(Carrier, Action.carrier_id == Carrier.id)
        .where(Action.is_published)
        .order_by(Action.id)
    )


def carrier_rows():
    return select(
        Carrier.slug,
        Carrier.name,
        Carrier.kind,
        Carrier.description,
        Carrier.website,
        Carrier.is_sample,
    ).order_by(Carrier.slug)

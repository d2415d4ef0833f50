"""What waits for moderators, how many, and since when. A fixed number of queries each, at most
(fewer when a queue is empty)."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple

from sqlalchemy import Index, and_, distinct, exists, func, literal, or_, select, tuple_
from sqlalchemy.orm import aliased, contains_eager, joinedload

from ..database import written_in
from ..extensions import db
from ..models import Comment, Pillar, Proposal, ProposalRevision, ProposalStatus, Report, Round
from ..proposals.services import TOTAL_SUPPORTS, keywords
from ..proposals.state import AWAITING_DECISION, Allows, sources_of, statuses_allowing
from .rules import HIDDEN_BY_REPORTS, hidden_by_reports

S = ProposalStatus

# What waits for a moderator is read from partial indexes on it, not from every proposal: the
# queues' counts, oldest dates and first items cost the same with 30,000 proposals as with 300.
# Their statuses are written into the statements (``database.written_in``), for the indexes to
# serve a prepared statement's generic plan too.
TO_PUBLISH = written_in(Proposal.status, sources_of(S.PUBLISHED))
TO_DECIDE = written_in(Proposal.status, AWAITING_DECISION)
for _name, _keys, _where in (
    ("ix_proposals_to_publish", (Proposal.created_at, Proposal.id), TO_PUBLISH),
    ("ix_proposals_to_decide_supports", (TOTAL_SUPPORTS.desc(), Proposal.id), TO_DECIDE),
    (
        "ix_proposals_to_decide_pillar",
        (Proposal.pillar_id, Proposal.published_at, Proposal.round_id),
        TO_DECIDE,
    ),
):
    Index(_name, *_keys, postgresql_where=_where, sqlite_where=_where)


@dataclass
class QueueFilters:
    round_id: int | None = None
    pillar_id: int | None = None

    def apply(self, query):
        if self.round_id:
            query = query.where(Proposal.round_id == self.round_id)
        if self.pillar_id:
            query = query.where(Proposal.pillar_id == self.pillar_id)
        return query


@dataclass
class Queue:
    count: int = 0
    oldest: datetime | None = None
    items: list = field(default_factory=list)

    def key(self, *table) -> tuple:
        """The key its rows are kept rendered under (``fragments.py``): every value a row shows,
        and ``table``, what the template gives them (the table's name, its columns)."""
        return (type(self).__name__, table, tuple(self.shown(item) for item in self.items))

    @staticmethod
    def shown(proposal: Proposal) -> tuple:
        """What a queue's row shows of a proposal (``moderation/_proposal_rows.html``)."""
        return (
            proposal.id,
            proposal.number,
            proposal.title,
            proposal.origin,
            proposal.pillar.name,
            proposal.round.title,
            proposal.published_at or proposal.created_at,
            proposal.support_count,
            proposal.paper_support_count,
        )


@dataclass
class ChangesQueue(Queue):
    @staticmethod
    def shown(proposal: Proposal) -> tuple:
        """A row of the changes' table: the proposal, and when its author changed it."""
        return (*Queue.shown(proposal), proposal.revision.created_at)


def _proposal_options(query):
    """What a queue shows of a proposal besides its row: its pillar and its consultation."""
    return query.options(joinedload(Proposal.pillar), joinedload(Proposal.round))


def awaiting_changes(filters: QueueFilters, limit: int = 50) -> ChangesQueue:
    """Public proposals of pre-moderated rounds whose author's change waits for a moderator."""
    base = filters.apply(
        select(Proposal, ProposalRevision.created_at.label("changed_at")).join(
            ProposalRevision, ProposalRevision.proposal_id == Proposal.id
        )
    )
    counted = base.subquery()
    count, oldest = db.session.execute(
        select(func.count(), func.min(counted.c.changed_at)).select_from(counted)
    ).one()
    items = (
        db.session.scalars(
            _proposal_options(
                filters.apply(
                    select(Proposal)
                    .join(Proposal.revision)
                    # The join loads each waiting change too: its date is on the list.
                    .options(contains_eager(Proposal.revision))
                    .order_by(ProposalRevision.created_at, Proposal.id)
                    .limit(limit)
                )
            )
        )
        .unique()
        .all()
    )
    return ChangesQueue(count, oldest, items)


def awaiting_publication(filters: QueueFilters, limit: int = 50) -> Queue:
    base = filters.apply(select(Proposal).where(TO_PUBLISH))
    counted = base.subquery()
    count, oldest = db.session.execute(
        select(func.count(), func.min(counted.c.created_at)).select_from(counted)
    ).one()
    items = (
        db.session.scalars(
            _proposal_options(base.order_by(Proposal.created_at, Proposal.id).limit(limit))
        )
        .unique()
        .all()
    )
    return Queue(count, oldest, items)


@dataclass
class PillarBacklog:
    pillar: Pillar
    count: int
    oldest: datetime | None


@dataclass
class DecisionQueue(Queue):
    by_pillar: list[PillarBacklog] = field(default_factory=list)


def awaiting_decision(filters: QueueFilters, limit: int = 50) -> DecisionQueue:
    """The most supported first; how many wait in each pillar, and in all (their sum: the
    proposals that wait are counted once)."""
    by_pillar = decisions_by_pillar(filters)
    base = filters.apply(select(Proposal).where(TO_DECIDE))
    items = (
        db.session.scalars(
            _proposal_options(base.order_by(TOTAL_SUPPORTS.desc(), Proposal.id).limit(limit))
        )
        .unique()
        .all()
    )
    return DecisionQueue(
        count=sum(b.count for b in by_pillar),
        oldest=min((b.oldest for b in by_pillar if b.oldest), default=None),
        items=items,
        by_pillar=by_pillar,
    )


def decisions_by_pillar(filters: QueueFilters) -> list[PillarBacklog]:
    query = filters.apply(
        select(Proposal.pillar_id, func.count(), func.min(Proposal.published_at))
        .where(TO_DECIDE)
        .group_by(Proposal.pillar_id)
    )
    rows = db.session.execute(query).all()
    pillars = {p.id: p for p in db.session.scalars(select(Pillar))}
    backlog = [PillarBacklog(pillars[pid], count, oldest) for pid, count, oldest in rows]
    return sorted(backlog, key=lambda b: b.pillar.position)


@dataclass
class ReportedItem:
    item: Proposal | Comment
    count: int
    first_at: datetime
    reasons: list[str]

    @property
    def is_comment(self) -> bool:
        return isinstance(self.item, Comment)

    @property
    def hidden_automatically(self) -> bool:
        """Hidden by the platform when the reports reached the threshold, not by a moderator:
        it waits for a moderator to hide it for good, or show it again."""
        return hidden_by_reports(self.item)

    @property
    def proposal(self) -> Proposal:
        return self.item.proposal if self.is_comment else self.item


@dataclass
class ReportsQueue(Queue):
    # Of the reported items, those the reports have hidden until a moderator decides.
    hidden_automatically: int = 0

    @staticmethod
    def shown(reported: ReportedItem) -> tuple:
        """What the list shows of a reported item: which it is, its proposal, whether it is
        hidden, a comment's text, its reports."""
        item, proposal = reported.item, reported.proposal
        return (
            reported.is_comment,
            item.id,
            proposal.id,
            proposal.number,
            proposal.title,
            reported.hidden_automatically,
            item.hidden_at is not None,
            item.body if reported.is_comment else None,
            reported.count,
            reported.first_at,
            tuple(reported.reasons),
        )


# Open reports are read from partial indexes on them: the first reports of the items a page
# shows, in their order, then each item's other reports. Unfiltered, the queue's first page reads
# about as many reports as it shows items, with 2,000 reported items as with 20 (more when items
# have many reports each; a round or pillar filter also walks past the reports it leaves out);
# only its counts read every open report.
OPEN = Report.resolved_at.is_(None)
for _name, _keys in (
    ("ix_reports_open", (Report.created_at, Report.id)),
    ("ix_reports_open_proposal", (Report.proposal_id, Report.created_at, Report.id)),
    ("ix_reports_open_comment", (Report.comment_id, Report.created_at, Report.id)),
):
    Index(_name, *_keys, postgresql_where=OPEN, sqlite_where=OPEN)
# What the reports hid until a moderator decides: few rows, found without reading every item.
for _model in (Proposal, Comment):
    _where = _model.hidden_reason == HIDDEN_BY_REPORTS
    Index(
        f"ix_{_model.__tablename__}_hidden_by_reports",
        _model.id,
        postgresql_where=_where,
        sqlite_where=_where,
    )


def _open_reports(filters: QueueFilters, *columns):
    """Open reports, narrowed by the filters: those on a proposal, or on one of its comments."""
    query = select(*columns).where(OPEN)
    if filters.round_id or filters.pillar_id:
        query = filters.apply(
            query.outerjoin(Comment, Comment.id == Report.comment_id).join(
                Proposal, Proposal.id == func.coalesce(Report.proposal_id, Comment.proposal_id)
            )
        )
    return query


def _first_open_report():
    """The report is its item's first open one (by date, then id)."""
    earlier = aliased(Report)
    before = tuple_(earlier.created_at, earlier.id) < tuple_(Report.created_at, Report.id)

    def none_before(target: str):
        return ~exists().where(
            earlier.resolved_at.is_(None),
            getattr(earlier, target) == getattr(Report, target),
            before,
        )

    return or_(
        and_(Report.proposal_id.is_not(None), none_before("proposal_id")),
        and_(Report.comment_id.is_not(None), none_before("comment_id")),
    )


def _hidden_by_reports(filters: QueueFilters):
    """How many of the items with open reports these reports have hidden."""
    hidden = literal(HIDDEN_BY_REPORTS, literal_execute=True)  # the partial indexes' own value
    proposals = filters.apply(
        select(func.count()).where(
            Proposal.hidden_reason == hidden,
            exists().where(OPEN, Report.proposal_id == Proposal.id),
        )
    )
    comments = filters.apply(
        select(func.count())
        .select_from(Comment)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(
            Comment.hidden_reason == hidden,
            exists().where(OPEN, Report.comment_id == Comment.id),
        )
    )
    return proposals.scalar_subquery() + comments.scalar_subquery()


def open_reports(filters: QueueFilters, limit: int = 50) -> ReportsQueue:
    """Unresolved reports grouped by the item they are about, oldest first; how many of these
    items the reports have hidden automatically."""
    # Each item counted once: a report is about a proposal or a comment, never both.
    items = func.count(distinct(Report.proposal_id)) + func.count(distinct(Report.comment_id))
    counted = _open_reports(
        filters, items.label("total"), func.min(Report.created_at).label("oldest")
    ).subquery()
    total, oldest, automatic = db.session.execute(
        select(counted.c.total, counted.c.oldest, _hidden_by_reports(filters))
    ).one()
    firsts = db.session.execute(
        _open_reports(filters, Report.proposal_id, Report.comment_id, Report.created_at)
        .where(_first_open_report())
        .order_by(Report.created_at, Report.id)
        .limit(limit)
    ).all()
    proposal_ids = [r.proposal_id for r in firsts if r.proposal_id]
    comment_ids = [r.comment_id for r in firsts if r.comment_id]
    proposals = (
        {
            p.id: p
            for p in db.session.scalars(
                _proposal_options(select(Proposal).where(Proposal.id.in_(proposal_ids)))
            ).unique()
        }
        if proposal_ids
        else {}
    )
    comments = (
        {
            c.id: c
            for c in db.session.scalars(
                select(Comment)
                .where(Comment.id.in_(comment_ids))
                .options(joinedload(Comment.proposal).joinedload(Proposal.round))
            ).unique()
        }
        if comment_ids
        else {}
    )
    # Every open report of the items shown: how many, and the first reasons.
    reasons: dict[tuple, list[str]] = {}
    if firsts:
        for proposal_id, comment_id, reason in db.session.execute(
            select(Report.proposal_id, Report.comment_id, Report.reason)
            .where(
                OPEN, (Report.proposal_id.in_(proposal_ids) | Report.comment_id.in_(comment_ids))
            )
            .order_by(Report.created_at, Report.id)
        ):
            reasons.setdefault((proposal_id, comment_id), []).append(reason)
    shown = []
    for row in firsts:
        item = proposals.get(row.proposal_id) if row.proposal_id else comments.get(row.comment_id)
        if item is not None:
            given = reasons.get((row.proposal_id, row.comment_id), [])
            shown.append(ReportedItem(item, len(given), row.created_at, given[:5]))
    return ReportsQueue(total, oldest, shown, hidden_automatically=automatic)


class Titled(NamedTuple):
    """A proposal as its title is compared: hashable, for the comparison to be kept."""

    id: int
    round_id: int
    title: str
    created_at: datetime


@dataclass
class DuplicatePair:
    first: Proposal
    second: Proposal
    shared: list[str]


def likely_duplicates(
    filters: QueueFilters, window: int = 300, limit: int = 10
) -> list[DuplicatePair]:
    """Pairs of recent published proposals of one round whose titles share subject words.

    The titles are compared from their rows alone; only the proposals of the pairs shown are
    loaded whole."""
    query = filters.apply(
        select(Proposal.id, Proposal.round_id, Proposal.title, Proposal.created_at).where(
            Proposal.is_visible, Proposal.status.in_(statuses_allowing(Allows.ABSORB))
        )
    )
    recent = db.session.execute(query.order_by(Proposal.created_at.desc()).limit(window)).all()
    pairs = _similar_titles(tuple(Titled(*row) for row in recent), limit)
    shown = {pid for pair in pairs for pid in pair[:2]}
    # Asked even when there is none to load: the page's query count does not depend on the data.
    loaded = {
        p.id: p
        for p in db.session.scalars(
            _proposal_options(select(Proposal).where(Proposal.id.in_(shown)))
        ).unique()
    }
    return [DuplicatePair(loaded[a], loaded[b], list(shared)) for a, b, shared in pairs]


@lru_cache(maxsize=64)
def _similar_titles(recent: tuple[Titled, ...], limit: int) -> tuple[tuple[int, int, tuple], ...]:
    """The ``limit`` pairs of ``recent`` most alike, as (first id,
    second id, shared words). Kept for the same titles: every moderator's visit compares the
    same recent proposals until a new one is published."""
    words = {p.id: _title_words(p.title) for p in recent}
    # Words found in many titles ("quartier", "vélo" in a mobility round) say little.
    frequency: dict[str, int] = {}
    for found in words.values():
        for word in found:
            frequency[word] = frequency.get(word, 0) + 1
    common = max(3, len(recent) // 20)
    words = {pid: {w for w in found if frequency[w] <= common} for pid, found in words.items()}
    by_id = {p.id: p for p in recent}
    # Only pairs that share at least one word are compared (an inverted index).
    index: dict[tuple[int, str], list[int]] = {}
    for p in recent:
        for word in words[p.id]:
            index.setdefault((p.round_id, word), []).append(p.id)
    candidates = {(a, b) for ids in index.values() for a, b in combinations(sorted(ids), 2)}
    pairs = []
    for a_id, b_id in candidates:
        shared = words[a_id] & words[b_id]
        score = len(shared) / min(len(words[a_id]), len(words[b_id]))
        if len(shared) >= 2 or score >= 0.99:
            first, second = sorted((by_id[a_id], by_id[b_id]), key=lambda p: (p.created_at, p.id))
            pairs.append((score, len(shared), -first.id, first.id, second.id, sorted(shared)))
    pairs.sort(key=lambda item: item[:3], reverse=True)
    return tuple((a, b, tuple(shared)) for *_, a, b, shared in pairs[:limit])


@lru_cache(maxsize=4096)
def _title_words(title: str) -> frozenset[str]:
    """A title's subject words, cut to six letters (the same titles are compared at each visit)."""
    return frozenset(w[:6] for w in keywords(title))


def filter_choices() -> tuple[list[Round], list[Pillar]]:
    rounds = list(db.session.scalars(select(Round).order_by(Round.collect_starts_at.desc())))
    pillars = list(db.session.scalars(select(Pillar).order_by(Pillar.position)))
    return rounds, pillars


def reports_for(proposal: Proposal) -> list[Report]:
    """All reports on a proposal and on its comments, newest first (moderator view)."""
    return list(
        db.session.scalars(
            select(Report)
            .outerjoin(Comment, Comment.id == Report.comment_id)
            .where((Report.proposal_id == proposal.id) | (Comment.proposal_id == proposal.id))
            .options(joinedload(Report.reporter), joinedload(Report.comment))
            .order_by(Report.created_at.desc())
        ).unique()
    )

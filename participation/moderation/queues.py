"""What waits for moderators, how many, and since when. A fixed number of queries each."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import combinations

from sqlalchemy import Index, case, func, select, union_all
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from ..models import Comment, Pillar, Proposal, ProposalRevision, ProposalStatus, Report, Round
from ..proposals.services import TOTAL_SUPPORTS, keywords
from ..proposals.state import AWAITING_DECISION, Allows, sources_of, statuses_allowing
from .reports import HIDDEN_BY_REPORTS

S = ProposalStatus

# What waits for a moderator is read from partial indexes on it, not from every proposal: the
# queues' counts, oldest dates and first items cost the same with 30,000 proposals as with 300.
TO_PUBLISH = Proposal.status.in_(sources_of(S.PUBLISHED))
TO_DECIDE = Proposal.status.in_(AWAITING_DECISION)
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


def _proposal_options(query):
    return query.options(
        joinedload(Proposal.pillar), joinedload(Proposal.author), joinedload(Proposal.round)
    )


def awaiting_changes(filters: QueueFilters, limit: int = 50) -> Queue:
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
    return Queue(count, oldest, items)


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


def awaiting_decision(filters: QueueFilters, limit: int = 50) -> Queue:
    base = filters.apply(select(Proposal).where(TO_DECIDE))
    counted = base.subquery()
    count, oldest = db.session.execute(
        select(func.count(), func.min(counted.c.published_at)).select_from(counted)
    ).one()
    items = (
        db.session.scalars(
            _proposal_options(base.order_by(TOTAL_SUPPORTS.desc(), Proposal.id).limit(limit))
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
        return self.item.hidden_reason == HIDDEN_BY_REPORTS

    @property
    def proposal(self) -> Proposal:
        return self.item.proposal if self.is_comment else self.item


@dataclass
class ReportsQueue(Queue):
    # Of the reported items, those the reports have hidden until a moderator decides.
    hidden_automatically: int = 0


def open_reports(filters: QueueFilters, limit: int = 50) -> ReportsQueue:
    """Unresolved reports grouped by the item they are about, oldest first; how many of these
    items the reports have hidden automatically."""
    # A report is about a proposal or a comment (never both): one join each, by primary key,
    # rather than one join on either, which read every proposal.
    on_proposals = select(
        Report.proposal_id, Report.comment_id, Report.created_at, Proposal.hidden_reason
    ).join(Proposal, Proposal.id == Report.proposal_id)
    on_comments = (
        select(Report.proposal_id, Report.comment_id, Report.created_at, Comment.hidden_reason)
        .join(Comment, Comment.id == Report.comment_id)
        .join(Proposal, Proposal.id == Comment.proposal_id)
    )
    unresolved = union_all(
        *(
            filters.apply(query.where(Report.resolved_at.is_(None)))
            for query in (on_proposals, on_comments)
        )
    ).subquery()
    grouped = select(
        unresolved.c.proposal_id,
        unresolved.c.comment_id,
        func.count().label("n"),
        func.min(unresolved.c.created_at).label("first_at"),
        func.max(case((unresolved.c.hidden_reason == HIDDEN_BY_REPORTS, 1), else_=0)).label(
            "automatic"
        ),
    ).group_by(unresolved.c.proposal_id, unresolved.c.comment_id)
    items = grouped.subquery()
    # The first items and, over all of them (before the limit), how many and how many hidden.
    rows = db.session.execute(
        select(
            items,
            func.count().over().label("total"),
            func.sum(items.c.automatic).over().label("hidden"),
        )
        .order_by(items.c.first_at, items.c.proposal_id, items.c.comment_id)
        .limit(limit)
    ).all()
    total, oldest, automatic = (
        (rows[0].total, rows[0].first_at, rows[0].hidden) if rows else (0, None, 0)
    )
    proposal_ids = [r.proposal_id for r in rows if r.proposal_id]
    comment_ids = [r.comment_id for r in rows if r.comment_id]
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
                .options(
                    joinedload(Comment.author),
                    joinedload(Comment.proposal).joinedload(Proposal.round),
                )
            ).unique()
        }
        if comment_ids
        else {}
    )
    reasons: dict[tuple, list[str]] = {}
    if rows:
        for proposal_id, comment_id, reason in db.session.execute(
            select(Report.proposal_id, Report.comment_id, Report.reason)
            .where(
                Report.resolved_at.is_(None),
                (Report.proposal_id.in_(proposal_ids) | Report.comment_id.in_(comment_ids)),
            )
            .order_by(Report.created_at)
        ):
            reasons.setdefault((proposal_id, comment_id), []).append(reason)
    items = []
    for row in rows:
        item = proposals.get(row.proposal_id) if row.proposal_id else comments.get(row.comment_id)
        if item is not None:
            key = (row.proposal_id, row.comment_id)
            items.append(ReportedItem(item, row.n, row.first_at, reasons.get(key, [])[:5]))
    return ReportsQueue(total, oldest, items, hidden_automatically=automatic)


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
    pairs = pairs[:limit]
    shown = {pid for pair in pairs for pid in pair[3:5]}
    # Asked even when there is none to load: the page's query count does not depend on the data.
    loaded = {
        p.id: p
        for p in db.session.scalars(
            _proposal_options(select(Proposal).where(Proposal.id.in_(shown)))
        ).unique()
    }
    return [DuplicatePair(loaded[a], loaded[b], shared) for *_, a, b, shared in pairs]


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

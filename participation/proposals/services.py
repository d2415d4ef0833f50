"""Proposals: submit, edit, withdraw, find similar ones, browse a round's list.

Services take the acting user, flush, never commit; rules live in ``rules`` and ``state``,
and every service requires the rule's verdict, so that no route can get round it.
"""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import BigInteger, cast, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..errors import ParticipationError
from ..extensions import db
from ..following.services import start_following
from ..models import (
    Action,
    Deliberation,
    EventKind,
    Neighbourhood,
    Origin,
    Pillar,
    ProgressNote,
    Proposal,
    ProposalEvent,
    ProposalRevision,
    ProposalStatus,
    Round,
    User,
    utcnow,
)
from ..notifications import MERGE_DEPTH
from ..text import render_markdown
from . import errors, rules, state
from .state import PUBLIC_STATUSES, Allows, statuses_allowing

TITLE_MAX = 150
BODY_MAX = 5000


@dataclass
class ProposalInput:
    title: str
    body: str
    pillar_id: int
    neighbourhood_id: int | None = None


def _checked_pillar_and_neighbourhood(round_: Round, data: ProposalInput):
    pillar = db.session.get(Pillar, data.pillar_id)
    if pillar is None or pillar not in round_.pillars:
        raise errors.PillarNotInRound()
    neighbourhood = (
        db.session.get(Neighbourhood, data.neighbourhood_id) if data.neighbourhood_id else None
    )
    return pillar, neighbourhood


def _next_number(round_id: int) -> int:
    current = db.session.scalar(
        select(func.coalesce(func.max(Proposal.number), 0)).where(Proposal.round_id == round_id)
    )
    return current + 1


def add_proposal(
    round_: Round,
    data: ProposalInput,
    *,
    author: User | None,
    origin: Origin = Origin.ONLINE,
    workshop_id: int | None = None,
    actor: User | None = None,
) -> Proposal:
    """Insert a proposal with the next per-round number (retrying if another took it).

    ``actor`` is who typed it in when it is not the author (a facilitator, for a paper card).
    """
    pillar, neighbourhood = _checked_pillar_and_neighbourhood(round_, data)
    for _attempt in range(5):
        proposal = Proposal(
            round=round_,
            number=_next_number(round_.id),
            pillar=pillar,
            neighbourhood=neighbourhood,
            author=author,
            origin=origin.value,
            workshop_id=workshop_id,
            entered_by=actor if origin is Origin.WORKSHOP else None,
            title=data.title.strip(),
            body=data.body.strip(),
            body_html=render_markdown(data.body.strip()),
            status=ProposalStatus.SUBMITTED.value,
        )
        try:
            with db.session.begin_nested():
                db.session.add(proposal)
        except IntegrityError:
            continue
        break
    else:
        raise ParticipationError()
    state.record(proposal, EventKind.SUBMITTED, actor or author, to_status=ProposalStatus.SUBMITTED)
    if author is not None:
        start_following(author, proposal)
    if not round_.premoderation:
        state.transition(proposal, ProposalStatus.PUBLISHED, None, system=True)
    db.session.flush()
    return proposal


def submit_proposal(author: User, round_: Round, data: ProposalInput) -> Proposal:
    """A resident submits a proposal to a pillar of an open round."""
    rules.can_submit(author, round_).require()
    return add_proposal(round_, data, author=author)


def edit_proposal(proposal: Proposal, author: User, data: ProposalInput) -> bool:
    """Its author changes a proposal. Returns True when the change is public at once, False when
    it waits for a moderator (a public proposal of a pre-moderated round): the published text
    stays until the change is accepted, and a second change replaces the waiting one."""
    rules.can_edit(author, proposal).require()
    pillar, neighbourhood = _checked_pillar_and_neighbourhood(proposal.round, data)
    title, body = data.title.strip(), data.body.strip()
    if rules.edit_needs_review(proposal):
        revision = proposal.revision or ProposalRevision(proposal=proposal)
        revision.author_id = author.id
        revision.title, revision.body, revision.body_html = title, body, render_markdown(body)
        revision.pillar, revision.neighbourhood = pillar, neighbourhood
        revision.created_at = utcnow()
        db.session.add(revision)
        state.record(proposal, EventKind.EDIT_PROPOSED, author, is_public=False)
        db.session.flush()
        return False
    # A change left waiting when the round still had pre-moderation gives way to this one.
    proposal.revision = None
    apply_text(proposal, author, title, body, pillar, neighbourhood, EventKind.EDITED)
    return True


def apply_text(
    proposal: Proposal,
    actor: User,
    title: str,
    body: str,
    pillar: Pillar,
    neighbourhood: Neighbourhood | None,
    kind: EventKind,
) -> None:
    """Put a new text in place; the trail keeps the previous one (read by moderators only)."""
    previous = f"{proposal.title}\n\n{proposal.body}"
    proposal.title = title
    proposal.body = body
    proposal.body_html = render_markdown(body)
    proposal.pillar = pillar
    proposal.neighbourhood = neighbourhood
    proposal.updated_at = utcnow()
    state.record(proposal, kind, actor, previous=previous)
    db.session.flush()


def withdraw_proposal(proposal: Proposal, author: User, reason: str) -> None:
    rules.can_withdraw(author, proposal).require()
    # A change still waiting for a moderator is withdrawn with the proposal.
    proposal.revision = None
    state.transition(proposal, ProposalStatus.WITHDRAWN, author, reason)


# --- similar proposals ---------------------------------------------------------------------

# Frequent French and English words that say nothing about a proposal's subject.
STOP_WORDS = set(
    [
        "alors",
        "aussi",
        "autre",
        "avec",
        "avoir",
        "bien",
        "cela",
        "celle",
        "celui",
        "cette",
        "ceux",
        "chaque",
        "comme",
        "dans",
        "depuis",
        "des",
        "deux",
        "donc",
        "dont",
        "elle",
        "elles",
        "encore",
        "entre",
        "être",
        "fait",
        "faire",
        "leur",
        "leurs",
        "mais",
        "même",
        "moins",
        "notre",
        "nous",
        "pour",
        "plus",
        "quand",
        "quel",
        "quelle",
        "quels",
        "sans",
        "selon",
        "sera",
        "sont",
        "sous",
        "tous",
        "tout",
        "toute",
        "toutes",
        "très",
        "une",
        "vers",
        "votre",
        "vous",
        "ville",
        "béthune",
        "bethune",
        "place",
        "mettre",
        "mise",
        "création",
        "créer",
        "développement",
        "développer",
        "about",
        "after",
        "also",
        "from",
        "have",
        "more",
        "that",
        "their",
        "there",
        "this",
        "with",
        "would",
        "what",
        "when",
        "where",
        "which",
        "into",
        "other",
        "your",
    ]
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


FOLDED_STOP_WORDS = {_fold(w) for w in STOP_WORDS}


def keywords(text: str) -> set[str]:
    words = re.findall(r"[\w']+", _fold(text))
    return {w.split("'")[-1] for w in words if len(w) >= 4} - FOLDED_STOP_WORDS


def similar_proposals(
    round_: Round, title: str, body: str = "", *, exclude_id: int | None = None, limit: int = 5
) -> list[Proposal]:
    """Proposals of the round still under discussion (visible, neither withdrawn nor merged)
    that share the most subject words with the text."""
    wanted = keywords(f"{title} {title} {body[:500]}")
    if not wanted:
        return []
    # Narrow in SQL on the longest words, then rank the few candidates in Python.
    probes = sorted(wanted, key=len, reverse=True)[:8]
    conditions = [func.lower(Proposal.title).contains(w[:6]) for w in probes]
    query = (
        select(Proposal)
        .where(Proposal.is_visible, Proposal.status.in_(statuses_allowing(Allows.COMMENT)))
        .where(Proposal.round_id == round_.id, or_(*conditions))
        .options(joinedload(Proposal.pillar))
        .limit(200)
    )
    if exclude_id is not None:
        query = query.where(Proposal.id != exclude_id)
    scored = []
    for candidate in db.session.scalars(query).unique():
        theirs = keywords(candidate.title)
        common = {w for w in wanted for t in theirs if w[:6] == t[:6]}
        if common:
            scored.append((len(common) / (len(theirs) or 1), candidate.total_supports, candidate))
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [candidate for _score, _supports, candidate in scored[:limit]]


# --- browsing ------------------------------------------------------------------------------

SORTS = ("supports", "newest", "comments", "random")


@dataclass
class ProposalFilters:
    pillar_id: int | None = None
    neighbourhood_id: int | None = None
    status: str | None = None
    origin: str | None = None
    search: str = ""
    sort: str = "supports"
    seed: int = 1


def browse_query(round_: Round | None, filters: ProposalFilters):
    query = (
        select(Proposal)
        .where(Proposal.is_visible)
        .options(
            joinedload(Proposal.pillar),
            joinedload(Proposal.neighbourhood),
            joinedload(Proposal.author),
            joinedload(Proposal.round),
        )
    )
    if round_ is not None:
        query = query.where(Proposal.round_id == round_.id)
    if filters.pillar_id:
        query = query.where(Proposal.pillar_id == filters.pillar_id)
    if filters.neighbourhood_id:
        query = query.where(Proposal.neighbourhood_id == filters.neighbourhood_id)
    if filters.status in PUBLIC_STATUSES:
        query = query.where(Proposal.status == filters.status)
    if filters.origin in (Origin.ONLINE.value, Origin.WORKSHOP.value):
        query = query.where(Proposal.origin == filters.origin)
    search = filters.search.strip()[:100]
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(Proposal.title).like(pattern), func.lower(Proposal.body).like(pattern))
        )
    if filters.sort == "newest":
        query = query.order_by(Proposal.published_at.desc(), Proposal.id.desc())
    elif filters.sort == "comments":
        query = query.order_by(Proposal.comment_count.desc(), Proposal.id.desc())
    elif filters.sort == "random":
        # The same seed gives the same order on every page; a new visit gets a new seed.
        query = query.order_by(
            (cast(Proposal.id, BigInteger) * filters.seed) % 2147483629, Proposal.id
        )
    else:
        query = query.order_by(
            (Proposal.support_count + Proposal.paper_support_count).desc(), Proposal.id.desc()
        )
    return query


def get_proposal_or_404(round_: Round, number: int) -> Proposal:
    return db.first_or_404(
        select(Proposal)
        .where(Proposal.round_id == round_.id, Proposal.number == number)
        .options(
            joinedload(Proposal.pillar),
            joinedload(Proposal.neighbourhood),
            joinedload(Proposal.author),
            joinedload(Proposal.merged_into),
            joinedload(Proposal.deliberation),
            joinedload(Proposal.revision),
        )
    )


def trail(proposal: Proposal, viewer: User | None) -> list[ProposalEvent]:
    """The proposal's trail as ``viewer`` may read it: its public lines, and the private ones
    for those who may read its history (``rules.can_read_history``)."""
    return public_trail(proposal, include_private=bool(rules.can_read_history(viewer, proposal)))


def public_trail(proposal: Proposal, include_private: bool = False) -> list[ProposalEvent]:
    query = (
        select(ProposalEvent)
        .where(ProposalEvent.proposal_id == proposal.id)
        .options(joinedload(ProposalEvent.actor))
        .order_by(ProposalEvent.created_at, ProposalEvent.id)
    )
    if not include_private:
        query = query.where(ProposalEvent.is_public.is_(True))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class JoinedProposal:
    """Where a merged proposal carries on, read live: the proposal at the end of its merges, how
    many merges led there, and the latest progress of the action it became, if any."""

    proposal: Proposal
    steps: int
    latest_note: ProgressNote | None = None


def final_proposal(proposal: Proposal) -> JoinedProposal | None:
    """The proposal a merged one joined, followed through merges of merges (None when it was not
    merged): its status and answer, its deliberation and the action's latest progress note.
    Two queries at most, whatever the length of the chain."""
    if proposal.merged_into_id is None:
        return None
    chain = (
        select(
            Proposal.id.label("id"),
            Proposal.merged_into_id.label("next_id"),
            literal(1).label("steps"),
        )
        .where(Proposal.id == proposal.merged_into_id)
        .cte("merge_chain", recursive=True)
    )
    chain = chain.union_all(
        select(Proposal.id, Proposal.merged_into_id, chain.c.steps + 1)
        .join(chain, Proposal.id == chain.c.next_id)
        .where(chain.c.steps < MERGE_DEPTH)
    )
    final, steps = db.session.execute(
        select(Proposal, chain.c.steps)
        .join(chain, chain.c.id == Proposal.id)
        .options(
            joinedload(Proposal.round),
            joinedload(Proposal.deliberation).joinedload(Deliberation.council_session),
            joinedload(Proposal.deliberation).joinedload(Deliberation.action),
        )
        .order_by(chain.c.steps.desc())
        .limit(1)
    ).one()
    note = None
    if final.deliberation_id is not None:
        note = db.session.scalars(
            select(ProgressNote)
            .join(ProgressNote.action)
            .where(Action.deliberation_id == final.deliberation_id)
            .order_by(ProgressNote.noted_on.desc(), ProgressNote.id.desc())
            .limit(1)
        ).first()
    return JoinedProposal(final, steps, note)


def proposals_of_round_pillars(round_: Round) -> list[Pillar]:
    return list(round_.pillars)


def proposal_in_url(slug: str, number: int) -> Proposal:
    """The proposal a page's address names (``/rounds/<slug>/proposals/<number>``), or 404."""
    round_ = load_round_with_pillars(slug)
    return get_proposal_or_404(round_, number)


def load_round_with_pillars(slug: str) -> Round:
    return db.first_or_404(
        select(Round).where(Round.slug == slug).options(selectinload(Round.pillars))
    )

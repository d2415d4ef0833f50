"""Proposals: submit, edit, withdraw, find similar ones, browse a round's list.

Services take the acting user, flush, never commit; rules live in ``rules`` and ``state``,
and every service requires the rule's verdict, so that no route can get round it.
"""

import functools
import random
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    bindparam,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import NotFound

from ..database import written_number
from ..errors import ParticipationError
from ..extensions import db
from ..following.services import start_following
from ..models import (
    SHUFFLE_KEYS,
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
from ..pagination import (
    BoundedPagination,
    IdsFirstPagination,
    PreparedBoundedPagination,
    bounded_page,
    counted_up_to,
    rows_of,
)
from ..search import french
from ..search.services import ranked, where_matching
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

# Below this score a proposal is not offered as similar: tuned on the labelled pairs of
# ``tests/search/test_similar.py`` (precision on what is shown, printed by the test).
SIMILARITY_THRESHOLD = 0.5
# Words of a title that say nothing of its subject, as stems (``search.french``).
GENERIC_STEMS = frozenset(
    french.stem(w)
    for w in [
        "ville",
        "bethune",
        "bethunois",
        "place",
        "mettre",
        "mise",
        "creer",
        "creation",
        "developper",
        "plus",
        "nouveau",
        "nouvelle",
        "nouveaux",
        "nouvelles",
        "faire",
        "avoir",
        "proposer",
        "proposition",
        "projet",
        "tous",
        "toutes",
        "quartier",
        "quartiers",
        "centre",
    ]
)


def subject_stems(text: str) -> set[str]:
    return {french.stem(french.singular(w)) for w in french.significant_words(text)} - GENERIC_STEMS


def keywords(text: str) -> set[str]:
    """The subject words of ``text``, for comparing titles."""
    return subject_stems(text)


def similarity(title: str, candidate: Proposal) -> float:
    """How far two titles name the same subject (0 to 1): the share of subject words in common,
    with a little credit for the new title's words found in the candidate's text."""
    mine, theirs = subject_stems(title), subject_stems(candidate.title)
    if not mine or not theirs:
        return 0.0
    common = len(mine & theirs)
    in_body = len(mine & subject_stems(candidate.body[:1000])) / len(mine)
    return 2 * common / (len(mine) + len(theirs)) + 0.2 * in_body


def similar_proposals(
    round_: Round, title: str, body: str = "", *, exclude_id: int | None = None, limit: int = 5
) -> list[Proposal]:
    """Proposals of the round still under discussion (visible, neither withdrawn nor merged)
    whose title names the same subject, best first: candidates from the search index, then
    scored (``similarity``) above ``SIMILARITY_THRESHOLD``."""
    wanted = french.any_of(
        [
            w
            for w in french.significant_words(title)
            if french.stem(french.singular(w)) not in GENERIC_STEMS
        ]
    )
    if not wanted:
        return []
    query = (
        select(Proposal)
        .where(Proposal.is_visible, Proposal.status.in_(statuses_allowing(Allows.COMMENT)))
        .where(Proposal.round_id == round_.id)
        .options(selectinload(Proposal.pillar))
    )
    if exclude_id is not None:
        query = query.where(Proposal.id != exclude_id)
    candidates = db.session.scalars(ranked(query, Proposal, wanted).limit(30))
    scored = [(similarity(title, c), c.total_supports, c) for c in candidates]
    scored = [item for item in scored if item[0] >= SIMILARITY_THRESHOLD]
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [candidate for _score, _supports, candidate in scored[:limit]]


# --- browsing ------------------------------------------------------------------------------

SORTS = ("supports", "newest", "comments", "random")

# A round's list reads its first page straight from one of these (one per stored sort key)
# instead of sorting every visible proposal of the round: partial indexes on what the public sees.
TOTAL_SUPPORTS = Proposal.support_count + Proposal.paper_support_count
_INCLUDED = {"ix_proposals_visible_supports": ("support_count", "paper_support_count")}
# A pillar's page and a round's counts per pillar read theirs the same way.
for _name, _keys in (
    (
        "ix_proposals_visible_supports",
        (Proposal.round_id, TOTAL_SUPPORTS.desc(), Proposal.id.desc()),
    ),
    (
        "ix_proposals_visible_newest",
        (Proposal.round_id, Proposal.published_at.desc(), Proposal.id.desc()),
    ),
    (
        "ix_proposals_visible_shuffle",
        (Proposal.round_id, Proposal.shuffle_key, Proposal.id),
    ),
    (
        "ix_proposals_visible_comments",
        (Proposal.round_id, Proposal.comment_count.desc(), Proposal.id.desc()),
    ),
    ("ix_proposals_visible_round_pillar", (Proposal.round_id, Proposal.pillar_id)),
    (
        "ix_proposals_visible_pillar_newest",
        (Proposal.pillar_id, Proposal.published_at.desc(), Proposal.id.desc()),
    ),
):
    Index(
        _name,
        *_keys,
        postgresql_where=Proposal.is_visible.expression,
        sqlite_where=Proposal.is_visible.expression,
        # PostgreSQL reads a page's ids from an index alone only when it holds every column
        # the query names: the sum's terms too, not only the sum (``_prepared_browse``).
        postgresql_include=_INCLUDED.get(_name, ()),
    )


@dataclass
class ProposalFilters:
    pillar_id: int | None = None
    neighbourhood_id: int | None = None
    status: str | None = None
    origin: str | None = None
    search: str = ""
    sort: str = "supports"
    seed: int = 1


def browse_query(round_: Round | None, filters: ProposalFilters, load=selectinload):
    """The visible proposals the filters select, in their order. By default the page of rows
    first (read from an index), then their few related rows, a query each (``load``). In the
    random order, each page then mixes its own (``browse_page``)."""
    if filters.sort == "random":
        shuffle = Shuffle.of(filters.seed)
        ids = _selected(select(Proposal.id), round_, filters)
        shuffled = _shuffled(ids, shuffle.start, shuffle.descending)
        order = _in_order(shuffled, shuffle.descending)
        return rows_of(Proposal, shuffled, *_related(load), order=order)
    query = _selected(select(Proposal), round_, filters).options(*_related(load))
    return _ordered(query, filters.sort)


# Each order's key, read downwards, then the id.
SORT_KEYS = {
    "supports": TOTAL_SUPPORTS,
    "newest": Proposal.published_at,
    "comments": Proposal.comment_count,
}


def _sort_key(sort: str):
    """The key of the order ``sort``, read downwards; the most supported first by default."""
    return SORT_KEYS.get(sort, TOTAL_SUPPORTS)


def _ordered(query, sort: str):
    return query.order_by(_sort_key(sort).desc(), Proposal.id.desc())


def _ids_in_order(query, sort: str):
    """``query``'s ids with their key in the order ``sort`` (``key``), for ``rows_of``."""
    return _ordered(query.with_only_columns(Proposal.id, _sort_key(sort).label("key")), sort)


def _related(load=selectinload) -> tuple:
    return (load(Proposal.pillar), load(Proposal.neighbourhood), load(Proposal.round))


# The random order. Each proposal draws a key once, at random (``Proposal.shuffle_key``); a
# visit's seed draws a starting key and a direction. The list runs from the first key at the
# start to the end of the keys, then wraps round to the other end; each page then mixes its
# proposals by the seed. The same seed gives the same order on every page; a new visit gets a
# new seed. A proposal is on the first page for the starts that fall among the keys before it
# (after it, going down): the keys being drawn at random, every proposal is as likely to be
# there, and to come first; drawn, their gaps differ, and so do their chances, by about a sixth
# (without the mix, a proposal's chance to come first would be its one gap's: from nearly
# nothing to seven times another's).
# Each of the two parts is read from an index in its order, only as far as the page reaches:
# computing a key per visit from each id instead read every proposal of the round, and sorted
# them (6 ms of SQL at full scale, and more as the round grows).
# Primes below 2**31: a number below them times a multiplier below them fits in 64 bits on both
# databases. A page is mixed by the id multiplied and reduced modulo each in turn: by one
# product, consecutive ids kept an arithmetic pattern (every third, then every third again),
# and two seeds often gave a page of eight the same order.
MIX_PRIMES = (2147483629, 2147483587, 2147483579)


@dataclass(frozen=True)
class Shuffle:
    """A visit's random order, drawn from its seed: the key it starts at, whether it runs down
    the keys, and the multipliers that mix each page (``_mixed``)."""

    start: int
    descending: bool
    mix: tuple[int, ...]

    @classmethod
    def of(cls, seed: int) -> "Shuffle":
        draw = random.Random(seed)
        start, descending = draw.randrange(SHUFFLE_KEYS), draw.random() < 0.5
        return cls(start, descending, tuple(draw.randrange(1, p) for p in MIX_PRIMES))

    def params(self) -> dict:
        """The start and the mix, as ``_prepared_shuffle``'s statements bind them."""
        return {"start": self.start} | dict(zip(MIX_NAMES, self.mix, strict=True))


MIX_NAMES = tuple(f"mix_{n}" for n in range(len(MIX_PRIMES)))


def _shuffled(query, start, descending: bool, reach=None):
    """The ids ``query`` (a select of ``Proposal.id``) selects, with their part of the order
    from ``start`` (a number or a bound parameter) and their key: each part read in its order,
    up to ``reach`` ids when given (a number or an expression of bound parameters)."""
    key = Proposal.shuffle_key
    if descending:
        order, parts = (key.desc(), Proposal.id.desc()), (key <= start, key > start)
    else:
        order, parts = (key, Proposal.id), (key >= start, key < start)
    selects = []
    for number, condition in enumerate(parts):
        part = query.add_columns(literal(number).label("part"), key.label("shuffle"))
        part = part.where(condition).order_by(*order)
        if reach is not None:
            part = part.limit(reach)
        selects.append(select(part.subquery()))
    return union_all(*selects).subquery("shuffled")


def _in_order(shuffled, descending: bool) -> tuple:
    columns = (shuffled.c.shuffle, shuffled.c.id)
    if descending:
        columns = tuple(column.desc() for column in columns)
    return (shuffled.c.part, *columns)


def _shuffled_page(query, start, descending: bool, mix, limit, offset):
    """The proposals of a page of the random order of ``query``'s ids (``_shuffled``), mixed
    by ``mix``: the page's ids picked first, its rows then read by primary key."""
    shuffled = _shuffled(query, start, descending, reach=limit + offset)
    page = (
        select(shuffled.c.id)
        .order_by(*_in_order(shuffled, descending))
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    return rows_of(Proposal, page, *_related(lazyload), order=(_mixed(page.c.id, mix), page.c.id))


def _mixed(ids, mix):
    """The key that mixes a page of the random order: each id multiplied by each of ``mix``
    (numbers or bound parameters) and reduced modulo its prime, in turn."""
    key = cast(ids, BigInteger)
    for prime, multiplier in zip(MIX_PRIMES, mix, strict=True):
        key = (key * multiplier) % prime
    return key


@functools.lru_cache(maxsize=64)  # 64 shapes: five filters on or off, two directions
def _prepared_shuffle(narrowed: tuple[str, ...], descending: bool) -> tuple:
    """A page of the random order and its bounded count, narrowed on the ``narrowed`` columns,
    the start and the mix bound too: built once for each shape."""
    query = _visible(select(Proposal.id), _bound(narrowed))
    limit, offset = written_number("limit"), written_number("offset")
    start = bindparam("start", type_=Integer)
    mix = [bindparam(name, type_=BigInteger) for name in MIX_NAMES]
    return _shuffled_page(query, start, descending, mix, limit, offset), counted_up_to(query)


class ShuffledPagination(BoundedPagination):
    """A page of the random order of the ids ``select`` selects, from the visit's ``seed``
    (``_shuffled_page``); the count reads the ids alone, up to the limit."""

    def _query_items(self) -> list[Proposal]:
        args = self._query_args
        shuffle = Shuffle.of(args["seed"])
        page = _shuffled_page(
            args["select"],
            shuffle.start,
            shuffle.descending,
            shuffle.mix,
            written_number("limit", self.per_page),
            written_number("offset", self._query_offset),
        )
        return list(args["session"].scalars(page))


def browse_page(
    round_: Round,
    filters: ProposalFilters,
    page: int,
    per_page: int,
    places: Iterable[Neighbourhood] = (),
) -> BoundedPagination:
    """Page ``page`` of a round's list, as ``browse_query`` orders it (a page of the random
    order then mixed by the seed), counted up to a limit (``pagination.bounded_page``).

    Its cards' round, pillar and neighbourhood are those in hand, without a query: ``round_``,
    its pillars and ``places`` (the neighbourhoods of the list's filter). One not in hand (a
    pillar since taken out of the round) is read when first shown, once. Reading them after the
    page, by primary key, had cost three queries."""
    if french.parse(filters.search):
        if filters.sort == "random":
            ids = _selected(select(Proposal.id), round_, filters)
            found = bounded_page(ids, page, per_page, ShuffledPagination, seed=filters.seed)
        else:
            ids = _ids_in_order(_selected(select(Proposal.id), round_, filters), filters.sort)
            found = bounded_page(
                ids, page, per_page, IdsFirstPagination, model=Proposal, options=_related(lazyload)
            )
    else:
        found = _prepared_page(round_, filters, page, per_page)
    _give_relations(found.items, [round_], round_.pillars, places)
    return found


def _prepared_page(
    round_: Round | None, filters: ProposalFilters, page: int, per_page: int
) -> BoundedPagination:
    """``browse_page`` without a search: by statements built once for the filters' shape."""
    params = _narrowing(round_, filters)
    if filters.sort == "random":
        shuffle = Shuffle.of(filters.seed)
        query, counting = _prepared_shuffle(tuple(params), shuffle.descending)
        params.update(shuffle.params())
    else:
        query, counting = _prepared_browse(tuple(params), filters.sort)
    return bounded_page(
        query, page, per_page, PreparedBoundedPagination, counting=counting, params=params
    )


def pillar_page(pillar: Pillar, page: int, per_page: int) -> BoundedPagination:
    """Page ``page`` of a pillar's visible proposals, every round's, newest first, counted up
    to a limit (``pagination.bounded_page``).

    Its cards' pillar is ``pillar``; their rounds and neighbourhoods are read after the page, a
    query each when a card has one."""
    found = _prepared_page(
        None, ProposalFilters(pillar_id=pillar.id, sort="newest"), page, per_page
    )
    rounds = _with_ids(Round, {proposal.round_id for proposal in found.items})
    places = _with_ids(Neighbourhood, {proposal.neighbourhood_id for proposal in found.items})
    _give_relations(found.items, rounds, [pillar], places)
    return found


def cards_key(proposals: Iterable[Proposal], supported: set[int], round_: Round | None) -> tuple:
    """Everything a list's cards show (``proposals/_card.html``), for ``fragments.fragment``:
    each proposal's link, title, badges and counts, and whether the reader supports it."""
    return (
        "cards",
        tuple(
            (
                p.id,
                p.round.slug if p.round else round_.slug,
                p.number,
                p.title,
                p.pillar.name,
                p.neighbourhood.name if p.neighbourhood else None,
                p.origin,
                p.is_sample,
                p.status,
                p.support_count,
                p.paper_support_count,
                p.comment_count,
                p.id in supported,
            )
            for p in proposals
        ),
    )


def _with_ids(model, ids: set[int | None]) -> list:
    """The rows of ``model`` with these ids, in one query; none asked when there is none."""
    ids = ids - {None}
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def _give_relations(
    proposals: list[Proposal],
    rounds: Iterable[Round],
    pillars: Iterable[Pillar],
    places: Iterable[Neighbourhood],
) -> None:
    """Each card's round, pillar and neighbourhood from those given; one not given (a pillar
    since taken out of the round) is left to be read when first shown."""
    given = {
        "round": ({item.id: item for item in rounds}, "round_id"),
        "pillar": ({item.id: item for item in pillars}, "pillar_id"),
        "neighbourhood": ({item.id: item for item in places}, "neighbourhood_id"),
    }
    for proposal in proposals:
        for relation, (by_id, key) in given.items():
            value = getattr(proposal, key)
            if value is None or value in by_id:
                set_committed_value(proposal, relation, by_id.get(value))


# The columns a list's filters narrow, by the name of their value in ``_narrowing``.
_FILTERED = {
    "round_id": Proposal.round_id,
    "pillar_id": Proposal.pillar_id,
    "neighbourhood_id": Proposal.neighbourhood_id,
    "status": Proposal.status,
    "origin": Proposal.origin,
}


def _narrowing(round_: Round | None, filters: ProposalFilters) -> dict:
    """The values the list is narrowed to, by column (``_FILTERED``); a filter that is off, or
    asks for what no visitor is shown, is left out."""
    values = {
        "round_id": round_.id if round_ is not None else None,
        "pillar_id": filters.pillar_id or None,
        "neighbourhood_id": filters.neighbourhood_id or None,
        "status": filters.status if filters.status in PUBLIC_STATUSES else None,
        "origin": filters.origin if filters.origin in (o.value for o in Origin) else None,
    }
    return {name: value for name, value in values.items() if value is not None}


def _visible(query, narrowing: dict):
    """``query`` narrowed to the visible proposals whose columns hold ``narrowing``'s values
    (``_FILTERED``), numbers or bound parameters."""
    query = query.where(Proposal.is_visible)
    for name, value in narrowing.items():
        query = query.where(_FILTERED[name] == value)
    return query


def _bound(names: tuple[str, ...]) -> dict:
    """A narrowing by bound parameters named as the columns, for a statement built once."""
    return {name: bindparam(name) for name in names}


def _selected(query, round_: Round | None, filters: ProposalFilters):
    """``query`` narrowed to the visible proposals ``filters`` select."""
    query = _visible(query, _narrowing(round_, filters))
    wanted = french.parse(filters.search)
    if wanted:
        query = where_matching(query, Proposal, wanted)
    return query


@functools.lru_cache(maxsize=128)  # 96 shapes: five filters on or off, three orders
def _prepared_browse(narrowed: tuple[str, ...], sort: str) -> tuple:
    """A list's page and its bounded count, narrowed on the ``narrowed`` columns (bound
    parameters of the same names) and in the order ``sort``: built once for each shape.

    The page's ids are picked first, with their key, from the order's index alone; then their
    rows, by primary key. Reading the rows in the index's order instead read every row it
    passed: the 50th page read a thousand (3.3 ms of SQL at full scale; 0.2 now)."""
    query = _visible(select(Proposal.id), _bound(narrowed))
    ids = _ids_in_order(query, sort).limit(written_number("limit")).offset(written_number("offset"))
    return rows_of(Proposal, ids.subquery("page"), *_related(lazyload)), counted_up_to(query)


def trail(proposal: Proposal, viewer: User | None, actors: bool = False) -> list[ProposalEvent]:
    """The proposal's trail as ``viewer`` may read it: its public lines, and the private ones
    for those who may read its history (``rules.can_read_history``). ``actors``: with who did
    each (the moderators' page shows them; the public page does not)."""
    private = bool(rules.can_read_history(viewer, proposal))
    return public_trail(proposal, include_private=private, actors=actors)


def public_trail(
    proposal: Proposal, include_private: bool = False, actors: bool = False
) -> list[ProposalEvent]:
    statement = _trail_statement(include_private, actors)
    return list(db.session.scalars(statement, {"proposal_id": proposal.id}))


@functools.cache
def _trail_statement(include_private: bool, actors: bool):
    query = (
        select(ProposalEvent)
        .where(ProposalEvent.proposal_id == bindparam("proposal_id"))
        .order_by(ProposalEvent.created_at, ProposalEvent.id)
    )
    if actors:
        query = query.options(joinedload(ProposalEvent.actor))
    if not include_private:
        query = query.where(ProposalEvent.is_public.is_(True))
    return query


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


@functools.cache
def _proposal_in_url_statement():
    """Built once: a statement's options cost as much to build as the query takes to run."""
    return (
        select(Proposal)
        .join(Proposal.round)
        .where(Round.slug == bindparam("slug"), Proposal.number == bindparam("number"))
        .options(
            contains_eager(Proposal.round),
            joinedload(Proposal.pillar),
            joinedload(Proposal.neighbourhood),
            joinedload(Proposal.author),
            joinedload(Proposal.revision),
        )
    )


def proposal_in_url(slug: str, number: int) -> Proposal:
    """The proposal a page's address names (``/rounds/<slug>/proposals/<number>``), or 404, read
    in one query with its round and what its page shows of it. The round's pillars are read only
    if asked (the edit form's choices): a proposal's page needs its own pillar only. The
    proposal it was merged into and the deliberation it became are read when shown, a query
    each, and only if it has one (most have neither): joining them to every proposal cost 3 %
    of its page's instructions."""
    found = db.session.scalars(
        _proposal_in_url_statement(), {"slug": slug, "number": number}
    ).first()
    if found is None:
        raise NotFound()
    return found


def load_round_with_pillars(slug: str) -> Round:
    """The round an address names, with its pillars, in one query (a row per pillar), or 404."""
    round_ = (
        db.session.scalars(_round_with_pillars_statement(), {"slug": slug}).unique().one_or_none()
    )
    if round_ is None:
        raise NotFound()
    return round_


@functools.cache
def _round_with_pillars_statement():
    return select(Round).where(Round.slug == bindparam("slug")).options(joinedload(Round.pillars))

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from participation import errors as core_errors
from participation.extensions import db
from participation.models import ProposalEvent, ProposalRevision, utcnow
from participation.proposals import errors
from participation.proposals.services import (
    MIX_PRIMES,
    ProposalFilters,
    ProposalInput,
    Shuffle,
    browse_page,
    browse_query,
    edit_proposal,
    similar_proposals,
    submit_proposal,
    withdraw_proposal,
)
from participation.proposals.supports import support

TEXT = "Planter des arbres fruitiers dans les cours d'école pour les enfants du quartier."


@pytest.fixture
def open_round(create_round, create_pillar):
    return create_round(pillars=[create_pillar(), create_pillar()])


def data(round_, **fields):
    values = {
        "title": "Des vergers dans les écoles",
        "body": TEXT,
        "pillar_id": round_.pillars[0].id,
    }
    values.update(fields)
    return ProposalInput(**values)


def test_submit_publishes_at_once_without_premoderation(open_round, create_user):
    author = create_user()
    proposal = submit_proposal(
        author, open_round, data(open_round, body="**Vite** <script>x</script>" + TEXT)
    )
    db.session.commit()
    assert proposal.status == "published" and proposal.published_at is not None
    assert proposal.number == 1 and proposal.code == "P-1"
    assert "<strong>Vite</strong>" in proposal.body_html and "<script>" not in proposal.body_html
    kinds = [(e.kind, e.to_status) for e in proposal.events]
    assert kinds == [("submitted", "submitted"), ("status", "published")]


def test_submit_waits_for_a_moderator_with_premoderation(open_round, create_user):
    open_round.premoderation = True
    proposal = submit_proposal(create_user(), open_round, data(open_round))
    assert proposal.status == "submitted" and not proposal.is_visible


def test_numbers_follow_each_other_per_round(open_round, create_round, create_user):
    author = create_user()
    numbers = [submit_proposal(author, open_round, data(open_round)).number for _ in range(3)]
    other = create_round(pillars=open_round.pillars)
    assert numbers == [1, 2, 3]
    assert submit_proposal(author, other, data(other)).number == 1


@pytest.mark.parametrize("phase", ["upcoming", "voting", "deliberation", "closed"])
def test_submit_refused_outside_collection(create_round, create_pillar, create_user, phase):
    round_ = create_round(phase=phase, pillars=[create_pillar()])
    with pytest.raises(core_errors.PhaseClosed):
        submit_proposal(create_user(), round_, data(round_))


def test_submit_refused_for_blocked_or_unconfirmed(open_round, create_user):
    with pytest.raises(core_errors.AccountBlocked):
        submit_proposal(create_user(blocked_at=utcnow()), open_round, data(open_round))
    with pytest.raises(core_errors.EmailNotConfirmed):
        submit_proposal(create_user(confirmed=False), open_round, data(open_round))


def test_submit_refused_for_a_pillar_outside_the_round(open_round, create_user, create_pillar):
    with pytest.raises(core_errors.ParticipationError):
        submit_proposal(create_user(), open_round, data(open_round, pillar_id=create_pillar().id))


def test_author_edits_until_first_support_and_trail_keeps_old_text(open_round, create_user):
    author = create_user()
    proposal = submit_proposal(author, open_round, data(open_round))
    edit_proposal(proposal, author, data(open_round, title="Des vergers partout"))
    edit_event = [e for e in proposal.events if e.kind == "edited"][0]
    assert edit_event.previous.startswith("Des vergers dans les écoles")
    assert proposal.title == "Des vergers partout"
    support(proposal, create_user())
    db.session.refresh(proposal)
    with pytest.raises(errors.NotEditable):
        edit_proposal(proposal, author, data(open_round, title="Encore un changement"))


def test_only_the_author_edits(open_round, create_user):
    proposal = submit_proposal(create_user(), open_round, data(open_round))
    with pytest.raises(core_errors.NotAllowed):
        edit_proposal(proposal, create_user(), data(open_round, title="Piratage du titre"))


def test_edit_refused_after_a_moderator_decision(open_round, create_user):
    from participation.models import ProposalStatus
    from participation.proposals import state

    author = create_user()
    proposal = submit_proposal(author, open_round, data(open_round))
    state.transition(proposal, ProposalStatus.RETAINED, create_user(role="moderator"), "Oui")
    with pytest.raises(errors.NotEditable):
        edit_proposal(proposal, author, data(open_round))


def test_withdraw_with_reason_before_a_decision_only(open_round, create_user):
    author = create_user()
    proposal = submit_proposal(author, open_round, data(open_round))
    with pytest.raises(errors.NotOwnProposal):
        withdraw_proposal(proposal, create_user(), "pas à moi")
    withdraw_proposal(proposal, author, "Doublon de ma voisine")
    assert proposal.status == "withdrawn"
    with pytest.raises(errors.TransitionNotAllowed):
        withdraw_proposal(proposal, author, "encore")
    last = db.session.scalars(db.select(ProposalEvent).order_by(ProposalEvent.id.desc())).first()
    assert last.note == "Doublon de ma voisine"


def test_similar_proposals_are_found_by_subject_words(open_round, create_proposal):
    create_proposal(round=open_round, title="Un verger partagé dans chaque école")
    create_proposal(round=open_round, title="Plus de pistes cyclables")
    hidden = create_proposal(
        round=open_round, title="Vergers des écoles cachés", hidden_at=utcnow()
    )
    found = similar_proposals(open_round, "Des vergers dans les écoles", TEXT)
    assert [p.title for p in found] == ["Un verger partagé dans chaque école"]
    assert hidden not in found
    assert similar_proposals(open_round, "Piscine", "") == []


def test_browse_filters_search_and_sorts(open_round, create_proposal, create_neighbourhood):
    quarter = create_neighbourhood()
    a = create_proposal(round=open_round, title="Jardins partagés", support_count=5)
    b = create_proposal(
        round=open_round, title="Bancs publics", neighbourhood=quarter, comment_count=9
    )
    c = create_proposal(
        round=open_round, title="Atelier vélo", origin="workshop", paper_support_count=7
    )
    create_proposal(round=open_round, title="En attente", status="submitted")

    def ids(**filters):
        return [
            p.id
            for p in db.session.scalars(
                browse_query(open_round, ProposalFilters(**filters))
            ).unique()
        ]

    assert ids() == [c.id, a.id, b.id]  # online + paper supports
    assert ids(sort="comments")[0] == b.id
    assert ids(neighbourhood_id=quarter.id) == [b.id]
    assert ids(origin="workshop") == [c.id]
    assert ids(search="JARDIN") == [a.id]
    assert ids(status="submitted") == ids()  # not a public status: ignored
    first = ids(sort="random", seed=42)
    assert sorted(first) == sorted([a.id, b.id, c.id])
    assert ids(sort="random", seed=42) == first


def test_a_lists_page_is_read_by_statements_built_once_for_its_filters(
    open_round, create_round, create_proposal, create_neighbourhood
):
    """``browse_page`` without a search reads the page and its count by statements built once
    for each set of filters and order, the filters' values bound: each round and each
    neighbourhood is given its own proposals, as ``browse_query`` selects them."""
    from participation.proposals.services import _prepared_browse, _prepared_shuffle

    other_round = create_round(pillars=list(open_round.pillars))
    here, there = create_neighbourhood(), create_neighbourhood()
    for round_ in (open_round, other_round):
        for n, place in enumerate((here, there, None, here, there, None, here, None)):
            create_proposal(
                round=round_,
                neighbourhood=place,
                support_count=n,
                origin="online" if n else "workshop",
            )

    def expected(round_, filters):
        ids = [p.id for p in db.session.scalars(browse_query(round_, filters)).unique()]
        return mixed(ids, filters.seed) if filters.sort == "random" else ids

    _prepared_browse.cache_clear()
    _prepared_shuffle.cache_clear()
    shapes, orders = set(), set()
    for sort, seed in (
        ("supports", 1),
        ("newest", 1),
        ("comments", 1),
        ("random", 7),
        ("random", 8),
    ):
        for round_ in (open_round, other_round):
            for narrowed in (
                {},
                {"neighbourhood_id": here.id},
                {"neighbourhood_id": there.id},
                {"origin": "workshop"},
                {"neighbourhood_id": here.id, "origin": "online"},
            ):
                filters = ProposalFilters(sort=sort, seed=seed, **narrowed)
                page = browse_page(round_, filters, 1, 20)
                assert [p.id for p in page.items] == expected(round_, filters)
                assert page.total == len(page.items) > 0
                assert all(p.round_id == round_.id for p in page.items)
                shapes.add((sort, tuple(sorted(narrowed))))
                if sort == "random" and not narrowed:
                    orders.add(tuple(p.id for p in page.items))
    assert _prepared_browse.cache_info().misses == len(shapes) - 4 == 12
    # The random order: one statement per shape and direction, whatever the start, which is
    # bound (seeds 7 and 8 run in both directions).
    assert {Shuffle.of(7).descending, Shuffle.of(8).descending} == {True, False}
    assert _prepared_shuffle.cache_info().misses == 4 * 2
    assert len(orders) == 4  # two rounds, two seeds (eight proposals: 40,320 orders)


def mixed(ids: list[int], seed: int) -> list[int]:
    """A page of the random order's ids as the page shows them: mixed by the seed."""

    def key(id_: int) -> tuple[int, int]:
        mixed = id_
        for prime, multiplier in zip(MIX_PRIMES, Shuffle.of(seed).mix, strict=True):
            mixed = mixed * multiplier % prime
        return mixed, id_

    return sorted(ids, key=key)


@pytest.mark.parametrize("seed", [1, 42, 999_983])
def test_the_random_orders_pages_follow_its_order(open_round, create_proposal, seed):
    """The list's pages pick their ids first (``ShuffledPagination``): page after page, they
    hold the proposals of the order ``browse_query`` defines, each page mixed by the seed,
    filters and count included."""
    pillar = open_round.pillars[1]
    for i in range(23):
        create_proposal(round=open_round, pillar=pillar if i % 3 else None, title=f"Idée {i}")
    create_proposal(round=open_round, pillar=pillar, hidden_at=utcnow())
    create_proposal(round=open_round, pillar=pillar, status="submitted")
    for filters, selected in (
        (ProposalFilters(sort="random", seed=seed), 23),
        (ProposalFilters(sort="random", seed=seed, pillar_id=pillar.id), 15),
        (ProposalFilters(sort="random", seed=seed, search="idée"), 23),  # ``ShuffledPagination``
    ):
        ordered = [p.id for p in db.session.scalars(browse_query(open_round, filters))]
        assert len(ordered) == selected
        pages = [browse_page(open_round, filters, n, 5) for n in (1, 2, 3, 4, 5, 6)]
        for n, page in enumerate(pages):
            assert [p.id for p in page.items] == mixed(ordered[5 * n : 5 * n + 5], seed)
        assert {page.total for page in pages} == {len(ordered)}
        assert pages[0].pages == -(-len(ordered) // 5) and not pages[5].items


@pytest.mark.parametrize("descending", [False, True])
def test_the_random_order_shows_each_proposal_once_whatever_its_key(
    open_round, create_proposal, descending
):
    """Against an order computed here, not by the list's own queries: keys equal to the start,
    keys shared by several proposals, the lowest and the highest keys; pages of every size, a
    filter and a search, up and down the keys."""
    from participation.models import SHUFFLE_KEYS

    seed = next(seed for seed in range(1, 100) if Shuffle.of(seed).descending == descending)
    start = Shuffle.of(seed).start
    draw = random.Random(seed)
    keys = [start, start, start, start - 1, start + 1, 0, 0, SHUFFLE_KEYS - 1, SHUFFLE_KEYS - 1]
    keys += [draw.randrange(SHUFFLE_KEYS) for _ in range(9)]
    pillar = open_round.pillars[1]
    made = [
        create_proposal(
            round=open_round,
            shuffle_key=key,
            pillar=pillar if n % 2 else None,
            title="Des vélos" if n % 3 else "Un banc",
        )
        for n, key in enumerate(keys)
    ]
    create_proposal(round=open_round, shuffle_key=start, hidden_at=utcnow())
    create_proposal(round=open_round, shuffle_key=start, status="submitted")

    def expected(proposals) -> list[int]:
        rows = sorted((p.shuffle_key, p.id) for p in proposals)
        if descending:
            rows.reverse()
            parts = [r for r in rows if r[0] <= start], [r for r in rows if r[0] > start]
        else:
            parts = [r for r in rows if r[0] >= start], [r for r in rows if r[0] < start]
        return [id_ for part in parts for _key, id_ in part]

    for filters, selected in (
        ({}, made),
        ({"pillar_id": pillar.id}, [p for n, p in enumerate(made) if n % 2]),
        ({"search": "vélo"}, [p for n, p in enumerate(made) if n % 3]),
    ):
        order = expected(selected)
        for size in (1, 4, 7, 20):
            shown = []
            for number in range(1, len(order) // size + 3):
                page = browse_page(
                    open_round, ProposalFilters(sort="random", seed=seed, **filters), number, size
                )
                assert page.total == len(order)
                items = [p.id for p in page.items]
                assert items == mixed(order[(number - 1) * size : number * size], seed)
                shown += items
            assert sorted(shown) == sorted(p.id for p in selected), (filters, size)


@pytest.mark.parametrize("sort", ["supports", "newest", "random"])
def test_a_pages_cards_read_their_relations_from_those_in_hand(
    open_round, create_proposal, create_pillar, create_neighbourhood, count_queries, sort
):
    """``browse_page``: each card's round, pillar and neighbourhood come from the round in hand,
    its pillars and the neighbourhoods given; a pillar since taken out of the round is read
    once, however many cards show it."""
    from participation.accounts.services import neighbourhoods
    from participation.models import Round

    places = [create_neighbourhood() for _ in range(3)]
    gone = create_pillar()
    for n in range(12):
        pillar = gone if n % 4 == 0 else open_round.pillars[n % 2]
        create_proposal(round=open_round, pillar=pillar, neighbourhood=places[n % 3])
    open_round.pillars.remove(gone)
    db.session.commit()
    round_id, gone_name = open_round.id, gone.name
    db.session.expunge_all()  # as a request starts: nothing in hand
    round_ = db.session.scalar(select(Round).where(Round.id == round_id))
    assert len(round_.pillars) == 2
    held = neighbourhoods()
    with count_queries() as counter:
        page = browse_page(round_, ProposalFilters(sort=sort, seed=3), 1, 20, held)
        read = counter.count
        shown = [(p.round.slug, p.pillar.name, p.neighbourhood.name) for p in page.items]
    assert len(shown) == 12 and {place for *_, place in shown} == {p.name for p in held}
    assert {pillar for _, pillar, _ in shown} == {gone_name, *(p.name for p in round_.pillars)}
    assert counter.count == read + 1, counter.statements[read:]


def test_each_seed_starts_the_random_order_at_a_key_of_its_own(open_round, create_proposal):
    """The random order runs through the proposals' keys from the seed's start, up or down, and
    wraps round: with keys evenly spaced, every proposal comes first for some seed, in either
    direction, and the order is never the proposals' own. A page then mixes its proposals:
    over the seeds, each is first of its page about as often as the others."""
    from participation.models import SHUFFLE_KEYS

    spacing = SHUFFLE_KEYS // 20
    places = random.Random(5).sample(range(20), 20)
    keyed = {create_proposal(round=open_round, shuffle_key=n * spacing).id: n for n in places}
    create_proposal(round=open_round, status="submitted", shuffle_key=3)  # not shown
    by_key = sorted(keyed, key=keyed.get)
    assert by_key != sorted(by_key)

    firsts, directions, shown_first, kept_in_key_order = set(), set(), Counter(), 0
    for seed in range(1, 301):
        shuffle = Shuffle.of(seed)
        filters = ProposalFilters(sort="random", seed=seed)
        order = [p.id for p in db.session.scalars(browse_query(open_round, filters))]
        # The first key at the start or past it, in the order's direction, then the others.
        if shuffle.descending:
            first = max((n for n in range(20) if n * spacing <= shuffle.start), default=19)
            expected = [by_key[(first - i) % 20] for i in range(20)]
        else:
            first = min((n for n in range(20) if n * spacing >= shuffle.start), default=0)
            expected = [by_key[(first + i) % 20] for i in range(20)]
        assert order == expected, seed
        firsts.add((order[0], shuffle.descending))
        directions.add(shuffle.descending)
        page = [p.id for p in browse_page(open_round, filters, 1, 5).items]
        assert page == mixed(order[:5], seed), seed
        shown_first[page[0]] += 1
        kept_in_key_order += page == order[:5]
    assert directions == {True, False}
    assert len(firsts) == 40  # each proposal first, up and down
    # Each is on the first page 75 times in 300 (a quarter); first of it 15 times.
    assert set(shown_first) == set(keyed) and max(shown_first.values()) < 3 * 15, shown_first
    assert kept_in_key_order < 300 / 20  # 1 in 120 by chance


def test_a_new_proposal_draws_its_key_at_random(open_round, create_proposal):
    keys = {create_proposal(round=open_round).shuffle_key for _ in range(10)}
    assert len(keys) == 10
    assert all(0 <= key < 2**31 - 1 for key in keys)


def test_published_at_orders_newest(open_round, create_proposal):
    old = create_proposal(round=open_round, title="Ancienne")
    old.published_at = utcnow() - timedelta(days=3)
    new = create_proposal(round=open_round, title="Nouvelle")
    db.session.commit()
    assert [
        p.id
        for p in db.session.scalars(
            browse_query(open_round, ProposalFilters(sort="newest"))
        ).unique()
    ] == [new.id, old.id]


# --- changes to a published proposal of a pre-moderated round --------------------------------


@pytest.fixture
def premoderated(open_round, create_user):
    """A proposal published by a moderator in a pre-moderated round, and its author."""
    from participation.models import ProposalStatus
    from participation.proposals import state

    open_round.premoderation = True
    author = create_user()
    proposal = submit_proposal(author, open_round, data(open_round))
    state.transition(proposal, ProposalStatus.PUBLISHED, create_user(role="moderator"))
    db.session.commit()
    return proposal, author


def test_a_change_to_a_published_proposal_waits_for_a_moderator(premoderated, open_round):
    proposal, author = premoderated
    published_html = proposal.body_html
    changed = data(
        open_round,
        title="Des vergers partout",
        body=TEXT + " Et des ruches.",
        pillar_id=open_round.pillars[1].id,
    )
    assert edit_proposal(proposal, author, changed) is False
    db.session.commit()
    db.session.expire_all()
    # What the public reads has not changed…
    assert (proposal.title, proposal.body_html) == ("Des vergers dans les écoles", published_html)
    assert proposal.pillar_id == open_round.pillars[0].id
    assert proposal.is_visible and proposal.status == "published"
    # …the change waits beside it, and the public trail does not mention it.
    revision = proposal.revision
    assert (revision.title, revision.pillar_id, revision.author_id) == (
        "Des vergers partout",
        open_round.pillars[1].id,
        author.id,
    )
    assert "ruches" in revision.body_html
    proposed = [e for e in proposal.events if e.kind == "edit_proposed"]
    assert len(proposed) == 1 and proposed[0].is_public is False
    assert not [e for e in proposal.events if e.kind == "edited"]


def test_a_second_change_replaces_the_waiting_one(premoderated, open_round):
    proposal, author = premoderated
    edit_proposal(proposal, author, data(open_round, title="Des vergers partout"))
    db.session.commit()
    second = data(open_round, title="Des vergers et des haies")
    assert edit_proposal(proposal, author, second) is False
    db.session.commit()
    revisions = db.session.scalars(db.select(ProposalRevision)).all()
    assert [(r.proposal_id, r.title) for r in revisions] == [
        (proposal.id, "Des vergers et des haies")
    ]
    assert proposal.title == "Des vergers dans les écoles"


def test_before_publication_the_author_edits_the_text_itself(open_round, create_user):
    open_round.premoderation = True
    author = create_user()
    proposal = submit_proposal(author, open_round, data(open_round))
    assert edit_proposal(proposal, author, data(open_round, title="Des vergers partout")) is True
    assert proposal.title == "Des vergers partout" and proposal.revision is None


def test_without_premoderation_any_more_a_change_is_public_and_the_waiting_one_goes(
    premoderated, open_round
):
    proposal, author = premoderated
    edit_proposal(proposal, author, data(open_round, title="Des vergers partout"))
    open_round.premoderation = False
    db.session.commit()
    assert edit_proposal(proposal, author, data(open_round, title="Des vergers et des haies"))
    db.session.commit()
    assert proposal.title == "Des vergers et des haies"
    assert db.session.scalar(db.select(db.func.count()).select_from(ProposalRevision)) == 0


def test_withdrawing_a_proposal_withdraws_its_waiting_change(premoderated, open_round):
    proposal, author = premoderated
    edit_proposal(proposal, author, data(open_round, title="Des vergers partout"))
    withdraw_proposal(proposal, author, "Je préfère retirer")
    db.session.commit()
    assert proposal.status == "withdrawn" and proposal.title == "Des vergers dans les écoles"
    assert db.session.scalar(db.select(db.func.count()).select_from(ProposalRevision)) == 0

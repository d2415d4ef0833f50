"""Search in French, with the same meaning on SQLite and PostgreSQL."""

from html import unescape

import pytest

from participation.extensions import db
from participation.models import utcnow
from participation.search import french
from participation.search.services import search_proposals

TEXTS = {
    "ecole": ("Rénover l'école Jules Ferry", "Repeindre les salles et changer les fenêtres."),
    "velo": ("Un parking à vélo près du beffroi", "Des arceaux couverts pour stationner."),
    "centre": ("Des bancs au centre-ville", "S'asseoir sur la Grand-Place à l'ombre."),
    "piste": ("Une piste cyclable rue d'Arras", "Séparée de la route par une bordure."),
    "musique": ("Concerts gratuits au kiosque", "Chaque dimanche d'été, des groupes du coin."),
}


@pytest.fixture
def found(app, create_round, create_proposal):
    round_ = create_round()
    proposals = {
        key: create_proposal(round=round_, title=title, body=body)
        for key, (title, body) in TEXTS.items()
    }

    def search(text: str) -> set[str]:
        ids = {p.id: key for key, p in proposals.items()}
        query = french.parse(text)
        if not query:
            return set()
        return {ids[id_] for id_ in db.session.scalars(search_proposals(query, round_))}

    search.proposals = proposals
    return search


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ecole", {"ecole"}),  # without its accent
        ("ÉCOLE", {"ecole"}),  # upper case
        ("l'école", {"ecole"}),  # elision
        ("écoles", {"ecole"}),  # plural
        ("vélos", {"velo"}),  # the plural finds the singular
        ("velo", {"velo"}),
        ("centre-ville", {"centre"}),  # a hyphenated word
        ("centre ville", {"centre"}),
        ('"piste cyclable"', {"piste"}),  # a phrase
        ('"cyclable piste"', set()),  # words in another order are not the phrase
        ("fenetre", {"ecole"}),  # the body is searched too
        ("beff", {"velo"}),  # the last word as a prefix (as typed)
        ("concert -kiosque", set()),  # an excluded word
        ("kiosque or vélo", {"musique", "velo"}),
        ("piscine", set()),  # no result
        ("le la de", set()),  # only common words: nothing searched
    ],
)
def test_search_understands_french(found, text, expected):
    assert found(text) == expected


def test_title_weighs_more_than_body(app, create_round, create_proposal):
    round_ = create_round()
    in_body = create_proposal(round=round_, title="Des arbres", body="Près de la gare de Béthune.")
    in_title = create_proposal(round=round_, title="Une gare plus accueillante", body="Des bancs.")
    ranked = list(db.session.scalars(search_proposals(french.parse("gare"), round_)))
    assert ranked == [in_title.id, in_body.id]


def test_hidden_merged_and_withdrawn_are_never_found(found):
    ecole, velo, centre = (found.proposals[k] for k in ("ecole", "velo", "centre"))
    ecole.hidden_at = utcnow()
    velo.status = "withdrawn"
    centre.status, centre.merged_into_id = "merged", found.proposals["piste"].id
    db.session.commit()
    assert found("école or vélo or centre-ville or piste") == {"piste"}


def test_an_edit_is_found_at_once(found):
    proposal = found.proposals["musique"]
    proposal.title = "Une fête de la musique au jardin public"
    db.session.commit()
    assert found("jardin") == {"musique"}
    assert found("kiosque") == set()


def test_the_search_page_marks_the_words_found(client, found, create_deliberation):
    create_deliberation(title="Plan vélo", body="Des pistes cyclables dans toute la ville.")
    page = client.get("/search/?q=fenêtre or cyclable").get_data(as_text=True)
    assert "Rénover l&#39;école Jules Ferry" in page
    assert "<mark>fenêtres</mark>" in page
    assert "Plan vélo" in page and "<mark>cyclables</mark>" in page
    assert "Concerts gratuits" not in page
    # In the titles too.
    page = client.get("/search/?q=ecole or velo").get_data(as_text=True)
    assert "Rénover l&#39;<mark>école</mark> Jules Ferry" in page
    assert "Plan <mark>vélo</mark>" in page


def test_the_search_page_without_words(client):
    assert client.get("/search/").status_code == 200
    assert "Saisissez au moins un mot" in client.get("/search/?q=le").get_data(as_text=True)


def test_the_list_search_keeps_its_filters(client, found):
    round_ = found.proposals["velo"].round
    page = client.get(f"/rounds/{round_.slug}/proposals/?q=VÉLOS&sort=newest")
    text = page.get_data(as_text=True)
    assert "Un parking à vélo" in text and "Rénover l" not in text
    assert 'value="VÉLOS"' in text


def test_search_page_queries_do_not_grow(client, create_round, create_proposal, count_queries):
    round_ = create_round()

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/search/?q=gare").status_code == 200
        return counter.count

    create_proposal(round=round_, title="La gare")
    few = queries()
    for n in range(15):
        create_proposal(round=round_, title=f"Une gare numéro {n}")
    assert queries() == few


def test_list_search_queries_do_not_grow(client, create_round, create_proposal, count_queries):
    round_ = create_round()
    url = f"/rounds/{round_.slug}/proposals/?q=gare"

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    create_proposal(round=round_, title="La gare")
    few = queries()
    for n in range(15):
        create_proposal(round=round_, title=f"Une gare numéro {n}")
    assert queries() == few


def test_an_excerpt_reads_as_the_page_does_around_the_first_match(app, create_proposal):
    from participation.search.services import excerpt

    before = " ".join(f"mot{n}" for n in range(120))
    proposal = create_proposal(
        title="Un abri",
        body=f"**Gras** & <b>balise</b> {before} un abri à vélos, près de l'école. Encore du texte "
        + "après " * 100,
    )
    shown = str(excerpt(proposal, french.parse("vélo")))
    # The text as a reader reads it: no Markdown, an ampersand escaped once, a tag as written.
    assert "**" not in excerpt(create_proposal(body="**Gras** & co"), french.parse("gras"))
    assert "&amp;amp;" not in str(excerpt(create_proposal(body="Vélo & co"), french.parse("vélo")))
    assert "<mark>Vélo</mark> &amp; co" in str(
        excerpt(create_proposal(body="Vélo & co"), french.parse("vélo"))
    )
    # Around the first match, far into the text; cut between words, with ellipses.
    assert shown.startswith("…") and shown.endswith("…")
    assert "<mark>vélos</mark>" in shown and "mot0 " not in shown
    read = unescape(shown.replace("<mark>", "").replace("</mark>", "")).strip("…")
    assert len(read) <= 240 and read.endswith("après") and read.startswith("mot")


def test_a_title_is_shown_whole_with_its_matching_words_marked(app):
    from participation.search.services import highlighted

    assert str(highlighted("Des vélos & des <b>pistes</b>", french.parse("velo piste"))) == (
        "Des <mark>vélos</mark> &amp; des &lt;b&gt;<mark>pistes</mark>&lt;/b&gt;"
    )
    assert str(highlighted("L'École du centre-ville", french.parse("ecole centre-ville"))) == (
        "L&#39;<mark>École</mark> du <mark>centre</mark>-<mark>ville</mark>"
    )
    assert str(highlighted("Un abri", french.parse("vélo"))) == "Un abri"


def test_an_excerpt_of_a_deliberation_is_its_plain_text(app, create_deliberation):
    from participation.search.services import excerpt

    deliberation = create_deliberation(title="Plan", body="1. Des pistes\n\n* cyclables & sûres")
    shown = str(excerpt(deliberation, french.parse("cyclable")))
    assert shown == "1. Des pistes * <mark>cyclables</mark> &amp; sûres"


@pytest.fixture
def stations(app, create_round, create_proposal):
    """Five proposals about the station; a list counts three at most, two a page."""
    app.config.update(LIST_COUNT_LIMIT=3, PAGE_SIZE=2)
    round_ = create_round()
    for n in range(5):
        create_proposal(round=round_, title=f"Une gare numéro {n}")
    return round_


def test_a_search_counts_its_matches_up_to_the_limit(app, stations):
    from participation.pagination import bounded_page

    query = search_proposals(french.parse("gare"), stations)
    page = bounded_page(query, 1, 2)
    assert (page.total, page.more, page.pages, page.has_next) == (3, True, 2, True)
    last = bounded_page(query, 2, 2)
    assert not last.has_next, "the pages stop at the limit"
    assert len(bounded_page(query, 3, 2).items) == 1, "a page past it is still served"
    app.config["LIST_COUNT_LIMIT"] = 5
    page = bounded_page(query, 1, 2)
    assert (page.total, page.more, page.pages) == (5, False, 3)


def test_the_list_and_the_search_page_say_there_are_more(client, stations):
    listing = f"/rounds/{stations.slug}/proposals/?q=gare"
    text = unescape(client.get(listing).get_data(as_text=True))
    assert "Plus de 3 propositions" in text
    assert "Seules les 3 premières sont listées" in text
    assert 'rel="next"' in text and 'rel="next"' not in client.get(listing + "&page=2").text
    shuffled = unescape(client.get(listing + "&sort=random&seed=3").get_data(as_text=True))
    assert "Plus de 3 propositions" in shuffled, "whatever the order"
    text = unescape(client.get("/search/?q=gare").get_data(as_text=True))
    assert "Plus de 3 propositions trouvées : seules les 3 premières sont listées" in text
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    text = unescape(client.get(listing).get_data(as_text=True))
    assert "More than 3 proposals" in text and "Only the first 3 are listed" in text
    text = unescape(client.get("/search/?q=gare").get_data(as_text=True))
    assert "More than 3 proposals found: only the first 3 are listed" in text
    # Within the limit, the count as before.
    text = client.get(f"/rounds/{stations.slug}/proposals/?q=beffroi").text
    assert "0 proposals" in text and "More than" not in text


def test_every_list_counts_up_to_the_limit(client, stations):
    """Not a search only: a round's whole list, in every order, and a pillar's page."""
    listing = f"/rounds/{stations.slug}/proposals/"
    for sort in ("supports", "newest", "comments", "random"):
        text = unescape(client.get(f"{listing}?sort={sort}&seed=3").get_data(as_text=True))
        assert "Plus de 3 propositions" in text, sort
        assert "cherchez un mot ou choisissez un filtre pour réduire la liste" in text, sort
    assert 'rel="next"' not in client.get(listing + "?page=2").text, "the pages stop there"
    assert "Une gare numéro" in client.get(listing + "?page=3").text, "a page past it is served"
    pillar = stations.pillars[0]
    text = unescape(client.get(f"/pillars/{pillar.slug}").get_data(as_text=True))
    assert "(plus de 3)" in text
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    text = unescape(client.get(listing).get_data(as_text=True))
    assert "More than 3 proposals" in text
    assert "search for a word or choose a filter to narrow the list" in text
    assert "(more than 3)" in unescape(client.get(f"/pillars/{pillar.slug}").get_data(as_text=True))
    # Within the limit, the count as it is.
    client.application.config["LIST_COUNT_LIMIT"] = 5
    assert "5 proposals" in client.get(listing).text
    assert "(5)" in client.get(f"/pillars/{pillar.slug}").text


def test_the_search_pages_read_the_proposals_found_in_their_order(app, stations):
    """The search page picks a page of ids by their rank first, then reads their proposals
    (``proposals_page``): page after page, the proposals of the ranked ids, in that order."""
    from participation.search.services import proposals_page

    wanted = french.parse("gare")
    ranked = list(db.session.scalars(search_proposals(wanted, stations)))
    pages = [proposals_page(wanted, stations, n, 2) for n in (1, 2, 3, 4)]
    shown = [p for page in pages for p in page.items]
    assert len(ranked) > 4 and [p.id for p in shown] == ranked
    assert all(p.round_id == stations.id and "gare" in p.title.lower() for p in shown)


@pytest.fixture
def supported_stations(app, create_round, create_proposal):
    """Five proposals about the station, the later ones more supported: the first matches a
    table gives in no order are not the most supported."""
    round_ = create_round()
    for n in range(5):
        create_proposal(round=round_, title=f"Une gare numéro {n}", support_count=10 * n)
    assert round_.pillars, "the round and its pillars read now, not counted with a page"
    return round_


def _listed(round_, page: int, per_page: int = 2):
    from participation.proposals.services import ProposalFilters, browse_page

    return browse_page(round_, ProposalFilters(search="gare"), page, per_page)


def test_a_search_in_a_list_reads_its_page_and_its_count_in_one_statement(
    app, supported_stations, count_queries
):
    """Within the limit, the statement that reads the page counts every match as it sorts
    them (``pagination.IdsFirstPagination``)."""
    app.config["LIST_COUNT_LIMIT"] = 5
    with count_queries() as counter:
        page = _listed(supported_stations, 1)
    assert counter.count == 1, counter.statements
    assert [p.title for p in page.items] == ["Une gare numéro 4", "Une gare numéro 3"]
    assert (page.total, page.more, page.pages) == (5, False, 3)
    last = _listed(supported_stations, 3)
    assert [p.title for p in last.items] == ["Une gare numéro 0"] and last.total == 5


def test_past_the_limit_a_search_in_a_list_reads_its_page_again_in_its_order(
    app, supported_stations, count_queries
):
    """The matches up to the limit were any, not the most supported: the page is read again
    from all of them."""
    app.config["LIST_COUNT_LIMIT"] = 3
    with count_queries() as counter:
        page = _listed(supported_stations, 1)
    assert counter.count == 2, counter.statements
    assert [p.title for p in page.items] == ["Une gare numéro 4", "Une gare numéro 3"]
    assert (page.total, page.more) == (3, True)


def test_a_search_page_past_the_last_counts_the_matches_alone(
    app, supported_stations, count_queries
):
    app.config["LIST_COUNT_LIMIT"] = 5
    with count_queries() as counter:
        page = _listed(supported_stations, 4)
    assert page.items == [] and (page.total, page.more, page.pages) == (5, False, 3)
    assert counter.count == 2, "no row to count on: the matches counted apart"


def test_a_search_that_finds_nothing_says_so_in_one_statement(
    app, supported_stations, count_queries
):
    from participation.proposals.services import ProposalFilters, browse_page

    with count_queries() as counter:
        page = browse_page(supported_stations, ProposalFilters(search="beffroi"), 1, 2)
    assert page.items == [] and (page.total, page.more, page.pages) == (0, False, 0)
    assert counter.count == 1, counter.statements


def test_the_search_page_counts_every_match_in_the_statement_that_ranks_them(
    app, supported_stations, count_queries
):
    """Its order ranks every match: its one statement gives the right page and counts them
    all, past the limit too."""
    from participation.search.services import proposals_page

    app.config["LIST_COUNT_LIMIT"] = 3
    wanted = french.parse("gare")
    ranked = list(db.session.scalars(search_proposals(wanted, supported_stations)))
    with count_queries() as counter:
        page = proposals_page(wanted, supported_stations, 1, 2)
    read = [s for s in counter.statements if "FROM proposals" in s]
    assert len(read) == 1 and "count(*) OVER ()" in read[0], counter.statements
    assert [p.id for p in page.items] == ranked[:2]
    assert (page.total, page.more) == (3, True)

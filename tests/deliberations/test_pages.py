"""The framework deliberations list and the archived round page, filled by the 2018 import."""

import re
from html import unescape

import pytest

from participation.extensions import db
from participation.history.services import import_smart_days_2018

# Queries the list and round pages may make, whatever the number of deliberations.
LIST_PAGE_QUERIES = 3
ROUND_PAGE_QUERIES = 3


# The pillars in the order of the 2018 brochure, not the order of their positions.
BROCHURE_ORDER = [
    "habitat-environnement",
    "education-emploi",
    "mobilite-transports",
    "alimentation-consommation",
    "loisirs-culture",
    "sante-bien-etre",
    "entraide-solidarite",
]


@pytest.fixture
def imported(app):
    import_smart_days_2018()
    db.session.commit()


def page(client, url: str, language: str = "fr") -> str:
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def numbers(text: str) -> list[int]:
    return [
        int(n) for n in re.findall(r'deliberation-list__number">No\. \d{4}-\d\d-\d\d/(\d+)<', text)
    ]


def group_slugs(text: str) -> list[str]:
    return re.findall(r'<section aria-labelledby="pillar-([a-z-]+)"', text)


def test_list_shows_the_83_deliberations_grouped_by_pillar(client, imported):
    text = page(client, "/deliberations/", "en")

    assert "83 framework deliberations" in text
    # The brochure's order: numbers run from 1 to 83, pillar after pillar as the council voted.
    assert numbers(text) == list(range(1, 84))
    assert group_slugs(text) == BROCHURE_ORDER
    assert "(14 deliberations)" in text and "(15 deliberations)" in text
    assert text.count("Développement d'un service Béthune Sport Community") == 2
    assert "Installations de fermes et de ruches en ville" in text


def test_list_filters_by_pillar(client, imported):
    text = page(client, "/deliberations/?pillar=sante-bien-etre", "en")

    assert "11 framework deliberations" in text
    assert numbers(text) == list(range(59, 70))
    assert group_slugs(text) == ["sante-bien-etre"]
    assert '<option value="sante-bien-etre" selected>Health / Well-being</option>' in text
    assert "Création de parcours de sport-santé" in text
    assert "Installations de fermes et de ruches en ville" not in text


def test_list_with_an_unknown_pillar_is_not_found(client, imported):
    assert client.get("/deliberations/?pillar=urbanisme").status_code == 404


def test_english_list_names_pillars_in_english_and_keeps_titles_french(client, imported):
    text = page(client, "/deliberations/", "en")

    assert '<html lang="en">' in text
    assert ">Housing / Environment</a>" in text
    assert ">Mutual aid / Solidarity</a>" in text
    assert 'lang="fr">Installations de fermes et de ruches en ville</a>' in text

    french = page(client, "/deliberations/", "fr")
    assert ">Entraide / Solidarité</a>" in french
    assert 'lang="fr"' not in french.split("<body>", 1)[1]


def test_archived_round_page_shows_its_deliberations_grouped_by_pillar(client, imported):
    text = page(client, "/rounds/smart-days-2018", "en")

    assert "<h1>Smart Days 2018</h1>" in text
    assert "Closed" in text
    assert "Lors des Smart Days, la grande concertation citoyenne" in text
    assert group_slugs(text) == BROCHURE_ORDER
    assert numbers(text) == list(range(1, 84))
    assert re.search(r'<h3 id="pillar-loisirs-culture">.*Leisure / Culture', text)
    assert "Lancement de concours d'innovation ouvert aux habitants" in text


def test_round_calendar_shows_the_dates_in_paris_time(client, imported):
    text = page(client, "/rounds/smart-days-2018", "fr")

    assert "1 octobre 2018" in text
    assert "21 octobre 2018" in text
    assert "11 décembre 2018" in text


def test_unknown_round_is_not_found(client, imported):
    assert client.get("/rounds/smart-days-2019").status_code == 404


@pytest.fixture
def many_deliberations(create_pillar, create_deliberation):
    """Add deliberations spread over four pillars (pilier-a to pilier-d), in one council session."""
    pillars = [create_pillar(slug=f"pilier-{letter}") for letter in "abcd"]
    made = []

    def add(count: int):
        for _ in range(count):
            made.append(create_deliberation(pillar=pillars[len(made) % len(pillars)]))
        return made

    return add


def test_list_makes_the_same_few_queries_for_4_or_300_deliberations(
    client, many_deliberations, assert_page_queries
):
    many_deliberations(4)
    few = assert_page_queries("/deliberations/", LIST_PAGE_QUERIES)
    filtered = assert_page_queries("/deliberations/?pillar=pilier-b", LIST_PAGE_QUERIES)

    many_deliberations(296)
    assert assert_page_queries("/deliberations/", LIST_PAGE_QUERIES) == few
    assert assert_page_queries("/deliberations/?pillar=pilier-b", LIST_PAGE_QUERIES) == filtered


def test_round_page_makes_the_same_few_queries_for_4_or_300_deliberations(
    client, create_round, many_deliberations, assert_page_queries
):
    round_ = create_round(phase="closed", title="Smart Days")
    made = many_deliberations(4)
    made[0].council_session.round = round_
    db.session.commit()
    url = f"/rounds/{round_.slug}"
    few = assert_page_queries(url, ROUND_PAGE_QUERIES)

    many_deliberations(296)
    assert assert_page_queries(url, ROUND_PAGE_QUERIES) == few


def test_no_two_deliberations_share_a_number(client, imported, create_deliberation, create_pillar):
    """A 2027 "No. 1" beside the 2018 "No. 1": each shows its council's date with its number."""
    from participation.models import Deliberation

    create_deliberation(
        pillar=create_pillar(), number=1, held_on=__import__("datetime").date(2027, 2, 1)
    )
    references = [d.reference for d in db.session.scalars(db.select(Deliberation))]
    assert len(references) == 84 and len(set(references)) == 84
    text = page(client, "/deliberations/", "en")
    shown = re.findall(r'deliberation-list__number">No\. ([^<]+)<', text)
    assert len(shown) == len(set(shown)) == 84
    assert "2027-02-01/1" in shown and "2018-12-11/1" in shown

"""The statistics and open-data pages in a real browser: axe-core (WCAG 2.1 AA) in French and
English, and at phone width without sideways scrolling."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from participation.extensions import db
from participation.models import Comment, PaperSupport, Support, Workshop, utcnow

from .axe import assert_accessible
from .conftest import PHONE
from .test_public_pages import choose_language, no_horizontal_scroll

pytestmark = pytest.mark.browser

PAGES = ["statistics", "open-data"]


@pytest.fixture
def round_url(
    app,
    create_user,
    create_pillar,
    create_neighbourhood,
    create_round,
    create_proposal,
    create_deliberation,
):
    """A round with long French names, figures in every chart, and its two pages' addresses."""
    food = create_pillar(
        "Alimentation / Consommation", name_en="Food / Consumption", slug="alimentation"
    )
    mobility = create_pillar("Mobilité / Transports", name_en="Mobility / Transport")
    place = create_neighbourhood("Quartier du Mont-Liébaut et de la Gare")
    round_ = create_round("Béthune à 2032", pillars=[food, mobility])
    now = utcnow()
    workshop = Workshop(
        round=round_,
        title="Atelier",
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(days=9, hours=-2),
        place="Salle",
        attendance=12,
    )
    db.session.add(workshop)
    people = [create_user() for _ in range(3)]
    for n in range(6):
        proposal = create_proposal(
            round_,
            author=people[n % 3],
            pillar=food if n % 2 else mobility,
            neighbourhood=place if n % 3 else None,
            created_at=now - timedelta(weeks=n),
        )
        for person in people[: n % 3 + 1]:
            db.session.add(Support(proposal_id=proposal.id, user_id=person.id, round_id=round_.id))
            proposal.support_count += 1
        db.session.add(Comment(proposal=proposal, author=people[0], body="Oui", body_html="Oui"))
        db.session.add(PaperSupport(workshop=workshop, proposal=proposal, count=n, sheet_count=n))
        proposal.comment_count, proposal.paper_support_count = 1, n
    deliberation = create_deliberation(
        food, number=1, masterplan_status="in_progress", held_on=date(2033, 1, 15)
    )
    deliberation.council_session.round = round_
    db.session.commit()
    return lambda name: f"/rounds/{round_.slug}/{name}"


@pytest.mark.parametrize("name", PAGES)
def test_page_in_french_passes_axe(page, round_url, name):
    assert page.goto(round_url(name)).status == 200
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_accessible(page)


@pytest.mark.parametrize("name", PAGES)
def test_page_in_english_passes_axe(page, round_url, name):
    page.goto(round_url(name))
    choose_language(page, "en")
    assert page.goto(round_url(name)).status == 200
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_page_at_phone_width_fits_and_passes_axe(open_page, round_url, name, language):
    page = open_page(viewport=PHONE)
    page.goto(round_url(name))
    if language == "en":
        choose_language(page, "en")
    assert page.goto(round_url(name)).status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    no_horizontal_scroll(page)
    assert_accessible(page)


def test_statistics_and_open_data_pages_link_to_each_other(open_page, live_server, round_url):
    page = open_page(locale="en-GB")
    page.goto(round_url("statistics"))
    page.get_by_role("main").get_by_role("link", name="Download these data").click()
    expect(page).to_have_url(live_server.url + round_url("open-data"))
    page.get_by_role("main").get_by_role("link", name="See the statistics").click()
    expect(page).to_have_url(live_server.url + round_url("statistics"))
    expect(
        page.get_by_role("img", name="Proposals, supports and comments by pillar")
    ).to_be_visible()

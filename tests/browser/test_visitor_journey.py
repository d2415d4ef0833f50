"""A visitor's journey in a real browser, in French at 1280 px and at 375 px, every page checked by
axe-core (WCAG 2.1 AA) and for sideways scrolling: from the home page to a pillar, the open
round's proposals filtered by pillar, a proposal; then the council's framework deliberations
grouped by session, one of them, the masterplan and one of its actions, the statistics; and a
search from the home page that finds a proposal and a deliberation whatever the accents.

Elements are found by id, name, href or role, not by text, except for the French words the
journey is about.
"""

import re

import pytest
from playwright.sync_api import expect

from participation.extensions import db
from participation.models import Deliberation, Proposal

from .conftest import PHONE, WIDTHS, by_menu, checked

pytestmark = pytest.mark.browser


@WIDTHS
def test_visitor_finds_proposals_deliberations_and_what_was_done(open_page, site, viewport):
    page = open_page(viewport=viewport)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    checked(page)

    # A pillar, from its card on the home page.
    pillars = page.locator("section[aria-labelledby=pillars-title] h3 a")
    expect(pillars).to_have_count(7)
    pillars.first.click()
    expect(page).to_have_url(re.compile(r"/pillars/[\w-]+$"))
    checked(page)

    # The open round's proposals, from the menu, filtered by pillar (behind one control on
    # phones).
    by_menu(page, "/rounds/")
    checked(page)
    page.locator("main a[href='/rounds/bethune-a-2032']").first.click()
    checked(page)
    page.locator("main a[href='/rounds/bethune-a-2032/proposals/']").first.click()
    checked(page)
    fold = page.locator(".filters-fold > summary")
    if viewport is PHONE:
        fold.click()
    page.locator("#f-pillar").select_option(label="Mobilité / Transports")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"pillar=\d+"))
    cards = page.locator(".proposal-card")
    expect(cards.first).to_be_visible()
    for pillar in cards.locator(".proposal-card__meta .badge:first-child").all_inner_texts():
        assert "Mobilité" in pillar, pillar
    checked(page)
    title = cards.first.locator("h2 a, h3 a").first
    wanted = title.inner_text()
    title.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(wanted)
    checked(page)

    # The council's deliberations, one section per council session, 2018's among them.
    by_menu(page, "/deliberations/")
    sessions = page.locator("section.council-session")
    expect(sessions.first).to_be_visible()
    expect(sessions.first.get_by_role("heading", level=2)).to_contain_text("Conseil")
    expect(page.locator("main")).to_contain_text("11 décembre 2018")
    checked(page)
    first = page.locator("section.council-session a[href^='/deliberations/']").first
    first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    checked(page)

    # The masterplan and one of its actions.
    by_menu(page, "/masterplan/")
    checked(page)
    page.locator("main a[href^='/masterplan/actions/']").first.click()
    expect(page).to_have_url(re.compile(r"/masterplan/actions/\d+$"))
    checked(page)

    # The statistics.
    by_menu(page, "/statistics")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    checked(page)

    # A search from the home page, without the accents, finds a proposal and a deliberation.
    page.goto("/")
    proposal = db.session.scalar(
        db.select(Proposal).where(Proposal.title.contains("vélo")).order_by(Proposal.id)
    )
    deliberation = db.session.scalar(db.select(Deliberation).order_by(Deliberation.id))
    assert proposal is not None
    page.locator("#home-q").fill("velo")
    page.locator("form.hero-search button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=velo"))
    found = page.locator("section[aria-labelledby=found-proposals]")
    expect(found.get_by_role("link", name=proposal.title)).to_be_visible()
    checked(page)
    word = deliberation.title.split()[-1]
    page.locator("#search-q").fill(word)
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(deliberation.title)
    checked(page)

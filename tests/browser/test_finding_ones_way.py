"""Finding one's way, in French, at 1280 px and at 375 px, every page checked by axe-core: the
home page's pillars and figures, the main menu that folds on phones without script, the
moderator's menu on one row, the proposal filters folded on phones."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import Action, Pillar, Role

from .axe import assert_accessible
from .conftest import DESKTOP, PHONE, fits, signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_home_shows_the_pillars_with_their_icons_and_the_figures(open_page, site, viewport):
    page = open_page(viewport=viewport)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    cards = page.locator(".pillar-card")
    expect(cards).to_have_count(7)
    # Every icon is served and drawn.
    loaded = page.locator(".pillar-card__icon").evaluate_all(
        "icons => icons.map(i => i.complete && i.naturalWidth > 0)"
    )
    assert loaded == [True] * 7
    expect(cards.first).to_contain_text("Habitat / Environnement")
    # The 14 deliberations of 2018 lead to the city's actions, beside the sample partners' ones.
    habitat = db.session.scalar(select(Pillar).order_by(Pillar.position, Pillar.id))
    actions = db.session.scalar(
        select(func.count(Action.id)).where(Action.pillar_id == habitat.id, Action.is_published)
    )
    assert actions >= 14
    expect(cards.first.locator("progress")).to_have_attribute("max", str(actions))
    expect(page.locator(".key-figures li")).to_have_count(4)
    expect(page.locator(".key-figures")).to_contain_text("83")
    fits(page)
    assert_accessible(page)


def test_the_menu_folds_on_a_phone_and_opens_without_script(open_page, site):
    page = open_page(viewport=PHONE, java_script_enabled=False)
    page.goto("/")
    menu = page.get_by_role("navigation", name="Menu principal")
    masterplan = menu.get_by_role("link", name="Plan d’actions")
    expect(masterplan).to_be_hidden()
    # Folded, the menu takes one row.
    assert menu.bounding_box()["height"] < 60
    menu.locator("summary").click()
    expect(masterplan).to_be_visible()
    masterplan.click()
    expect(page).to_have_url(re.compile(r"/masterplan/$"))


def test_the_menu_leads_to_the_statistics_and_the_masterplan(page, site):
    page.goto("/")
    menu = page.get_by_role("navigation", name="Menu principal")
    expect(menu.locator("summary")).to_be_hidden()
    menu.get_by_role("link", name="Statistiques").click()
    expect(page).to_have_url(re.compile(r"/rounds/bethune-a-2032/statistics$"))
    expect(menu.get_by_role("link", name="Statistiques")).to_have_attribute("aria-current", "page")
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_an_administrators_menu(open_page, app, live_server, create_user, site, viewport):
    page = open_page(viewport=viewport)
    admin = create_user(Role.ADMIN, display_name="Élise")
    signed_in(page, app, live_server, admin)
    page.goto("/moderation/")
    menu = page.get_by_role("navigation", name="Menu principal")
    if viewport is DESKTOP:
        # The whole menu on one row, the account's links up in the header.
        tops = menu.locator(".site-nav__main > li").evaluate_all(
            "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
        )
        assert len(set(tops)) == 1, tops
        expect(menu.get_by_role("link", name="Mon compte")).to_be_visible()
    else:
        expect(menu.get_by_role("link", name="Modération")).to_be_hidden()
        menu.locator("summary").click()
        expect(menu.get_by_role("link", name="Modération")).to_be_visible()
        expect(menu.get_by_role("link", name="Mon compte")).to_be_visible()
    fits(page)
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_proposal_filters_fold_on_a_phone(open_page, site, viewport):
    page = open_page(viewport=viewport)
    page.goto("/rounds/bethune-a-2032/proposals/")
    pillar = page.locator("#f-pillar")
    fold = page.locator(".filters-fold > summary")
    if viewport is DESKTOP:
        expect(fold).to_be_hidden()
        expect(pillar).to_be_visible()
    else:
        expect(pillar).to_be_hidden()
        # The first result shows on the first screen.
        first = page.locator(".proposal-card").first
        assert first.bounding_box()["y"] < PHONE["height"]
        fold.click()
        expect(pillar).to_be_visible()
        pillar.select_option(label="Mobilité / Transports")
        page.locator("form.filters button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"pillar=\d+"))
        # Filters in use: the form stays open and says how many.
        expect(page.locator("#f-pillar")).to_be_visible()
        expect(fold).to_contain_text("1 utilisé")
    fits(page)
    assert_accessible(page)

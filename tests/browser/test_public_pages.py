"""The public pages in a real browser: axe-core (WCAG 2.1 AA) in French and English, at desktop
and phone width, the language choice, and the keyboard."""

import pytest
from flask import url_for
from playwright.sync_api import expect

from participation.extensions import db

from .axe import assert_accessible

pytestmark = pytest.mark.browser

PAGES = [
    "home",
    "pillars",
    "pillar",
    "deliberations",
    "open round",
    "archived round",
    "privacy",
    "accessibility",
    "404",
]


@pytest.fixture
def urls(app, create_pillar, create_round, create_deliberation):
    """Enough of the real site to fill every public page (French content, long words), and the
    address of each page in ``PAGES``."""
    mobility = create_pillar(
        "Mobilité / Transports",
        name_en="Mobility / Transport",
        slug="mobilite-transports",
        position=2,
        context="46 % des déplacements domicile-travail font moins de 3 km\n"
        "Une gare TER et TGV au cœur de l'agglomération",
        objectives="Développer les mobilités douces et les liaisons interquartiers\n"
        "Faciliter le stationnement intelligent en centre-ville",
    )
    habitat = create_pillar(
        "Habitat / Environnement", name_en="Housing / Environment", slug="habitat", position=1
    )
    open_round = create_round(
        "Béthune à 2032",
        phase="collecting",
        pillars=[habitat, mobility],
        is_sample=True,
        summary="Contenu d'exemple. Proposez vos idées pour la ville de demain.",
        description="Contenu d'exemple : ce n'est pas une consultation réelle.\n\n"
        "Proposez vos idées dans l'un des sept piliers.",
    )
    archived = create_round(
        "Smart Days 2018",
        phase="closed",
        summary="Trois semaines d'ateliers et de réunions publiques en octobre 2018.",
    )
    first = create_deliberation(
        mobility,
        number=12,
        title="Expérimenter des navettes électriques autonomes entre la gare et les "
        "quartiers périphériques, avec une billettique interopérable",
        masterplan_status="in_progress",
    )
    create_deliberation(
        habitat, number=3, title="Végétaliser les cours d'école", masterplan_status="done"
    )
    first.council_session.round = archived
    db.session.commit()
    with app.test_request_context():
        return {
            "home": url_for("main.home"),
            "pillars": url_for("pillars.index"),
            "pillar": url_for("pillars.show", slug=mobility.slug),
            "deliberations": url_for("deliberations.index"),
            "open round": url_for("rounds.show", slug=open_round.slug),
            "archived round": url_for("rounds.show", slug=archived.slug),
            "privacy": url_for("main.privacy"),
            "accessibility": url_for("main.accessibility"),
            "404": "/cette-page-n-existe-pas",
        }


def visit(page, urls, name: str):
    response = page.goto(urls[name])
    assert response.status == (404 if name == "404" else 200), page.url
    return response


def choose_language(page, language: str) -> None:
    """Click the language button in the header, as a visitor would."""
    label = {"en": "English", "fr": "Français"}[language]
    page.get_by_role("banner").get_by_role("button", name=label).click()
    # The form posts, then redirects back: wait for that page, in the chosen language.
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.wait_for_load_state()


def no_horizontal_scroll(page) -> None:
    sizes = page.evaluate(
        """() => {
            const root = document.scrollingElement;
            const wider = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > root.clientWidth + 0.5)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
            return {scroll: root.scrollWidth, client: root.clientWidth, wider: wider.slice(0, 10)};
        }"""
    )
    assert sizes["scroll"] <= sizes["client"], f"{page.url} scrolls sideways: {sizes}"


@pytest.mark.parametrize("name", PAGES)
def test_page_in_french_passes_axe(page, urls, name):
    visit(page, urls, name)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_accessible(page)


@pytest.mark.parametrize("name", PAGES)
def test_page_in_english_passes_axe(page, urls, name):
    visit(page, urls, "home")
    choose_language(page, "en")
    visit(page, urls, name)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_page_at_phone_width_fits_and_passes_axe(phone_page, urls, name, language):
    page = phone_page
    if language == "en":
        visit(page, urls, "home")
        choose_language(page, "en")
    visit(page, urls, name)
    expect(page.locator("html")).to_have_attribute("lang", language)
    no_horizontal_scroll(page)
    assert_accessible(page)


def test_language_choice_sticks_across_pages(page, urls):
    visit(page, urls, "pillar")
    choose_language(page, "en")
    # Back on the same page, now in English.
    expect(page).to_have_url(urls["pillar"])
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobility / Transport")

    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Framework deliberations"
    ).click()
    expect(page).to_have_url(urls["deliberations"])
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("contentinfo").get_by_role("link", name="Personal data").click()
    expect(page).to_have_url(urls["privacy"])
    expect(page.locator("html")).to_have_attribute("lang", "en")

    choose_language(page, "fr")
    visit(page, urls, "home")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("banner").get_by_role("button", name="English")).to_be_visible()


def test_english_browser_without_a_choice_gets_english(open_page, urls):
    page = open_page(locale="en-GB")
    visit(page, urls, "home")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Imagine Béthune with us")


def test_first_tab_reaches_skip_link_which_moves_focus_to_main(page, urls):
    visit(page, urls, "home")
    page.keyboard.press("Tab")
    skip_link = page.locator(".skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab continues inside the content, past the header's links.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


def test_keyboard_focus_is_always_visible(page, urls):
    visit(page, urls, "home")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const e = document.activeElement;
                if (e === document.body || e.dataset.reached) return null;
                e.dataset.reached = 'yes';
                const style = getComputedStyle(e);
                return {
                    element: e.tagName.toLowerCase() + ' ' + e.textContent.trim().slice(0, 40),
                    outline: style.outlineStyle,
                    width: parseFloat(style.outlineWidth),
                };
            }"""
        )
        if focused is None:  # back to the start: every stop has been checked
            break
        reached.append(focused["element"])
        assert focused["outline"] != "none" and focused["width"] >= 2, focused
    # The header's links and button, the content's links and the footer's were all reached.
    assert len(reached) >= 10, reached


def test_axe_check_reports_violations(page):
    page.set_content('<html lang="fr"><title>Essai</title><main><img src="x.png"></main></html>')
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)[\s\S]*at img"):
        assert_accessible(page)

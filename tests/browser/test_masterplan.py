"""The masterplan in a real browser: every new page passes axe-core (WCAG 2.1 AA) in French and
in English, at desktop and phone width (rows as cards, nothing scrolls sideways), for visitors,
a partner and a moderator."""

from datetime import date

import pytest
from flask import url_for

from participation.extensions import db
from participation.masterplan import tracking

from .axe import assert_accessible
from .conftest import DESKTOP, PHONE, fits, signed_in

pytestmark = pytest.mark.browser

PUBLIC = ["masterplan", "print", "action", "partner action", "carriers", "carrier"]
PARTNER = ["propose", "waiting action"]
MODERATOR = ["action", "review", "waiting", "new carrier", "edit carrier", "carrier"]


@pytest.fixture
def world(app, create_pillar, create_deliberation, create_action, create_carrier, create_user):
    mobility = create_pillar(
        "Mobilité / Transports", name_en="Mobility / Transport", slug="mobilite", position=2
    )
    habitat = create_pillar(
        "Habitat / Environnement", name_en="Housing / Environment", slug="habitat", position=1
    )
    deliberation = create_deliberation(
        mobility,
        number=12,
        title="Expérimenter des navettes électriques autonomes entre la gare et les quartiers "
        "périphériques, avec une billettique interopérable",
        masterplan_status="in_progress",
    )
    partner = create_user(email="partenaire@example.org")
    moderator = create_user(role="moderator", email="modo@example.org")
    garden = create_carrier(
        "Association Les Jardins d'Émile",
        kind="association",
        partners=[partner],
        description="Jardins partagés du quartier du Mont-Liébaut.",
        website="https://jardins.example",
    )
    compost = create_action(
        carrier=garden, pillar=habitat, title="Composteurs partagés", status="done", percent=100
    )
    waiting = create_action(
        carrier=garden, pillar=habitat, title="Une grainothèque de quartier", review="proposed"
    )
    tracking.add_progress_note(compost, moderator, date(2026, 5, 3), "Inaugurés en mai")
    db.session.commit()
    with app.test_request_context():
        urls = {
            "masterplan": url_for("masterplan.index"),
            "print": url_for("masterplan.printable"),
            "action": url_for("masterplan.show", action_id=deliberation.action.id),
            "partner action": url_for("masterplan.show", action_id=compost.id),
            "carriers": url_for("masterplan.carrier_directory"),
            "carrier": url_for("masterplan.carrier", carrier_slug=garden.slug),
            "propose": url_for("masterplan.new_action", carrier_slug=garden.slug),
            "waiting action": url_for("masterplan.show", action_id=waiting.id),
            "review": url_for("masterplan.review", action_id=waiting.id),
            "waiting": url_for("masterplan.waiting"),
            "new carrier": url_for("masterplan.new_carrier"),
            "edit carrier": url_for("masterplan.edit_carrier", carrier_slug=garden.slug),
        }
    return {"urls": urls, "partner": partner, "moderator": moderator}


def check(page, url: str, language: str, phone: bool) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert page.locator("html").get_attribute("lang") == language
    if phone:
        fits(page)
    assert_accessible(page)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_public_pages_pass_axe(open_page, world, language, phone):
    page = open_page(
        viewport=PHONE if phone else DESKTOP,
        locale="fr-FR" if language == "fr" else "en-GB",
    )
    for name in PUBLIC:
        check(page, world["urls"][name], language, phone)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_partner_and_moderator_pages_pass_axe(open_page, app, live_server, world, language):
    locale = "fr-FR" if language == "fr" else "en-GB"
    page = open_page(locale=locale)
    signed_in(page, app, live_server, world["partner"])
    for name in PARTNER:
        check(page, world["urls"][name], language, phone=False)
    page = open_page(locale=locale)
    signed_in(page, app, live_server, world["moderator"])
    for name in MODERATOR:
        check(page, world["urls"][name], language, phone=False)


def test_the_status_column_is_not_cropped_on_phones(open_page, world):
    page = open_page(viewport=PHONE)
    page.goto(world["urls"]["masterplan"])
    badge = page.locator(".masterplan--cards .badge").first
    box = badge.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

"""Two journeys in a real browser, every page checked by axe-core (WCAG 2.1 AA): a moderator
writes an answer template, then puts a proposal under study starting from it (the template fills
the answer, which stays editable); a resident follows a proposal, sees the unread count in the
header, reads their notifications and marks them read, in French and English, at 1280 and 375
px.

Elements are found by id, name, href or role, not by text (the French catalogue still changes).
"""

import re

import pytest
from playwright.sync_api import expect

from participation.extensions import db
from participation.models import Proposal, ProposalStatus, User
from participation.moderation import services as moderation

from .axe import assert_accessible
from .conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

TEMPLATE = "Les services de la ville étudient la faisabilité et le coût de cette proposition."


def public_path(proposal) -> str:
    return f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"


def test_moderator_puts_a_proposal_under_study_from_a_template(
    app, page, create_user, create_proposal
):
    proposal = create_proposal(title="Une navette électrique vers la gare")
    create_user(role="moderator", email="modo@example.org")
    sign_in(page, "modo@example.org")

    # The moderation home leads to the templates, promotion, sessions and the masterplan.
    page.goto("/moderation/")
    for href in (
        "/deliberations/promote",
        "/deliberations/sessions/new",
        "/deliberations/masterplan",
    ):
        expect(page.locator(f"main a[href='{href}']")).to_be_visible()
    page.locator("main a[href='/moderation/answers']").click()
    expect(page).to_have_url(re.compile(r"/moderation/answers$"))
    assert_accessible(page)
    page.locator("#title").fill("Étude de faisabilité")
    page.locator("#language").select_option("fr")
    page.locator("#body").fill(TEMPLATE)
    page.locator("main form[action='/moderation/answers'] button[type=submit]").click()
    expect(page.locator(".flash--success")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/moderation/proposals/{proposal.id}")
    page.wait_for_load_state()  # answers.js (deferred) has run
    # No decision is chosen in advance; with JavaScript the "use" button is not needed.
    expect(page.locator("#decision-target")).to_have_value("")
    expect(page.locator("[data-answer-use]")).to_be_hidden()
    page.locator("#decision-answer").select_option(index=1)
    expect(page.locator("#decision-reason")).to_have_value(TEMPLATE)
    expect(page.locator("[data-answer-status]")).not_to_be_empty()
    assert_accessible(page)
    # Recording without a decision is refused, and what was typed stays.
    page.locator("#decision-reason").fill(TEMPLATE + " Réponse attendue en mars.")
    page.locator("form[action$='/decide'] button.button:not([name])").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#decision-reason")).to_have_value(TEMPLATE + " Réponse attendue en mars.")
    assert_accessible(page)
    page.locator("#decision-target").select_option("under_study")
    page.locator("form[action$='/decide'] button.button:not([name])").click()
    expect(page.locator(".flash--success")).to_be_visible()
    with app.app_context():
        assert db.session.get(Proposal, proposal.id).status == "under_study"

    page.goto(public_path(proposal))
    expect(page.locator("#answer")).to_contain_text("Réponse attendue en mars.")
    assert_accessible(page)


@pytest.mark.parametrize(("viewport", "locale"), [(DESKTOP, "fr-FR"), (PHONE, "en-GB")])
def test_resident_follows_and_reads_notifications(
    app, open_page, create_user, create_proposal, viewport, locale
):
    proposal = create_proposal(title="Des jardins partagés au Mont-Liébaut")
    create_user(email="lea@example.org", display_name="Léa")
    moderator = create_user(role="moderator")
    page = open_page(viewport=viewport, locale=locale)
    sign_in(page, "lea@example.org")

    page.goto(public_path(proposal))
    page.locator(f"form[action='{public_path(proposal)}/follow'] button").click()
    expect(page.locator(".flash--success")).to_be_visible()
    expect(page.locator(f"form[action='{public_path(proposal)}/unfollow']")).to_be_visible()
    assert_accessible(page)

    with app.app_context():
        moderation.decide(
            db.session.get(Proposal, proposal.id),
            db.session.get(User, moderator.id),
            ProposalStatus.UNDER_STUDY,
            "Le terrain appartient au bailleur : la ville le consulte.",
        )
        db.session.commit()

    page.goto("/")
    fold = page.locator("header nav summary")
    if fold.is_visible():
        # On a phone the folded menu shows the count; the link is inside.
        expect(fold.locator(".count-badge")).to_have_text(re.compile(r"^1\b"))
        fold.click()
    link = page.locator("header a[href='/notifications']")
    expect(link.locator(".count-badge")).to_have_text(re.compile(r"^1\b"))
    link.click()
    expect(page).to_have_url(re.compile(r"/notifications$"))
    item = page.locator("main .notification-list li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("la ville le consulte")
    expect(item.locator(f"a[href='{public_path(proposal)}']")).to_be_visible()
    assert_accessible(page)
    page.locator("main form[action='/notifications/read'] button").first.click()
    expect(page.locator(".flash--success")).to_be_visible()
    expect(page.locator("header .count-badge")).to_have_count(0)
    assert_accessible(page)

    page.goto("/account#notifications")
    expect(page.locator("#notifications")).to_be_visible()
    page.locator("input[name='mail-answer'][value='digest']").check()
    page.locator("form[action='/notifications/preferences'] button[type=submit]").click()
    expect(page.locator(".flash--success")).to_be_visible()
    expect(page.locator("input[name='mail-answer'][value='digest']")).to_be_checked()
    assert_accessible(page)

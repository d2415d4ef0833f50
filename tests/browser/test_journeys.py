"""The main journeys in a real browser, in French, each page checked by axe-core (WCAG 2.1 AA):
a resident signs up, proposes, is shown a similar proposal, supports it, comments and replies;
a moderator triages; the account pages in both languages and at phone width."""

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from playwright.sync_api import expect

from participation.extensions import db
from participation.models import Proposal, Report
from participation.outbox import deliver_due
from tests.conftest import TEST_PASSWORD

from .axe import assert_accessible
from .conftest import PHONE, sign_in

pytestmark = pytest.mark.browser


def last_link(app) -> str:
    with app.app_context():
        deliver_due()
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    newest = sorted(outbox.glob("*.eml"))[-1]
    message = BytesParser(policy=policy.default).parsebytes(newest.read_bytes())
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


@pytest.fixture
def open_round(create_round, create_pillar, create_proposal):
    pillar = create_pillar("Mobilité / Transports", name_en="Mobility / Transport", slug="mobilite")
    round_ = create_round(title="Béthune à 2032", pillars=[pillar])
    existing = create_proposal(
        round=round_, pillar=pillar, title="Abris à vélos sécurisés près de la gare"
    )
    return round_, existing


def test_resident_signs_up_proposes_supports_comments_and_replies(app, page, open_round):
    round_, existing = open_round
    page.goto("/sign-up")
    assert_accessible(page)
    page.fill("#email", "lea@example.org")
    page.fill("#display_name", "Léa")
    page.fill("#password", TEST_PASSWORD)
    page.fill("#password_confirm", TEST_PASSWORD)
    page.locator("main form.stack button[type=submit]:not([name=preview])").click()
    expect(page.locator("h1")).to_contain_text("Vérifiez votre boîte")
    assert_accessible(page)

    page.goto(last_link(app))
    expect(page.locator(".flash--success")).to_be_visible()
    sign_in(page, "lea@example.org")

    page.goto(f"/rounds/{round_.slug}/proposals/")
    assert_accessible(page)
    page.goto(f"/rounds/{round_.slug}/proposals/new")
    assert_accessible(page)
    page.fill("#title", "Des abris vélos près de la gare")
    page.select_option("#pillar_id", label="Mobilité / Transports")
    page.fill(
        "#body", "Installer des abris sécurisés pour les vélos des voyageurs, près des quais."
    )
    page.locator("main form.stack button[type=submit]:not([name=preview])").click()

    # The check step shows the similar proposal: Léa supports it instead of proposing hers.
    similar = page.locator("section.similar")
    expect(similar).to_contain_text(existing.title)
    assert_accessible(page)
    similar.locator("button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_text(existing.title)
    expect(page.locator("[data-online-count]")).to_contain_text("1 soutien")
    assert_accessible(page)

    page.fill("form.comment-form textarea", "Oui, et avec des arceaux pour les vélos cargo.")
    page.locator("form.comment-form button[type=submit]").click()
    comment = page.locator("article.comment").filter(has_text="vélos cargo")
    expect(comment).to_be_visible()
    page.wait_for_load_state()  # reply.js (deferred) has run: "Reply" opens the form here
    comment.locator("a[data-reply-to]").click()
    comment.locator("form.comment-reply textarea").fill("Je précise : à l'abri de la pluie.")
    comment.locator("form.comment-reply button[type=submit]").click()
    reply = page.locator(".comment-list--replies article.comment--reply")
    expect(reply).to_contain_text("à l'abri de la pluie")
    assert_accessible(page)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 1


def test_support_updates_in_place_with_javascript_at_phone_width(
    open_page, open_round, create_user
):
    round_, existing = open_round
    create_user(email="karim@example.org")
    page = open_page(viewport=PHONE)
    sign_in(page, "karim@example.org")
    url = f"/rounds/{round_.slug}/proposals/{existing.number}"
    page.goto(url)
    assert_accessible(page)
    before = page.url
    page.locator("form.js-support button").click()
    expect(page.locator("[data-online-count]")).to_contain_text("1 soutien")
    expect(page.locator("form.js-support button")).to_contain_text("Retirer")
    assert page.url == before  # no navigation: updated in place
    width = page.evaluate(
        "document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
    )
    assert width


def test_support_pressed_after_the_session_ended_leads_to_sign_in_and_back(
    app, open_page, open_round, create_user
):
    """The script is answered 401, not a redirect: it lets the form go as without JavaScript."""
    from participation.accounts import sessions

    round_, existing = open_round
    karim = create_user(email="karim@example.org")
    page = open_page()
    sign_in(page, "karim@example.org")
    url = f"/rounds/{round_.slug}/proposals/{existing.number}"
    page.goto(url)
    with app.app_context():  # the session ends (on another device) while the page is open
        sessions.end_all(db.session.merge(karim))
        db.session.commit()
    page.locator("form.js-support button").click()
    page.wait_for_url(re.compile(r"/sign-in\?next="))
    expect(page.locator(".flash--info")).to_contain_text("Veuillez vous connecter")
    page.locator("#email").fill("karim@example.org")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(f"**{url}")
    expect(page.locator("form.js-support button")).to_contain_text("Soutenir")


def test_moderator_publishes_hides_and_answers(
    app, page, create_user, create_round, create_pillar, create_proposal
):
    pillar = create_pillar("Loisirs / Culture", slug="loisirs")
    round_ = create_round(pillars=[pillar], premoderation=True)
    waiting = create_proposal(round=round_, status="submitted", title="Un festival de quartier")
    reported = create_proposal(round=round_, title="Un texte insultant")
    answered = create_proposal(round=round_, title="Un téléphérique")
    db.session.add(
        Report(reporter_id=create_user().id, proposal_id=reported.id, reason="Propos injurieux")
    )
    db.session.commit()
    create_user(role="moderator", email="modo@example.org")
    sign_in(page, "modo@example.org")

    page.goto("/moderation/")
    assert_accessible(page)
    # Publish with the keyboard: Space ticks the box, Enter presses the button.
    page.locator(f"#select-pub-{waiting.id}").focus()
    page.keyboard.press("Space")
    expect(page.locator(f"#select-pub-{waiting.id}")).to_be_checked()
    page.locator("#publication button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash--success")).to_be_visible()
    with app.app_context():
        assert db.session.get(Proposal, waiting.id).status == "published"

    page.goto(f"/moderation/proposals/{reported.id}")
    assert_accessible(page)
    page.fill("#hide-reason", "Propos injurieux envers un élu")
    page.locator("#hide button[type=submit]").click()
    expect(page.locator(".flash--success")).to_be_visible()

    page.goto(f"/moderation/proposals/{answered.id}")
    page.select_option("#decision-target", "not_retained")
    page.fill("#decision-reason", "Hors des compétences de la ville.")
    page.locator("form[action$='/decide'] button[type=submit]").click()
    expect(page.locator(".flash--success")).to_be_visible()
    page.goto(f"/rounds/{round_.slug}/proposals/{answered.number}")
    expect(page.locator(".trail")).to_contain_text("Hors des compétences de la ville.")
    assert_accessible(page)


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_account_pages_pass_axe(app, open_page, create_user, locale):
    create_user(email="paul@example.org")
    page = open_page(locale=locale)
    for path in ("/sign-in", "/sign-up", "/password/forgotten", "/confirm/again"):
        page.goto(path)
        assert_accessible(page)
    # Error states: the summary lists the problems, fields keep what was typed.
    page.goto("/sign-up")
    page.fill("#display_name", "P")
    page.locator("main form.stack button[type=submit]:not([name=preview])").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#display_name")).to_have_value("P")
    assert_accessible(page)
    page.goto("/password/forgotten")
    page.fill("#email", "paul@example.org")
    page.locator("main form.stack button[type=submit]:not([name=preview])").click()
    page.goto(last_link(app))
    assert_accessible(page)
    sign_in(page, "paul@example.org")
    page.goto("/account")
    assert_accessible(page)
    page.goto("/me")
    assert_accessible(page)


def test_account_page_at_phone_width(open_page, create_user):
    create_user(email="zoe@example.org")
    page = open_page(viewport=PHONE)
    sign_in(page, "zoe@example.org")
    page.goto("/account")
    assert_accessible(page)
    assert page.evaluate(
        "document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
    )


def test_sign_up_with_the_keyboard_alone(page):
    page.goto("/sign-up")
    page.keyboard.press("Tab")  # skip link
    page.locator("#email").focus()
    page.keyboard.type("clavier@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Clavier")
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Vérifiez votre boîte")

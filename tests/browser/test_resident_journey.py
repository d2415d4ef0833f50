"""A resident's journey in a real browser, in French, every page checked by axe-core (WCAG 2.1 AA):
sign up, confirm through the mailed link, sign in, go to the open round's proposals, submit a
proposal that resembles an existing one, be shown the similar proposals, support the existing one
instead (in place, with JavaScript), comment on it and reply to the comment; at 1280 px and at 375 px. Then support from the similar
list without JavaScript.

The French catalogue still changes: elements are found by id, name, href or role, not by text.
"""

import re
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from participation.extensions import db
from participation.models import Comment, Proposal
from participation.proposals.errors import SupportCapReached
from tests.conftest import TEST_PASSWORD

from .axe import assert_accessible
from .conftest import WIDTHS, checked, sign_in

pytestmark = pytest.mark.browser

EXISTING_TITLE = "Abris à vélos sécurisés près de la gare"
RESEMBLING_TITLE = "Des abris pour les vélos à la gare"


@pytest.fixture
def open_round(create_round, create_pillar, create_proposal, create_user):
    """The open round, its proposal on bicycle shelters, and an unrelated one."""
    mobility = create_pillar("Mobilité / Transports", name_en="Mobility / Transport")
    culture = create_pillar("Loisirs / Culture", name_en="Leisure / Culture")
    round_ = create_round("Béthune à 2032", pillars=[mobility, culture])
    author = create_user(display_name="Nadia")
    existing = create_proposal(round=round_, pillar=mobility, author=author, title=EXISTING_TITLE)
    create_proposal(
        round=round_, pillar=culture, author=author, title="Un festival de musique au beffroi"
    )
    return round_, existing


def mailed_link(outbox, to: str) -> str:
    """The path of the link in the newest message sent to ``to``."""
    message = [m for m in outbox() if m["To"] == to][-1]
    body = message.get_body(preferencelist=("plain",)).get_content()
    return urlsplit(re.search(r"https?://\S+", body).group()).path


def submit(form) -> None:
    """Press the form's main button (not the proposal form's Preview)."""
    form.locator("button[type=submit]:not([name=preview])").click()


def proposal_path(proposal) -> str:
    return f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"


def support_in_place(page) -> None:
    """Press the support button: the count and the button change, the page stays the same."""
    page.wait_for_load_state()  # support.js (deferred) has run
    counts = page.locator("#support [data-online-count]")
    before = counts.inner_text()
    assert re.search(r"\b0\b", before), before
    # A full page load would lose this mark.
    page.evaluate("() => { window.stillTheSamePage = true; }")
    url = page.url
    page.locator("#support form.js-support button").click()
    expect(counts).not_to_have_text(before)
    expect(counts).to_have_text(re.compile(r"\b1\b"))
    expect(page.locator("#support form[action$='/unsupport'] button")).to_be_focused()
    expect(page.locator("#support [data-support-message]")).not_to_be_empty()  # announced
    assert page.evaluate("() => window.stillTheSamePage === true"), "the page was reloaded"
    assert page.url == url
    expect(page.locator(".flash")).to_have_count(0)


def comment_and_reply(page) -> None:
    """Comment on the proposal shown, reply to that comment: the reply shows under it."""
    form = page.locator("form.comment-form")
    form.locator("#comment-body").fill("Oui, et avec des arceaux pour les vélos cargo.")
    submit(form)
    expect(page.locator(".flash--success")).to_be_visible()
    comment = page.locator("article.comment").filter(has_text="vélos cargo")
    expect(comment).to_be_visible()
    comment_id = comment.get_attribute("id")
    # The page opens on the new comment.
    assert urlsplit(page.url).fragment == comment_id
    checked(page)

    # "Répondre" opens the reply form under the comment, its field focused; "Annuler" closes it
    # and goes back to "Répondre"; opened again, it is sent.
    number = comment_id.removeprefix("comment-")
    reply_link = comment.locator(f"a[data-reply-to='{number}']")
    reply_link.click()
    reply_box = comment.locator(f"#reply-{number}-form")
    reply_field = reply_box.locator(f"#reply-{number}-body")
    expect(reply_field).to_be_focused()
    expect(reply_link).to_have_attribute("aria-expanded", "true")
    checked(page)
    reply_box.locator("[data-reply-cancel]").click()
    expect(reply_box).to_have_count(0)
    expect(reply_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(reply_field).to_be_focused()
    page.keyboard.type("Je précise : à l'abri de la pluie.")
    submit(reply_box)
    expect(page.locator(".flash--success")).to_be_visible()

    # Under the comment, in the list of its replies.
    thread = page.locator(f"li:has(> #{comment_id})")
    reply = thread.locator(".comment-list--replies article.comment--reply")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("à l'abri de la pluie")
    expect(page.locator(f"#{comment_id}")).not_to_contain_text("à l'abri de la pluie")
    checked(page)


@WIDTHS
def test_resident_signs_up_proposes_supports_a_similar_one_comments_and_replies(
    app, open_page, outbox, open_round, viewport
):
    round_, existing = open_round
    page = open_page(viewport=viewport)

    page.goto("/sign-up")
    checked(page)
    page.locator("#email").fill("lea@example.org")
    page.locator("#display_name").fill("Léa")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#password_confirm").fill(TEST_PASSWORD)
    submit(page.locator("main form"))
    expect(page.locator("main")).to_contain_text("lea@example.org")
    checked(page)

    page.goto(mailed_link(outbox, "lea@example.org"))
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".flash--success")).to_be_visible()
    checked(page)
    page.locator("#email").fill("lea@example.org")
    page.locator("#password").fill(TEST_PASSWORD)
    submit(page.locator("main form"))
    expect(page.locator(".flash--success")).to_contain_text("Léa")
    checked(page)

    # From the home page to the round's proposals, then to the form.
    proposals = f"/rounds/{round_.slug}/proposals/"
    page.locator(f"main a[href='{proposals}']").first.click()
    expect(page).to_have_url(re.compile(re.escape(proposals) + "$"))
    expect(page.locator(".proposal-card")).to_have_count(2)
    checked(page)
    page.locator(f"main a[href='{proposals}new']").click()
    checked(page)

    body = "Installer des abris couverts et fermés pour les vélos des voyageurs, près des quais."
    page.locator("#title").fill(RESEMBLING_TITLE)
    page.locator("#pillar_id").select_option(str(existing.pillar_id))
    page.locator("#body").fill(body)
    submit(page.locator("main form.stack"))

    # Nothing is created yet: the similar proposals come first, the text typed is kept.
    similar = page.locator("section.similar")
    expect(similar).to_be_visible()
    expect(similar.locator(".proposal-card")).to_have_count(1)
    expect(similar.get_by_role("link")).to_have_text(EXISTING_TITLE)
    expect(page.locator("#title")).to_have_value(RESEMBLING_TITLE)
    expect(page.locator("#body")).to_have_value(body)
    expect(page.locator("#pillar_id")).to_have_value(str(existing.pillar_id))
    checked(page)

    # Léa reads the existing proposal and supports it rather than submitting hers.
    similar.get_by_role("link").click()
    expect(page).to_have_url(re.compile(re.escape(proposal_path(existing)) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(EXISTING_TITLE)
    checked(page)
    support_in_place(page)
    checked(page)

    comment_and_reply(page)

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 2
        assert db.session.scalar(db.select(Proposal.support_count).filter_by(id=existing.id)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 2


def test_support_from_the_similar_list_works_without_javascript(open_page, open_round, create_user):
    round_, existing = open_round
    create_user(email="ines@example.org")
    page = open_page(java_script_enabled=False)
    sign_in(page, "ines@example.org")
    page.goto(f"/rounds/{round_.slug}/proposals/new")
    page.locator("#title").fill(RESEMBLING_TITLE)
    page.locator("#pillar_id").select_option(str(existing.pillar_id))
    page.locator("#body").fill("Des abris fermés pour les vélos, près des quais de la gare.")
    submit(page.locator("main form.stack"))

    submit(page.locator("section.similar form"))
    # The proposal's page, at its supports, with a message and the new count.
    expect(page).to_have_url(re.compile(re.escape(proposal_path(existing)) + "#support$"))
    expect(page.locator(".flash--success")).to_be_visible()
    expect(page.locator("#support [data-online-count]")).to_have_text(re.compile(r"\b1\b"))
    expect(page.locator("#support form[action$='/unsupport']")).to_be_visible()


def test_a_reply_works_without_javascript(open_page, open_round, create_user):
    round_, existing = open_round
    create_user(email="ines@example.org")
    page = open_page(java_script_enabled=False)
    sign_in(page, "ines@example.org")
    page.goto(proposal_path(existing))
    form = page.locator("form.comment-form")
    form.locator("#comment-body").fill("Oui, et avec des arceaux pour les vélos cargo.")
    submit(form)
    comment = page.locator("article.comment").filter(has_text="vélos cargo")
    # "Répondre" is a link to a page of its own, that quotes the comment answered.
    comment.get_by_role("link", name="Répondre").click()
    expect(page.locator("h1")).to_have_text("Répondre à un commentaire")
    expect(page.locator("figure.quoted")).to_contain_text("vélos cargo")
    reply_page = page.url
    page.get_by_label("Votre réponse").fill("Je précise : à l'abri de la pluie.")
    submit(page.locator("main form"))
    expect(page.locator(".flash--success")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(proposal_path(existing)) + r"#comment-\d+$"))
    reply = page.locator(".comment-list--replies article.comment--reply")
    expect(reply).to_contain_text("à l'abri de la pluie")
    # The reply page passes axe (which runs as a script: in a page that has them).
    page = open_page()
    sign_in(page, "ines@example.org")
    page.goto(reply_page)
    checked(page)


def test_residents_words_keep_their_language_on_an_english_page(open_page, open_round):
    round_, existing = open_round
    page = open_page(locale="en-GB")
    page.goto(f"/rounds/{round_.slug}/proposals/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    title = page.get_by_role("link", name=EXISTING_TITLE)
    expect(title).to_have_attribute("lang", "fr")
    title.click()
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "fr")
    expect(page.locator(".proposal__body")).to_have_attribute("lang", "fr")
    assert_accessible(page)


def test_a_refused_support_says_why_without_a_reload(
    app, open_page, create_round, create_pillar, create_proposal, create_user
):
    round_ = create_round("Béthune à 2032", pillars=[create_pillar()], support_cap=1)
    first = create_proposal(round=round_, title="Un marché bio le samedi")
    second = create_proposal(round=round_, title="Une ludothèque au centre social")
    create_user(email="karim@example.org")
    page = open_page()
    sign_in(page, "karim@example.org")
    page.goto(proposal_path(first))
    support_in_place(page)

    # The cap is reached: the server refuses, and the page must say so.
    page.goto(proposal_path(second))
    page.wait_for_load_state()
    page.evaluate("() => { window.stillTheSamePage = true; }")
    box = page.locator("#support")
    before = shown_text(box)
    page.locator("#support form.js-support button").click()
    message = box.locator("[data-support-message]")
    expect(message).not_to_be_empty()  # the box has been redrawn
    # Announced: the server's reason, more than the unchanged count. Shown: the same words.
    with force_locale("fr"):
        reason = str(SupportCapReached().text)
    expect(message).to_have_text(reason)
    assert message.inner_text() != box.locator("[data-online-count]").inner_text()
    assert reason in shown_text(box) and shown_text(box) != before
    assert page.evaluate("() => window.stillTheSamePage === true"), "the page was reloaded"
    expect(page.locator(".flash")).to_have_count(0)
    checked(page)
    with app.app_context():
        assert db.session.scalar(db.select(Proposal.support_count).filter_by(id=second.id)) == 0


def shown_text(box) -> str:
    """The box's visible words: without its live region and visually hidden heading."""
    return box.evaluate(
        """b => {
            const copy = b.cloneNode(true);
            copy.querySelectorAll('[data-support-message], .visually-hidden')
                .forEach(e => e.remove());
            return copy.textContent.replace(/\\s+/g, ' ').trim();
        }"""
    )

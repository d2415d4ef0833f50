"""A moderator's journey in a real browser, in French at 1280 px and at 375 px, every page checked
by axe-core (WCAG 2.1 AA) and for sideways scrolling:
sign in, open the moderator home, publish a proposal awaiting pre-moderation with the bulk form
(with the keyboard alone), compare an author's change with the published text and accept it, hide
a reported proposal with a reason, record a "not retained" decision with a public reason, merge
two duplicates; then the public pages show the reason and point from the merged proposal to the
kept one.

The French catalogue still changes: elements are found by id, name, href or role, not by text.
"""

import re

import pytest
from playwright.sync_api import expect

from participation.extensions import db
from participation.models import Proposal, Report
from participation.proposals import supports
from participation.proposals.services import ProposalInput, edit_proposal

from .conftest import WIDTHS, by_menu, checked, sign_in

pytestmark = pytest.mark.browser

REASON = "La ville n'a pas la compétence : le téléphérique relève de la région."


@pytest.fixture
def queues(create_round, create_pillar, create_proposal, create_user):
    """A pre-moderated round with a proposal of each kind of pending work."""
    pillar = create_pillar("Loisirs / Culture", name_en="Leisure / Culture")
    round_ = create_round("Béthune à 2032", pillars=[pillar], premoderation=True)
    resident = create_user(display_name="Nadia")
    waiting = create_proposal(
        round=round_, status="submitted", title="Un festival de quartier au Mont-Liébaut"
    )
    reported = create_proposal(round=round_, title="Un texte injurieux envers un élu")
    db.session.add(
        Report(reporter_id=resident.id, proposal_id=reported.id, reason="Propos injurieux")
    )
    answered = create_proposal(round=round_, title="Un téléphérique au-dessus de la Lawe")
    kept = create_proposal(round=round_, title="Des bancs à l'ombre au parc de la Loisne")
    duplicate = create_proposal(
        round=round_, title="Installer des bancs ombragés dans le parc de la Loisne"
    )
    both, once = create_user(), create_user()
    for proposal, supporter in ((kept, both), (duplicate, both), (duplicate, once)):
        supports.support(proposal, supporter)
    changed = create_proposal(round=round_, title="Une boîte à livres place du Beffroi")
    edit_proposal(
        changed,
        changed.author,
        ProposalInput(
            "Deux boîtes à livres place du Beffroi",
            "Une pour les adultes, une à hauteur d'enfant, abritées de la pluie.",
            pillar.id,
        ),
    )
    db.session.commit()
    return {
        "changed": changed,
        "waiting": waiting,
        "reported": reported,
        "answered": answered,
        "kept": kept,
        "duplicate": duplicate,
    }


def public_path(proposal) -> str:
    return f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"


def moderation_path(proposal) -> str:
    return f"/moderation/proposals/{proposal.id}"


def submit(form) -> None:
    form.locator("button[type=submit]").click()


def tab_to(page, selector: str, most: int = 60) -> None:
    """Press Tab until the element is focused, as a keyboard user moves along the page."""
    target = page.locator(selector)
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{selector} not reached in {most} presses of Tab on {page.url}")


def expect_done(page, path: str) -> None:
    """Redirected to ``path`` (keeping any #fragment the form page had), with a success message."""
    expect(page).to_have_url(re.compile(re.escape(path) + "(#[^/]*)?$"))
    expect(page.locator(".flash--success")).to_be_visible()


def status_of(app, proposal) -> str:
    with app.app_context():
        return db.session.get(Proposal, proposal.id).status


@WIDTHS
def test_moderator_publishes_hides_decides_and_merges(
    app, open_page, create_user, queues, viewport
):
    waiting, reported, answered = queues["waiting"], queues["reported"], queues["answered"]
    kept, duplicate = queues["kept"], queues["duplicate"]
    create_user(role="moderator", email="modo@example.org", display_name="Modo")

    page = open_page(viewport=viewport)
    sign_in(page, "modo@example.org")
    by_menu(page, "/moderation/")
    expect(page).to_have_url(re.compile(r"/moderation/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    publication = page.locator("#publication")
    expect(publication.get_by_role("row")).to_have_count(2)  # the header and the proposal
    expect(publication).to_contain_text(waiting.title)
    expect(page.locator("#reports")).to_contain_text(reported.title)
    expect(page.locator("#duplicates")).to_contain_text(duplicate.title)
    # The figures of the summary are links described by what they count, not bare headings.
    for section in ("publication", "changes", "reports", "decisions", "duplicates"):
        expect(page.locator(f".cards a[href='#{section}']")).to_have_accessible_description(
            re.compile(r"\w{3}")
        )
    headings = page.locator("main").get_by_role("heading").all_inner_texts()
    assert not [h for h in headings if h.strip().isdigit()], headings
    checked(page)

    # Publishing, with the keyboard alone: Tab to the box, Space ticks it, Tab on, Enter.
    checkbox = f"#select-pub-{waiting.id}"
    page.wait_for_load_state()
    tab_to(page, checkbox)
    page.keyboard.press("Space")
    expect(page.locator(checkbox)).to_be_checked()
    tab_to(page, "#publication button[type=submit]")
    page.keyboard.press("Enter")
    expect_done(page, "/moderation/")
    expect(page.locator("#publication table")).to_have_count(0)
    assert status_of(app, waiting) == "published"
    checked(page)

    # An author's change: beside the published text, refused without a reason, then accepted.
    changed = queues["changed"]
    page.locator(f"#changes a[href='{moderation_path(changed)}#change']").click()
    expect(page.locator("#change table")).to_contain_text(changed.title)
    expect(page.locator("#change table")).to_contain_text("Deux boîtes à livres place du Beffroi")
    checked(page)
    submit(page.locator("form[action$='/change/refuse']"))
    expect(page.locator("#change-reason")).to_have_attribute("aria-invalid", "true")
    checked(page)
    submit(page.locator("form[action$='/change/accept']"))
    expect_done(page, moderation_path(changed))
    expect(page.locator("#change")).to_have_count(0)
    expect(page.locator("h1")).to_contain_text("Deux boîtes à livres place du Beffroi")
    page.goto("/moderation/")

    # The reported proposal: from the reports to its page, hidden with a reason.
    page.locator(f"#reports a[href='{moderation_path(reported)}']").click()
    expect(page).to_have_url(re.compile(re.escape(moderation_path(reported)) + "$"))
    checked(page)
    title = page.title()
    submit(page.locator("#hide form"))  # without a reason: refused, said next to the field
    expect(page.locator("#hide .error-summary")).to_be_visible()
    # The title says there is an error first, before the same words.
    assert page.title() != title and page.title().endswith(title), page.title()
    expect(page.locator("#hide-reason")).to_have_attribute("aria-invalid", "true")
    checked(page)
    page.locator("#hide-reason").fill("Propos injurieux envers un élu")
    submit(page.locator("#hide form"))
    expect_done(page, moderation_path(reported))
    expect(page.locator("#hide form")).to_have_attribute("action", re.compile(r"/restore$"))
    checked(page)

    # Not retained, with the public reason; the answer is required.
    page.goto(moderation_path(answered))
    checked(page)
    decision = page.locator("form[action$='/decide']")
    page.locator("#decision-target").select_option("not_retained")
    submit(decision)
    expect(page.locator("#decision-reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#decision-target")).to_have_value("not_retained")
    checked(page)
    page.locator("#decision-reason").fill(REASON)
    submit(decision)
    expect_done(page, moderation_path(answered))
    assert status_of(app, answered) == "not_retained"
    checked(page)

    # The duplicates, from the home page to the merge page.
    page.goto("/moderation/")
    page.locator("#duplicates a[href*='/moderation/merge']").click()
    expect(page.locator("main section.panel")).to_have_count(2)
    checked(page)
    submit(page.locator("main form"))  # no proposal chosen to keep
    expect(page.locator(".error-summary")).to_be_visible()
    checked(page)
    # The summary's link leads to the choice, which says what is wrong.
    choice = page.locator("fieldset#kept")
    expect(choice).to_have_attribute("aria-describedby", "kept-error")
    page.locator(".error-summary a[href='#kept']").focus()
    page.keyboard.press("Enter")
    expect(choice).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(choice.locator("input[name=kept]").first).to_be_focused()
    page.locator(f"input[name=kept][value='{kept.id}']").check()
    page.locator("#note").fill("Même idée, même parc.")
    submit(page.locator("main form"))
    expect_done(page, moderation_path(kept))
    assert status_of(app, duplicate) == "merged"
    checked(page)

    # What the public now sees, as a visitor.
    visitor = open_page(viewport=viewport)
    response = visitor.goto(public_path(answered))
    assert response.status == 200
    expect(visitor.locator(".proposal .badge--status")).not_to_be_empty()
    expect(visitor.locator(".trail")).to_contain_text(REASON)
    checked(visitor)

    visitor.goto(public_path(duplicate))
    pointer = visitor.locator(f".proposal .notice a[href='{public_path(kept)}']")
    expect(pointer).to_have_text(kept.title)
    checked(visitor)
    pointer.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(kept.title)
    # Two supporters, one of whom supported both: counted once.
    expect(visitor.locator("#support [data-online-count]")).to_have_text(re.compile(r"\b2\b"))
    checked(visitor)

    assert visitor.goto(public_path(waiting)).status == 200
    assert visitor.goto(public_path(reported)).status == 404

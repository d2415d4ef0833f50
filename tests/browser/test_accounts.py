"""The account pages in a real browser, in French and in English: sign-up, sign-in, forgotten and
reset password, the account page (also of a blocked person), the erasure page and the
administrators' audit log; their error states; each checked by axe-core (WCAG 2.1 AA).
The whole sign-up → confirmation → sign-in journey with the keyboard alone, and the account page
at phone width.

In French the catalogue still changes, so fields and buttons are found by id, name or role; in
English by their label or name.
"""

import re
import time
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import expect

from participation import audit
from participation.extensions import db
from participation.models import utcnow
from participation.proposals.supports import support
from tests.conftest import TEST_PASSWORD

from .axe import assert_accessible
from .conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "en"]
NEW_PASSWORD = "a brand new sentence to remember"


def mailed_link(outbox, to: str) -> str:
    """The path of the link in the newest message sent to ``to``."""
    message = [m for m in outbox() if m["To"] == to][-1]
    body = message.get_body(preferencelist=("plain",)).get_content()
    return urlsplit(re.search(r"https?://\S+", body).group()).path


def open_in(open_page, language: str, viewport: dict = DESKTOP):
    """A page in a French browser, switched to ``language`` with the header button if needed."""
    page = open_page(viewport=viewport)
    page.goto("/")
    if language == "en":
        page.get_by_role("banner").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


def submit(page) -> None:
    """Press the form's own submit button (not the header's language or sign-out buttons)."""
    page.locator("main form button[type=submit]").click()


def no_horizontal_scroll(page) -> None:
    sizes = page.evaluate(
        """() => {
            const root = document.scrollingElement;
            const wider = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > root.clientWidth + 0.5)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''));
            return {scroll: root.scrollWidth, client: root.clientWidth, wider: wider.slice(0, 10)};
        }"""
    )
    assert sizes["scroll"] <= sizes["client"], f"{page.url} scrolls sideways: {sizes}"


def expect_field_error(page, field_id: str) -> None:
    """The field is marked invalid and its message is tied to it, and listed in the summary."""
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))
    expect(page.locator(f"#{field_id}-error")).not_to_be_empty()
    expect(page.locator(f".error-summary a[href='#{field_id}']")).to_be_visible()


@pytest.fixture
def paul(create_user):
    return create_user(email="paul@example.org", display_name="Paul")


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_up_page_and_its_errors(open_page, create_neighbourhood, language):
    create_neighbourhood("Quartier du Mont-Liébaut")
    page = open_in(open_page, language)
    page.goto("/sign-up")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)

    # A name and a mistyped address; the passwords left empty.
    page.locator("#email").fill("lea.example.org")
    page.locator("#display_name").fill("Léa")
    submit(page)

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(3)
    for field_id in ("email", "password", "password_confirm"):
        expect_field_error(page, field_id)
    expect(page.locator("#display_name")).not_to_have_attribute("aria-invalid", "true")
    # What was typed is still there.
    expect(page.locator("#email")).to_have_value("lea.example.org")
    expect(page.locator("#display_name")).to_have_value("Léa")
    # A link of the summary takes the keyboard to its field.
    summary.locator("a[href='#password']").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#password")).to_be_focused()
    if language == "en":
        expect(page).to_have_title(re.compile(r"^Error: Create an account"))
        expect(summary.get_by_role("heading")).to_have_text("Please correct the following:")
        expect(page.get_by_label("E-mail address")).to_have_value("lea.example.org")
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_page_and_its_errors(open_page, paul, language):
    page = open_in(open_page, language)
    page.goto("/sign-in")
    assert_accessible(page)

    submit(page)  # both fields empty
    expect(page.locator(".error-summary").get_by_role("link")).to_have_count(2)
    expect_field_error(page, "email")
    expect_field_error(page, "password")
    assert_accessible(page)

    page.locator("#email").fill("paul@example.org")
    page.locator("#password").fill("not the right password")
    submit(page)
    expect_field_error(page, "password")
    expect(page.locator("#email")).to_have_value("paul@example.org")
    expect(page.locator("#password")).to_have_value("")
    if language == "en":
        expect(page.locator("#password-error")).to_have_text(
            "The e-mail address or the password is not correct."
        )
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_forgotten_password_and_reset_through_the_mailed_link(open_page, outbox, paul, language):
    page = open_in(open_page, language)
    page.goto("/password/forgotten")
    assert_accessible(page)
    submit(page)
    expect_field_error(page, "email")
    assert_accessible(page)

    page.locator("#email").fill("paul@example.org")
    submit(page)
    expect(page.locator("main")).to_contain_text("paul@example.org")
    assert_accessible(page)

    page.goto(mailed_link(outbox, "paul@example.org"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#password_confirm").fill("another sentence altogether")
    submit(page)
    expect_field_error(page, "password_confirm")
    assert_accessible(page)

    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#password_confirm").fill(NEW_PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".flash--success")).to_be_visible()
    sign_in(page, "paul@example.org", NEW_PASSWORD)


@pytest.mark.parametrize("language", LANGUAGES)
def test_account_page_signed_in(open_page, paul, language):
    page = open_in(open_page, language)
    sign_in(page, "paul@example.org")
    page.goto("/account")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main")).to_contain_text("paul@example.org")
    if language == "en":
        expect(page.get_by_role("heading", level=1)).to_have_text("My account")
        expect(page.get_by_label("Display name")).to_have_value("Paul")
    else:
        expect(page.locator("#profile-display_name")).to_have_value("Paul")
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_account_page_at_phone_width(open_page, create_user, language):
    # A long address, as associations and companies have: it must wrap, not widen the page.
    email = "marie-christine.delacroix-dumont@maison-des-associations-bethune.fr"
    create_user(email=email, display_name="Marie-Christine")
    page = open_in(open_page, language, viewport=PHONE)
    sign_in(page, email)
    page.goto("/account")
    expect(page.locator("#profile-display_name")).to_be_visible()
    no_horizontal_scroll(page)
    assert_accessible(page)


def tab_to(page, selector: str, most: int = 40) -> None:
    """Press Tab until the element is focused, as a keyboard user moves along the page."""
    target = page.locator(selector)
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{selector} not reached in {most} presses of Tab on {page.url}")


def tab(page, selector: str, backwards: bool = False) -> None:
    """One press of Tab (or Shift+Tab) must land on ``selector``, visibly: the focus order and
    the focus indicator are checked."""
    page.keyboard.press("Shift+Tab" if backwards else "Tab")
    target = page.locator(selector)
    expect(target).to_be_focused()
    style = target.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] != "none" and float(style[1].removesuffix("px")) >= 2, (selector, style)


def test_sign_up_confirm_and_sign_in_with_the_keyboard_alone(page, outbox, create_neighbourhood):
    create_neighbourhood("Quartier du Mont-Liébaut")
    page.goto("/")
    # From the header's menu to the sign-up form.
    tab_to(page, "header nav a[href='/sign-up']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sign-up$"))
    page.wait_for_load_state()
    # The skip link first, then straight into the form, field after field.
    tab(page, ".skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    tab(page, "#email")
    page.keyboard.type("clavier@example.org")
    tab(page, "#display_name")
    page.keyboard.type("Camille")
    tab(page, "#password")
    page.keyboard.type(TEST_PASSWORD)
    tab(page, "#password_confirm")
    page.keyboard.type("a typo")
    # Back to correct the first password… then forward again to retype the second.
    tab(page, "#password", backwards=True)
    tab(page, "#password_confirm")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(TEST_PASSWORD)
    tab(page, "#neighbourhood_id")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#neighbourhood_id option:checked")).to_have_text(
        "Quartier du Mont-Liébaut"
    )
    tab(page, "main form a[href='/privacy']")
    tab(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("clavier@example.org")
    expect(page.locator("main form")).to_have_count(0)

    # The link in the message: opened from the mail program, not from the page.
    page.goto(mailed_link(outbox, "clavier@example.org"))
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".flash--success")).to_be_visible()
    tab(page, ".skip-link")
    page.keyboard.press("Enter")
    tab(page, "#email")
    page.keyboard.type("clavier@example.org")
    tab(page, "#password")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")  # submits the form from its last field
    expect(page.locator(".flash--success")).to_contain_text("Camille")
    expect(page.locator("header nav a[href='/account']")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_account_page_of_a_blocked_person(open_page, create_user, language):
    create_user(
        email="bloque@example.org", display_name="Bruno", blocked_at=utcnow(), blocked_reason="Spam"
    )
    page = open_in(open_page, language)
    sign_in(page, "bloque@example.org")
    page.goto("/account")
    # No profile form that would be refused: the page says why instead.
    expect(page.locator("#profile-display_name")).to_have_count(0)
    expect(page.locator("#profile-title + dl")).to_contain_text("Bruno")
    expect(page.locator("#password-current_password")).to_be_visible()
    if language == "en":
        expect(page.locator("main")).to_contain_text("your profile cannot be changed")
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_erase_page_says_which_supports_are_taken_back(
    open_page, create_user, create_proposal, language
):
    resident = create_user(email="anne@example.org")
    support(create_proposal(), resident)
    db.session.commit()
    page = open_in(open_page, language)
    sign_in(page, "anne@example.org")
    page.goto("/me/erase")
    if language == "en":
        expect(page.locator("main")).to_contain_text(
            "1 of your supports is in a vote that is still open: it is taken back"
        )
    expect(page.locator("#current_password")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_audit_log_page(open_page, create_user, language):
    admin = create_user(email="admin@example.org", role="admin", display_name="Alice")
    resident = create_user(display_name="Rémi")
    audit.log(
        admin, "user.role", resident, before={"role": "resident"}, after={"role": "moderator"}
    )
    audit.log(None, "account.sign_in_failed", resident)
    db.session.commit()
    page = open_in(open_page, language)
    sign_in(page, "admin@example.org")
    page.goto("/moderation/audit")
    page.locator("#a-action").select_option("user.role")
    submit(page)
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Rémi")
    page.locator("main tbody a").first.click()
    expect(page).to_have_url(re.compile(rf"actor={admin.id}"))
    expect(page).to_have_url(re.compile(r"action=user.role"))
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_two_factor_enrolment_recovery_codes_and_the_code_step(open_page, paul, language):
    page = open_in(open_page, language)
    sign_in(page, "paul@example.org")
    page.goto("/account/two-factor")
    image = page.locator("img.qr-code")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0  # drawn, not blocked by the CSP
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    assert_accessible(page)
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    submit(page)
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.locator("form[action='/sign-out'] button").click()
    expect(page.locator(".flash--info")).to_be_visible()
    page.goto("/sign-in")
    page.locator("#email").fill("paul@example.org")
    page.locator("#password").fill(TEST_PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    expect(page.locator("#code")).to_have_attribute("autocomplete", "one-time-code")
    assert_accessible(page)
    # The code of the next time step (the one used to enrol is not accepted twice).
    page.locator("#code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    submit(page)
    expect(page.locator(".flash--success")).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_account_page_lists_the_sessions(open_page, paul, language):
    page = open_in(open_page, language)
    sign_in(page, "paul@example.org")
    other = open_in(open_page, language)
    sign_in(other, "paul@example.org")
    page.goto("/account")
    rows = page.locator(".session-list li")
    expect(rows).to_have_count(2)
    expect(page.locator(".session-list .badge")).to_have_count(1)
    assert_accessible(page)
    # Ending the other browser's session from this one signs it out there.
    rows.filter(has_not=page.locator(".badge")).locator("button").click()
    expect(rows).to_have_count(1)
    other.goto("/account")
    expect(other).to_have_url(re.compile(r"/sign-in"))

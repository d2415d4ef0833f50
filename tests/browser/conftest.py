"""Browser tests: the app served over HTTP in a thread, driven through the system Chromium.

The served app is built like every other test app (``app_factory`` from ``tests/conftest.py``, so
the same test database and factories), with CSRF on as in production. Without Chromium these
tests skip locally, but fail in CI (``CI`` set) or when ``REQUIRE_BROWSER=1``: a CI run that
silently skipped every browser test would prove nothing.
"""

import os
import threading
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from participation.extensions import db
from participation.models import User
from tests.conftest import TEST_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
# ``@WIDTHS`` runs a test at both widths, with its ``viewport`` argument.
WIDTHS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
# Long enough for a cold page with axe injected, short enough for a hung page to fail quickly.
TIMEOUT_MS = 10_000


def sign_in(page, email: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the form; staff enrolled in two-factor type their app's code next."""
    from playwright.sync_api import expect

    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash--success, #code").first).to_be_visible()
    if page.locator("#code").count():
        user = db.session.scalar(select(User).where(User.email == email))
        page.locator("#code").fill(pyotp.TOTP(user.totp_secret).now())
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".flash--success")).to_be_visible()


def fits(page) -> None:
    """Nothing on the page scrolls sideways (a phone's screen is as wide as the page)."""
    page.wait_for_load_state()
    scroll, client = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url} scrolls sideways: {scroll} > {client}"


def checked(page) -> None:
    """The page fits its width and passes axe-core (WCAG 2.1 A/AA)."""
    from .axe import assert_accessible

    fits(page)
    assert_accessible(page)


def by_menu(page, href: str) -> None:
    """Follow the main menu's link to ``href``, unfolding the menu first where it is folded
    (phones)."""
    from playwright.sync_api import expect

    page.wait_for_load_state()
    link = page.locator(f"header nav a[href='{href}']").first
    fold = page.locator("header nav details > summary").first
    if fold.is_visible() and not link.is_visible():
        fold.click()
        expect(link).to_be_visible()
    link.click()


def signed_in(page, app, live_server, user) -> None:
    """Give the browser the session of ``user`` (staff: two-factor done), for the pages that
    are not the journey under test."""
    from tests.conftest import open_session

    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": open_session(user), "_fresh": True})
    page.context.add_cookies(
        [{"name": app.config["SESSION_COOKIE_NAME"], "value": value, "url": live_server.url}]
    )


def _browser_required() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("REQUIRE_BROWSER") == "1"


def _browser_unavailable(reason: str):
    if _browser_required():
        pytest.fail(
            f"{reason} (browser tests are required: CI or REQUIRE_BROWSER=1)", pytrace=False
        )
    pytest.skip(f"{reason}; browser tests skipped (REQUIRE_BROWSER=1 makes this an error)")


# When a test ends, Chromium drops the connections it still has open. A static file the test
# server was sending then is left to the garbage collector, which warns that it was not closed
# (werkzeug's development server; nginx serves them in production). Only that warning is let
# through.
DROPPED_STATIC_FILE = (
    "ignore:Exception ignored in. <_io.FileIO name='[^']*/static/"
    ":pytest.PytestUnraisableExceptionWarning"
)


def pytest_collection_modifyitems(items):
    # Whatever drives Chromium is a browser test, so that -m "not browser" leaves it all out.
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.filterwarnings(DROPPED_STATIC_FILE))


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        _browser_unavailable(f"Playwright is not installed ({error})")
    if not Path(CHROMIUM).exists():
        _browser_unavailable(f"{CHROMIUM} not found")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Error as error:
        playwright.stop()
        _browser_unavailable(f"{CHROMIUM} could not start: {error.message[:2000]}")
    yield browser
    browser.close()
    playwright.stop()


class LiveServer:
    """A werkzeug server for ``app`` on a free 127.0.0.1 port, in a daemon thread."""

    def __init__(self, app):
        # Threaded: Chromium opens several connections at once and may hold one idle.
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="live-server", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        # Joins the request threads too (socketserver's block_on_close), so no request is still
        # using the database when the test's tables are emptied.
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def app(app_factory):
    """The app under test, as in ``tests/conftest.py`` but with CSRF on, as in production."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(viewport=PHONE, locale="en-GB")``: a page in a fresh browser context.

    Relative URLs resolve against the live server. The locale also sets Accept-Language. Every
    context is closed before the server stops.
    """
    contexts = []

    def open_(viewport: dict = DESKTOP, locale: str = "fr-FR", **options):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale=locale, **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def site(app):
    """The city as a visitor finds it: the 2018 history and the sample consultation."""
    from participation.history.sample import load_sample_content
    from participation.history.services import import_smart_days_2018

    import_smart_days_2018()
    load_sample_content()
    db.session.commit()


@pytest.fixture
def page(open_page):
    """A desktop-sized page, in French (Accept-Language fr-FR)."""
    return open_page()


@pytest.fixture
def phone_page(open_page):
    """A phone-width page (375×740), in French (Accept-Language fr-FR)."""
    return open_page(viewport=PHONE)

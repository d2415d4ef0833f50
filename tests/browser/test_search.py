"""The search page and the similar proposals shown while a title is typed, in a real browser,
checked by axe-core (WCAG 2.1 AA)."""

import pytest
from playwright.sync_api import expect

from .axe import assert_accessible
from .test_public_pages import choose_language
from .test_resident_journey import EXISTING_TITLE, open_round, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["fr", "en"])
def test_search_page_marks_what_it_found(page, open_round, language):  # noqa: F811
    if language == "en":
        page.goto("/")
        choose_language(page, "en")
    page.goto("/search/")
    page.locator("#search-q").fill("velo")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".proposal-card")).to_have_count(1)
    expect(page.locator(".proposal-card__title")).to_have_text(EXISTING_TITLE)
    expect(page.locator("#search-q")).to_have_value("velo")
    assert_accessible(page)


def test_similar_proposals_show_while_the_title_is_typed(page, open_round, create_user):  # noqa: F811
    round_, _existing = open_round
    create_user(email="lea@example.org")
    sign_in(page, "lea@example.org")
    page.goto(f"/rounds/{round_.slug}/proposals/new")
    page.wait_for_load_state()
    page.locator("#title").press_sequentially("Des abris à vélos pour la gare", delay=20)
    live = page.locator("#similar-live")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live.locator("a")).to_have_text([EXISTING_TITLE])
    assert_accessible(page)

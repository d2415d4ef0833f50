"""Writing a proposal, in French at 1280 px and 375 px, checked by axe-core: the preview follows
the typing with script, and the Preview button shows it without script."""

import pytest
from playwright.sync_api import expect

from participation.extensions import db

from .axe import assert_accessible
from .conftest import DESKTOP, PHONE, signed_in

pytestmark = pytest.mark.browser


@pytest.fixture
def new_proposal(app, create_round, create_pillar):
    round_ = create_round("Béthune à 2032", pillars=[create_pillar("Mobilité / Transports")])
    db.session.commit()
    return f"/rounds/{round_.slug}/proposals/new"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_preview_follows_the_typing(
    open_page, app, live_server, create_user, new_proposal, viewport
):
    page = open_page(viewport=viewport)
    signed_in(page, app, live_server, create_user())
    page.goto(new_proposal)
    preview = page.locator("#preview")
    expect(preview).to_be_hidden()
    page.locator("#body").fill("Des arceaux **solides**\n\n- près de l'entrée")
    expect(preview.locator("strong")).to_have_text("solides")
    expect(preview.locator("li")).to_have_text("près de l'entrée")
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_preview_button_works_without_script(
    open_page, app, live_server, create_user, new_proposal, viewport
):
    page = open_page(viewport=viewport, java_script_enabled=False)
    signed_in(page, app, live_server, create_user())
    page.goto(new_proposal)
    page.locator("#title").fill("Des arceaux à vélos")
    page.locator("#body").fill("Des arceaux **solides** devant la médiathèque.")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.locator("#preview strong")).to_have_text("solides")
    # What was typed is kept, ready to be sent.
    expect(page.locator("#title")).to_have_value("Des arceaux à vélos")
    # (axe runs as a script: the page with its preview is checked by the test above.)

"""A facilitator types a workshop's paper in with the keyboard alone, in a real browser; every
workshop page passes axe-core (WCAG 2.1 AA)."""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from participation.extensions import db
from participation.models import PaperSupport, Proposal, Role, Workshop, utcnow
from tests.conftest import TEST_PASSWORD

from .axe import assert_accessible
from .conftest import PHONE, WIDTHS, by_menu, checked, signed_in

pytestmark = pytest.mark.browser

# Ten cards with nothing in common, so that none is taken for a duplicate of another.
CARDS = [
    ("M", "Navettes électriques le dimanche", "Relier les quartiers au centre le dimanche."),
    ("H", "Jardins partagés au pied des immeubles", "Cultiver ensemble entre voisins."),
    ("M", "Piste cyclable le long du canal", "Aller au travail en sécurité."),
    ("H", "Composteurs collectifs", "Réduire les déchets de cuisine."),
    ("M", "Covoiturage des salariés", "Se rendre ensemble à la zone industrielle."),
    ("H", "Toitures végétalisées", "Rafraîchir les écoles en été."),
    ("M", "Stationnement minute devant les commerces", "Faciliter les courses rapides."),
    ("H", "Fontaines d'eau potable", "Boire gratuitement en ville."),
    ("M", "Trottinettes en libre-service", "Se déplacer sans voiture."),
    ("H", "Récupérateurs de pluie", "Arroser les massifs municipaux."),
]


@pytest.fixture
def setting(app, create_user, create_pillar, create_round, create_neighbourhood, create_proposal):
    """A round with two pillars, a workshop held this afternoon, its facilitator, and two
    proposals already online (one the last card repeats)."""
    housing = create_pillar(
        "Habitat / Environnement", name_en="Housing / Environment", slug="habitat", position=1
    )
    mobility = create_pillar(
        "Mobilité / Transports", name_en="Mobility / Transport", slug="mobilite", position=2
    )
    round_ = create_round("Béthune à 2032", pillars=[housing, mobility])
    create_neighbourhood("Centre-ville")
    create_neighbourhood("Mont-Liébaut")
    facilitator = create_user(
        role=Role.FACILITATOR, email="animatrice@example.org", display_name="Animatrice"
    )
    benches = create_proposal(round=round_, pillar=mobility, title="Des bancs au parc de la Loisne")
    shuttle = create_proposal(round=round_, pillar=housing, title="Un marché de producteurs")
    starts = utcnow() - timedelta(hours=3)
    workshop = Workshop(
        round=round_,
        title="Atelier au centre social Jacques Prévert",
        place="Centre social Jacques Prévert, rue d'Aire",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        state="held",
        expected_attendance=30,
    )
    workshop.pillars = [housing, mobility]
    workshop.facilitators = [facilitator]
    db.session.add(workshop)
    db.session.commit()
    return {
        "round": round_,
        "workshop": workshop,
        "facilitator": facilitator,
        "benches": benches,
        "shuttle": shuttle,
    }


def url(setting, page=""):
    return f"/workshops/{setting['workshop'].id}" + (f"/{page}" if page else "")


def sign_in_with_keyboard(page, email: str, next_url: str) -> None:
    page.goto(f"/sign-in?next={next_url}")
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    # Arrived: the path itself, not the sign-in page whose address ends with it (?next=…).
    page.wait_for_url(lambda address: urlsplit(address).path == next_url.split("?")[0])


def type_card(page, pillar_key: str, title: str, body: str, *, submit: str = "ctrl+enter"):
    """Pillar (type-ahead in the list), Tab, title, Tab, text, then save from the keyboard."""
    expect(page.locator("#pillar_id")).to_be_focused()
    page.keyboard.type(pillar_key)
    page.keyboard.press("Tab")
    expect(page.locator("#title")).to_be_focused()
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    page.keyboard.type(body)
    if submit == "ctrl+enter":
        page.keyboard.press("Control+Enter")
    else:  # on to the neighbourhood list: a letter chooses one, Enter saves
        page.keyboard.press("Tab")
        page.keyboard.type(submit)
        page.keyboard.press("Enter")


@WIDTHS
def test_facilitator_types_ten_cards_and_a_vote_sheet_with_the_keyboard(
    open_page, setting, viewport
):
    workshop = setting["workshop"]
    page = open_page(viewport=viewport)
    # From "my workshops" to the workshop, then the attendance first: sticker votes are checked
    # against it.
    sign_in_with_keyboard(page, "animatrice@example.org", "/")
    by_menu(page, "/workshops/")
    checked(page)
    page.locator(f"main a[href='{url(setting)}']").first.click()
    checked(page)
    page.goto(url(setting, "attendance"))
    expect(page.locator("#attendance")).to_be_focused()
    checked(page)
    page.locator("#attendance").focus()
    page.keyboard.type("27")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text("27")
    page.goto(url(setting, "entry"))
    checked(page)
    status = page.locator("[data-entry-status]")

    for number, (pillar, title, body) in enumerate(CARDS, start=3):
        with page.expect_navigation():
            type_card(page, pillar, title, body, submit="M" if number == 4 else "ctrl+enter")
        expect(status).to_contain_text(f"P-{number}")
        expect(page.locator("#title")).to_have_value("")

    # The eleventh card repeats a proposal already online: it becomes one more sticker on it.
    type_card(page, "M", "Des bancs au parc", "Des bancs à l'ombre au parc de la Loisne.")
    similar = page.locator("[data-similar]")
    expect(similar).to_be_focused()
    expect(similar).to_contain_text("Des bancs au parc de la Loisne")
    expect(similar.locator(".sticker-bound")).to_contain_text("135")
    checked(page)
    similar.focus()
    page.keyboard.press("Tab")  # the proposal's link (opens in a new tab)
    page.keyboard.press("Tab")
    expect(page.locator(f"button[value='comment-{setting['benches'].id}']")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(f"button[value='support-{setting['benches'].id}']")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(status).to_contain_text("P-1")

    db.session.expire_all()
    cards = db.session.scalars(
        db.select(Proposal).where(Proposal.workshop_id == workshop.id).order_by(Proposal.number)
    ).all()
    assert [p.title for p in cards] == [title for _pillar, title, _body in CARDS]
    assert [p.pillar.slug[0].upper() for p in cards] == [pillar for pillar, _t, _b in CARDS]
    assert cards[1].neighbourhood.name == "Mont-Liébaut"
    assert {(p.origin, p.author_id, p.entered_by_id) for p in cards} == {
        ("workshop", None, setting["facilitator"].id)
    }

    # The vote sheet: its lines come with the printed codes, in the sheet's order; typing starts
    # at the first count, and Tab, Tab goes to the next line's count. A line left empty saves
    # nothing. The sheet's 12 stickers for P-1 add to the card given to it as a "+1".
    page.goto(url(setting, "votes"))
    expect(page.locator("#lines-0-count")).to_be_focused()
    checked(page)
    page.locator("#lines-0-count").focus()
    codes = page.locator("input[id$='-code']").evaluate_all("fields => fields.map(f => f.value)")
    counts = {"P-1": "12", "P-2": "5", "P-3": "4"}
    assert set(counts) <= set(codes)
    last = max(codes.index(code) for code in counts)
    for line, code in enumerate(codes[: last + 1]):
        expect(page.locator(f"#lines-{line}-count")).to_be_focused()
        if code in counts:
            page.keyboard.type(counts[code])
        if line < last:
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text("P-1 (13)")
    expect(page.locator(".sticker-bound")).to_contain_text("22")
    checked(page)
    tallies = db.session.execute(
        db.select(
            Proposal.number, PaperSupport.card_count, PaperSupport.sheet_count, PaperSupport.count
        )
        .join(Proposal, Proposal.id == PaperSupport.proposal_id)
        .order_by(Proposal.number)
    ).all()
    assert [tuple(row) for row in tallies] == [(1, 1, 12, 13), (2, 0, 5, 5), (3, 0, 4, 4)]
    db.session.expire_all()
    benches = db.session.get(Proposal, setting["benches"].id)
    assert (benches.support_count, benches.paper_support_count) == (0, 13)


@WIDTHS
def test_similar_proposals_show_while_the_cards_title_is_typed(
    open_page, app, live_server, setting, viewport
):
    page = open_page(viewport=viewport)
    signed_in(page, app, live_server, setting["facilitator"])
    page.goto(url(setting, "entry"))
    page.wait_for_load_state()
    page.locator("#title").press_sequentially("Des bancs au parc", delay=20)
    live = page.locator("#similar-live")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live.get_by_role("link", name="Des bancs au parc de la Loisne")).to_be_visible()
    expect(live).not_to_contain_text("Un marché de producteurs")
    checked(page)
    # The typing goes on where it was: nothing took the focus away.
    expect(page.locator("#title")).to_be_focused()


def test_signed_out_mid_card_the_card_comes_back_after_signing_in(page, app, live_server, setting):
    signed_in(page, app, live_server, setting["facilitator"])
    page.goto(url(setting, "entry"))
    page.keyboard.type("H")
    page.keyboard.press("Tab")
    page.keyboard.type("Une idée à ne pas perdre")
    page.keyboard.press("Tab")
    page.keyboard.type("Tapée pendant que la session expirait.")
    page.context.clear_cookies()  # the session ends while the facilitator types
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/sign-in\?next="))
    page.locator("#email").fill("animatrice@example.org")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(f"**{url(setting, 'entry')}")
    expect(page.locator("#title")).to_have_value("Une idée à ne pas perdre")
    expect(page.locator("#body")).to_have_value("Tapée pendant que la session expirait.")
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 2


def test_a_draft_survives_leaving_the_page(page, app, live_server, setting):
    signed_in(page, app, live_server, setting["facilitator"])
    page.goto(url(setting, "entry"))
    page.locator("#title").fill("Un brouillon")
    page.locator("#body").fill("Gardé dans cet onglet.")
    page.goto(url(setting))
    page.goto(url(setting, "entry"))
    expect(page.locator("#title")).to_have_value("Un brouillon")
    expect(page.locator("[data-entry-status]")).not_to_be_empty()


# --- axe on every workshop page ----------------------------------------------------------------


def _with_card(page, setting):
    page.locator("#pillar_id").select_option(str(setting["round"].pillars[1].id))
    page.locator("#title").fill("Des bancs au parc")
    page.locator("#body").fill("Des bancs à l'ombre.")
    page.locator("#title").press("Enter")
    page.wait_for_load_state()


def _with_errors(page, setting):
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()


def _with_bad_lines(page, setting):
    page.locator("#lines-0-code").fill("P-99")
    page.locator("#lines-0-count").fill("trois")
    page.locator("#lines-0-count").press("Enter")
    page.wait_for_load_state()


def _with_bad_file(page, setting):
    content = b"pilier;titre;texte\nCulture;;x\n"
    page.locator("#spreadsheet").set_input_files(
        {"name": "cartes.csv", "mimeType": "text/csv", "buffer": io.BytesIO(content).getvalue()}
    )
    page.locator("main button[type=submit]").last.click()
    page.wait_for_load_state()


PAGES = {
    "round's workshops": (lambda s: f"/rounds/{s['round'].slug}/workshops/", None, 200),
    "workshop": (lambda s: url(s), None, 200),
    "my workshops": (lambda s: "/workshops/", None, 200),
    "plan": (lambda s: f"/rounds/{s['round'].slug}/workshops/new", None, 200),
    "plan, with mistakes": (
        lambda s: f"/rounds/{s['round'].slug}/workshops/new",
        _with_errors,
        400,
    ),
    "edit": (lambda s: url(s, "edit"), None, 200),
    "kit": (lambda s: url(s, "kit"), None, 200),
    "entry": (lambda s: url(s, "entry"), None, 200),
    "entry, similar proposals": (lambda s: url(s, "entry"), _with_card, 200),
    "entry, with mistakes": (lambda s: url(s, "entry"), _with_errors, 400),
    "votes": (lambda s: url(s, "votes"), None, 200),
    "votes, with mistakes": (lambda s: url(s, "votes"), _with_bad_lines, 400),
    "attendance": (lambda s: url(s, "attendance"), None, 200),
    "import": (lambda s: url(s, "import"), None, 200),
    "import, with mistakes": (lambda s: url(s, "import"), _with_bad_file, 400),
    "correct a card": (lambda s: url(s, "cards/3/edit"), None, 200),
    "history": (lambda s: url(s, "history"), None, 200),
}


@pytest.fixture
def filled(setting, app, create_user):
    """Something typed in, corrected, and a moderator to see the history."""
    from participation.workshops import paper

    workshop, facilitator = setting["workshop"], setting["facilitator"]
    paper.add_paper_proposal(
        workshop,
        facilitator,
        paper.CardInput(
            "Des navettes le dimanche", "Relier les quartiers.", setting["round"].pillars[1].id
        ),
    )
    paper.set_attendance(workshop, facilitator, 27)
    paper.set_paper_supports(workshop, facilitator, "P-1", 8)
    paper.set_paper_supports(workshop, facilitator, "P-1", 9)
    paper.add_stickers(workshop, facilitator, setting["benches"])
    db.session.commit()
    return create_user(role=Role.MODERATOR, display_name="Modérateur")


def _visit(page, setting, name):
    address, action, status = PAGES[name]
    response = page.goto(address(setting))
    assert response.status == 200, page.url
    if action is not None:
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            action(page, setting)
        assert posted.value.status == status
    return page


@pytest.mark.parametrize("name", PAGES)
def test_workshop_page_passes_axe(page, app, live_server, setting, filled, name):
    signed_in(page, app, live_server, filled)  # a moderator sees every page and every tool
    _visit(page, setting, name)
    assert_accessible(page)


@pytest.mark.parametrize("name", ["workshop", "entry, similar proposals", "votes", "kit"])
def test_workshop_page_in_english_at_phone_width(
    open_page, app, live_server, setting, filled, name
):
    page = open_page(viewport=PHONE, locale="en-GB")
    signed_in(page, app, live_server, filled)
    _visit(page, setting, name)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    wider = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert wider <= 0, f"{page.url} scrolls sideways"
    assert_accessible(page)


def test_public_pages_pass_axe_for_visitors(page, setting, filled):
    for address in (f"/rounds/{setting['round'].slug}/workshops/", url(setting)):
        page.goto(address)
        assert_accessible(page)


def test_kit_prints_on_a4_with_two_cards_per_page(page, app, live_server, setting):
    signed_in(page, app, live_server, setting["facilitator"])
    page.goto(url(setting, "kit") + "?cards=4")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".workshop-tools")).to_be_hidden()
    expect(page.locator(".breadcrumb")).to_be_hidden()
    heights = page.locator(".kit-card").evaluate_all(
        "cards => cards.map(c => c.getBoundingClientRect().height)"
    )
    assert len(heights) == 4
    # 130 mm at 96 px per inch: two cards and their gap fit in the 273 mm of an A4 page.
    assert all(abs(h - 130 / 25.4 * 96) < 2 for h in heights), heights
    breaks = page.locator(".kit-card").evaluate_all(
        "cards => cards.map(c => getComputedStyle(c).breakAfter)"
    )
    assert breaks == ["auto", "page", "auto", "auto"]
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")

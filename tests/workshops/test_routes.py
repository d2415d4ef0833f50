"""Workshop pages: who may open what, the entry screens, and input that is never lost."""

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import Comment, PaperCorrection, PaperSupport, Proposal, Role, Workshop
from tests.conftest import TEST_PASSWORD

CARD = {
    "title": "Des bancs au parc",
    "body": "Installer des bancs ombragés au parc de la Loisne.",
    "neighbourhood_id": "",
}
FACILITATOR_PAGES = ["edit", "kit", "entry", "votes", "attendance", "import"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def card(round_, **fields):
    return {**CARD, "pillar_id": str(round_.pillars[0].id), **fields}


def sign_in_next(response) -> str:
    """Where the sign-in page a response redirects to will send back to."""
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sign-in"
    return parse_qs(location.query)["next"][0]


def page_url(workshop, page=""):
    return f"/workshops/{workshop.id}" + (f"/{page}" if page else "")


# --- who may open what -----------------------------------------------------------------------


def test_public_pages_are_open_to_visitors(client, workshop, round_):
    listing = client.get(f"/rounds/{round_.slug}/workshops/")
    assert listing.status_code == 200 and workshop.title in listing.text
    assert "Plan a workshop" not in listing.text
    page = client.get(page_url(workshop))
    assert page.status_code == 200 and "Centre social Jacques Prévert" in page.text
    assert "Facilitator tools" not in page.text


@pytest.mark.parametrize("page", FACILITATOR_PAGES)
def test_visitors_are_sent_to_sign_in(client, workshop, page):
    responses = [client.get(page_url(workshop, page))]
    if page != "kit":
        responses.append(client.post(page_url(workshop, page)))
    for response in responses:
        assert response.status_code == 302
        assert sign_in_next(response) == page_url(workshop, page)
    assert client.get("/workshops/new?round=x").status_code == 302


@pytest.mark.parametrize("page", FACILITATOR_PAGES + ["history"])
def test_residents_get_403_everywhere(client, workshop, resident, sign_in, page, round_):
    sign_in(resident)
    assert client.get(page_url(workshop, page)).status_code == 403
    if page not in ("kit", "history"):
        assert client.post(page_url(workshop, page), data=card(round_)).status_code == 403
    assert client.get(f"/workshops/new?round={round_.slug}").status_code == 403
    assert client.get("/workshops/").status_code == 403
    assert client.get("/workshops/import-template.csv").status_code == 403
    assert count(Proposal) == 0


@pytest.mark.parametrize("page", FACILITATOR_PAGES)
def test_only_the_workshops_own_facilitators_moderators_and_admins_enter(
    client, workshop, create_user, sign_in, page
):
    sign_in(create_user(role=Role.FACILITATOR))  # runs other workshops, not this one
    assert client.get(page_url(workshop, page)).status_code == 403
    for role in (Role.MODERATOR, Role.ADMIN):
        sign_in(create_user(role=role))
        assert client.get(page_url(workshop, page)).status_code == 200
    sign_in(workshop.facilitators[0])
    assert client.get(page_url(workshop, page)).status_code == 200


def test_edit_history_is_for_moderators(client, workshop, facilitator, moderator, sign_in):
    sign_in(facilitator)
    assert client.get(page_url(workshop, "history")).status_code == 403
    assert "Edit history" not in client.get(page_url(workshop, "entry")).text
    sign_in(moderator)
    assert client.get(page_url(workshop, "history")).status_code == 200


# --- planning --------------------------------------------------------------------------------


def test_facilitator_plans_a_workshop_from_the_round(client, facilitator, sign_in, round_):
    sign_in(facilitator)
    listing = client.get(f"/rounds/{round_.slug}/workshops/")
    assert f"/workshops/new?round={round_.slug}" in listing.text
    form = {
        "title": "Atelier du Mont-Liébaut",
        "place": "Maison de quartier",
        "starts_at": "2026-10-10T14:00",
        "ends_at": "2026-10-10T12:00",
        "pillar_ids": [str(round_.pillars[0].id)],
        "expected_attendance": "25",
    }
    refused = client.post(f"/workshops/new?round={round_.slug}", data=form)
    assert refused.status_code == 400
    assert "The workshop must end after it starts." in refused.text
    assert 'value="Atelier du Mont-Liébaut"' in refused.text  # what was typed is kept
    response = client.post(
        f"/workshops/new?round={round_.slug}", data={**form, "ends_at": "2026-10-10T17:00"}
    )
    assert response.status_code == 302
    workshop = db.session.scalar(select(Workshop))
    assert workshop.facilitators == [facilitator]
    page = client.get(response.headers["Location"])
    assert "Facilitator tools" in page.text and "Mark as held" in page.text


def test_state_buttons(client, workshop, facilitator, sign_in):
    sign_in(facilitator)
    response = client.post(page_url(workshop, "state"), data={"state": "transcribed"})
    assert response.status_code == 302
    db.session.refresh(workshop)
    assert workshop.state == "transcribed"
    entry = client.get(page_url(workshop, "entry"))
    assert "reopen it for entry" in entry.text and 'name="title"' not in entry.text
    assert client.post(page_url(workshop, "state"), data={"state": "planned"}).status_code == 302
    db.session.refresh(workshop)
    assert workshop.state == "transcribed"
    assert client.post(page_url(workshop, "state"), data={"state": "nonsense"}).status_code == 400


# --- typing cards in -------------------------------------------------------------------------


def test_entry_screen_saves_a_card_and_comes_back_empty(
    client, workshop, facilitator, sign_in, round_
):
    sign_in(facilitator)
    page = client.get(page_url(workshop, "entry"))
    assert "no participant's name is stored" in page.text
    assert re.search(
        r'<select[^>]*autofocus[^>]*id="pillar_id"|<select[^>]*id="pillar_id"[^>]*autofocus',
        page.text,
    )
    response = client.post(page_url(workshop, "entry"), data=card(round_))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page_url(workshop, "entry"))
    after = client.get(page_url(workshop, "entry"))
    status = after.text.split('role="status"', 1)[1].split("</div>", 1)[0]
    assert "Card saved as P-1 “Des bancs au parc”" in status
    assert 'value="Des bancs au parc"' not in after.text  # an empty form for the next card
    # The pillar of the last card is chosen already: cards come in piles by table.
    assert f'<option selected value="{round_.pillars[0].id}">' in after.text
    proposal = db.session.scalar(select(Proposal))
    assert (proposal.origin, proposal.entered_by_id) == ("workshop", facilitator.id)
    assert (
        "Written on a card at a workshop" in client.get(f"/rounds/{round_.slug}/proposals/1").text
    )


def test_a_bad_card_keeps_everything_typed(client, workshop, facilitator, sign_in, round_):
    sign_in(facilitator)
    response = client.post(
        page_url(workshop, "entry"), data=card(round_, title="", body="Un texte à garder.")
    )
    assert response.status_code == 400
    assert "Give the card a title." in response.text
    assert "Un texte à garder." in response.text
    assert re.search(r'<input[^>]*autofocus[^>]*id="title"', response.text)
    assert count(Proposal) == 0


def test_similar_proposals_first_then_comment_support_or_new(
    client, workshop, facilitator, sign_in, round_, create_proposal
):
    existing = create_proposal(round=round_, title="Des bancs au parc de la Loisne")
    sign_in(facilitator)
    check = client.post(page_url(workshop, "entry"), data=card(round_))
    assert check.status_code == 200
    assert "Similar proposals already exist" in check.text and existing.title in check.text
    assert f'value="comment-{existing.id}"' in check.text
    assert f'value="support-{existing.id}"' in check.text
    assert 'name="similar_checked" type="hidden" value="1"' in check.text
    assert 'value="Des bancs au parc"' in check.text
    assert count(Proposal) == 1

    checked = card(round_, similar_checked="1")
    client.post(page_url(workshop, "entry"), data={**checked, "action": f"comment-{existing.id}"})
    assert "Card added as a comment on P-1" in client.get(page_url(workshop, "entry")).text
    client.post(page_url(workshop, "entry"), data={**checked, "action": f"support-{existing.id}"})
    assert "1 at this workshop" in client.get(page_url(workshop, "entry")).text
    client.post(page_url(workshop, "entry"), data={**checked, "action": "new"})
    assert (count(Proposal), count(Comment), count(PaperSupport)) == (2, 1, 1)
    db.session.refresh(existing)
    assert (existing.comment_count, existing.paper_support_count, existing.support_count) == (
        1,
        1,
        0,
    )


def test_card_correction_page(client, workshop, facilitator, sign_in, round_):
    sign_in(facilitator)
    client.post(page_url(workshop, "entry"), data=card(round_))
    form = client.get(page_url(workshop, "cards/1/edit"))
    assert form.status_code == 200 and 'value="Des bancs au parc"' in form.text
    response = client.post(
        page_url(workshop, "cards/1/edit"), data=card(round_, title="Des bancs au parc Loisne")
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(PaperCorrection))
    assert (entry.field, entry.old_value) == ("title", "Des bancs au parc")


# --- never losing input ----------------------------------------------------------------------


def test_expired_session_keeps_the_card_through_sign_in(client, workshop, facilitator, round_):
    typed = card(round_, title="Une idée gardée", body="Le texte tapé avant l'expiration.")
    response = client.post(
        page_url(workshop, "entry"), data=typed, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 302
    assert sign_in_next(response) == page_url(workshop, "entry")
    cookie = client.get_cookie("workshop-draft-0", path=page_url(workshop, "entry"))
    assert cookie is not None and "Une idée" not in cookie.value  # signed, not readable as such
    assert count(Proposal) == 0

    # Signing in starts a fresh session; the draft lives apart from it.
    signed_in = client.post(
        "/sign-in",
        data={
            "email": facilitator.email,
            "password": TEST_PASSWORD,
            "next": page_url(workshop, "entry"),
        },
    )
    assert signed_in.headers["Location"] == page_url(workshop, "entry")
    page = client.get(page_url(workshop, "entry"))
    assert 'value="Une idée gardée"' in page.text
    assert "Le texte tapé avant l&#39;expiration." in page.text
    assert "What you typed before signing in again is back" in page.text
    # Read once: gone afterwards, and nothing was saved without the facilitator's say.
    assert client.get_cookie("workshop-draft-0", path=page_url(workshop, "entry")) is None
    assert 'value="Une idée gardée"' not in client.get(page_url(workshop, "entry")).text
    assert count(Proposal) == 0


def test_a_draft_from_another_site_or_a_tampered_one_is_ignored(
    client, workshop, facilitator, sign_in, round_
):
    client.post(
        page_url(workshop, "entry"), data=card(round_), headers={"Origin": "https://evil.example"}
    )
    assert client.get_cookie("workshop-draft-0", path=page_url(workshop, "entry")) is None
    client.set_cookie("workshop-draft-0", "forged", path=page_url(workshop, "entry"))
    sign_in(facilitator)
    assert client.get(page_url(workshop, "entry")).status_code == 200


def test_expired_session_keeps_the_vote_sheet(
    client, workshop, facilitator, round_, create_proposal
):
    create_proposal(round=round_)
    lines = {"lines-0-code": "P-1", "lines-0-count": "17"}
    client.post(page_url(workshop, "votes"), data=lines, headers={"Origin": "http://localhost"})
    client.post("/sign-in", data={"email": facilitator.email, "password": TEST_PASSWORD})
    page = client.get(page_url(workshop, "votes"))
    assert 'value="P-1"' in page.text and 'value="17"' in page.text
    assert count(PaperSupport) == 0


@pytest.fixture
def csrf_client(app_factory, facilitator):
    """A client of an app with CSRF on (as in production), signed in as the facilitator."""
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with client.session_transaction() as session:
        session["_user_id"] = facilitator.get_id()
    return client


def token(page) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page.text).group(1)


def test_refused_csrf_token_keeps_the_card_and_saves_nothing(csrf_client, workshop, round_):
    good = token(csrf_client.get(page_url(workshop, "entry")))
    typed = card(round_, title="Une idée à ne pas perdre")
    for bad in ({}, {"csrf_token": "not-a-token"}):
        response = csrf_client.post(page_url(workshop, "entry"), data={**typed, **bad})
        assert response.status_code == 400
        assert "please send it again" in response.text
        assert 'value="Une idée à ne pas perdre"' in response.text
        assert count(Proposal) == 0
    again = csrf_client.post(page_url(workshop, "entry"), data={**typed, "csrf_token": good})
    assert again.status_code == 302 and count(Proposal) == 1


def test_vote_sheet_checks_its_csrf_token(csrf_client, workshop, round_, create_proposal):
    create_proposal(round=round_)
    lines = {"lines-0-code": "P-1", "lines-0-count": "4"}
    refused = csrf_client.post(page_url(workshop, "votes"), data=lines)
    assert refused.status_code == 400 and 'value="P-1"' in refused.text
    assert count(PaperSupport) == 0
    good = token(csrf_client.get(page_url(workshop, "votes")))
    assert (
        csrf_client.post(
            page_url(workshop, "votes"), data={**lines, "csrf_token": good}
        ).status_code
        == 302
    )
    assert count(PaperSupport) == 1


def test_other_workshop_forms_keep_the_global_csrf_check(csrf_client, workshop):
    assert (
        csrf_client.post(page_url(workshop, "attendance"), data={"attendance": "3"}).status_code
        == 400
    )
    assert (
        csrf_client.post(page_url(workshop, "state"), data={"state": "transcribed"}).status_code
        == 400
    )
    db.session.refresh(workshop)
    assert workshop.attendance is None and workshop.state == "held"


# --- sticker votes, attendance, import -------------------------------------------------------


def test_vote_sheet_lists_errors_by_line_and_keeps_input(
    client, workshop, facilitator, sign_in, round_, create_proposal
):
    create_proposal(round=round_)
    sign_in(facilitator)
    form = {
        "lines-0-code": "P-1",
        "lines-0-count": "12",
        "lines-1-code": "P-7",
        "lines-1-count": "3",
    }
    refused = client.post(page_url(workshop, "votes"), data=form)
    assert refused.status_code == 400
    assert (
        "Line 2, proposal code: No proposal of this consultation has the code “P-7”."
        in refused.text
    )
    assert 'value="P-7"' in refused.text and count(PaperSupport) == 0
    more = client.post(page_url(workshop, "votes"), data={**form, "more": "1"})
    assert 'id="lines-19-code"' in more.text and 'value="P-7"' in more.text
    saved = client.post(
        page_url(workshop, "votes"), data={"lines-0-code": "1", "lines-0-count": "12"}
    )
    assert saved.status_code == 302
    page = client.get(page_url(workshop, "votes"))
    assert "Sticker votes saved for 1 proposal: P-1 (12)." in page.text
    public = client.get(page_url(workshop)).text
    assert "12 sticker votes" in public and "0 online supports · 12 at workshops" in public


def test_attendance_is_recorded_and_shown(client, workshop, facilitator, sign_in):
    sign_in(facilitator)
    assert (
        client.post(page_url(workshop, "attendance"), data={"attendance": "-2"}).status_code == 400
    )
    assert (
        client.post(page_url(workshop, "attendance"), data={"attendance": "31"}).status_code == 302
    )
    assert "31 participants" in client.get(page_url(workshop)).text


def test_import_page(client, workshop, facilitator, sign_in):
    sign_in(facilitator)
    template = client.get("/workshops/import-template.csv")
    assert template.mimetype == "text/csv" and template.data.startswith(b"\xef\xbb\xbfpillar,title")
    bad = b"pilier;titre;texte\nhabitat;Bon titre;Bon texte.\nhabitat;;Un texte.\n"
    refused = client.post(
        page_url(workshop, "import"), data={"spreadsheet": (io.BytesIO(bad), "cartes.csv")}
    )
    assert refused.status_code == 400
    assert "Row 3, column “titre”: Give the card a title." in refused.text
    assert count(Proposal) == 0
    good = bad.replace(b";;", b";Autre titre;")
    response = client.post(
        page_url(workshop, "import"), data={"spreadsheet": (io.BytesIO(good), "cartes.csv")}
    )
    assert response.status_code == 302 and count(Proposal) == 2
    assert "2 cards imported: P-1 to P-2." in client.get(response.headers["Location"]).text


def test_history_shows_corrections_with_who_and_when(
    client, workshop, facilitator, moderator, sign_in, round_, create_proposal
):
    create_proposal(round=round_)
    sign_in(facilitator)
    client.post(page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "12"})
    client.post(page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "9"})
    sign_in(moderator)
    page = client.get(page_url(workshop, "history")).text
    assert "Animatrice" in page and "sticker votes" in page
    row = page.split("<tbody>")[2].split("</tr>")[0]
    assert ">12<" in row and ">9<" in row and "P-1" in row


# --- constant query counts -------------------------------------------------------------------


def test_public_pages_query_count_does_not_grow_with_data(
    client, create_workshop, facilitator, round_, create_proposal, assert_page_queries
):
    from participation.workshops import paper

    workshop = create_workshop(facilitators=[facilitator])
    sizes = []
    for n in (2, 30):
        while (
            len(round_.pillars)
            and db.session.scalar(select(func.count()).select_from(Workshop)) < n
        ):
            create_workshop(facilitators=[facilitator], hours_ago=48)
        for i in range(n):
            target = create_proposal(round=round_, title=f"Proposition {n}-{i}")
            paper.set_paper_supports(workshop, facilitator, target, i + 1)
            paper.add_paper_proposal(
                workshop,
                facilitator,
                paper.CardInput(f"Carte {n}-{i}", "Un texte.", round_.pillars[i % 2].id),
            )
        db.session.commit()
        sizes.append(
            (
                assert_page_queries(f"/rounds/{round_.slug}/workshops/", 8),
                assert_page_queries(page_url(workshop), 10),
            )
        )
    assert sizes[0] == sizes[1]

"""Workshop pages: who may open what, the entry screens, and input that is never lost."""

import io
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import (
    Comment,
    PaperCorrection,
    PaperSupport,
    Proposal,
    Role,
    Workshop,
    utcnow,
)
from participation.rounds.services import paris_to_utc
from participation.workshops import paper
from tests.conftest import TEST_PASSWORD, open_session

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
    assert client.get(f"/rounds/{workshop.round.slug}/workshops/new").status_code == 302


@pytest.mark.parametrize("page", FACILITATOR_PAGES + ["history"])
def test_residents_get_403_everywhere(client, workshop, resident, sign_in, page, round_):
    sign_in(resident)
    assert client.get(page_url(workshop, page)).status_code == 403
    if page not in ("kit", "history"):
        assert client.post(page_url(workshop, page), data=card(round_)).status_code == 403
    assert client.get(f"/rounds/{round_.slug}/workshops/new").status_code == 403
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
    assert f"/rounds/{round_.slug}/workshops/new" in listing.text
    form = {
        "title": "Atelier du Mont-Liébaut",
        "place": "Maison de quartier",
        "starts_at": "2026-10-10T14:00",
        "ends_at": "2026-10-10T12:00",
        "pillar_ids": [str(round_.pillars[0].id)],
        "expected_attendance": "25",
    }
    refused = client.post(f"/rounds/{round_.slug}/workshops/new", data=form)
    assert refused.status_code == 400
    assert "The workshop must end after it starts." in refused.text
    assert 'value="Atelier du Mont-Liébaut"' in refused.text  # what was typed is kept
    response = client.post(
        f"/rounds/{round_.slug}/workshops/new", data={**form, "ends_at": "2026-10-10T17:00"}
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
    refused = client.post(page_url(workshop, "state"), data={"state": "planned"})
    assert refused.status_code == 409
    assert "This change of state is not possible now." in refused.text
    db.session.refresh(workshop)
    assert workshop.state == "transcribed"
    assert client.post(page_url(workshop, "state"), data={"state": "nonsense"}).status_code == 400


# --- when workshops are planned and paper typed in --------------------------------------------


@pytest.fixture
def smart_days_2018(create_round, create_workshop, facilitator, round_):
    """The archived 2018 round (three weeks of workshops, the council on 11 December) and one
    of its workshops, run by the facilitator."""
    archived = create_round(
        "Smart Days 2018",
        pillars=round_.pillars,
        collect_starts_at=paris_to_utc(datetime(2018, 10, 1, 0, 0)),
        collect_ends_at=paris_to_utc(datetime(2018, 10, 21, 23, 59)),
        vote_starts_at=None,
        vote_ends_at=None,
        deliberation_ends_at=paris_to_utc(datetime(2018, 12, 11, 23, 59)),
    )
    workshop = create_workshop(round=archived, facilitators=[facilitator], title="Atelier 2018")
    workshop.starts_at = paris_to_utc(datetime(2018, 10, 10, 14, 0))
    workshop.ends_at = paris_to_utc(datetime(2018, 10, 10, 17, 0))
    db.session.commit()
    return archived, workshop


def test_no_workshop_nor_card_goes_into_the_archived_2018_round(
    client, facilitator, moderator, sign_in, smart_days_2018, round_
):
    archived, workshop = smart_days_2018
    over = "The workshops of this consultation are over"
    for someone in (facilitator, moderator):
        sign_in(someone)
        listing = client.get(f"/rounds/{archived.slug}/workshops/")
        assert "/workshops/new" not in listing.text and over in listing.text
        planning = client.get(f"/rounds/{archived.slug}/workshops/new")
        assert planning.status_code == 409 and over in planning.text
        planned = client.post(
            f"/rounds/{archived.slug}/workshops/new",
            data={
                "title": "Atelier rétroactif",
                "place": "Salle Olof Palme",
                "starts_at": "2018-10-12T14:00",
                "ends_at": "2018-10-12T17:00",
                "pillar_ids": [str(round_.pillars[0].id)],
            },
        )
        assert planned.status_code == 409 and over in planned.text

        closed = "Paper input for this workshop is closed"
        page = client.get(page_url(workshop))
        assert closed in page.text
        entry = client.get(page_url(workshop, "entry"))
        assert closed in entry.text and 'name="title"' not in entry.text
        typed = client.post(page_url(workshop, "entry"), data=card(round_))
        assert typed.status_code == 409 and closed in typed.text
        assert client.post(page_url(workshop, "import")).status_code == 409
        assert (
            client.post(page_url(workshop, "attendance"), data={"attendance": "3"}).status_code
            == 409
        )
    assert count(Workshop) == 1 and count(Proposal) == 0
    db.session.refresh(workshop)
    assert workshop.attendance is None


@pytest.fixture
def ended_round(create_round, round_):
    """A round whose vote, and with it the workshops phase, ended five days ago."""
    now, day = utcnow(), timedelta(days=1)
    return create_round(
        pillars=round_.pillars,
        collect_starts_at=now - 60 * day,
        collect_ends_at=now - 30 * day,
        vote_starts_at=now - 30 * day,
        vote_ends_at=now - 5 * day,
        deliberation_ends_at=now + 30 * day,
    )


def test_cards_are_typed_in_within_the_grace_period_only(
    client, facilitator, sign_in, ended_round, create_workshop, round_
):
    recent = create_workshop(round=ended_round, facilitators=[facilitator], hours_ago=8 * 24)
    older = create_workshop(round=ended_round, facilitators=[facilitator], hours_ago=20 * 24)
    sign_in(facilitator)
    saved = client.post(page_url(recent, "entry"), data=card(round_))
    assert saved.status_code == 302 and count(Proposal) == 1
    refused = client.post(page_url(older, "entry"), data=card(round_, title="Trop tard"))
    assert refused.status_code == 409
    assert "the grace period after the workshop have ended" in refused.text
    assert 'value="Trop tard"' in refused.text  # what was typed stays on the screen
    assert count(Proposal) == 1


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
    client.post(page_url(workshop, "attendance"), data={"attendance": "10"})
    check = client.post(page_url(workshop, "entry"), data=card(round_))
    assert check.status_code == 200
    assert "Similar proposals already exist" in check.text and existing.title in check.text
    assert f'value="comment-{existing.id}"' in check.text
    assert f'value="support-{existing.id}"' in check.text
    assert 'name="similar_checked" type="hidden" value="1"' in check.text
    assert 'value="Des bancs au parc"' in check.text
    # A "+1" counts against the stickers the participants received.
    assert "At most 50 stickers: 10 participants × 5 each; 0 counted so far." in check.text
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
        session["_user_id"] = open_session(facilitator)
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


def test_vote_sheet_checks_its_csrf_token(
    csrf_client, workshop, facilitator, round_, create_proposal
):
    create_proposal(round=round_)
    paper.set_attendance(workshop, facilitator, 10)
    db.session.commit()
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
    client.post(page_url(workshop, "attendance"), data={"attendance": "10"})
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


def test_vote_sheet_waits_for_the_attendance(
    client, workshop, facilitator, sign_in, round_, create_proposal
):
    create_proposal(round=round_)
    sign_in(facilitator)
    page = client.get(page_url(workshop, "votes"))
    assert "Type in how many people came first" in page.text
    assert f'href="{page_url(workshop, "attendance")}"' in page.text
    refused = client.post(
        page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "3"}
    )
    assert refused.status_code == 400 and "Type in how many people came first" in refused.text
    assert count(PaperSupport) == 0


def test_5000_stickers_for_10_people_are_refused_on_the_vote_sheet(
    client, workshop, facilitator, sign_in, round_, create_proposal
):
    create_proposal(round=round_)
    sign_in(facilitator)
    client.post(page_url(workshop, "attendance"), data={"attendance": "10"})
    refused = client.post(
        page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "5000"}
    )
    assert refused.status_code == 400
    assert (
        "5000 sticker votes in all is more than this workshop can have given: "
        "10 participants × 5 stickers = 50." in refused.text
    )
    assert 'value="5000"' in refused.text and count(PaperSupport) == 0
    assert (
        client.post(
            page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "50"}
        ).status_code
        == 302
    )
    # Fewer people than the stickers counted need: refused beside the field.
    lowered = client.post(page_url(workshop, "attendance"), data={"attendance": "9"})
    assert lowered.status_code == 400
    assert (
        '<p class="field-error" id="attendance-error">The sticker votes already counted need '
        "at least 10 participants.</p>" in lowered.text
    )
    db.session.refresh(workshop)
    assert workshop.attendance == 10


def test_vote_sheet_shows_the_bound_and_both_parts_of_each_count(
    client, workshop, facilitator, sign_in, round_, create_proposal
):
    existing = create_proposal(round=round_, title="Des bancs au parc de la Loisne")
    sign_in(facilitator)
    client.post(page_url(workshop, "attendance"), data={"attendance": "10"})
    # One card given as a "+1", then 12 stickers on the vote sheet: 13 in all.
    client.post(
        page_url(workshop, "entry"),
        data={**card(round_, similar_checked="1"), "action": f"support-{existing.id}"},
    )
    client.post(page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "12"})
    page = client.get(page_url(workshop, "votes")).text
    assert "At most 50 stickers: 10 participants × 5 each; 13 counted so far." in page
    row = " ".join(page.split('<th scope="row">P-1</th>', 1)[1].split("</tr>", 1)[0].split())
    numbers = re.findall(r'<td class="number">(?:<strong>)?(\d+)', row)
    assert numbers == ["1", "12", "13"]
    # The sheet corrected to 10: the card's "+1" stays.
    client.post(page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "10"})
    db.session.refresh(existing)
    assert existing.paper_support_count == 11
    assert "11 counted so far" in client.get(page_url(workshop, "votes")).text


def test_no_plus_one_is_offered_beyond_the_bound(
    client, workshop, facilitator, sign_in, round_, create_proposal
):
    existing = create_proposal(round=round_, title="Des bancs au parc de la Loisne")
    sign_in(facilitator)
    check = client.post(page_url(workshop, "entry"), data=card(round_))
    assert "Similar proposals already exist" in check.text
    assert f'value="support-{existing.id}"' not in check.text
    assert f'value="comment-{existing.id}"' in check.text
    assert "Type in how many people came first" in check.text
    round_.stickers_per_person = 2
    db.session.commit()
    client.post(page_url(workshop, "attendance"), data={"attendance": "1"})
    client.post(page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "2"})
    full = client.post(page_url(workshop, "entry"), data=card(round_))
    assert "At most 2 stickers: 1 participant × 2 each; 2 counted so far." in full.text
    assert f'value="support-{existing.id}"' not in full.text
    assert "3 sticker votes in all is more than this workshop can have given" in full.text
    refused = client.post(
        page_url(workshop, "entry"),
        data={**card(round_, similar_checked="1"), "action": f"support-{existing.id}"},
    )
    assert refused.status_code == 409 and count(PaperSupport) == 1


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
    create_proposal(round=round_, title="Une piste cyclable")
    sign_in(facilitator)
    client.post(page_url(workshop, "attendance"), data={"attendance": "10"})
    client.post(page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "12"})
    client.post(page_url(workshop, "votes"), data={"lines-0-code": "P-1", "lines-0-count": "9"})
    sign_in(moderator)
    page = client.get(page_url(workshop, "history")).text
    assert "Animatrice" in page
    latest = " ".join(page.split("<tbody>")[2].split("</tr>")[0].split())
    # Which part of the count changed, in words, with the value before and after.
    assert "P-1</a>, sticker votes from the vote sheet" in latest
    assert ">12<" in latest and ">9<" in latest
    first = " ".join(page.split("<tbody>")[2].split("</tr>")[1].split())
    assert "Attendance" in first and ">10<" in first


# --- constant query counts -------------------------------------------------------------------


def test_public_pages_query_count_does_not_grow_with_data(
    client, create_workshop, facilitator, round_, create_proposal, assert_page_queries
):
    workshop = create_workshop(facilitators=[facilitator], attendance=1000)
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


def test_the_vote_sheet_screen_lists_the_printed_proposals_in_the_sheets_order(
    client, create_workshop, facilitator, sign_in, round_, create_proposal
):
    mobility, housing = round_.pillars
    workshop = create_workshop(facilitators=[facilitator], pillars=[housing, mobility])
    # Printed by pillar (in the pillars' order), then by code.
    later = create_proposal(round=round_, pillar=housing)
    first = create_proposal(round=round_, pillar=mobility)
    create_proposal(round=round_, pillar=mobility, status="submitted")  # not on the sheet
    second = create_proposal(round=round_, pillar=mobility)
    sign_in(facilitator)
    client.post(page_url(workshop, "attendance"), data={"attendance": "10"})
    text = client.get(page_url(workshop, "votes")).text

    codes = re.findall(r'name="lines-(\d+)-code"[^>]*value="([^"]*)"', text)
    assert mobility.position < housing.position
    # The printed lines, then empty ones (ten lines at least).
    assert [code for _, code in codes] == [first.code, second.code, later.code] + [""] * 7
    # A printed line left without a count saves nothing, the others save.
    assert (
        client.post(
            page_url(workshop, "votes"),
            data={
                "lines-0-code": codes[0][1],
                "lines-0-count": "4",
                "lines-1-code": codes[1][1],
                "lines-1-count": "",
            },
        ).status_code
        == 302
    )
    assert count(PaperSupport) == 1
    # The count read so far is shown beside its code.
    again = client.get(page_url(workshop, "votes")).text
    assert re.search(r'name="lines-0-count"[^>]*value="4"', again)
    assert re.search(r'name="lines-1-count"[^>]*value=""', again)


def test_my_workshops_when_empty_offers_to_plan_one(client, create_user, sign_in, round_):
    sign_in(create_user(role="facilitator"))
    text = client.get("/workshops/").text

    assert "No workshop yet." in text
    assert f'href="/rounds/{round_.slug}/workshops/new">Plan a workshop in “Béthune à 2032”' in text
    assert 'href="/rounds/">See the consultations and their workshops' in text

import io
import json
import re
import zipfile

import pytest

from participation.extensions import db
from participation.models import Proposal, ProposalRevision, Support, utcnow

TEXT = "Installer des abris à vélos sécurisés près de la gare et des écoles du centre."


@pytest.fixture
def round_(create_round, create_pillar):
    return create_round(pillars=[create_pillar(name_fr="Mobilité / Transports")])


def form(round_, **fields):
    values = {
        "title": "Des abris à vélos",
        "body": TEXT,
        "pillar_id": str(round_.pillars[0].id),
        "neighbourhood_id": "",
    }
    values.update(fields)
    return values


def url(round_, suffix=""):
    return f"/rounds/{round_.slug}/proposals/{suffix}"


def test_visitor_browses_but_is_sent_to_sign_in_to_submit(client, round_, create_proposal):
    create_proposal(round=round_, title="Des bancs au parc")
    page = client.get(url(round_))
    assert page.status_code == 200 and "Des bancs au parc" in page.text
    assert client.get(url(round_, "new")).status_code == 302
    assert client.post(url(round_, "new"), data=form(round_)).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 1


def test_resident_submits_and_lands_on_the_proposal(client, round_, create_user, sign_in):
    sign_in(create_user())
    response = client.post(url(round_, "new"), data=form(round_))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(round_, "1"))
    page = client.get(url(round_, "1"))
    assert "Des abris à vélos" in page.text and "P-1" in page.text


def test_similar_proposals_are_shown_before_creating(
    client, round_, create_user, create_proposal, sign_in
):
    create_proposal(round=round_, title="Abris vélos sécurisés à la gare")
    sign_in(create_user())
    first = client.post(url(round_, "new"), data=form(round_))
    assert first.status_code == 200
    assert "Abris vélos sécurisés à la gare" in first.text
    assert 'name="similar_checked" type="hidden" value="1"' in first.text
    assert 'value="Des abris à vélos"' in first.text  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 1
    second = client.post(url(round_, "new"), data=form(round_, similar_checked="1"))
    assert second.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 2


def test_bad_input_keeps_text_and_saves_nothing(client, round_, create_user, sign_in):
    sign_in(create_user())
    response = client.post(url(round_, "new"), data=form(round_, title="", body="trop court"))
    assert response.status_code == 400
    assert "trop court" in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 0


def test_blocked_resident_reads_but_cannot_post(
    client, round_, create_user, sign_in, create_proposal
):
    proposal = create_proposal(round=round_)
    sign_in(create_user(blocked_at=utcnow()))
    assert client.get(url(round_, str(proposal.number))).status_code == 200
    response = client.post(url(round_, "new"), data=form(round_))
    assert response.status_code == 403
    assert "Your account is blocked: you can read, but not post." in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 1
    response = client.post(url(round_, f"{proposal.number}/support"))
    assert response.status_code == 403
    assert "Your account is blocked: you can read, but not post." in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Support)) == 0


def test_closed_phase_says_so(client, create_round, create_pillar, create_user, sign_in):
    closed = create_round(phase="closed", pillars=[create_pillar()])
    sign_in(create_user())
    response = client.get(url(closed, "new"))
    assert response.status_code == 200
    assert "phase" in response.text.lower()
    assert "<textarea" not in response.text


def test_a_proposal_sent_as_the_phase_closes_keeps_its_text(
    client, create_round, create_pillar, create_user, sign_in
):
    closed = create_round(phase="closed", pillars=[create_pillar()])
    sign_in(create_user())
    response = client.post(url(closed, "new"), data=form(closed))
    assert response.status_code == 409
    assert "phase" in response.text.lower()
    assert 'value="Des abris à vélos"' in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 0


def test_support_without_javascript_and_with_json(
    client, round_, create_user, create_proposal, sign_in
):
    proposal = create_proposal(round=round_)
    sign_in(create_user())
    response = client.post(url(round_, f"{proposal.number}/support"))
    assert response.status_code == 302 and response.headers["Location"].endswith("#support")
    page = client.get(url(round_, str(proposal.number)))
    assert "unsupport" in page.text
    response = client.post(
        url(round_, f"{proposal.number}/unsupport"), headers={"Accept": "application/json"}
    )
    assert response.json == {
        "supported": False,
        "support_count": 0,
        "message": response.json["message"],
    }
    response = client.post(
        url(round_, f"{proposal.number}/support"), headers={"Accept": "application/json"}
    )
    assert response.json["support_count"] == 1 and response.json["supported"] is True


def test_hidden_and_unpublished_proposals_are_404_for_others(
    client, round_, create_proposal, create_user, sign_in
):
    waiting = create_proposal(round=round_, status="submitted")
    hidden = create_proposal(round=round_, hidden_at=utcnow(), hidden_reason="abus")
    for p in (waiting, hidden):
        assert client.get(url(round_, str(p.number))).status_code == 404
    sign_in(waiting.author)
    assert client.get(url(round_, str(waiting.number))).status_code == 200
    sign_in(create_user(role="moderator"))
    assert client.get(url(round_, str(hidden.number))).status_code == 200


def test_edit_is_for_the_author_only(client, round_, create_proposal, create_user, sign_in):
    proposal = create_proposal(round=round_)
    sign_in(create_user())
    assert client.get(url(round_, f"{proposal.number}/edit")).status_code == 403
    refused = client.post(
        url(round_, f"{proposal.number}/edit"), data=form(round_, title="Un titre détourné")
    )
    assert refused.status_code == 403 and "Only its author can do this." in refused.text
    sign_in(proposal.author)
    response = client.post(
        url(round_, f"{proposal.number}/edit"), data=form(round_, title="Un titre corrigé")
    )
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "Un titre corrigé"
    page = client.get(url(round_, str(proposal.number))).text
    assert "Your changes are saved." in page
    assert "Un titre corrigé" in page and "Edited by its author" in page


def edited_proposal(client, round_, create_proposal, sign_in, **fields):
    """A proposal whose author changed its title from "Des bancs au parc" (public at once)."""
    proposal = create_proposal(round=round_, title="Des bancs au parc", **fields)
    sign_in(proposal.author)
    response = client.post(
        url(round_, f"{proposal.number}/edit"), data=form(round_, title="Des bancs à l'ombre")
    )
    assert response.status_code == 302
    return proposal


def test_previous_texts_are_for_moderators_only(
    app, client, round_, create_proposal, create_user, sign_in
):
    proposal = edited_proposal(client, round_, create_proposal, sign_in)
    path = url(round_, str(proposal.number))
    author_page = client.get(path).text
    visitor = app.test_client()
    visitor_page = visitor.get(path, headers={"Accept-Language": "en"}).text
    for page in (author_page, visitor_page):
        assert "Edited by its author" in page  # the public trail says that it changed…
        assert "Des bancs au parc" not in page  # …not what it said before
        assert "Text before this change" not in page
    sign_in(create_user(role="moderator"))
    moderator_page = client.get(path).text
    assert "Text before this change" in moderator_page
    assert "Des bancs au parc" in moderator_page


def test_the_api_and_open_data_carry_neither_previous_nor_waiting_texts(
    app, client, round_, create_proposal, sign_in
):
    edited = edited_proposal(client, round_, create_proposal, sign_in)
    round_.premoderation = True
    db.session.commit()
    waiting = create_proposal(round=round_, title="Un square fleuri")
    sign_in(waiting.author)
    client.post(
        url(round_, f"{waiting.number}/edit"), data=form(round_, title="Un square en friche")
    )
    visitor = app.test_client()
    download = visitor.get(f"/rounds/{round_.slug}/open-data.zip")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    files = [archive.read(name).decode("utf-8-sig") for name in archive.namelist()]
    assert any("Un square fleuri" in text for text in files)  # the zip has the proposals
    answers = [visitor.get(f"/api/v1/proposals/{p.id}") for p in (edited, waiting)]
    answers.append(visitor.get(f"/api/v1/proposals?round={round_.slug}"))
    assert all(answer.status_code == 200 for answer in answers)
    api = [json.dumps(answer.json, ensure_ascii=False) for answer in answers]
    assert "Des bancs à l'ombre" in api[0] and "Un square fleuri" in api[1]
    for text in api + files:
        assert "Des bancs au parc" not in text and "Un square en friche" not in text


def test_in_a_premoderated_round_an_edit_waits_and_the_published_text_stays(
    app, client, create_round, create_pillar, create_proposal, create_user, sign_in
):
    round_ = create_round(pillars=[create_pillar()], premoderation=True)
    proposal = create_proposal(round=round_, title="Des bancs au parc")
    path = url(round_, str(proposal.number))
    sign_in(proposal.author)
    response = client.post(
        url(round_, f"{proposal.number}/edit"), data=form(round_, title="Des bancs partout")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).title == "Des bancs au parc"

    # The public reads the published text, and nothing of the waiting one.
    visitor = app.test_client()
    for page in (
        visitor.get(path, headers={"Accept-Language": "en"}).text,
        visitor.get(url(round_), headers={"Accept-Language": "en"}).text,
    ):
        assert "Des bancs au parc" in page
        assert "Des bancs partout" not in page and "awaits moderation" not in page

    # The author is told that the change waits, and finds it in the edit form.
    page = client.get(path).text
    assert "will replace the published text once a moderator has checked them" in page
    assert re.search(r'<h1 id="proposal-title"[^>]*>Des bancs au parc</h1>', page)
    assert 'id="waiting-change"' in page and "awaits moderation" in page
    edit_page = client.get(url(round_, f"{proposal.number}/edit")).text
    assert 'id="waiting-change"' in edit_page
    assert 'value="Des bancs partout"' in edit_page

    # A second change replaces the waiting one.
    response = client.post(
        url(round_, f"{proposal.number}/edit"), data=form(round_, title="Des bancs et des arbres")
    )
    assert response.status_code == 302
    page = client.get(path).text
    assert "in place of those that were waiting" in page
    revisions = db.session.scalars(db.select(ProposalRevision)).all()
    assert [r.title for r in revisions] == ["Des bancs et des arbres"]
    assert (
        'value="Des bancs et des arbres"' in client.get(url(round_, f"{proposal.number}/edit")).text
    )

    # Moderators see that a change waits; another resident does not.
    sign_in(create_user())
    assert 'id="waiting-change"' not in client.get(path).text
    sign_in(create_user(role="moderator"))
    assert 'id="waiting-change"' in client.get(path).text


def test_withdraw_needs_a_reason(client, round_, create_proposal, sign_in):
    proposal = create_proposal(round=round_)
    sign_in(proposal.author)
    assert (
        client.post(url(round_, f"{proposal.number}/withdraw"), data={"reason": ""}).status_code
        == 400
    )
    response = client.post(url(round_, f"{proposal.number}/withdraw"), data={"reason": "Déjà fait"})
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "withdrawn"
    assert "Déjà fait" in client.get(url(round_, str(proposal.number))).text


def test_list_pages_and_random_order_is_stable(client, round_, create_proposal):
    for i in range(25):
        create_proposal(round=round_, title=f"Idée numéro {i}")
    response = client.get(url(round_) + "?sort=random")
    assert response.status_code == 302 and "seed=" in response.headers["Location"]
    target = response.headers["Location"]
    first = client.get(target).text
    assert first == client.get(target).text
    second = client.get(target + "&page=2").text
    assert "Idée numéro" in second
    assert client.get(url(round_) + "?page=99").status_code == 200


@pytest.mark.parametrize(
    "language, texts",
    [
        (
            "fr",
            ["157\u202f019 soutiens en ligne", "1\u202f200 en atelier", "2\u202f345 commentaires"],
        ),
        ("en", ["157,019 online supports", "1,200 at workshops", "2,345 comments"]),
    ],
)
def test_counts_are_written_the_languages_way(client, round_, create_proposal, language, texts):
    """At a large city's scale a card reads "157 019 soutiens", not "157019 soutiens"."""
    proposal = create_proposal(
        round=round_, support_count=157019, paper_support_count=1200, comment_count=2345
    )
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    cards = client.get(url(round_)).text
    page = client.get(url(round_, proposal.number)).text
    for text in texts:
        assert text in cards
    assert texts[0] in page and texts[1] in page


def test_the_list_offers_every_pillar_of_its_round_and_an_unknown_round_is_404(
    client, create_round, create_pillar, create_proposal
):
    pillars = [create_pillar(name_en=f"Pillar no. {n}") for n in (3, 1, 2)]
    round_ = create_round(pillars=pillars)
    for pillar in pillars:
        create_proposal(round=round_, pillar=pillar)
    page = client.get(url(round_))
    assert page.status_code == 200
    options = re.findall(r'<option value="\d+" >(Pillar no\. \d)</option>', page.text)
    assert options == ["Pillar no. 3", "Pillar no. 1", "Pillar no. 2"]  # in their positions
    assert page.text.count('class="proposal-card"') == 3
    assert client.get("/rounds/aucun-tel-tour/proposals/").status_code == 404


@pytest.mark.parametrize("sort", ["supports", "comments", "random"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_list_query_count_does_not_grow(
    client,
    round_,
    create_proposal,
    create_pillar,
    create_neighbourhood,
    create_user,
    sign_in,
    assert_page_queries,
    sort,
    signed_in,
):
    if signed_in:
        sign_in(create_user())
    address = f"{url(round_)}?sort={sort}&seed=7"
    create_proposal(round=round_)
    few = assert_page_queries(address, 8 if signed_in else 4)
    # More cards, over more pillars and neighbourhoods: each card's are those in hand.
    pillars = [create_pillar() for _ in range(3)]
    places = [create_neighbourhood() for _ in range(4)]
    for n in range(40):
        create_proposal(round=round_, pillar=pillars[n % 3], neighbourhood=places[n % 4])
    assert assert_page_queries(address, 8 if signed_in else 4) == few


def test_proposal_page_query_count_does_not_grow(
    client, round_, create_proposal, create_user, sign_in, assert_page_queries
):
    from participation.models import ProposalStatus
    from participation.proposals import state

    proposal = create_proposal(round=round_)
    sign_in(create_user())
    path = url(round_, str(proposal.number))
    few = assert_page_queries(path, 7)
    moderator = create_user(role="moderator")
    state.transition(proposal, ProposalStatus.RETAINED, moderator, "Bonne idée")
    for _ in range(30):
        db.session.add(
            Support(proposal_id=proposal.id, user_id=create_user().id, round_id=round_.id)
        )
    db.session.commit()
    assert assert_page_queries(path, 7) == few


def test_a_proposals_page_reads_no_merge_deliberation_or_actor_it_does_not_show(
    client, round_, create_proposal, create_user, count_queries
):
    """Most proposals are neither merged nor promoted: their page joins neither a merged
    proposal nor a deliberation to the proposal (a proposal that has one reads it when shown),
    and the public trail does not say who did each step, so it reads no account."""
    from participation.models import ProposalStatus
    from participation.proposals import state

    proposal = create_proposal(round=round_)
    state.transition(proposal, ProposalStatus.RETAINED, create_user(role="moderator"), "Oui")
    with count_queries() as counter:
        assert client.get(url(round_, str(proposal.number))).status_code == 200
    read = "\n".join(counter.statements)
    assert "deliberations" not in read and "proposals_1" not in read, read
    (events,) = [s for s in counter.statements if "FROM proposal_events" in s]
    assert "users" not in events, events


def test_the_moderators_page_of_a_proposal_reads_who_did_each_step_at_once(
    client, create_proposal, create_user, sign_in, assert_page_queries
):
    from participation.models import ProposalStatus
    from participation.proposals import state

    moderator = create_user(role="moderator")
    sign_in(moderator)
    proposal = create_proposal()
    path = f"/moderation/proposals/{proposal.id}"
    few = assert_page_queries(path, 40)
    for n in range(4):  # decided and corrected by others, one after the other
        target = ProposalStatus.RETAINED if n % 2 == 0 else ProposalStatus.NOT_RETAINED
        state.transition(proposal, target, create_user(role="moderator"), f"Décision {n}")
    assert assert_page_queries(path, 40) == few

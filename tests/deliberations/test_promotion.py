"""Recording a council session and promoting retained proposals into a framework deliberation."""

from datetime import date
from html import unescape

import pytest

from participation.deliberations import promotion
from participation.errors import NotAllowed
from participation.extensions import db
from participation.models import CouncilSession, Deliberation, ProposalEvent, ProposalStatus

from .conftest import EN, audit_entries, input_value


def deliberation_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Deliberation))


# --- council sessions ----------------------------------------------------------------------


def test_moderator_records_a_council_session(client, moderator, sign_in, create_round):
    round_ = create_round(phase="deliberation", title="Béthune à 2032")
    sign_in(moderator)
    page = client.get("/deliberations/sessions/new", headers=EN)
    assert page.status_code == 200
    assert input_value(page.text, "title") == "Conseil municipal"
    assert "Béthune à 2032" in unescape(page.text)

    response = client.post(
        "/deliberations/sessions/new",
        data={"held_on": "2027-03-15", "title": "Conseil municipal", "round_id": round_.id},
    )

    session = db.session.scalars(db.select(CouncilSession)).one()
    assert response.status_code == 302
    assert response.location.endswith(f"/deliberations/promote?session={session.id}")
    assert (session.held_on, session.title, session.round_id) == (
        date(2027, 3, 15),
        "Conseil municipal",
        round_.id,
    )
    (entry,) = audit_entries("council_session.create")
    assert entry.actor_id == moderator.id and entry.after["held_on"] == "2027-03-15"


def test_same_session_twice_is_refused_and_the_form_keeps_what_was_typed(
    client, moderator, sign_in, create_council_session
):
    create_council_session(held_on=date(2027, 3, 15), title="Conseil municipal")
    sign_in(moderator)
    response = client.post(
        "/deliberations/sessions/new",
        data={"held_on": "2027-03-15", "title": "Conseil municipal", "round_id": ""},
        headers=EN,
    )
    assert response.status_code == 400
    assert "A council session with this date and title exists already." in unescape(response.text)
    assert input_value(response.text, "held_on") == "2027-03-15"
    assert db.session.scalar(db.select(db.func.count()).select_from(CouncilSession)) == 1

    response = client.post(
        "/deliberations/sessions/new", data={"held_on": "", "title": "Conseil"}, headers=EN
    )
    assert response.status_code == 400
    assert "Enter the date of the council." in response.text
    assert input_value(response.text, "title") == "Conseil"


# --- promotion, end to end -----------------------------------------------------------------


def test_promotion_end_to_end(
    client, moderator, sign_in, create_retained, create_user, create_council_session, outbox
):
    first = create_retained(title="Des vergers dans les écoles", author=create_user(locale="en"))
    second = create_retained(
        round=first.round, title="Des arbres fruitiers", author=create_user(locale="en")
    )
    session = create_council_session(round=first.round)
    mails_before = len(outbox())
    sign_in(moderator)

    form_page = client.get(f"/deliberations/promote?session={session.id}", headers=EN)
    assert form_page.status_code == 200
    assert first.title in form_page.text and second.title in form_page.text
    assert input_value(form_page.text, "number") == "1"

    response = client.post(
        f"/deliberations/promote?session={session.id}",
        data={
            "proposal_ids": [first.id, second.id],
            "council_session_id": session.id,
            "number": 1,
            "pillar_id": first.pillar_id,
            "title": "Un verger dans chaque école",
            "body": "Planter des arbres fruitiers dans les cours.",
        },
        headers=EN,
    )

    deliberation = db.session.scalars(db.select(Deliberation)).one()
    assert response.status_code == 302
    assert response.location.endswith(f"/deliberations/{deliberation.id}")
    # Linked both ways.
    assert [p.id for p in deliberation.proposals] == [first.id, second.id]
    for proposal in (first, second):
        db.session.refresh(proposal)
        assert proposal.status == ProposalStatus.PROMOTED
        assert proposal.deliberation_id == deliberation.id
    assert (deliberation.number, deliberation.council_session_id) == (1, session.id)
    # It leads to an action of the masterplan, carried by the city, in the same pillar.
    action = deliberation.action
    assert (action.title, action.pillar_id, action.status) == (
        "Un verger dans chaque école",
        first.pillar_id,
        "project",
    )
    assert (action.carrier.name, action.carrier.kind, action.is_published) == (
        "Ville de Béthune",
        "city",
        True,
    )
    # The public trail of each proposal says so.
    trail = db.session.scalars(
        db.select(ProposalEvent).where(ProposalEvent.to_status == "promoted")
    ).all()
    assert sorted(e.proposal_id for e in trail) == [first.id, second.id]
    assert {e.note for e in trail} == {"Un verger dans chaque école"}
    # The audit log has the status changes and the new deliberation.
    promotions = audit_entries("proposal.promote")
    assert [(e.target_id, e.before, e.after) for e in promotions] == [
        (first.id, {"status": "retained"}, {"status": "promoted"}),
        (second.id, {"status": "retained"}, {"status": "promoted"}),
    ]
    (created,) = audit_entries("deliberation.create")
    assert created.target_id == deliberation.id and created.actor_id == moderator.id
    assert created.after["proposals"] == [first.id, second.id]
    # Each author is told.
    mails = outbox()[mails_before:]
    assert sorted(m["To"] for m in mails) == sorted([first.author.email, second.author.email])
    assert {m["Subject"] for m in mails} == {"Your proposal became a framework deliberation"}
    assert "framework deliberation no. 1" in mails[0].get_body().get_content()

    detail = client.get(response.location, headers=EN).text
    assert "Framework deliberation no. 1 is recorded." in detail
    for proposal in (first, second):
        assert f'href="/rounds/{proposal.round.slug}/proposals/{proposal.number}"' in detail


def test_next_number_is_offered_for_the_session_asked_for(
    client, moderator, sign_in, promoted, create_council_session
):
    other = create_council_session(held_on=date(2028, 1, 10))
    sign_in(moderator)
    page = client.get(f"/deliberations/promote?session={promoted.council_session_id}").text
    assert input_value(page, "number") == "2"
    assert f'<option selected value="{promoted.council_session_id}">' in page
    # Without a choice: the latest session, whose first number is free.
    page = client.get("/deliberations/promote").text
    assert f'<option selected value="{other.id}">' in page
    assert input_value(page, "number") == "1"


def test_promote_list_filters_by_round_and_pillar(
    client, moderator, sign_in, create_retained, create_proposal, create_pillar
):
    pillar = create_pillar()
    kept = create_retained(title="Une piste cyclable", pillar=pillar)
    elsewhere = create_retained(title="Un marché bio")
    published = create_proposal(round=kept.round, title="Une idée encore en discussion")
    sign_in(moderator)

    everything = client.get("/deliberations/promote").text
    assert kept.title in everything and elsewhere.title in everything
    assert published.title not in everything  # only retained proposals wait for promotion
    by_round = client.get(f"/deliberations/promote?round={kept.round_id}").text
    assert kept.title in by_round and elsewhere.title not in by_round
    by_pillar = client.get(f"/deliberations/promote?pillar={pillar.id}").text
    assert kept.title in by_pillar and elsewhere.title not in by_pillar
    assert f'<option selected value="{pillar.id}">' in by_pillar  # the pillar is pre-chosen


# --- refusals ------------------------------------------------------------------------------


def _input(session, proposal, number=1):
    return promotion.DeliberationInput(
        council_session_id=session.id, number=number, pillar_id=proposal.pillar_id, title="Action"
    )


def test_only_retained_proposals_can_be_promoted(
    create_proposal, create_retained, create_council_session, moderator
):
    session = create_council_session()
    published = create_proposal()
    with pytest.raises(promotion.PromotionNotPossible):
        promotion.promote([published], moderator, _input(session, published))
    retained = create_retained(round=published.round)
    with pytest.raises(promotion.PromotionNotPossible):
        promotion.promote([retained, published], moderator, _input(session, retained))
    with pytest.raises(promotion.PromotionNotPossible):
        promotion.promote([], moderator, _input(session, retained))
    db.session.rollback()
    assert deliberation_count() == 0
    assert (published.status, retained.status) == ("published", "retained")


def test_proposals_of_two_rounds_cannot_make_one_deliberation(
    create_retained, create_council_session, moderator
):
    session = create_council_session()
    one, other = create_retained(), create_retained()
    assert one.round_id != other.round_id
    with pytest.raises(promotion.PromotionNotPossible):
        promotion.promote([one, other], moderator, _input(session, one))
    db.session.rollback()
    assert deliberation_count() == 0


def test_a_number_is_used_once_per_session(
    promoted, create_retained, create_council_session, moderator
):
    late = create_retained()
    with pytest.raises(promotion.NumberTaken):
        promotion.promote([late], moderator, _input(promoted.council_session, late, number=1))
    db.session.rollback()
    assert late.status == "retained" and late.deliberation_id is None
    assert deliberation_count() == 1
    # The same number in another session is another deliberation.
    other = create_council_session(held_on=date(2028, 1, 10))
    promotion.promote([late], moderator, _input(other, late, number=1))
    db.session.commit()
    assert deliberation_count() == 2


def test_only_moderators_promote(create_retained, create_council_session, create_user):
    proposal = create_retained()
    session = create_council_session()
    facilitator = create_user(role="facilitator")
    with pytest.raises(NotAllowed):
        promotion.promote([proposal], facilitator, _input(session, proposal))


def test_taken_number_re_renders_the_form_with_everything_typed(
    client, moderator, sign_in, promoted, create_retained
):
    late = create_retained(title="Des nichoirs")
    sign_in(moderator)
    response = client.post(
        "/deliberations/promote",
        data={
            "proposal_ids": [late.id],
            "council_session_id": promoted.council_session_id,
            "number": 1,
            "pillar_id": late.pillar_id,
            "title": "Des nichoirs à mésanges",
            "body": "Dans les parcs.",
        },
        headers=EN,
    )
    text = unescape(response.text)
    assert response.status_code == 400
    assert "Error:" in text.split("</title>")[0]
    assert "This number is already used by another deliberation of this council session." in text
    assert 'aria-invalid="true" id="number"' in text
    assert input_value(text, "title") == "Des nichoirs à mésanges" and "Dans les parcs." in text
    assert f'value="{late.id}" checked' in text
    assert deliberation_count() == 1 and late.status == "retained"


def test_mixed_rounds_and_empty_choice_are_explained_on_the_page(
    client, moderator, sign_in, create_retained, create_council_session
):
    one, other = create_retained(), create_retained()
    session = create_council_session()
    sign_in(moderator)
    form = {
        "council_session_id": session.id,
        "number": 1,
        "pillar_id": one.pillar_id,
        "title": "Une action",
    }
    response = client.post(
        "/deliberations/promote", data={**form, "proposal_ids": [one.id, other.id]}, headers=EN
    )
    assert response.status_code == 400
    assert "Only retained proposals of the same round can be promoted together." in response.text
    assert 'id="proposal_ids-error"' in response.text

    response = client.post("/deliberations/promote", data=form, headers=EN)
    assert response.status_code == 400
    assert "Choose at least one retained proposal." in response.text
    assert deliberation_count() == 0


def test_a_proposal_no_longer_retained_is_refused_on_the_page(
    client, moderator, sign_in, create_proposal, create_council_session
):
    published = create_proposal(title="Pas encore décidée")
    session = create_council_session()
    sign_in(moderator)
    response = client.post(
        "/deliberations/promote",
        data={
            "proposal_ids": [published.id],
            "council_session_id": session.id,
            "number": 1,
            "pillar_id": published.pillar_id,
            "title": "Une action",
        },
        headers=EN,
    )
    assert response.status_code == 400
    assert "Only retained proposals of the same round can be promoted together." in response.text
    assert deliberation_count() == 0 and published.status == "published"

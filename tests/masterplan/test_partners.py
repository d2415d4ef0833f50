"""Partners speak for their carrier: they propose actions the city answers, and post progress
notes on their carrier's actions, never on others'. Everything goes to the audit log."""

import re
from datetime import date

import pytest

from participation.errors import NotAllowed, NotFound
from participation.extensions import db
from participation.masterplan import carriers, rules, tracking
from participation.masterplan.tracking import ActionInput, ReasonMissing, ReviewNotPossible
from participation.models import ActionReview

from .conftest import EN, audit_entries


def proposal(pillar_id, title="Un composteur partagé"):
    return ActionInput(title=title, description="Au pied des immeubles.", pillar_id=pillar_id)


def test_a_partner_proposes_an_action_that_waits_for_the_city(
    partner, garden, create_pillar, client
):
    pillar = create_pillar()
    action = tracking.propose_action(garden, partner, proposal(pillar.id))
    db.session.commit()
    assert (action.review, action.is_published, action.carrier_id) == (
        ActionReview.PROPOSED,
        False,
        garden.id,
    )
    assert [e.target_id for e in audit_entries("action.propose")] == [action.id]
    # Not public until the city accepts it: not listed, its page answers 404 to visitors.
    assert "Un composteur partagé" not in client.get("/masterplan/").text
    assert client.get(f"/masterplan/actions/{action.id}").status_code == 404
    assert not rules.can_view(None, action)
    assert rules.can_view(partner, action)


def test_a_partner_cannot_publish_without_the_city(partner, garden, create_pillar):
    action = tracking.propose_action(garden, partner, proposal(create_pillar().id))
    with pytest.raises(NotAllowed):
        tracking.review_action(action, partner, ActionReview.ACCEPTED, "")
    with pytest.raises(NotAllowed):
        tracking.update_tracking(action, partner, tracking.TrackingInput("done", garden.id))
    with pytest.raises(NotAllowed):
        tracking.add_progress_note(action, partner, date(2027, 1, 1), "Déjà fait")
    assert action.review == ActionReview.PROPOSED


def test_a_partner_cannot_touch_another_carriers_action(
    partner, garden, school, create_action, create_pillar
):
    theirs = create_action(carrier=school, title="Potager de l'école")
    with pytest.raises(NotAllowed):
        tracking.add_progress_note(theirs, partner, date(2027, 1, 1), "Pirate")
    with pytest.raises(NotAllowed):
        tracking.propose_action(school, partner, proposal(create_pillar().id))
    with pytest.raises(NotAllowed):
        tracking.update_tracking(theirs, partner, tracking.TrackingInput("done", school.id))
    assert theirs.progress_notes == [] and audit_entries("action.note") == []


def test_a_partner_posts_notes_on_their_carriers_published_actions(partner, garden, create_action):
    action = create_action(carrier=garden)
    note = tracking.add_progress_note(action, partner, date(2027, 2, 1), "Premières récoltes")
    db.session.commit()
    assert note.author_id == partner.id
    (entry,) = audit_entries("action.note")
    assert (entry.actor_id, entry.target_id) == (partner.id, action.id)


def test_the_city_accepts_asks_for_changes_or_declines_with_a_reason(
    partner, garden, moderator, create_pillar
):
    pillar = create_pillar()
    action = tracking.propose_action(garden, partner, proposal(pillar.id))
    with pytest.raises(ReasonMissing):
        tracking.review_action(action, moderator, ActionReview.CHANGES_REQUESTED, " ")
    tracking.review_action(action, moderator, "changes_requested", "Précisez le lieu.")
    assert (action.review, action.review_reason) == ("changes_requested", "Précisez le lieu.")
    # Changes asked: the partner revises, and it waits for the city again.
    tracking.revise_action(action, partner, proposal(pillar.id, "Un composteur rue d'Arras"))
    assert (action.review, action.title) == ("proposed", "Un composteur rue d'Arras")
    tracking.review_action(action, moderator, ActionReview.ACCEPTED, "")
    assert action.is_published
    with pytest.raises(ReviewNotPossible):
        tracking.review_action(action, moderator, ActionReview.DECLINED, "Trop tard")
    db.session.commit()
    answers = [(e.before["review"], e.after["review"]) for e in audit_entries("action.review")]
    assert answers == [("proposed", "changes_requested"), ("proposed", "accepted")]


def test_invitation_by_signed_link_makes_a_partner(
    client, sign_in, moderator, school, create_user, outbox
):
    invitee = create_user(email="direction@ecole.example")
    carriers.invite_partner(school, moderator, "Direction@Ecole.example")
    db.session.commit()
    (mail,) = [m for m in outbox() if m["To"] == "direction@ecole.example"]
    link = re.search(r"http\S+/masterplan/join/(\S+)", mail.get_body().get_content())
    token = link.group(1)
    # Another account cannot use it.
    sign_in(create_user(email="autre@example.org"))
    assert client.post(f"/masterplan/join/{token}").status_code == 403
    assert not rules.speaks_for(invitee, school)
    sign_in(invitee)
    assert client.get(f"/masterplan/join/{token}", headers=EN).status_code == 200
    assert client.post(f"/masterplan/join/{token}").status_code == 302
    db.session.refresh(school)
    assert rules.speaks_for(invitee, school)
    assert [e.actor_id for e in audit_entries("carrier.join")] == [invitee.id]
    # A forged or altered link leads nowhere.
    assert client.get(f"/masterplan/join/{token}x").status_code == 404


def test_partner_pages_through_the_client(client, sign_in, partner, garden, school, create_pillar):
    pillar = create_pillar()
    sign_in(partner)
    assert client.get(f"/masterplan/carriers/{garden.slug}/actions/new").status_code == 200
    assert client.get(f"/masterplan/carriers/{school.slug}/actions/new").status_code == 403
    response = client.post(
        f"/masterplan/carriers/{garden.slug}/actions/new",
        data={"title": "Une grainothèque", "description": "", "pillar_id": pillar.id},
    )
    assert response.status_code == 302
    action_id = int(response.location.rsplit("/", 1)[1])
    page = client.get(f"/masterplan/actions/{action_id}", headers=EN).text
    assert "Waiting for the city" in page
    assert 'action="/masterplan/actions/' not in page  # no tracking, no note before acceptance


def test_blocked_partner_loses_their_powers(partner, garden, create_action):
    from participation.models import utcnow

    action = create_action(carrier=garden)
    partner.blocked_at, partner.blocked_reason = utcnow(), "Abus"
    db.session.commit()
    with pytest.raises(NotAllowed):
        tracking.add_progress_note(action, partner, date(2027, 1, 1), "Note")
    assert not rules.can_add_action(partner, garden)


def test_unknown_or_unpublished_pages_are_not_found(client, partner, garden, create_pillar):
    action = tracking.propose_action(garden, partner, proposal(create_pillar().id))
    db.session.commit()
    assert client.get("/masterplan/actions/999999").status_code == 404
    assert client.get("/masterplan/carriers/personne").status_code == 404
    with pytest.raises(NotFound):
        rules.can_view(None, action).require()


def test_a_partner_finds_their_carrier_from_the_masterplan(client, sign_in, partner, garden):
    sign_in(partner)
    text = client.get("/masterplan/", headers=EN).text
    assert "You speak for:" in text and f'href="/masterplan/carriers/{garden.slug}"' in text
    assert "Propose an action" in client.get(f"/masterplan/carriers/{garden.slug}", headers=EN).text
